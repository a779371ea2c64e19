// The addon's exports: the kernels (convolution.cc, matmul.cc, elementwise.cc, adam.cc), threads, and the caches' state.
#include "common.h"
#include "filter_cache.h"

#include <omp.h>

namespace yoto_dnnl {
namespace {

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 1) throw Napi::RangeError::New(info.Env(), "thread count must be at least 1");
  omp_set_num_threads(n);
  return info.Env().Undefined();
}

Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), omp_get_max_threads()); }

Napi::Value Version(const Napi::CallbackInfo& info) {
  const dnnl_version_t* v = dnnl_version();
  return Napi::String::New(info.Env(), std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
}

// Primitives created so far (one per kernel form and shape).
Napi::Value CacheSize(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), double(convCacheSize() + matmulCacheSize())); }

// { hits, misses, entries, bytes, capacity } of the reordered-filter cache.
Napi::Value FilterCacheStats(const Napi::CallbackInfo& info) {
  FilterCache& c = filterCache();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("hits", c.hits);
  o.Set("misses", c.misses);
  o.Set("entries", double(c.entries()));
  o.Set("bytes", double(c.bytes()));
  o.Set("capacity", double(c.capacity()));
  return o;
}

Napi::Value SetFilterCacheBytes(const Napi::CallbackInfo& info) {
  double bytes = info[0].As<Napi::Number>().DoubleValue();
  if (!(bytes >= 0)) throw Napi::RangeError::New(info.Env(), "filter cache capacity must be a number of bytes ≥ 0");
  filterCache().setCapacity(size_t(bytes));
  return info.Env().Undefined();
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("conv", Napi::Function::New(env, Conv));
  exports.Set("matmul", Napi::Function::New(env, MatMul));
  exports.Set("unary", Napi::Function::New(env, UnaryOp));
  exports.Set("binary", Napi::Function::New(env, BinaryOp));
  exports.Set("sum", Napi::Function::New(env, SumOp));
  exports.Set("adam", Napi::Function::New(env, AdamOp));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("cacheSize", Napi::Function::New(env, CacheSize));
  exports.Set("filterCacheStats", Napi::Function::New(env, FilterCacheStats));
  exports.Set("setFilterCacheBytes", Napi::Function::New(env, SetFilterCacheBytes));
  return exports;
}

}  // namespace yoto_dnnl

// The macro pastes the function's name into an identifier, so it needs an unqualified one.
static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return yoto_dnnl::Init(env, exports); }
NODE_API_MODULE(dnnl_kernels, InitAddon)
