// oneDNN convolution throughput called directly (Debian libdnnl-dev), on tensors laid out as tfjs
// lays them out (NHWC activations, HWIO filters; depthwise filters [fh, fw, channels, 1]): the ceiling
// the native Conv2D and DepthwiseConv2dNative kernels of @yoto/tfjs-dnnl are held to. This project's
// version of ../../../../shared/anchors/dnnl_conv.cpp (same dense shapes and layouts), timed like the
// native side. A depthwise convolution is oneDNN's grouped convolution with one group per channel.
//
//   g++ -O2 -std=c++17 dnnl_conv.cpp -ldnnl -o dnnl_conv && OMP_NUM_THREADS=1 ./dnnl_conv [REPS [REP_MS [SHAPE [LAYOUT [PASS]]]]]
//
// SHAPE, LAYOUT and PASS (each "all" or a name below) keep one shape, layout strategy or pass.
//
// Prints one JSON line per shape, pass and layout strategy:
//   "plain"   - oneDNN run on the NHWC / HWIO buffers as they are (no copies);
//   "blocked" - oneDNN picks its own layout (format_tag::any) and the time INCLUDES the reorders of
//               the activations from and back to tfjs's layouts;
//   "nhwc"    - activations as they are, the filter alone in oneDNN's layout: how the native kernels
//               run forward passes and every depthwise pass (src/geometry.ts in @yoto/tfjs-dnnl says why).
// Timed like the native side (packages/core/bench/native-conv.ts, timeCalls), so that the two compare
// like for like:
//   - what the native kernels cache is built once, outside the timed calls: the primitives, the
//     reorder primitives, and the filter in oneDNN's layout for the forward and input-gradient passes
//     (the native kernels keep reordered filters per tensor: filter_cache.h); the filter gradient is
//     still reordered back to tfjs's layout on every call, as the native kernel does (the shared
//     anchor built its reorders and reordered the filter on every call);
//   - the inputs hold random values and each pass writes its own output, as the native kernels'
//     tensors (until 2026-12-07 every buffer held zeros, and a pass's output was another's input);
//   - a rep times a batch of calls lasting at least REP_MS (default 40 ms; calls per rep from a
//     warm-up as long as one rep), and the figure is the median over REPS reps (default 7) of the
//     time per call (the shared anchor: median of 15 single calls).
// Shapes: the benchmark models' (shared/docs/benchmarks.md), and the depthwise layers of MobileNet v1
// (the style task's loss network) on 256² images, batch 4 (style-adjustable's full profile).
#include <dnnl.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

// batch, size, in → out channels, kernel, stride ('same'); groups 1 (dense) or the channel count (depthwise).
struct Shape { const char* name; int n, h, w, c, o, k, s, groups; };
static const Shape SHAPES[] = {
    {"probe-5x5-64", 8, 64, 64, 64, 64, 5, 1, 1},  {"vae-c2", 64, 14, 14, 32, 64, 3, 2, 1},
    {"bls-a1", 8, 128, 128, 3, 64, 5, 2, 1},       {"bls-a2", 8, 64, 64, 64, 64, 5, 2, 1},
    {"bls-a4", 8, 16, 16, 64, 96, 5, 2, 1},        {"style-res", 4, 64, 64, 128, 128, 3, 1, 1},
    {"mnet-dw1", 4, 128, 128, 32, 32, 3, 1, 32},   {"mnet-dw2", 4, 128, 128, 64, 64, 3, 2, 64},
    {"mnet-dw3", 4, 64, 64, 128, 128, 3, 1, 128},  {"mnet-dw5", 4, 32, 32, 256, 256, 3, 1, 256},
    {"mnet-dw7", 4, 16, 16, 512, 512, 3, 1, 512},
};

// The filter as tfjs lays it out. Dense: oneDNN's {o, i, h, w} over HWIO. Depthwise: oneDNN's grouped
// {g, o/g, i/g = 1, h, w} over [h, w, g, multiplier], given by strides (as native/convolution.cc does).
static memory::desc user_filter(const Shape& p, memory::dims& dims) {
  if (p.groups == 1) {
    dims = {p.o, p.c, p.k, p.k};
    return memory::desc(dims, dt::f32, tag::hwio);
  }
  memory::dim m = p.o / p.groups;
  dims = {p.groups, m, p.c / p.groups, p.k, p.k};
  return memory::desc(dims, dt::f32, memory::dims{m, 1, p.k * p.k * p.c * m, p.k * p.c * m, p.c * m});
}

