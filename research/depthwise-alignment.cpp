// Does where a tensor starts in a cache line change oneDNN's depthwise speed? (issue 11: the depthwise
// passes ran at 0.33–0.62× the anchor while every dense pass met it.)
//
// The anchor (packages/core/bench/anchors/dnnl_conv.cpp) runs on buffers oneDNN allocates, which
// start on 64-byte boundaries; tfjs-backend-wasm's tensors start wherever Emscripten's malloc puts them
// (8-byte aligned). This runs the native kernels' depthwise primitives (NHWC activations, the filter in
// oneDNN's layout, as @yoto/tfjs-dnnl does) on one buffer placed 0, 8 and 24 bytes past a cache line,
// the variants interleaved call by call so that a busy machine weighs on them alike. Time is the
// calling thread's CPU time per call (it does not count time the thread waits for a core): median and
// 10th percentile.
//
//   g++ -O2 -std=c++17 research/depthwise-alignment.cpp -ldnnl -o /tmp/dw-align
//   OMP_NUM_THREADS=1 /tmp/dw-align [n,size,channels,kernel,stride] [reps]   (default MobileNet dw5: 4,32,256,3,1 200)
//
// Answer (2026-12-07 00:26 UTC, the 2-core Zen5 machine at load average 14.9, dw5, 100 calls each,
// 10th percentiles): aligned, forward 0.34 ms, input gradient 0.35, filter gradient 0.36 (26–28 G
// multiply-adds/s); 8 or 24 bytes off a line 0.58–0.59, 0.73–0.75 and 0.75–0.79 (12–16). Hence
// src/heap-alignment.ts in @yoto/tfjs-dnnl.
#include <dnnl.hpp>

#include "depthwise-primitives.h"

#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;


int main(int argc, char** argv) {
  DepthwiseShape shape{4, 32, 256, 3, 1, 200};
  if (!shape.parse(argc, argv)) return 2;
  const int reps = shape.reps;
  engine eng(engine::kind::cpu, 0);
  stream st(eng);
  const DepthwisePrimitives dw(shape, eng);
  convolution_forward::primitive_desc fpd(dw.forward(prop_kind::forward_inference), eng);
  convolution_forward fwd(fpd);
  convolution_backward_data bwd(dw.bpd);
  convolution_backward_weights bww(dw.wpd);
  memory fwdWei(fpd.weights_desc(), eng), bwdWei(dw.bpd.weights_desc(), eng), diffWei(dw.wpd.diff_weights_desc(), eng);
  std::printf("impl: forward %s, input grad %s, filter grad %s\n", fpd.impl_info_str(), dw.bpd.impl_info_str(), dw.wpd.impl_info_str());

  // One page-aligned arena, every byte written (no untouched zero pages), shifted by each offset.
  const size_t bytes = dw.userSrc.get_size() + dw.userDst.get_size() + dw.userWei.get_size() + 3 * 4096;
  std::vector<float> arena(bytes / 4 + 1024);
  for (size_t i = 0; i < arena.size(); i++) arena[i] = float(i % 97) * 0.01f;
  char* base = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(arena.data()) + 4095) & ~uintptr_t(4095));
  const int offsets[] = {0, 8, 24};
  struct Case {
    int offset;
    const char* pass;
    std::function<void()> run;
    std::vector<double> ms;
  };
  std::vector<Case> cases;
  std::vector<std::unique_ptr<memory>> keep;
  for (int off : offsets) {
    char* p = base + off;
    auto* x = keep.emplace_back(new memory(dw.userSrc, eng, p)).get();
    auto* y = keep.emplace_back(new memory(dw.userDst, eng, p + dw.userSrc.get_size() + 4096)).get();
    auto* w = keep.emplace_back(new memory(dw.userWei, eng, p + dw.userSrc.get_size() + dw.userDst.get_size() + 8192)).get();
    reorder(*w, fwdWei).execute(st, *w, fwdWei);
    reorder(*w, bwdWei).execute(st, *w, bwdWei);
    cases.push_back({off, "forward", [&, x, y] { fwd.execute(st, {{DNNL_ARG_SRC, *x}, {DNNL_ARG_WEIGHTS, fwdWei}, {DNNL_ARG_DST, *y}}); }, {}});
    cases.push_back({off, "input-grad", [&, x, y] { bwd.execute(st, {{DNNL_ARG_DIFF_DST, *y}, {DNNL_ARG_WEIGHTS, bwdWei}, {DNNL_ARG_DIFF_SRC, *x}}); }, {}});
    cases.push_back({off, "filter-grad", [&, x, y, w] {
                       bww.execute(st, {{DNNL_ARG_SRC, *x}, {DNNL_ARG_DIFF_DST, *y}, {DNNL_ARG_DIFF_WEIGHTS, diffWei}});
                       reorder(diffWei, *w).execute(st, diffWei, *w);
                     }, {}});
  }
  for (int r = 0; r < reps + 3; r++)
    for (Case& cs : cases) {
      double t0 = threadMs();
      cs.run();
      st.wait();
      if (r >= 3) cs.ms.push_back(threadMs() - t0);
    }
  for (Case& cs : cases) {
    std::sort(cs.ms.begin(), cs.ms.end());
    double med = cs.ms[cs.ms.size() / 2], p10 = cs.ms[cs.ms.size() / 10];
    std::printf("{\"offset\": %d, \"pass\": \"%s\", \"cpu_ms_median\": %.3f, \"cpu_ms_p10\": %.3f, \"gmacs_p10\": %.1f}\n", cs.offset, cs.pass, med, p10,
                dw.macs / p10 / 1e6);
  }
}
