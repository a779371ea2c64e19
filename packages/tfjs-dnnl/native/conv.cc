// oneDNN convolutions working in place on tfjs-backend-wasm's heap.
//
// JS hands over the wasm memory's ArrayBuffer and the byte offsets of the tensors on it (NHWC
// activations, HWIO filters, as tfjs lays them out); every pass reads and writes those buffers
// directly. One primitive per (pass, geometry, layout, fusion) is created on first use and cached,
// together with the internal buffers of the blocked layout and the reorders into and out of it.
#include <napi.h>
#include <dnnl.hpp>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

enum Pass { FORWARD = 0, BACKWARD_DATA = 1, BACKWARD_WEIGHTS = 2 };
enum Activation { LINEAR = 0, RELU = 1, RELU6 = 2, LEAKY_RELU = 3, SIGMOID = 4, ELU = 5 };

// The geometry tfjs's computeConv2DInfo resolves, in the order JS packs it (see src/geometry.ts).
struct Geometry {
  int n, ih, iw, ic, oh, ow, oc, fh, fw, sh, sw, dh, dw, pt, pb, pl, pr;
};
constexpr int GEOMETRY_FIELDS = 17;

engine& cpu() {
  static engine eng(engine::kind::cpu, 0);
  return eng;
}
stream& cpuStream() {
  static stream s(cpu());
  return s;
}

// One operand: the user's buffer on the heap (NHWC/HWIO) and, when the primitive wants another
// layout, an internal buffer plus the reorder between the two.
struct Operand {
  memory user;
  std::optional<memory> internal;
  std::optional<reorder> convert;

  Operand(const memory::desc& userDesc, const memory::desc& wanted, bool isInput) : user(userDesc, cpu(), nullptr) {
    if (wanted == userDesc) return;
    internal.emplace(wanted, cpu());
    convert.emplace(isInput ? reorder(user, *internal) : reorder(*internal, user));
  }
  memory& forPrimitive() { return internal ? *internal : user; }
  void in(void* p) {
    user.set_data_handle(p);
    if (convert) convert->execute(cpuStream(), user, *internal);
  }
  void out() {
    if (convert) convert->execute(cpuStream(), *internal, user);
  }
};

struct Entry {
  primitive prim;
  int argA, argB, argC;
  std::unique_ptr<Operand> a, b, c;
  std::optional<memory> bias;
  std::string impl;
};

std::unordered_map<std::string, std::unique_ptr<Entry>> cache;

memory::desc md(const memory::dims& d, tag t, bool blocked) { return memory::desc(d, dt::f32, blocked ? tag::any : t); }

post_ops activationOps(int act, float alpha) {
  post_ops po;
  switch (act) {
    case LINEAR: break;
    case RELU: po.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); break;
    case RELU6: po.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 6.f); break;
    case LEAKY_RELU: po.append_eltwise(1.f, algorithm::eltwise_relu, alpha, 0.f); break;
    case SIGMOID: po.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f); break;
    case ELU: po.append_eltwise(1.f, algorithm::eltwise_elu, 1.f, 0.f); break;
    default: throw std::invalid_argument("unknown activation code " + std::to_string(act));
  }
  return po;
}

