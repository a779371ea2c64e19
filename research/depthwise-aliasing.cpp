// Does the distance between a depthwise pass's two activations change oneDNN's speed? (issue 11: the
// paired bench found MobileNet dw7's filter gradient at ~30 or ~40-49 G multiply-adds/s depending on
// what the process had run before, on either side, the same primitive.)
//
// Runs the native kernels' depthwise filter-gradient primitive (NHWC activations, the filter in
// oneDNN's layout) with src and diff_dst in one region, diff_dst placed DELTA bytes after the end of
// src rounded up to 4 KiB, for several DELTAs, the variants interleaved batch by batch. Thread CPU time
// per call, median over batches.
//
//   g++ -O2 -std=c++17 research/depthwise-aliasing.cpp -ldnnl -o /tmp/dw-alias
//   OMP_NUM_THREADS=1 /tmp/dw-alias [n,size,channels,kernel,stride] [reps]   (default MobileNet dw7: 4,16,512,3,1 31)
//
// Answer (2026-12-07 09:29–09:30 UTC, the 2-core Zen5 machine, load average 3.7–4.3 from other users'
// `nice 19` work): dw7 runs at 31.1–32.3 G multiply-adds/s with diff_dst 0, 64 or 2,048 bytes past
// the 4 KiB-rounded end of src, 34.1 at 128, 38.7 at 256 and 40.6–42.2 at 512–3,584 (but 2,048): the
// slow state is diff_dst within about 128 bytes of src modulo 2 KiB. dw5 (4,32,256,3,1 21): 34.6–35.0
// at multiples of 1 KiB, 35.9–37.8 elsewhere. dw3 (4,64,128,3,1 9) and dw1 (4,128,32,3,1 9): no
// pattern (18.1–21.0, 19.7–21.0). Where a process's allocations put the two tensors decides which
// state a bench run sees, on the native side (wasm heap) and the anchor's (malloc) alike:
// docs/native-kernels.md, §9 "dw7's filter gradient".
#include <dnnl.hpp>

#include "depthwise-primitives.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

using namespace dnnl;

int main(int argc, char** argv) {
  DepthwiseShape shape{4, 16, 512, 3, 1, 31};
  if (!shape.parse(argc, argv)) return 2;
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  DepthwisePrimitives p(shape, eng);
  const size_t srcBytes = p.userSrc.get_size(), dstBytes = p.userDst.get_size();
  const size_t base = (srcBytes + 4095) / 4096 * 4096;
  const std::vector<size_t> deltas{0, 64, 128, 256, 512, 768, 1024, 1536, 2048, 2560, 3072, 3584};
  std::vector<char> region(base + 8192 + dstBytes + 4096);
  char* start = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(region.data()) + 4095) / 4096 * 4096);
  std::mt19937 gen(1);
  std::normal_distribution<float> normal(0.f, 1.f);
  for (size_t i = 0; i + 4 <= region.size() - (start - region.data()); i += 4) *reinterpret_cast<float*>(start + i) = normal(gen);
  memory dwei(p.wpd.diff_weights_desc(), eng);
  convolution_backward_weights bww(p.wpd);
  std::vector<std::vector<double>> ms(deltas.size());
  const int calls = 100;
  for (int r = 0; r < shape.reps; r++)
    for (size_t v = 0; v < deltas.size(); v++) {
      memory src(p.userSrc, eng, start), ddst(p.userDst, eng, start + base + deltas[v]);
      auto run = [&] { bww.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, ddst}, {DNNL_ARG_DIFF_WEIGHTS, dwei}}); s.wait(); };
      run();
      double t0 = threadMs();
      for (int i = 0; i < calls; i++) run();
      ms[v].push_back((threadMs() - t0) / calls);
    }
  for (size_t v = 0; v < deltas.size(); v++) {
    std::sort(ms[v].begin(), ms[v].end());
    double m = ms[v][ms[v].size() / 2];
    std::printf("diff_dst at src + %zu + %5zu bytes: %.4f ms, %.1f G multiply-adds/s (%s)\n", base, deltas[v], m, p.macs / m / 1e6, p.wpd.impl_info_str());
  }
}
