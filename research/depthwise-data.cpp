// Does what the buffers hold change oneDNN's depthwise speed? (issue 11: dw3's gradients stayed under
// 0.8× the anchor while the same primitives ran on both sides.)
//
// Until 2026-12-07 the anchor's buffers (packages/core/bench/anchors/dnnl_conv.cpp) held nothing but
// zeros: oneDNN's fresh allocations are zero pages and its passes wrote zeros over zeros. The native
// kernels in `pnpm bench kernels --native` run on tf.randomNormal tensors. This runs the same three depthwise primitives the native kernels run (NHWC
// activations, the filter alone in oneDNN's layout) on two sets of buffers, one all zeros and one
// random, the two interleaved call by call so that a busy machine weighs on them alike. Every buffer is
// written once before timing (no untouched zero pages), each pass writes its own output buffer (its
// inputs stay as set), and the filter gradient is reordered back to tfjs's layout as both sides do.
// Time: wall and the calling thread's CPU time per call, median and 10th percentile.
//
//   g++ -O2 -std=c++17 research/depthwise-data.cpp -ldnnl -o /tmp/dw-data
//   OMP_NUM_THREADS=1 /tmp/dw-data [n,size,channels,kernel,stride] [reps]   (default MobileNet dw3: 4,64,128,3,1 100)
//
// Answer (2026-12-07 05:45:44, both cores free, load average 1.0, 100 calls each): dw3 (4,64,128,3,1)
// zeros / random 0.880 / 0.864 ms forward, 1.545 / 1.547 input gradient, 1.507 / 1.692 filter
// gradient; dw1 (4,128,32,3,1) 1.043 / 1.049, 1.956 / 1.941, 1.249 / 1.244. No difference but dw3's
// filter gradient (11%, one run). The anchor now fills its inputs with random values anyway, as the
// bench's native side has them.
#include <dnnl.hpp>

#include "depthwise-primitives.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

static double wallMs() { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

static void fill(memory& m, bool random, std::mt19937& gen) {
  float* p = static_cast<float*>(m.get_data_handle());
  size_t count = m.get_desc().get_size() / sizeof(float);
  std::normal_distribution<float> normal(0.f, 1.f);
  for (size_t i = 0; i < count; i++) p[i] = random ? normal(gen) : 0.f;
}

int main(int argc, char** argv) {
  DepthwiseShape shape{4, 64, 128, 3, 1, 100};
  if (!shape.parse(argc, argv)) return 2;
  const int reps = shape.reps;
  engine eng(engine::kind::cpu, 0);
  stream st(eng);
  const DepthwisePrimitives dw(shape, eng);
  convolution_forward fwd(dw.hint);
  convolution_backward_data bwd(dw.bpd);
  convolution_backward_weights bww(dw.wpd);
  reorder::primitive_desc backToUser(eng, dw.wpd.diff_weights_desc(), eng, dw.userWei);
  reorder toUser(backToUser);
  std::printf("impl: forward %s, input grad %s, filter grad %s\n", dw.hint.impl_info_str(), dw.bpd.impl_info_str(), dw.wpd.impl_info_str());

  struct Case {
    std::string data;
    const char* pass;
    std::function<void()> run;
    std::vector<double> wall, cpu;
  };
  struct Buffers {
    memory x, w, dy, fwdWei, bwdWei, y, dx, dwInternal, dw;
  };
  std::mt19937 gen(1);
  std::vector<Buffers> sets;
  sets.reserve(2);
  for (bool random : {false, true}) {
    Buffers b{memory(dw.userSrc, eng), memory(dw.userWei, eng), memory(dw.userDst, eng), memory(dw.hint.weights_desc(), eng), memory(dw.bpd.weights_desc(), eng),
              memory(dw.userDst, eng), memory(dw.userSrc, eng), memory(dw.wpd.diff_weights_desc(), eng), memory(dw.userWei, eng)};
    for (memory* m : {&b.x, &b.w, &b.dy}) fill(*m, random, gen);
    for (memory* m : {&b.fwdWei, &b.bwdWei, &b.y, &b.dx, &b.dwInternal, &b.dw}) fill(*m, false, gen);
    reorder(b.w, b.fwdWei).execute(st, b.w, b.fwdWei);
    reorder(b.w, b.bwdWei).execute(st, b.w, b.bwdWei);
    st.wait();
    sets.push_back(std::move(b));
  }
  std::vector<Case> cases;
  for (int i = 0; i < 2; i++) {
    Buffers* b = &sets[i];
    std::string data = i == 0 ? "zeros" : "random";
    cases.push_back({data, "forward", [&, b] { fwd.execute(st, {{DNNL_ARG_SRC, b->x}, {DNNL_ARG_WEIGHTS, b->fwdWei}, {DNNL_ARG_DST, b->y}}); }, {}, {}});
    cases.push_back({data, "input-grad", [&, b] { bwd.execute(st, {{DNNL_ARG_DIFF_DST, b->dy}, {DNNL_ARG_WEIGHTS, b->bwdWei}, {DNNL_ARG_DIFF_SRC, b->dx}}); }, {}, {}});
    cases.push_back({data, "filter-grad", [&, b] {
                       bww.execute(st, {{DNNL_ARG_SRC, b->x}, {DNNL_ARG_DIFF_DST, b->dy}, {DNNL_ARG_DIFF_WEIGHTS, b->dwInternal}});
                       toUser.execute(st, b->dwInternal, b->dw);
                     }, {}, {}});
  }
  // Same pass, both data sets back to back, then the next pass.
  std::vector<int> order;
  for (int p = 0; p < 3; p++)
    for (int d = 0; d < 2; d++) order.push_back(d * 3 + p);
  for (int r = 0; r < reps + 3; r++)
    for (int i : order) {
      Case& cs = cases[i];
      double w0 = wallMs(), c0 = threadMs();
      cs.run();
      st.wait();
      if (r >= 3) cs.wall.push_back(wallMs() - w0), cs.cpu.push_back(threadMs() - c0);
    }
  for (int i : order) {
    Case& cs = cases[i];
    std::sort(cs.wall.begin(), cs.wall.end());
    std::sort(cs.cpu.begin(), cs.cpu.end());
    auto med = [](const std::vector<double>& v) { return v[v.size() / 2]; };
    auto p10 = [](const std::vector<double>& v) { return v[v.size() / 10]; };
    std::printf("{\"data\": \"%s\", \"pass\": \"%s\", \"wall_ms_median\": %.3f, \"wall_ms_p10\": %.3f, \"cpu_ms_median\": %.3f, \"cpu_ms_p10\": %.3f, "
                "\"gmacs_wall_median\": %.1f}\n",
                cs.data.c_str(), cs.pass, med(cs.wall), p10(cs.wall), med(cs.cpu), p10(cs.cpu), dw.macs / med(cs.wall) / 1e6);
  }
}
