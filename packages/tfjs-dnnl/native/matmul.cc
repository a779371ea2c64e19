// BatchMatMul and _FusedMatMul on tfjs-backend-wasm's heap: C[b] = act(op(A[b])·op(B[b]) + bias),
// row-major as tfjs stores them. A transposed operand is read in place through its strides (no
// transpose copy; oneDNN's matmul takes strided operands at full speed), and a batch of 1 broadcasts
// over the other operand's batch. The bias (one value per output column) and the activation are
// oneDNN's own bias argument and post-op, so a dense layer is one primitive.
#include "common.h"

#include <memory>
#include <unordered_map>

namespace yoto_dnnl {
namespace {

using namespace dnnl;

struct MatMulEntry {
  primitive prim;
  memory a, b, c, bias;
  bool hasBias;
};
std::unordered_map<std::string, std::unique_ptr<MatMulEntry>> matmuls;

constexpr int DIMS = 10;

// Products smaller than this many multiply-adds (the FiLM networks' [8, 64]·[64, 64], dozens per
// bls step) run on the calling thread: waking a second thread costs more than the product, and on
// a busy machine far more. oneDNN fixes a primitive's thread count when it is created and uses it
// for every execution, so such a primitive is created, and run, with one thread.
constexpr double SINGLE_THREAD_MACS = 1 << 20;


std::unique_ptr<MatMulEntry> build(memory::dim batch, memory::dim batchA, memory::dim batchB, memory::dim m, memory::dim k, memory::dim n, bool ta, bool tb,
                                   bool hasBias, int act, float alpha) {
  // Strides of a row-major [batch, rows, cols] operand, read as [batch, cols, rows] when transposed.
  auto desc = [](memory::dim b, memory::dim rows, memory::dim cols, bool transposed) {
    memory::dims dims{b, rows, cols};
    memory::dims strides = transposed ? memory::dims{rows * cols, 1, rows} : memory::dims{rows * cols, cols, 1};
    return memory::desc(dims, dt::f32, strides);
  };
  memory::desc aDesc = desc(batchA, m, k, ta), bDesc = desc(batchB, k, n, tb), cDesc({batch, m, n}, dt::f32, tag::abc);
  memory::desc biasDesc({1, 1, n}, dt::f32, tag::abc);
  primitive_attr attr;
  attr.set_post_ops(activationOps(act, alpha));
  matmul::primitive_desc pd(hasBias ? matmul::desc(aDesc, bDesc, biasDesc, cDesc) : matmul::desc(aDesc, bDesc, cDesc), attr, cpu());
  auto e = std::make_unique<MatMulEntry>();
  e->prim = matmul(pd);
  e->a = memory(aDesc, cpu(), nullptr);
  e->b = memory(bDesc, cpu(), nullptr);
  e->c = memory(cDesc, cpu(), nullptr);
  e->hasBias = hasBias;
  if (hasBias) e->bias = memory(biasDesc, cpu(), nullptr);
  return e;
}

}  // namespace

// matmul(dims [batch, batchA, batchB, m, k, n, transposeA, transposeB, hasBias, activation],
//        heap, offA, offB, offC, offBias (ignored without bias), leaky relu's alpha)
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 7 || !info[0].IsTypedArray()) throw Napi::TypeError::New(env, "matmul expects (Int32Array dims, heap, offA, offB, offC, offBias, alpha)");
  auto d = info[0].As<Napi::Int32Array>();
  if (d.ElementLength() != DIMS) throw Napi::TypeError::New(env, "matmul dims must have 10 fields");
  Heap heap(env, info[1]);
  memory::dim batch = d[0], batchA = d[1], batchB = d[2], m = d[3], k = d[4], n = d[5];
  bool hasBias = d[8] != 0;
  float alpha = info[6].As<Napi::Number>().FloatValue();
  std::string key = std::to_string(alpha);
  for (int i = 0; i < DIMS; i++) key += "," + std::to_string(d[i]);
  const bool small = double(batch) * m * k * n < SINGLE_THREAD_MACS;
  OneThreadWhile oneThread(small);
  auto it = matmuls.find(key);
  if (it == matmuls.end()) {
    try {
      it = matmuls.emplace(key, build(batch, batchA, batchB, m, k, n, d[6] != 0, d[7] != 0, hasBias, d[9], alpha)).first;
    } catch (const dnnl::error& err) {
      throw Napi::Error::New(env, std::string("oneDNN could not create the matmul: ") + err.what());
    }
  }
  MatMulEntry& e = *it->second;
  e.a.set_data_handle(heap.at(env, info[2].As<Napi::Number>().DoubleValue(), double(batchA) * m * k, "operand A"));
  e.b.set_data_handle(heap.at(env, info[3].As<Napi::Number>().DoubleValue(), double(batchB) * k * n, "operand B"));
  e.c.set_data_handle(heap.at(env, info[4].As<Napi::Number>().DoubleValue(), double(batch) * m * n, "output"));
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, e.a}, {DNNL_ARG_WEIGHTS, e.b}, {DNNL_ARG_DST, e.c}};
  if (e.hasBias) {
    e.bias.set_data_handle(heap.at(env, info[5].As<Napi::Number>().DoubleValue(), double(n), "bias"));
    args.emplace(DNNL_ARG_BIAS, e.bias);
  }
  try {
    e.prim.execute(cpuStream(), args);
    cpuStream().wait();
  } catch (const dnnl::error& err) {
    throw Napi::Error::New(env, std::string("oneDNN matmul failed: ") + err.what());
  }
  return env.Undefined();
}

size_t matmulCacheSize() { return matmuls.size(); }

}  // namespace yoto_dnnl
