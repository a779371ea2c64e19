// The depthwise convolution the native kernels run, for the research/depthwise-*.cpp diagnostics:
// NHWC activations, the filter alone in oneDNN's layout, tfjs's 'same' padding, and the three
// training primitives (forward, input gradient, filter gradient) created as @yoto/tfjs-dnnl creates
// them. One place, so that every diagnostic measures the same primitives.
#pragma once
#include <dnnl.hpp>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

struct DepthwiseShape {
  int n, h, c, k, s, reps;

  // argv[1] "n,size,channels,kernel,stride" and argv[2] reps override the defaults; a malformed shape
  // prints one line and returns false.
  bool parse(int argc, char** argv) {
    if (argc > 1 && std::sscanf(argv[1], "%d,%d,%d,%d,%d", &n, &h, &c, &k, &s) != 5) {
      std::fprintf(stderr, "shape must be n,size,channels,kernel,stride (got %s)\n", argv[1]);
      return false;
    }
    if (argc > 2) reps = std::max(1, std::atoi(argv[2]));
    return true;
  }
};

struct DepthwisePrimitives {
  using memory = dnnl::memory;
  using tag = memory::format_tag;
  using dt = memory::data_type;

  int oh, pad;
  double macs;
  memory::dims src, wei, dst, strides, padL, padR;
  memory::desc userSrc, userDst, anyWei, userWei;
  dnnl::convolution_forward::primitive_desc hint;
  dnnl::convolution_backward_data::primitive_desc bpd;
  dnnl::convolution_backward_weights::primitive_desc wpd;

  DepthwisePrimitives(const DepthwiseShape& d, const dnnl::engine& eng)
      : oh((d.h + d.s - 1) / d.s),
        pad(std::max((oh - 1) * d.s + d.k - d.h, 0)),  // tfjs 'same'
        macs(double(d.n) * oh * oh * d.c * d.k * d.k),
        src{d.n, d.c, d.h, d.h},
        wei{d.c, 1, 1, d.k, d.k},
        dst{d.n, d.c, oh, oh},
        strides{d.s, d.s},
        padL{pad / 2, pad / 2},
        padR{pad - pad / 2, pad - pad / 2},
        userSrc(src, dt::f32, tag::nhwc),
        userDst(dst, dt::f32, tag::nhwc),
        anyWei(wei, dt::f32, tag::any),
        // The filter as tfjs lays it out, [k, k, c, 1], read as oneDNN's {g, o, i, h, w} (see the anchor).
        userWei(wei, dt::f32, memory::dims{1, 1, d.k * d.k * d.c, d.k * d.c, d.c}),
        hint(forward(dnnl::prop_kind::forward_training), eng),
        bpd(dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, userSrc, anyWei, userDst, strides, padL, padR), eng, hint),
        wpd(dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, userSrc, anyWei, userDst, strides, padL, padR), eng, hint) {}

  dnnl::convolution_forward::desc forward(dnnl::prop_kind kind) const {
    return dnnl::convolution_forward::desc(kind, dnnl::algorithm::convolution_direct, userSrc, anyWei, userDst, strides, padL, padR);
  }
};

// The calling thread's CPU time: a pass's own cost, whatever else the machine runs.
inline double threadMs() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}
