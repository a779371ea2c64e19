// oneDNN convolutions working in place on tfjs-backend-wasm's heap: Conv2D, FusedConv2D and their
// two backprops, and the depthwise family (DepthwiseConv2dNative, FusedDepthwiseConv2D and their
// backprops). Depthwise is oneDNN's grouped convolution with one group per input channel, so both
// families share this one file: the same primitives, passes, caches and operand plumbing, differing
// only in the filter's description (see filterDesc).
//
// JS hands over the wasm memory's ArrayBuffer and the byte offsets of the tensors on it (NHWC
// activations, HWIO filters — [fh, fw, in, multiplier] for depthwise — as tfjs lays them out); every
// pass reads and writes those buffers directly. One primitive per (pass, geometry, layout, fusion) is
// created on first use and cached, together with the internal buffers of the blocked layout and the
// reorders into and out of it. Filters reordered for a forward or input-gradient pass are kept in
// the filter cache (filter_cache.h) under the token JS gives each filter tensor.
#include "common.h"
#include "filter_cache.h"

#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <unordered_map>

namespace yoto_dnnl {
namespace {

using namespace dnnl;

enum Pass { FORWARD = 0, BACKWARD_DATA = 1, BACKWARD_WEIGHTS = 2 };
// Where oneDNN may choose its own layout (src/geometry.ts says which pass runs in which, and why):
// PLAIN nowhere, BLOCKED for every operand, NHWC for the filter only.
enum Layout { PLAIN = 0, BLOCKED = 1, NHWC = 2 };

// The geometry tfjs's computeConv2DInfo resolves, in the order JS packs it (see src/geometry.ts).
// groups is 1 for a dense convolution and the input channel count for a depthwise one
// (oc = ic · multiplier).
struct Geometry {
  int n, ih, iw, ic, oh, ow, oc, fh, fw, sh, sw, dh, dw, pt, pb, pl, pr, groups;
};
constexpr int GEOMETRY_FIELDS = 18;
static_assert(sizeof(Geometry) == GEOMETRY_FIELDS * sizeof(int32_t), "Geometry is read and keyed as 18 int32 fields");
constexpr double SINGLE_THREAD_CONV_MACS = double(1 << 24);

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
  // A filter: its reordered copy from the filter cache when the token (≥ 0) has one, else reordered
  // now (into the cache when it fits, so the next call with the same tensor skips the reorder).
  memory& filter(void* p, double token) {
    user.set_data_handle(p);
    if (!convert) return user;
    FilterCache& cache = filterCache();
    const memory::desc& want = internal->get_desc();
    if (token < 0 || cache.capacity() < want.get_size()) {
      convert->execute(cpuStream(), user, *internal);
      return *internal;
    }
    if (memory* hit = cache.find(token, user.get_desc(), want)) return *hit;
    memory& copy = cache.insert(token, user.get_desc(), want);
    convert->execute(cpuStream(), user, copy);
    return copy;
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
  // The primitive's arguments, built on first use; a call only swaps in the filter's memory (the
  // user buffer or its cached reordered copy). The other memories keep their objects and take each
  // call's heap address through set_data_handle.
  std::unordered_map<int, memory> args;
};

// What a primitive is cached under: pass, layout, fusion and the geometry, as plain numbers (the
// alpha as its float bits), compared and hashed whole — no string built per call.
constexpr int KEY_FIELDS = GEOMETRY_FIELDS + 5;
using Key = std::array<int32_t, KEY_FIELDS>;
struct KeyHash {
  size_t operator()(const Key& k) const {
    size_t h = 1469598103934665603ull;  // FNV-1a over the fields
    for (int32_t v : k) h = (h ^ uint32_t(v)) * 1099511628211ull;
    return h;
  }
};
std::unordered_map<Key, std::unique_ptr<Entry>, KeyHash> cache;

// An activation's description: NHWC, or oneDNN's choice in the blocked layout.
memory::desc actDesc(const memory::dims& d, int layout) { return memory::desc(d, dt::f32, layout == BLOCKED ? tag::any : tag::nhwc); }

// The filter as it lies on the heap. Dense: oneDNN's {o, i, h, w} over tfjs's HWIO. Depthwise:
// oneDNN's grouped {g, o/g, i/g = 1, h, w} over tfjs's [h, w, g, multiplier], given by strides
// (no format tag names that order; the size-1 input dimension gets the outermost stride).
memory::desc filterDesc(const Geometry& g, bool chosen) {
  if (g.groups == 1) return memory::desc({g.oc, g.ic, g.fh, g.fw}, dt::f32, chosen ? tag::any : tag::hwio);
  memory::dim m = g.oc / g.groups, c = g.ic;
  memory::dims dims{g.groups, m, g.ic / g.groups, g.fh, g.fw};
  if (chosen) return memory::desc(dims, dt::f32, tag::any);
  return memory::desc(dims, dt::f32, memory::dims{m, 1, g.fh * g.fw * c * m, g.fw * c * m, c * m});
}

std::unique_ptr<Entry> build(int pass, const Geometry& g, int layout, bool hasBias, int act, float alpha) {
  memory::dims src{g.n, g.ic, g.ih, g.iw}, dst{g.n, g.oc, g.oh, g.ow};
  memory::dims strides{g.sh, g.sw}, dil{g.dh - 1, g.dw - 1}, padL{g.pt, g.pl}, padR{g.pb, g.pr};
  memory::desc uSrc(src, dt::f32, tag::nhwc), uWei = filterDesc(g, false), uDst(dst, dt::f32, tag::nhwc);
  memory::desc wei = filterDesc(g, layout != PLAIN);
  memory::desc biasDesc = hasBias ? memory::desc({g.oc}, dt::f32, tag::x) : memory::desc();
  auto fwdDesc = [&](prop_kind kind, bool bias) {
    return bias ? convolution_forward::desc(kind, algorithm::convolution_direct, actDesc(src, layout), wei, biasDesc,
                                            actDesc(dst, layout), strides, dil, padL, padR)
                : convolution_forward::desc(kind, algorithm::convolution_direct, actDesc(src, layout), wei,
                                            actDesc(dst, layout), strides, dil, padL, padR);
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
        convolution_backward_data::desc(algorithm::convolution_direct, actDesc(src, layout), wei, actDesc(dst, layout),
                                        strides, dil, padL, padR),
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
      convolution_backward_weights::desc(algorithm::convolution_direct, actDesc(src, layout), wei, actDesc(dst, layout),
                                         strides, dil, padL, padR),
      cpu(), hint);
  e->prim = convolution_backward_weights(pd);
  e->argA = DNNL_ARG_SRC, e->argB = DNNL_ARG_DIFF_DST, e->argC = DNNL_ARG_DIFF_WEIGHTS;
  e->a = std::make_unique<Operand>(uSrc, pd.src_desc(), true);
  e->b = std::make_unique<Operand>(uDst, pd.diff_dst_desc(), true);
  e->c = std::make_unique<Operand>(uWei, pd.diff_weights_desc(), false);
  e->impl = pd.impl_info_str();
  return e;
}

Key cacheKey(int pass, const Geometry& g, int layout, bool hasBias, int act, float alpha) {
  Key k{};
  int32_t alphaBits;
  std::memcpy(&alphaBits, &alpha, sizeof alphaBits);
  k[0] = pass, k[1] = layout, k[2] = hasBias, k[3] = act, k[4] = alphaBits;
  std::memcpy(&k[5], &g.n, sizeof(int32_t) * GEOMETRY_FIELDS);
  return k;
}

Geometry readGeometry(const Napi::Value& v) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(v.Env(), "geometry must be an Int32Array");
  auto arr = v.As<Napi::Int32Array>();
  if (arr.ElementLength() != GEOMETRY_FIELDS) throw Napi::TypeError::New(v.Env(), "geometry must have 18 fields");
  Geometry g;
  int* f = &g.n;
  for (int i = 0; i < GEOMETRY_FIELDS; i++) f[i] = arr[i];
  if (g.groups < 1 || g.ic % g.groups != 0 || g.oc % g.groups != 0)
    throw Napi::RangeError::New(v.Env(), "geometry: groups must divide the input and output channels");
  return g;
}

}  // namespace

