// Element-wise kernels on tfjs-backend-wasm's heap: unary maps (Square, Sqrt, Rsqrt…), binary maps
// with broadcasting (Add, Sub, Mul, RealDiv…) and sums over axes (Sum). These are memory-bound
// loops, so they are plain C++ (vectorized by the compiler) split over the same OpenMP threads as
// oneDNN's primitives: a GDN layer of the bls model runs about a dozen of them over 2 M values per
// step, single-threaded in wasm otherwise.
//
// Results never depend on the thread count: every output value is computed by one thread from the
// same inputs in the same order (Sum's partial sums are over fixed blocks, added in block order), so
// a run is repeatable on any number of threads.
#include "common.h"

#include <omp.h>

#include <algorithm>
#include <vector>

namespace yoto_dnnl {
namespace {

// Below this many values a loop runs on the calling thread: a loop over fewer takes tens of
// microseconds, about what waking another thread costs on an idle machine, and on a busy one each
// parallel region waits for the other thread to be scheduled. (The loops vectorize at -O3,
// binding.gyp; restrict tells the compiler that outputs, fresh tensors, never overlap inputs.)
constexpr int64_t PARALLEL_MIN = 1 << 19;

// Codes shared with src/kernels/elementwise.ts.
enum Unary { SQUARE = 0, SQRT = 1, RSQRT = 2, NEG = 3, EXP = 4, LOG = 5, RECIPROCAL = 6, ABS = 7, TANH = 8 };
enum Binary { ADD = 0, SUB = 1, MUL = 2, DIV = 3, SQUARED_DIFFERENCE = 4, MAXIMUM = 5, MINIMUM = 6, POW = 7 };

template <typename F>
void unaryLoop(const float* __restrict x, float* __restrict y, int64_t n, F f) {
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN)
  for (int64_t i = 0; i < n; i++) y[i] = f(x[i]);
}

// Binary over an output of collapsed shape `shape` (nd ≤ 4, row-major), each operand read through
// its strides (0 broadcasts). Rows are every index but the last; a row's operand offsets come from
// its index, and its inner loop is specialized for the column strides that occur (1 or 0) so that
// the compiler vectorizes it.
template <typename F>
void binaryLoop(const float* a, const float* b, float* c, const int64_t* shape, const int64_t* as, const int64_t* bs, int nd, F f) {
  const int64_t cols = shape[nd - 1], ac = as[nd - 1], bc = bs[nd - 1];
  int64_t rows = 1;
  for (int d = 0; d < nd - 1; d++) rows *= shape[d];
  // Long rows (a plain element-wise op collapses to one) are cut into chunks, so that they split too.
  constexpr int64_t CHUNK = 8192;
  const int64_t chunks = (cols + CHUNK - 1) / CHUNK, width = std::min(cols, CHUNK);
#pragma omp parallel for schedule(static) if (rows * cols >= PARALLEL_MIN && rows * chunks > 1)
  for (int64_t t = 0; t < rows * chunks; t++) {
    const int64_t r = t / chunks, j0 = (t % chunks) * width, len = std::min(width, cols - j0);
    int64_t rem = r, oa = j0 * ac, ob = j0 * bc;
    for (int d = nd - 2; d >= 0; d--) {
      const int64_t i = rem % shape[d];
      rem /= shape[d];
      oa += i * as[d];
      ob += i * bs[d];
    }
    // The output is a fresh tensor: it never overlaps an operand (restrict lets the loops vectorize).
    const float* __restrict pa = a + oa;
    const float* __restrict pb = b + ob;
    float* __restrict pc = c + r * cols + j0;
    if (ac == 1 && bc == 1)
      for (int64_t j = 0; j < len; j++) pc[j] = f(pa[j], pb[j]);
    else if (ac == 1 && bc == 0) {
      const float vb = pb[0];
      for (int64_t j = 0; j < len; j++) pc[j] = f(pa[j], vb);
    } else if (ac == 0 && bc == 1) {
      const float va = pa[0];
      for (int64_t j = 0; j < len; j++) pc[j] = f(va, pb[j]);
    } else
      for (int64_t j = 0; j < len; j++) pc[j] = f(pa[j * ac], pb[j * bc]);
  }
}

int64_t num(const Napi::Value& v) { return int64_t(v.As<Napi::Number>().DoubleValue()); }

}  // namespace