std::unique_ptr<Entry> build(int pass, const Geometry& g, bool blocked, bool hasBias, int act, float alpha) {
  memory::dims src{g.n, g.ic, g.ih, g.iw}, wei{g.oc, g.ic, g.fh, g.fw}, dst{g.n, g.oc, g.oh, g.ow};
  memory::dims strides{g.sh, g.sw}, dil{g.dh - 1, g.dw - 1}, padL{g.pt, g.pl}, padR{g.pb, g.pr};
  memory::desc uSrc(src, dt::f32, tag::nhwc), uWei(wei, dt::f32, tag::hwio), uDst(dst, dt::f32, tag::nhwc);
  memory::desc biasDesc = hasBias ? memory::desc({g.oc}, dt::f32, tag::x) : memory::desc();
  auto fwdDesc = [&](prop_kind kind, bool bias) {
    return bias ? convolution_forward::desc(kind, algorithm::convolution_direct, md(src, tag::nhwc, blocked), md(wei, tag::hwio, blocked),
                                            biasDesc, md(dst, tag::nhwc, blocked), strides, dil, padL, padR)
                : convolution_forward::desc(kind, algorithm::convolution_direct, md(src, tag::nhwc, blocked), md(wei, tag::hwio, blocked),
                                            md(dst, tag::nhwc, blocked), strides, dil, padL, padR);
  };
  auto e = std::make_unique<Entry>();
  if (pass == FORWARD) {
    primitive_attr attr;
    attr.set_post_ops(activationOps(act, alpha));
    convolution_forward::primitive_desc pd(fwdDesc(prop_kind::forward_inference, hasBias), attr, cpu());
    e->prim = convolution_forward(pd);
    e->argA = DNNL_ARG_SRC, e->argB = DNNL_ARG_WEIGHTS, e->argC = DNNL_ARG_DST;
    e->a = std::make_unique<Operand>(uSrc, pd.src_desc(), true);
    e->b = std::make_unique<Operand>(uWei, pd.weights_desc(), true);
    e->c = std::make_unique<Operand>(uDst, pd.dst_desc(), false);
    if (hasBias) e->bias.emplace(biasDesc, cpu(), nullptr);
    e->impl = pd.impl_info_str();
    return e;
  }
  convolution_forward::primitive_desc hint(fwdDesc(prop_kind::forward_training, false), cpu());
  if (pass == BACKWARD_DATA) {
    convolution_backward_data::primitive_desc pd(
        convolution_backward_data::desc(algorithm::convolution_direct, md(src, tag::nhwc, blocked), md(wei, tag::hwio, blocked),
                                        md(dst, tag::nhwc, blocked), strides, dil, padL, padR),
        cpu(), hint);
    e->prim = convolution_backward_data(pd);
    e->argA = DNNL_ARG_DIFF_DST, e->argB = DNNL_ARG_WEIGHTS, e->argC = DNNL_ARG_DIFF_SRC;
    e->a = std::make_unique<Operand>(uDst, pd.diff_dst_desc(), true);
    e->b = std::make_unique<Operand>(uWei, pd.weights_desc(), true);
    e->c = std::make_unique<Operand>(uSrc, pd.diff_src_desc(), false);
    e->impl = pd.impl_info_str();
    return e;
  }
  if (pass != BACKWARD_WEIGHTS) throw std::invalid_argument("unknown pass " + std::to_string(pass));
  convolution_backward_weights::primitive_desc pd(
      convolution_backward_weights::desc(algorithm::convolution_direct, md(src, tag::nhwc, blocked), md(wei, tag::hwio, blocked),
                                         md(dst, tag::nhwc, blocked), strides, dil, padL, padR),
      cpu(), hint);
  e->prim = convolution_backward_weights(pd);
  e->argA = DNNL_ARG_SRC, e->argB = DNNL_ARG_DIFF_DST, e->argC = DNNL_ARG_DIFF_WEIGHTS;
  e->a = std::make_unique<Operand>(uSrc, pd.src_desc(), true);
  e->b = std::make_unique<Operand>(uDst, pd.diff_dst_desc(), true);
  e->c = std::make_unique<Operand>(uWei, pd.diff_weights_desc(), false);
  e->impl = pd.impl_info_str();
  return e;
}

std::string cacheKey(int pass, const Geometry& g, bool blocked, bool hasBias, int act, float alpha) {
  std::string k = std::to_string(pass) + (blocked ? "b" : "p") + (hasBias ? "+" : "-") + std::to_string(act) + ":" + std::to_string(alpha);
  const int* f = &g.n;
  for (int i = 0; i < GEOMETRY_FIELDS; i++) k += "," + std::to_string(f[i]);
  return k;
}

