// Do 2 MiB pages change oneDNN's depthwise speed? (issue 11: MobileNet dw3's passes swing 2–3x from one
// process or allocation to the next, on the native side and the anchor's alike; dw5 and dw7, with a
// quarter to an eighth of the data, barely move.)
//
// Runs the native kernels' depthwise primitives (NHWC activations, the filter alone in oneDNN's
// layout) on two regions holding the same random values, one on 4 KiB pages and one advised
// MADV_HUGEPAGE before it is first written (the machine's THP mode is `madvise`), the two interleaved
// batch by batch (10 calls after one untimed). Prints the regions' AnonHugePages and per pass the
// median and quartiles of the time per call over 25 batches.
//
//   g++ -O2 -std=c++17 research/depthwise-hugepages.cpp -ldnnl -o /tmp/dw-huge
//   OMP_NUM_THREADS=1 /tmp/dw-huge [SIZE CHANNELS]   (batch 4, 3x3, stride 1; default dw3: 64 128)
//
// Answer (2026-12-07 05:49 UTC, both cores free, load average 0.6): dw3 (64 128) forward 28.2 → 31.1
// G multiply-adds/s on huge pages, input gradient 18.2 → 20.3, filter gradient 20.9 → 24.8; dw1
// (128 32) 19.9 → 20.1, 10.8 → 12.2, 17.6 → 18.3; dw5 (32 256) unchanged (39.7 / 36.5 / 41.4 →
// 41.0 / 36.6 / 41.8). So where a large depthwise pass's pages lie moves its speed, which no program on
// 4 KiB pages controls. Advising the addon's wasm heap the same way (MADV_HUGEPAGE and MADV_COLLAPSE)
// was tried in the same sitting and not kept: `pnpm bench kernels --native --reference --threads 1
// --reps 11` still read dw3 at 0.99 / 0.77 / 0.93 and, `--only mnet`, 0.84 / 0.65 / 0.78 the anchor.
#include <dnnl.hpp>
#include <sys/mman.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <functional>
#include <vector>
#include <random>
using namespace dnnl; using tag = memory::format_tag; using dt = memory::data_type;
static double wallMs() { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
static char* region(size_t bytes, bool huge) {
  size_t two = 2u << 20; char* p = (char*)mmap(nullptr, bytes + two, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  p = (char*)(((uintptr_t)p + two - 1) & ~(uintptr_t)(two - 1));
  if (huge) madvise(p, bytes, MADV_HUGEPAGE);
  std::mt19937 g(1); std::normal_distribution<float> nd; float* f = (float*)p; for (size_t i = 0; i < bytes / 4; i++) f[i] = nd(g);
  return p;
}
int main(int argc, char** argv) {
  int n = 4, h = argc > 1 ? atoi(argv[1]) : 64, c = argc > 2 ? atoi(argv[2]) : 128, k = 3, reps = 25;
  engine eng(engine::kind::cpu, 0); stream st(eng);
  memory::dims src{n, c, h, h}, wei{c, 1, 1, k, k}, dst{n, c, h, h}, strides{1, 1}, padL{1, 1}, padR{1, 1};
  const double macs = double(n) * h * h * c * k * k;
  memory::desc userSrc(src, dt::f32, tag::nhwc), userDst(dst, dt::f32, tag::nhwc), anyWei(wei, dt::f32, tag::any);
  convolution_forward::primitive_desc hint(convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, userSrc, anyWei, userDst, strides, padL, padR), eng);
  convolution_backward_data::primitive_desc bpd(convolution_backward_data::desc(algorithm::convolution_direct, userSrc, anyWei, userDst, strides, padL, padR), eng, hint);
  convolution_backward_weights::primitive_desc wpd(convolution_backward_weights::desc(algorithm::convolution_direct, userSrc, anyWei, userDst, strides, padL, padR), eng, hint);
  convolution_forward fwd(hint); convolution_backward_data bwd(bpd); convolution_backward_weights bww(wpd);
  memory fw(hint.weights_desc(), eng), bw(bpd.weights_desc(), eng), dwi(wpd.diff_weights_desc(), eng);
  size_t sz = userSrc.get_size();
  struct C { const char* kind; const char* p; std::function<void()> f; std::vector<double> t; };
  std::vector<C> cs;
  for (bool huge : {false, true}) {
    char* r = region(3 * sz, huge);
    auto* x = new memory(userSrc, eng, r); auto* dy = new memory(userDst, eng, r + sz); auto* out = new memory(userSrc, eng, r + 2 * sz);
    const char* kd = huge ? "huge" : "4k";
    cs.push_back({kd, "forward", [&, x, out] { fwd.execute(st, {{DNNL_ARG_SRC, *x}, {DNNL_ARG_WEIGHTS, fw}, {DNNL_ARG_DST, *out}}); }, {}});
    cs.push_back({kd, "input-grad", [&, dy, out] { bwd.execute(st, {{DNNL_ARG_DIFF_DST, *dy}, {DNNL_ARG_WEIGHTS, bw}, {DNNL_ARG_DIFF_SRC, *out}}); }, {}});
    cs.push_back({kd, "filter-grad", [&, x, dy] { bww.execute(st, {{DNNL_ARG_SRC, *x}, {DNNL_ARG_DIFF_DST, *dy}, {DNNL_ARG_DIFF_WEIGHTS, dwi}}); }, {}});
  }
  std::ifstream f("/proc/self/smaps_rollup"); std::string l; while (std::getline(f, l)) if (l.find("AnonHuge") != std::string::npos) puts(l.c_str());
  for (int r = 0; r < reps + 1; r++) for (int i : {0, 3, 1, 4, 2, 5}) { auto& c2 = cs[i]; c2.f(); st.wait(); double t0 = wallMs(); for (int j = 0; j < 10; j++) { c2.f(); st.wait(); } if (r) c2.t.push_back((wallMs() - t0) / 10); }
  for (int i : {0, 3, 1, 4, 2, 5}) { auto& c2 = cs[i]; std::sort(c2.t.begin(), c2.t.end()); double m = c2.t[c2.t.size() / 2]; std::printf("%-12s %-5s %.3f ms  %.1f G  (q1 %.3f q3 %.3f)\n", c2.p, c2.kind, m, macs / m / 1e6, c2.t[c2.t.size()/4], c2.t[3*c2.t.size()/4]); }
}
