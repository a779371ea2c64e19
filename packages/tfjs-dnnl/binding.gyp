{
  "targets": [
    {
      "target_name": "dnnl_kernels",
      "sources": ["native/addon.cc", "native/activation.cc", "native/adam.cc", "native/convolution.cc", "native/elementwise.cc", "native/filter_cache.cc", "native/matmul.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++1y", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fopenmp", "-fno-math-errno", "-ffp-contract=off"],
      "libraries": ["-ldnnl", "-lgomp"]
    }
  ]
}
