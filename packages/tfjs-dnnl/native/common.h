// What every kernel of the addon shares: oneDNN's CPU engine and stream, checked access to the wasm
// heap, the fused activations, and the entry points addon.cc exports.
#pragma once

#include <napi.h>
#include <dnnl.hpp>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace yoto_dnnl {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

// One engine and one in-order stream for the process (inline: one instance across the files).
inline dnnl::engine& cpu() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}
inline dnnl::stream& cpuStream() {
  static dnnl::stream s(cpu());
  return s;
}

// The wasm memory's ArrayBuffer, as JS hands it over on every call (growing the memory replaces it).
struct Heap {
  uint8_t* base;
  size_t bytes;
  Heap(const Napi::Env& env, const Napi::Value& v) {
    if (!v.IsArrayBuffer()) throw Napi::TypeError::New(env, "heap must be an ArrayBuffer (the wasm memory's buffer)");
    auto buf = v.As<Napi::ArrayBuffer>();
    base = static_cast<uint8_t*>(buf.Data());
    bytes = buf.ByteLength();
  }
  // `floats` float32 values at byte offset `offset`, checked to lie inside the heap.
  float* at(const Napi::Env& env, double offset, double floats, const char* what) const {
    if (!(offset >= 0) || offset + floats * 4 > double(bytes) || std::fmod(offset, 4.0) != 0)
      throw Napi::RangeError::New(env, std::string(what) + " lies outside the wasm heap");
    return reinterpret_cast<float*>(base + size_t(offset));
  }
};

// Sets the calling thread's OpenMP team size to 1 while it lives, when `on`.
// oneDNN fixes a primitive's thread count when it is created, so a primitive meant to run on one
// thread is created, and run, under it.
struct OneThreadWhile {
  int saved = 0;
  explicit OneThreadWhile(bool on) {
    if (!on) return;
    saved = omp_get_max_threads();
    omp_set_num_threads(1);
  }
  ~OneThreadWhile() {
    if (saved) omp_set_num_threads(saved);
  }
};

// Activation codes shared with src/activations.ts (FusedConv2D, FusedDepthwiseConv2D, _FusedMatMul).
enum Activation { LINEAR = 0, RELU = 1, RELU6 = 2, LEAKY_RELU = 3, SIGMOID = 4, ELU = 5 };
dnnl::post_ops activationOps(int act, float alpha);

// Entry points (one file each), exported by addon.cc.
Napi::Value Conv(const Napi::CallbackInfo& info);
Napi::Value MatMul(const Napi::CallbackInfo& info);
Napi::Value UnaryOp(const Napi::CallbackInfo& info);
Napi::Value BinaryOp(const Napi::CallbackInfo& info);
Napi::Value SumOp(const Napi::CallbackInfo& info);
Napi::Value AdamOp(const Napi::CallbackInfo& info);
size_t convCacheSize();
size_t matmulCacheSize();

}  // namespace yoto_dnnl
