#include "common.h"

namespace yoto_dnnl {

// tfjs's fused activations as oneDNN eltwise post-ops (prelu has per-channel weights and is not fused).
dnnl::post_ops activationOps(int act, float alpha) {
  using dnnl::algorithm;
  dnnl::post_ops po;
  switch (act) {
    case LINEAR: break;
    case RELU: po.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); break;
    case RELU6: po.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 6.f); break;
    case LEAKY_RELU: po.append_eltwise(1.f, algorithm::eltwise_relu, alpha, 0.f); break;
    case SIGMOID: po.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f); break;
    case ELU: po.append_eltwise(1.f, algorithm::eltwise_elu, 1.f, 0.f); break;
    default: throw std::invalid_argument("unknown activation code " + std::to_string(act));
  }
  return po;
}

}  // namespace yoto_dnnl
