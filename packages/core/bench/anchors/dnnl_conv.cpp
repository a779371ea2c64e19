// oneDNN convolution throughput called directly (Debian libdnnl-dev), on tensors laid out as tfjs
// lays them out (NHWC activations, HWIO filters; depthwise filters [fh, fw, channels, 1]): the ceiling
// the native Conv2D and DepthwiseConv2dNative kernels of @yoto/tfjs-dnnl are held to. This project's
// version of ../../../../shared/anchors/dnnl_conv.cpp (same dense shapes and layouts), timed like the
// native side. A depthwise convolution is oneDNN's grouped convolution with one group per channel.
//
// It serves timing requests, one a line on stdin, so that `pnpm bench kernels --native --reference`
// (packages/core/bench/native-conv.ts) can time one anchor rep right beside each native rep of the
// same pass without starting a process per rep (paired.ts says why the reps are paired):
//
//   calls SHAPE LAYOUT PASS REP_MS   -> {"calls": N}: one untimed call, then back-to-back calls for
//                                       at least REP_MS (at least two); N calls fill one rep
//   rep SHAPE LAYOUT PASS CALLS      -> {"shape", "pass", "layout", "impl", "ms", "calls", "gmacs"}:
//                                       one untimed call, then CALLS timed calls; ms per call
//
// for example
//   g++ -O2 -std=c++17 dnnl_conv.cpp -ldnnl -o dnnl_conv
//   printf 'calls probe-5x5-64 nhwc forward 40\nrep probe-5x5-64 nhwc forward 2\n' | OMP_NUM_THREADS=1 ./dnnl_conv
// A malformed request prints one line on stderr and exits with 2.
//
// Layout strategies:
//   "plain"   - oneDNN run on the NHWC / HWIO buffers as they are (no copies);
//   "blocked" - oneDNN picks its own layout (format_tag::any) and the time INCLUDES the reorders of
//               the activations from and back to tfjs's layouts;
//   "nhwc"    - activations as they are, the filter alone in oneDNN's layout (src/geometry.ts in
//               @yoto/tfjs-dnnl says which pass the native kernels run in which layout, and why).
// Built like the native side, so that the two compare like for like:
//   - what the native kernels cache is built once per shape and layout, outside the timed calls: the
//     primitives, the reorder primitives, and the filter in oneDNN's layout for the forward and
//     input-gradient passes (the native kernels keep reordered filters per tensor: filter_cache.h); the
//     filter gradient is still reordered back to tfjs's layout on every call, as the native kernel does;
//   - the inputs hold random values and each pass writes its own output, as the native kernels'
//     tensors (until 2026-12-07 every buffer held zeros, and a pass's output was another's input).
// Shapes: the benchmark models' (shared/docs/benchmarks.md), and the depthwise layers of MobileNet v1
// (the style task's loss network) on 256² images, batch 4 (style-adjustable's full profile).
#include <dnnl.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>

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
static const char* LAYOUTS[] = {"plain", "blocked", "nhwc"};
static const char* PASSES[] = {"forward", "input-grad", "filter-grad"};

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

// A user buffer and an internal one in another layout, with the reorder between them (none where the
// layouts agree: then the internal buffer is the user's).
struct Copy {
  memory from, into;
  std::optional<reorder> r;
  void run(stream& s) { if (r) r->execute(s, from, into); }
};
static Copy copy(memory& from, memory& into) {
  return Copy{from, into, from.get_desc() == into.get_desc() ? std::nullopt : std::optional<reorder>(reorder(from, into))};
}

// One shape in one layout strategy: its buffers, primitives and reorders, built once.
struct Setup {
  double mac;
  memory i_src, i_wei, i_dst, i_ddst, i_dsrc, i_dwei;
  Copy src_in, ddst_in, dst_out, dsrc_out, dwei_out;
  convolution_forward fwd;
  convolution_backward_data bwd;
  convolution_backward_weights bww;
  std::string impl[3];