// conv(pass, geometry, heap, offA, offB, offC, layout, biasOffset (-1: none), activation, alpha,
//      filterToken (-1: not cached)) -> impl name
// forward: A = x, B = filter, C = y; backward data: A = dy, B = filter, C = dx;
// backward weights: A = x, B = dy, C = dW. C is overwritten.
Napi::Value Conv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 11) throw Napi::TypeError::New(env, "conv expects 11 arguments");
  int pass = info[0].As<Napi::Number>().Int32Value();
  Geometry g = readGeometry(info[1]);
  Heap heap(env, info[2]);
  int layout = info[6].As<Napi::Number>().Int32Value();
  if (layout < PLAIN || layout > NHWC) throw Napi::RangeError::New(env, "unknown layout " + std::to_string(layout));
  double biasOffset = info[7].As<Napi::Number>().DoubleValue();
  int act = info[8].As<Napi::Number>().Int32Value();
  float alpha = info[9].As<Napi::Number>().FloatValue();
  double token = info[10].As<Napi::Number>().DoubleValue();
  bool hasBias = pass == FORWARD && biasOffset >= 0;
  if (pass != FORWARD) act = LINEAR;

  // Small convolutions (the vae's) run on the calling thread: below this many multiply-adds waking
  // the others costs more than splitting saves.
  const double macs = double(g.n) * g.oh * g.ow * g.oc * (double(g.ic) / g.groups) * g.fh * g.fw;
  OneThreadWhile oneThread(macs < SINGLE_THREAD_CONV_MACS);
  Key key = cacheKey(pass, g, layout, hasBias, act, alpha);
  auto it = cache.find(key);
  try {
    if (it == cache.end()) it = cache.emplace(key, build(pass, g, layout, hasBias, act, alpha)).first;
  } catch (const dnnl::error& err) {
    throw Napi::Error::New(env, std::string("oneDNN could not create the convolution: ") + err.what());
  }
  Entry& e = *it->second;

  double src = double(g.n) * g.ih * g.iw * g.ic, wei = double(g.fh) * g.fw * g.ic / g.groups * g.oc, dst = double(g.n) * g.oh * g.ow * g.oc;
  double sizes[3][3] = {{src, wei, dst}, {dst, wei, src}, {src, dst, wei}};
  float* a = heap.at(env, info[3].As<Napi::Number>().DoubleValue(), sizes[pass][0], "operand A");
  float* b = heap.at(env, info[4].As<Napi::Number>().DoubleValue(), sizes[pass][1], "operand B");
  float* c = heap.at(env, info[5].As<Napi::Number>().DoubleValue(), sizes[pass][2], "output");

  try {
    e.a->in(a);
    memory& bMem = pass == BACKWARD_WEIGHTS ? (e.b->in(b), e.b->forPrimitive()) : e.b->filter(b, token);
    e.c->user.set_data_handle(c);
    if (e.args.empty()) {
      e.args = {{e.argA, e.a->forPrimitive()}, {e.argB, bMem}, {e.argC, e.c->forPrimitive()}};
      if (e.bias) e.args.emplace(DNNL_ARG_BIAS, *e.bias);
    } else {
      e.args.at(e.argB) = bMem;
    }
    if (e.bias) e.bias->set_data_handle(heap.at(env, biasOffset, g.oc, "bias"));
    e.prim.execute(cpuStream(), e.args);
    // Not holding on to a cached filter copy between calls: the filter cache may evict it meanwhile.
    e.args.at(e.argB) = e.b->user;
    e.c->out();
    cpuStream().wait();
  } catch (const dnnl::error& err) {
    throw Napi::Error::New(env, std::string("oneDNN convolution failed: ") + err.what());
  }
  return Napi::String::New(env, e.impl);
}

size_t convCacheSize() { return cache.size(); }

}  // namespace yoto_dnnl
