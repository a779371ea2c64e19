// Does the distance between a depthwise pass's two activations change oneDNN's speed? (issue 11: the
// paired bench found MobileNet dw7's filter gradient at ~30 or ~40-49 G multiply-adds/s depending on
// what the process had run before, on either side, the same primitive; with the heap wrapper's first
// stagger, dw5's forward pass read ~30 instead of ~40 in two runs of three.)
//
// Runs one of the native kernels' depthwise primitives (NHWC activations, the filter in oneDNN's
// layout) with its two activations in one region (forward: src, then dst; input gradient: diff_dst,
// then diff_src; filter gradient: src, then diff_dst), the second placed DELTA bytes after the end of
// the first rounded up to 4 KiB, for several DELTAs, the variants interleaved batch by batch. Thread CPU
// time per call, median over batches.
//
//   g++ -O2 -std=c++17 research/depthwise-aliasing.cpp -ldnnl -o /tmp/dw-alias
//   OMP_NUM_THREADS=1 /tmp/dw-alias [n,size,channels,kernel,stride] [reps] [forward|input-grad|filter-grad] [STEP]
//   (default MobileNet dw7: 4,16,512,3,1 31 filter-grad; DELTAs 0, 64, 128, 256, 512, … 3,584, or every
//   multiple of STEP bytes below 4 KiB)
//
// Answer (2026-12-07 09:29–09:30 UTC, the 2-core Zen5 machine, load average 3.7–4.3 from other users'
// `nice 19` work): dw7 runs at 31.1–32.3 G multiply-adds/s with diff_dst 0, 64 or 2,048 bytes past
// the 4 KiB-rounded end of src, 34.1 at 128, 38.7 at 256 and 40.6–42.2 at 512–3,584 (but 2,048): the
// slow state is diff_dst within about 128 bytes of src modulo 2 KiB. dw5 (4,32,256,3,1 21): 34.6–35.0
// at multiples of 1 KiB, 35.9–37.8 elsewhere. dw3 (4,64,128,3,1 9) and dw1 (4,128,32,3,1 9): no
// pattern (18.1–21.0, 19.7–21.0). Where a process's allocations put the two tensors decides which
// state a bench run sees, on the native side (wasm heap) and the anchor's (malloc) alike:
// docs/native-kernels.md, §9 "dw7's filter gradient".
//
// Every pass of dw5 at every 64 or 256 bytes (2026-12-07 12:32:29–12:32:56 UTC, both cores free, load
// average 1.03 → 1.02; `4,32,256,3,1 9 forward 64`, `… input-grad 256`, `4,16,512,3,1 9 forward 256`,
// `4,32,256,3,1 9 filter-grad 256`): dw5's forward pass 29.8–32.1 G multiply-adds/s at all 64
// distances, no pattern; its input gradient 38.3–39.0; dw7's forward pass 27.2–28.1; dw5's filter
// gradient 38.8–41.1 at multiples of 1 KiB, 39.9–44.5 elsewhere. So only the filter gradients (two
// streams read side by side) showed the effect; the same sweeps at load 5–8 (11:03–11:25, `nice 19`)
// read 28–35 everywhere and measure nothing. docs/native-kernels.md §11.
#include <dnnl.hpp>

#include "depthwise-primitives.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

using namespace dnnl;