Geometry readGeometry(const Napi::Value& v) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(v.Env(), "geometry must be an Int32Array");
  auto arr = v.As<Napi::Int32Array>();
  if (arr.ElementLength() != GEOMETRY_FIELDS) throw Napi::TypeError::New(v.Env(), "geometry must have 17 fields");
  Geometry g;
  int* f = &g.n;
  for (int i = 0; i < GEOMETRY_FIELDS; i++) f[i] = arr[i];
  return g;
}

// A pointer to `floats` float32 values at byte offset `offset` of the heap, checked to lie inside it.
float* at(const Napi::Env& env, uint8_t* heap, size_t heapBytes, double offset, double floats, const char* what) {
  if (!(offset >= 0) || offset + floats * 4 > double(heapBytes) || std::fmod(offset, 4.0) != 0)
    throw Napi::RangeError::New(env, std::string(what) + " lies outside the wasm heap");
  return reinterpret_cast<float*>(heap + size_t(offset));
}

// conv(pass, geometry, heap, offA, offB, offC, blocked, biasOffset (-1: none), activation, alpha) -> impl name
// forward: A = x, B = filter, C = y; backward data: A = dy, B = filter, C = dx;
// backward weights: A = x, B = dy, C = dW. C is overwritten.
Napi::Value Conv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 10) throw Napi::TypeError::New(env, "conv expects 10 arguments");
  int pass = info[0].As<Napi::Number>().Int32Value();
  Geometry g = readGeometry(info[1]);
  if (!info[2].IsArrayBuffer()) throw Napi::TypeError::New(env, "heap must be an ArrayBuffer (the wasm memory's buffer)");
  auto heap = info[2].As<Napi::ArrayBuffer>();
  bool blocked = info[6].As<Napi::Boolean>().Value();
  double biasOffset = info[7].As<Napi::Number>().DoubleValue();
  int act = info[8].As<Napi::Number>().Int32Value();
  float alpha = info[9].As<Napi::Number>().FloatValue();
  bool hasBias = pass == FORWARD && biasOffset >= 0;
  if (pass != FORWARD) act = LINEAR;

  std::string key = cacheKey(pass, g, blocked, hasBias, act, alpha);
  auto it = cache.find(key);
  try {
    if (it == cache.end()) it = cache.emplace(key, build(pass, g, blocked, hasBias, act, alpha)).first;
  } catch (const dnnl::error& err) {
    throw Napi::Error::New(env, std::string("oneDNN could not create the convolution: ") + err.what());
  }
  Entry& e = *it->second;

  uint8_t* base = static_cast<uint8_t*>(heap.Data());
  size_t bytes = heap.ByteLength();
  double src = double(g.n) * g.ih * g.iw * g.ic, wei = double(g.fh) * g.fw * g.ic * g.oc, dst = double(g.n) * g.oh * g.ow * g.oc;
  double sizes[3][3] = {{src, wei, dst}, {dst, wei, src}, {src, dst, wei}};
  float* a = at(env, base, bytes, info[3].As<Napi::Number>().DoubleValue(), sizes[pass][0], "operand A");
  float* b = at(env, base, bytes, info[4].As<Napi::Number>().DoubleValue(), sizes[pass][1], "operand B");
  float* c = at(env, base, bytes, info[5].As<Napi::Number>().DoubleValue(), sizes[pass][2], "output");

  try {
    e.a->in(a);
    e.b->in(b);
    e.c->user.set_data_handle(c);
    std::unordered_map<int, memory> args{{e.argA, e.a->forPrimitive()}, {e.argB, e.b->forPrimitive()}, {e.argC, e.c->forPrimitive()}};
    if (e.bias) {
      e.bias->set_data_handle(at(env, base, bytes, biasOffset, g.oc, "bias"));
      args.emplace(DNNL_ARG_BIAS, *e.bias);
    }
    e.prim.execute(cpuStream(), args);
    e.c->out();
    cpuStream().wait();
  } catch (const dnnl::error& err) {
    throw Napi::Error::New(env, std::string("oneDNN convolution failed: ") + err.what());
  }
  return Napi::String::New(env, e.impl);
}