// Random normal values (the bench's inputs are tf.randomNormal) or zeros, written into every element.
static void fill(memory& m, bool random, std::mt19937& gen) {
  float* p = static_cast<float*>(m.get_data_handle());
  const size_t count = m.get_desc().get_size() / sizeof(float);
  std::normal_distribution<float> normal(0.f, 1.f);
  for (size_t i = 0; i < count; i++) p[i] = random ? normal(gen) : 0.f;
}

struct Timing { double ms; int calls; };

// Median over `reps` reps of the time per call, each rep a batch of calls lasting >= rep_ms. The
// first call is untimed (it touches the buffers first); the warm-up then runs calls for one rep's
// length (at least two) and sets the calls per rep from their mean time.
static Timing time_calls(const std::function<void()>& f, stream& s, int reps, double rep_ms) {
  using clock = std::chrono::steady_clock;
  auto since = [](clock::time_point t0) { return std::chrono::duration<double, std::milli>(clock::now() - t0).count(); };
  f();
  s.wait();
  int n = 0;
  auto w0 = clock::now();
  while (n < 2 || since(w0) < rep_ms) {
    f();
    s.wait();
    n++;
  }
  int calls = std::max(1, int(std::ceil(rep_ms / (since(w0) / n))));
  std::vector<double> t;
  for (int r = 0; r < reps; r++) {
    auto t0 = clock::now();
    for (int i = 0; i < calls; i++) {
      f();
      s.wait();
    }
    t.push_back(since(t0) / calls);
  }
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], calls};
}

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
  const double rep_ms = argc > 2 ? std::max(0.0, std::atof(argv[2])) : 40.0;
  auto kept = [&](int arg, const char* name) { return argc <= arg || std::string(argv[arg]) == "all" || std::string(argv[arg]) == name; };
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  for (const Shape& p : SHAPES) {
    if (!kept(3, p.name)) continue;
    int oh = (p.h + p.s - 1) / p.s, ow = (p.w + p.s - 1) / p.s;  // tfjs 'same'
    int padh = std::max((oh - 1) * p.s + p.k - p.h, 0), padw = std::max((ow - 1) * p.s + p.k - p.w, 0);
    memory::dims src{p.n, p.c, p.h, p.w}, dst{p.n, p.o, oh, ow}, wei;
    memory::dims st{p.s, p.s}, pl{padh / 2, padw / 2}, pr{padh - padh / 2, padw - padw / 2};
    double mac = double(p.n) * oh * ow * p.o * (p.c / p.groups) * p.k * p.k;
    memory::desc u_wei_d = user_filter(p, wei);
    // The operands as tfjs hands them over: the inputs (x, filter, dy) hold random values, as the
    // bench's tf.randomNormal tensors do, and stay as they are; each pass writes its own output buffer
    // (y, dx, dW). Every buffer is written before timing: a buffer never written reads as the
    // kernel's one shared zero page, which stays in cache (before 2026-12-07 all of them held zeros).
    memory u_src({src, dt::f32, tag::nhwc}, eng), u_wei(u_wei_d, eng), u_dst({dst, dt::f32, tag::nhwc}, eng);
    memory u_y({dst, dt::f32, tag::nhwc}, eng), u_dx({src, dt::f32, tag::nhwc}, eng), u_dw(u_wei_d, eng);
    std::mt19937 gen(1);
    for (memory* m : {&u_src, &u_wei, &u_dst}) fill(*m, true, gen);
    for (memory* m : {&u_y, &u_dx, &u_dw}) fill(*m, false, gen);
    for (int mode : {0, 1, 2}) {
      bool blocked = mode == 1;
      const char* layout = mode == 0 ? "plain" : mode == 1 ? "blocked" : "nhwc";
      if (!kept(4, layout)) continue;
      auto md = [&](const memory::dims& d, tag t) { return memory::desc(d, dt::f32, blocked ? tag::any : t); };
      memory::desc wd = mode == 0 ? u_wei_d : memory::desc(wei, dt::f32, tag::any);
      auto fd = convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, md(src, tag::nhwc), wd,
                                          md(dst, tag::nhwc), st, pl, pr);
      convolution_forward::primitive_desc fpd(fd, eng);
      convolution_backward_data::primitive_desc bpd(
          convolution_backward_data::desc(algorithm::convolution_direct, md(src, tag::nhwc), wd, md(dst, tag::nhwc), st, pl, pr), eng, fpd);
      convolution_backward_weights::primitive_desc wpd(
          convolution_backward_weights::desc(algorithm::convolution_direct, md(src, tag::nhwc), wd, md(dst, tag::nhwc), st, pl, pr), eng, fpd);
      // Internal buffers; where one has the user buffer's layout, it is the user buffer and no reorder
      // runs. Reorder primitives are built here, once, as the native kernels cache theirs.
      auto same = [](memory& a, memory& b) { return a.get_desc() == b.get_desc(); };
      auto internal = [&](memory& user, const memory::desc& d) { return d == user.get_desc() ? user : memory(d, eng); };
      memory i_src = internal(u_src, fpd.src_desc()), i_dst = internal(u_y, fpd.dst_desc());
      memory i_ddst = internal(u_dst, bpd.diff_dst_desc()), i_dsrc = internal(u_dx, bpd.diff_src_desc());
      memory i_dwei = internal(u_dw, wpd.diff_weights_desc());
      struct Copy { memory from, into; std::optional<reorder> r; };
      auto copy = [&](memory& from, memory& into) { return Copy{from, into, same(from, into) ? std::nullopt : std::optional<reorder>(reorder(from, into))}; };
      Copy src_in = copy(u_src, i_src), ddst_in = copy(u_dst, i_ddst), dst_out = copy(i_dst, u_y), dsrc_out = copy(i_dsrc, u_dx);
      Copy dwei_out = copy(i_dwei, u_dw);
      auto to = [&](Copy& c) { if (c.r) c.r->execute(s, c.from, c.into); };
      // The filter in the primitives' layout, reordered once (the native kernels' filter cache).
      memory i_wei = internal(u_wei, fpd.weights_desc());
      Copy wei_in = copy(u_wei, i_wei);
      to(wei_in);
      s.wait();
      convolution_forward fwd(fpd);
      convolution_backward_data bwd(bpd);
      convolution_backward_weights bww(wpd);
      struct Pass { const char* name; std::function<void()> run; const char* impl; };
      Pass passes[] = {
          {"forward", [&] { to(src_in);
             fwd.execute(s, {{DNNL_ARG_SRC, i_src}, {DNNL_ARG_WEIGHTS, i_wei}, {DNNL_ARG_DST, i_dst}});
             to(dst_out); }, fpd.impl_info_str()},
          {"input-grad", [&] { to(ddst_in);
             bwd.execute(s, {{DNNL_ARG_DIFF_DST, i_ddst}, {DNNL_ARG_WEIGHTS, i_wei}, {DNNL_ARG_DIFF_SRC, i_dsrc}});
             to(dsrc_out); }, bpd.impl_info_str()},
          {"filter-grad", [&] { to(src_in); to(ddst_in);
             bww.execute(s, {{DNNL_ARG_SRC, i_src}, {DNNL_ARG_DIFF_DST, i_ddst}, {DNNL_ARG_DIFF_WEIGHTS, i_dwei}});
             to(dwei_out); }, wpd.impl_info_str()},
      };
      for (Pass& pass : passes) {
        if (!kept(5, pass.name)) continue;
        Timing t = time_calls(pass.run, s, reps, rep_ms);
        std::printf("{\"shape\": \"%s\", \"pass\": \"%s\", \"layout\": \"%s\", \"impl\": \"%s\", \"ms\": %.4f, "
                    "\"calls\": %d, \"reps\": %d, \"gmacs\": %.2f}\n", p.name, pass.name, layout, pass.impl, t.ms, t.calls, reps,
                    mac / t.ms / 1e6);
        std::fflush(stdout);
      }
    }
  }
}
