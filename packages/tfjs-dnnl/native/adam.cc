// Adam's update of one parameter in one pass over its values, on tfjs-backend-wasm's heap: core's
// optimizer (packages/core/src/train/adam.ts) otherwise runs it as a JS loop per parameter, about a
// tenth of a vae training step once the convolutions are native.
//
// Bit-identical to that loop (packages/core/src/train/adam_update.ts) and to tfjs's op-by-op update:
// every operation is one IEEE float32 +, −, ·, / or √ in the same order, and binding.gyp builds with
// -ffp-contract=off, so the compiler never fuses a multiply and an add (which rounds once, not twice).
#include "common.h"

namespace yoto_dnnl {
namespace {

// Each value is independent of every other, so the result never depends on the thread count.
constexpr int64_t PARALLEL_MIN = 1 << 19;

void adamLoop(const float* p, const float* g, const float* mIn, const float* vIn, float* pOut, float* mOut, float* vOut, int64_t n, const float* k) {
  const float b1 = k[0], c1 = k[1], b2 = k[2], c2 = k[3], eps = k[4], stepSize = k[5], invSqrtBc2 = k[6];
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN)
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float m = mIn[i] * b1 + gi * c1;
    const float v = vIn[i] * b2 + (gi * gi) * c2;
    mOut[i] = m;
    vOut[i] = v;
    const float denom = std::sqrt(v) * invSqrtBc2 + eps;
    pOut[i] = p[i] - (m / denom) * stepSize;
  }
}

}  // namespace

// adam(heap, Float64Array offsets [p, g, mIn, vIn, pOut, mOut, vOut], n, Float32Array constants
// [b1, c1, b2, c2, eps, stepSize, invSqrtBc2]). m and v may be updated in place (mOut = mIn); pOut
// is a fresh tensor.
Napi::Value AdamOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 4 || !info[1].IsTypedArray() || !info[3].IsTypedArray())
    throw Napi::TypeError::New(env, "adam expects (heap, Float64Array offsets × 7, n, Float32Array constants × 7)");
  Heap heap(env, info[0]);
  auto offsets = info[1].As<Napi::Float64Array>();
  auto constants = info[3].As<Napi::Float32Array>();
  if (offsets.ElementLength() != 7 || constants.ElementLength() != 7) throw Napi::TypeError::New(env, "adam expects 7 offsets and 7 constants");
  const double n = info[2].As<Napi::Number>().DoubleValue();
  if (!(n >= 0) || n != std::floor(n)) throw Napi::RangeError::New(env, "adam: n must be an integer ≥ 0");
  static const char* names[7] = {"parameter", "gradient", "m", "v", "new parameter", "new m", "new v"};
  float* at[7];
  for (int i = 0; i < 7; i++) at[i] = heap.at(env, offsets[i], n, names[i]);
  adamLoop(at[0], at[1], at[2], at[3], at[4], at[5], at[6], int64_t(n), constants.Data());
  return env.Undefined();
}

}  // namespace yoto_dnnl