// Batched products C[b] = op(A[b])·op(B[b]) on the heap, row-major as tfjs stores them; a transposed
// operand is read in place through its strides. A batch of 1 broadcasts over the other's batch.
struct MatMulEntry {
  primitive prim;
  memory a, b, c;
};
std::unordered_map<std::string, std::unique_ptr<MatMulEntry>> matmuls;

// matmul(dims [batch, batchA, batchB, m, k, n, transposeA, transposeB], heap, offA, offB, offC)
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 5 || !info[0].IsTypedArray() || !info[1].IsArrayBuffer()) throw Napi::TypeError::New(env, "matmul expects (Int32Array dims, heap, offA, offB, offC)");
  auto d = info[0].As<Napi::Int32Array>();
  if (d.ElementLength() != 8) throw Napi::TypeError::New(env, "matmul dims must have 8 fields");
  memory::dim batch = d[0], batchA = d[1], batchB = d[2], m = d[3], k = d[4], n = d[5];
  bool ta = d[6] != 0, tb = d[7] != 0;
  std::string key;
  for (int i = 0; i < 8; i++) key += std::to_string(d[i]) + ",";
  auto it = matmuls.find(key);
  if (it == matmuls.end()) {
    try {
      // Strides of a row-major [batch, rows, cols] operand, read as [batch, cols, rows] when transposed.
      auto desc = [](memory::dim b, memory::dim rows, memory::dim cols, bool transposed) {
        memory::dims dims{b, rows, cols};
        memory::dims strides = transposed ? memory::dims{rows * cols, 1, rows} : memory::dims{rows * cols, cols, 1};
        return memory::desc(dims, dt::f32, strides);
      };
      memory::desc aDesc = desc(batchA, m, k, ta), bDesc = desc(batchB, k, n, tb), cDesc({batch, m, n}, dt::f32, tag::abc);
      matmul::primitive_desc pd(matmul::desc(aDesc, bDesc, cDesc), cpu());
      auto e = std::make_unique<MatMulEntry>();
      e->prim = matmul(pd);
      e->a = memory(aDesc, cpu(), nullptr);
      e->b = memory(bDesc, cpu(), nullptr);
      e->c = memory(cDesc, cpu(), nullptr);
      it = matmuls.emplace(key, std::move(e)).first;
    } catch (const dnnl::error& err) {
      throw Napi::Error::New(env, std::string("oneDNN could not create the matmul: ") + err.what());
    }
  }
  MatMulEntry& e = *it->second;
  auto heap = info[1].As<Napi::ArrayBuffer>();
  uint8_t* base = static_cast<uint8_t*>(heap.Data());
  size_t bytes = heap.ByteLength();
  e.a.set_data_handle(at(env, base, bytes, info[2].As<Napi::Number>().DoubleValue(), double(batchA) * m * k, "operand A"));
  e.b.set_data_handle(at(env, base, bytes, info[3].As<Napi::Number>().DoubleValue(), double(batchB) * k * n, "operand B"));
  e.c.set_data_handle(at(env, base, bytes, info[4].As<Napi::Number>().DoubleValue(), double(batch) * m * n, "output"));
  try {
    e.prim.execute(cpuStream(), {{DNNL_ARG_SRC, e.a}, {DNNL_ARG_WEIGHTS, e.b}, {DNNL_ARG_DST, e.c}});
    cpuStream().wait();
  } catch (const dnnl::error& err) {
    throw Napi::Error::New(env, std::string("oneDNN matmul failed: ") + err.what());
  }
  return env.Undefined();
}

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

Napi::Value CacheSize(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), double(cache.size() + matmuls.size())); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("conv", Napi::Function::New(env, Conv));
  exports.Set("matmul", Napi::Function::New(env, MatMul));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("cacheSize", Napi::Function::New(env, CacheSize));
  return exports;
}

}  // namespace

NODE_API_MODULE(dnnl_kernels, Init)