int main(int argc, char** argv) {
  DepthwiseShape shape{4, 16, 512, 3, 1, 31};
  if (!shape.parse(argc, argv)) return 2;
  const std::string pass = argc > 3 ? argv[3] : "filter-grad";
  if (pass != "forward" && pass != "input-grad" && pass != "filter-grad") {
    std::fprintf(stderr, "pass must be forward, input-grad or filter-grad (got %s)\n", pass.c_str());
    return 2;
  }
  const long step = argc > 4 ? std::atol(argv[4]) : 0;
  if (argc > 4 && (step < 64 || step % 64 != 0)) {
    std::fprintf(stderr, "step must be a multiple of 64 bytes (got %s)\n", argv[4]);
    return 2;
  }
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  DepthwisePrimitives p(shape, eng);
  // The pass's two activations: the first at the region's start, the second DELTA bytes past the end of
  // the first rounded up to 4 KiB (forward: src → dst; input gradient: diff_dst → diff_src; filter
  // gradient: src → diff_dst).
  const memory::desc& first = pass == "input-grad" ? p.userDst : p.userSrc;
  const memory::desc& second = pass == "input-grad" ? p.userSrc : p.userDst;
  const size_t base = (first.get_size() + 4095) / 4096 * 4096;
  std::vector<size_t> deltas{0, 64, 128, 256, 512, 768, 1024, 1536, 2048, 2560, 3072, 3584};
  if (step > 0) {
    deltas.clear();
    for (long d = 0; d < 4096; d += step) deltas.push_back(size_t(d));
  }
  std::vector<char> region(base + 8192 + second.get_size() + 4096);
  char* start = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(region.data()) + 4095) / 4096 * 4096);
  std::mt19937 gen(1);
  std::normal_distribution<float> normal(0.f, 1.f);
  for (size_t i = 0; i + 4 <= region.size() - (start - region.data()); i += 4) *reinterpret_cast<float*>(start + i) = normal(gen);
  // The filter, in oneDNN's layout as the native kernels cache it (forward and input gradient), or the
  // filter gradient's output.
  convolution_forward::primitive_desc fpd(p.forward(prop_kind::forward_inference), eng);
  memory wei(pass == "forward" ? fpd.weights_desc() : pass == "input-grad" ? p.bpd.weights_desc() : p.wpd.diff_weights_desc(), eng);
  std::vector<float> weights(wei.get_desc().get_size() / sizeof(float));
  for (float& w : weights) w = normal(gen);
  std::copy(weights.begin(), weights.end(), static_cast<float*>(wei.get_data_handle()));
  primitive prim = pass == "forward" ? primitive(convolution_forward(fpd))
                   : pass == "input-grad" ? primitive(convolution_backward_data(p.bpd))
                                          : primitive(convolution_backward_weights(p.wpd));
  const char* impl = pass == "forward" ? fpd.impl_info_str() : pass == "input-grad" ? p.bpd.impl_info_str() : p.wpd.impl_info_str();
  std::vector<std::vector<double>> ms(deltas.size());
  const int calls = 100;
  for (int r = 0; r < shape.reps; r++)
    for (size_t v = 0; v < deltas.size(); v++) {
      memory a(first, eng, start), b(second, eng, start + base + deltas[v]);
      std::unordered_map<int, memory> args =
          pass == "forward"      ? std::unordered_map<int, memory>{{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, b}}
          : pass == "input-grad" ? std::unordered_map<int, memory>{{DNNL_ARG_DIFF_DST, a}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DIFF_SRC, b}}
                                 : std::unordered_map<int, memory>{{DNNL_ARG_SRC, a}, {DNNL_ARG_DIFF_DST, b}, {DNNL_ARG_DIFF_WEIGHTS, wei}};
      auto run = [&] { prim.execute(s, args); s.wait(); };
      run();
      double t0 = threadMs();
      for (int i = 0; i < calls; i++) run();
      ms[v].push_back((threadMs() - t0) / calls);
    }
  std::printf("%s, %d,%d,%d,%d,%d (%s)\n", pass.c_str(), shape.n, shape.h, shape.c, shape.k, shape.s, impl);
  for (size_t v = 0; v < deltas.size(); v++) {
    std::sort(ms[v].begin(), ms[v].end());
    double m = ms[v][ms[v].size() / 2];
    std::printf("second at first + %zu + %5zu bytes: %.4f ms, %.1f G multiply-adds/s\n", base, deltas[v], m, p.macs / m / 1e6);
  }
}