// unary(op, heap, offX, offY, n): y = op(x) over n values.
Napi::Value UnaryOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 5) throw Napi::TypeError::New(env, "unary expects (op, heap, offX, offY, n)");
  int op = info[0].As<Napi::Number>().Int32Value();
  Heap heap(env, info[1]);
  int64_t n = num(info[4]);
  const float* x = heap.at(env, info[2].As<Napi::Number>().DoubleValue(), double(n), "input");
  float* y = heap.at(env, info[3].As<Napi::Number>().DoubleValue(), double(n), "output");
  switch (op) {
    case SQUARE: unaryLoop(x, y, n, [](float v) { return v * v; }); break;
    case SQRT: unaryLoop(x, y, n, [](float v) { return std::sqrt(v); }); break;
    case RSQRT: unaryLoop(x, y, n, [](float v) { return 1.f / std::sqrt(v); }); break;
    case NEG: unaryLoop(x, y, n, [](float v) { return -v; }); break;
    case EXP: unaryLoop(x, y, n, [](float v) { return std::exp(v); }); break;
    case LOG: unaryLoop(x, y, n, [](float v) { return std::log(v); }); break;
    case RECIPROCAL: unaryLoop(x, y, n, [](float v) { return 1.f / v; }); break;
    case ABS: unaryLoop(x, y, n, [](float v) { return std::fabs(v); }); break;
    case TANH: unaryLoop(x, y, n, [](float v) { return std::tanh(v); }); break;
    default: throw Napi::RangeError::New(env, "unknown unary op " + std::to_string(op));
  }
  return env.Undefined();
}

// binary(op, dims, heap, offA, offB, offC): dims = [nd, shape × nd, strides of A × nd, strides of B
// × nd] over the output's collapsed shape (nd ≤ 4; a stride 0 broadcasts).
Napi::Value BinaryOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 6 || !info[1].IsTypedArray()) throw Napi::TypeError::New(env, "binary expects (op, Int32Array dims, heap, offA, offB, offC)");
  int op = info[0].As<Napi::Number>().Int32Value();
  auto d = info[1].As<Napi::Int32Array>();
  int nd = d.ElementLength() > 0 ? d[0] : 0;
  if (nd < 1 || nd > 4 || d.ElementLength() != size_t(1 + 3 * nd)) throw Napi::TypeError::New(env, "binary dims must be [nd ≤ 4, shape, strides of A, strides of B]");
  int64_t shape[4], as[4], bs[4];
  double n = 1, aLast = 1, bLast = 1;  // values covered by the output and by each operand
  for (int i = 0; i < nd; i++) {
    shape[i] = d[1 + i], as[i] = d[1 + nd + i], bs[i] = d[1 + 2 * nd + i];
    if (shape[i] < 1 || as[i] < 0 || bs[i] < 0) throw Napi::RangeError::New(env, "binary dims must be positive and strides ≥ 0");
    n *= double(shape[i]);
    aLast += double(shape[i] - 1) * double(as[i]);
    bLast += double(shape[i] - 1) * double(bs[i]);
  }
  Heap heap(env, info[2]);
  const float* a = heap.at(env, info[3].As<Napi::Number>().DoubleValue(), aLast, "operand A");
  const float* b = heap.at(env, info[4].As<Napi::Number>().DoubleValue(), bLast, "operand B");
  float* c = heap.at(env, info[5].As<Napi::Number>().DoubleValue(), n, "output");
  switch (op) {
    case ADD: binaryLoop(a, b, c, shape, as, bs, nd, [](float x, float y) { return x + y; }); break;
    case SUB: binaryLoop(a, b, c, shape, as, bs, nd, [](float x, float y) { return x - y; }); break;
    case MUL: binaryLoop(a, b, c, shape, as, bs, nd, [](float x, float y) { return x * y; }); break;
    case DIV: binaryLoop(a, b, c, shape, as, bs, nd, [](float x, float y) { return x / y; }); break;
    case SQUARED_DIFFERENCE: binaryLoop(a, b, c, shape, as, bs, nd, [](float x, float y) { return (x - y) * (x - y); }); break;
    // NaN propagates as in tfjs (Math.max / Math.min).
    case MAXIMUM: binaryLoop(a, b, c, shape, as, bs, nd, [](float x, float y) { return x != x || y != y ? x + y : std::max(x, y); }); break;
    case MINIMUM: binaryLoop(a, b, c, shape, as, bs, nd, [](float x, float y) { return x != x || y != y ? x + y : std::min(x, y); }); break;
    case POW: {
      // A constant exponent of 1.5 (GDN's 1/√x gradient, x^1.5 over every activation) as x·√x:
      // powf has no vector form, and this is within an ulp of it.
      bool scalarExponent = std::all_of(bs, bs + nd, [](int64_t s) { return s == 0; });
      if (scalarExponent && b[0] == 1.5f)
        binaryLoop(a, b, c, shape, as, bs, nd, [](float x, float) { return x * std::sqrt(x); });
      else
        binaryLoop(a, b, c, shape, as, bs, nd, [](float x, float y) { return std::pow(x, y); });
      break;
    }
    default: throw Napi::RangeError::New(env, "unknown binary op " + std::to_string(op));
  }
  return env.Undefined();
}