  Setup(const Shape& p, int mode, engine& eng, stream& s) {
    int oh = (p.h + p.s - 1) / p.s, ow = (p.w + p.s - 1) / p.s;  // tfjs 'same'
    int padh = std::max((oh - 1) * p.s + p.k - p.h, 0), padw = std::max((ow - 1) * p.s + p.k - p.w, 0);
    memory::dims src{p.n, p.c, p.h, p.w}, dst{p.n, p.o, oh, ow}, wei;
    memory::dims st{p.s, p.s}, pl{padh / 2, padw / 2}, pr{padh - padh / 2, padw - padw / 2};
    mac = double(p.n) * oh * ow * p.o * (p.c / p.groups) * p.k * p.k;
    memory::desc u_wei_d = user_filter(p, wei);
    // The operands as tfjs hands them over: the inputs (x, filter, dy) hold random values, as the
    // bench's tf.randomNormal tensors do, and stay as they are; each pass writes its own output buffer
    // (y, dx, dW). Every buffer is written before timing: a buffer never written reads as the
    // kernel's one shared zero page, which stays in cache.
    memory u_src({src, dt::f32, tag::nhwc}, eng), u_wei(u_wei_d, eng), u_dst({dst, dt::f32, tag::nhwc}, eng);
    memory u_y({dst, dt::f32, tag::nhwc}, eng), u_dx({src, dt::f32, tag::nhwc}, eng), u_dw(u_wei_d, eng);
    std::mt19937 gen(1);
    for (memory* m : {&u_src, &u_wei, &u_dst}) fill(*m, true, gen);
    for (memory* m : {&u_y, &u_dx, &u_dw}) fill(*m, false, gen);
    bool blocked = mode == 1;
    auto md = [&](const memory::dims& d) { return memory::desc(d, dt::f32, blocked ? tag::any : tag::nhwc); };
    memory::desc wd = mode == 0 ? u_wei_d : memory::desc(wei, dt::f32, tag::any);
    convolution_forward::primitive_desc fpd(
        convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, md(src), wd, md(dst), st, pl, pr), eng);
    convolution_backward_data::primitive_desc bpd(
        convolution_backward_data::desc(algorithm::convolution_direct, md(src), wd, md(dst), st, pl, pr), eng, fpd);
    convolution_backward_weights::primitive_desc wpd(
        convolution_backward_weights::desc(algorithm::convolution_direct, md(src), wd, md(dst), st, pl, pr), eng, fpd);
    auto internal = [&](memory& user, const memory::desc& d) { return d == user.get_desc() ? user : memory(d, eng); };
    i_src = internal(u_src, fpd.src_desc()), i_dst = internal(u_y, fpd.dst_desc());
    i_ddst = internal(u_dst, bpd.diff_dst_desc()), i_dsrc = internal(u_dx, bpd.diff_src_desc());
    i_dwei = internal(u_dw, wpd.diff_weights_desc());
    src_in = copy(u_src, i_src), ddst_in = copy(u_dst, i_ddst), dst_out = copy(i_dst, u_y), dsrc_out = copy(i_dsrc, u_dx);
    dwei_out = copy(i_dwei, u_dw);
    // The filter in the primitives' layout, reordered once (the native kernels' filter cache).
    i_wei = internal(u_wei, fpd.weights_desc());
    copy(u_wei, i_wei).run(s);
    s.wait();
    fwd = convolution_forward(fpd);
    bwd = convolution_backward_data(bpd);
    bww = convolution_backward_weights(wpd);
    impl[0] = fpd.impl_info_str(), impl[1] = bpd.impl_info_str(), impl[2] = wpd.impl_info_str();
  }

  // One call of a pass, reorders included, waited for.
  void run(int pass, stream& s) {
    if (pass == 0) {
      src_in.run(s);
      fwd.execute(s, {{DNNL_ARG_SRC, i_src}, {DNNL_ARG_WEIGHTS, i_wei}, {DNNL_ARG_DST, i_dst}});
      dst_out.run(s);
    } else if (pass == 1) {
      ddst_in.run(s);
      bwd.execute(s, {{DNNL_ARG_DIFF_DST, i_ddst}, {DNNL_ARG_WEIGHTS, i_wei}, {DNNL_ARG_DIFF_SRC, i_dsrc}});
      dsrc_out.run(s);
    } else {
      src_in.run(s);
      ddst_in.run(s);
      bww.execute(s, {{DNNL_ARG_SRC, i_src}, {DNNL_ARG_DIFF_DST, i_ddst}, {DNNL_ARG_DIFF_WEIGHTS, i_dwei}});
      dwei_out.run(s);
    }
    s.wait();
  }
};

static int find(const char* const* names, int count, const std::string& name) {
  for (int i = 0; i < count; i++)
    if (name == names[i]) return i;
  return -1;
}

[[noreturn]] static void fail(const std::string& line, const char* why) {
  std::fprintf(stderr, "dnnl_conv: bad request \"%s\": %s\n", line.c_str(), why);
  std::exit(2);
}

int main() {
  using clock = std::chrono::steady_clock;
  auto since = [](clock::time_point t0) { return std::chrono::duration<double, std::milli>(clock::now() - t0).count(); };
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  // The current shape's setups by layout; the bench asks for one shape at a time, so a new shape
  // frees the last one's buffers.
  int current = -1;
  std::map<int, std::unique_ptr<Setup>> setups;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string what, shapeName, layoutName, passName;
    double arg = 0;
    if (!(in >> what >> shapeName >> layoutName >> passName >> arg)) fail(line, "expected calls|rep SHAPE LAYOUT PASS NUMBER");
    int si = -1;
    for (int i = 0; i < int(sizeof SHAPES / sizeof SHAPES[0]); i++)
      if (shapeName == SHAPES[i].name) si = i;
    const int layout = find(LAYOUTS, 3, layoutName), pass = find(PASSES, 3, passName);
    if (si < 0) fail(line, "unknown shape");
    if (layout < 0) fail(line, "layout must be plain, blocked or nhwc");
    if (pass < 0) fail(line, "pass must be forward, input-grad or filter-grad");
    if (si != current) setups.clear(), current = si;
    std::unique_ptr<Setup>& setup = setups[layout];
    if (!setup) setup = std::make_unique<Setup>(SHAPES[si], layout, eng, s);
    Setup& u = *setup;
    u.run(pass, s);  // untimed: builds nothing, but brings the operands back after whatever ran before
    if (what == "calls") {
      if (!(arg > 0)) fail(line, "REP_MS must be above 0");
      int n = 0;
      auto w0 = clock::now();
      while (n < 2 || since(w0) < arg) u.run(pass, s), n++;
      std::printf("{\"calls\": %d}\n", std::max(1, int(std::ceil(arg / (since(w0) / n)))));
    } else if (what == "rep") {
      const int calls = int(arg);
      if (calls < 1 || calls != arg) fail(line, "CALLS must be a whole number of 1 or more");
      auto t0 = clock::now();
      for (int i = 0; i < calls; i++) u.run(pass, s);
      const double ms = since(t0) / calls;
      std::printf("{\"shape\": \"%s\", \"pass\": \"%s\", \"layout\": \"%s\", \"impl\": \"%s\", \"ms\": %.4f, \"calls\": %d, \"gmacs\": %.2f}\n",
                  SHAPES[si].name, PASSES[pass], LAYOUTS[layout], u.impl[pass].c_str(), ms, calls, u.mac / ms / 1e6);
    } else {
      fail(line, "the request must start with calls or rep");
    }
    std::fflush(stdout);
  }
}
