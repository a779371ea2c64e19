// oneDNN depthwise convolution throughput called directly (Debian libdnnl-dev), on tensors laid out
// as tfjs lays them out (NHWC activations, depthwise filters [fh, fw, channels, 1]): the ceiling for
// the native DepthwiseConv2dNative kernels, as ../../../shared/anchors/dnnl_conv.cpp is for Conv2D.
// A depthwise convolution is oneDNN's grouped convolution with one group per channel.
//
//   g++ -O2 -std=c++17 dnnl_depthwise.cpp -ldnnl -o dnnl_depthwise && OMP_NUM_THREADS=1 ./dnnl_depthwise
//
// Prints one JSON line per shape, pass and layout strategy, as dnnl_conv.cpp does:
//   "plain"   - oneDNN run on the NHWC / [fh, fw, c, 1] buffers as they are (no copies);
//   "blocked" - oneDNN picks its own layout (format_tag::any) and the time INCLUDES the reorders
//               from and back to tfjs's layouts;
//   "nhwc"    - activations as they are, the filter alone in oneDNN's layout (its reorder included):
//               how the native depthwise kernels run (src/geometry.ts in @yoto/tfjs-dnnl says why).
// Shapes: the depthwise layers of MobileNet v1 (the style task's loss network) on 256² images,
// batch 4 (style-adjustable's full profile).
#include <dnnl.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

struct Shape { const char* name; int n, h, w, c, k, s; };
static const Shape SHAPES[] = {
    {"mnet-dw1", 4, 128, 128, 32, 3, 1},  {"mnet-dw2", 4, 128, 128, 64, 3, 2}, {"mnet-dw3", 4, 64, 64, 128, 3, 1},
    {"mnet-dw5", 4, 32, 32, 256, 3, 1},   {"mnet-dw7", 4, 16, 16, 512, 3, 1},
};

static double median_ms(const std::function<void()>& f, stream& s, int reps = 15) {
  for (int i = 0; i < 3; i++) f();
  s.wait();
  std::vector<double> t;
  for (int i = 0; i < reps; i++) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    s.wait();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

int main() {
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  for (const Shape& p : SHAPES) {
    int oh = (p.h + p.s - 1) / p.s, ow = (p.w + p.s - 1) / p.s;  // tfjs 'same'
    int padh = std::max((oh - 1) * p.s + p.k - p.h, 0), padw = std::max((ow - 1) * p.s + p.k - p.w, 0);
    memory::dims src{p.n, p.c, p.h, p.w}, wei{p.c, 1, 1, p.k, p.k}, dst{p.n, p.c, oh, ow};
    memory::dims st{p.s, p.s}, pl{padh / 2, padw / 2}, pr{padh - padh / 2, padw - padw / 2};
    double mac = double(p.n) * oh * ow * p.c * p.k * p.k;
    // [fh, fw, c, 1] as oneDNN's {g, o, i, h, w}: strides g 1, o 1, i (size 1) outermost, h k·c, w c.
    memory::desc u_wei_d(wei, dt::f32, memory::dims{1, 1, p.k * p.k * p.c, p.k * p.c, p.c});
    memory u_src({src, dt::f32, tag::nhwc}, eng), u_wei(u_wei_d, eng), u_dst({dst, dt::f32, tag::nhwc}, eng);
    for (int mode : {0, 1, 2}) {
      bool blocked = mode == 1;
      const char* layout = mode == 0 ? "plain" : mode == 1 ? "blocked" : "nhwc";
      auto md = [&](const memory::dims& d, tag t) { return memory::desc(d, dt::f32, blocked ? tag::any : t); };
      memory::desc wd = mode == 0 ? u_wei_d : memory::desc(wei, dt::f32, tag::any);
      auto fd = convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, md(src, tag::nhwc), wd,
                                          md(dst, tag::nhwc), st, pl, pr);
      convolution_forward::primitive_desc fpd(fd, eng);
      convolution_backward_data::primitive_desc bpd(
          convolution_backward_data::desc(algorithm::convolution_direct, md(src, tag::nhwc), wd, md(dst, tag::nhwc), st, pl, pr), eng, fpd);
      convolution_backward_weights::primitive_desc wpd(
          convolution_backward_weights::desc(algorithm::convolution_direct, md(src, tag::nhwc), wd, md(dst, tag::nhwc), st, pl, pr), eng, fpd);
      memory i_src(fpd.src_desc(), eng), i_wei(fpd.weights_desc(), eng), i_dst(fpd.dst_desc(), eng);
      memory i_ddst(bpd.diff_dst_desc(), eng), i_dsrc(bpd.diff_src_desc(), eng), i_dwei(wpd.diff_weights_desc(), eng);
      // Internal buffers; where one has the user buffer's layout, its reorder is skipped.
      auto to = [&](memory& from, memory& into) { if (from.get_desc() != into.get_desc()) reorder(from, into).execute(s, from, into); };
      convolution_forward fwd(fpd);
      convolution_backward_data bwd(bpd);
      convolution_backward_weights bww(wpd);
      struct Pass { const char* name; std::function<void()> run; const char* impl; };
      Pass passes[] = {
          {"forward", [&] { to(u_src, i_src); to(u_wei, i_wei);
             fwd.execute(s, {{DNNL_ARG_SRC, i_src}, {DNNL_ARG_WEIGHTS, i_wei}, {DNNL_ARG_DST, i_dst}});
             to(i_dst, u_dst); }, fpd.impl_info_str()},
          {"input-grad", [&] { to(u_dst, i_ddst); to(u_wei, i_wei);
             bwd.execute(s, {{DNNL_ARG_DIFF_DST, i_ddst}, {DNNL_ARG_WEIGHTS, i_wei}, {DNNL_ARG_DIFF_SRC, i_dsrc}});
             to(i_dsrc, u_src); }, bpd.impl_info_str()},
          {"filter-grad", [&] { to(u_src, i_src); to(u_dst, i_ddst);
             bww.execute(s, {{DNNL_ARG_SRC, i_src}, {DNNL_ARG_DIFF_DST, i_ddst}, {DNNL_ARG_DIFF_WEIGHTS, i_dwei}});
             to(i_dwei, u_wei); }, wpd.impl_info_str()},
      };
      for (Pass& pass : passes) {
        double ms = median_ms(pass.run, s);
        std::printf("{\"shape\": \"%s\", \"pass\": \"%s\", \"layout\": \"%s\", \"impl\": \"%s\", \"ms\": %.3f, "
                    "\"gmacs\": %.1f}\n", p.name, pass.name, layout, pass.impl, ms,
                    mac / ms / 1e6);
      }
    }
  }
}