// sum(dims [outer, reduced, inner], heap, offX, offY): y[o, i] = Σ_r x[o, r, i], summed in double.
// With many outputs each outer index is one thread's. A long reduction with few outer indices (a
// bias gradient: outer 1, reduced N·H·W, inner C; a per-example mean: outer N, inner 1) is split
// into fixed blocks of BLOCK rows, each block's partial sum made by one thread and the blocks added
// in order afterwards. The form is chosen by shape alone, so the bits never depend on the threads.
Napi::Value SumOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 4 || !info[0].IsTypedArray()) throw Napi::TypeError::New(env, "sum expects (Int32Array [outer, reduced, inner], heap, offX, offY)");
  auto d = info[0].As<Napi::Int32Array>();
  if (d.ElementLength() != 3 || d[0] < 1 || d[1] < 1 || d[2] < 1) throw Napi::TypeError::New(env, "sum dims must be 3 positive sizes [outer, reduced, inner]");
  const int64_t outer = d[0], red = d[1], inner = d[2];
  Heap heap(env, info[1]);
  const float* x = heap.at(env, info[2].As<Napi::Number>().DoubleValue(), double(outer) * red * inner, "input");
  float* y = heap.at(env, info[3].As<Napi::Number>().DoubleValue(), double(outer) * inner, "output");
  const int64_t n = outer * red * inner;
  constexpr int64_t BLOCK = 1024;
  const int64_t blocks = outer < 16 && red >= 2 * BLOCK ? (red + BLOCK - 1) / BLOCK : 1;
  const int64_t rowsPerBlock = blocks == 1 ? red : BLOCK;
  std::vector<double> partial(size_t(outer * blocks * inner), 0.0);
#pragma omp parallel for schedule(static) collapse(2) if (n >= PARALLEL_MIN)
  for (int64_t o = 0; o < outer; o++)
    for (int64_t k = 0; k < blocks; k++) {
      double* acc = partial.data() + (o * blocks + k) * inner;
      const float* p = x + o * red * inner;
      const int64_t end = std::min(red, (k + 1) * rowsPerBlock);
      for (int64_t r = k * rowsPerBlock; r < end; r++)
        for (int64_t i = 0; i < inner; i++) acc[i] += p[r * inner + i];
    }
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      double s = 0;
      for (int64_t k = 0; k < blocks; k++) s += partial[(o * blocks + k) * inner + i];
      y[o * inner + i] = float(s);
    }
  return env.Undefined();
}

}  // namespace yoto_dnnl
