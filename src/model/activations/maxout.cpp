// Maxout (Goodfellow et al. 2013): each output is the max of k consecutive pre-activations, so the
// layer before it is k times wider than the layer's nominal width.
#include <torch/torch.h>

#include <cmath>
#include <tuple>
#include <vector>

#include "model/activation.hpp"

namespace actbench::model {

namespace {

class Maxout : public Activation {
 public:
  explicit Maxout(int64_t k) : k_(k) {}

  // [N, k*F] -> [N, F, k] and [N, k*C, H, W] -> [N, C, k, H, W]: the group of an output is k
  // consecutive features or channels, the same grouping for MLPs and CNNs.
  torch::Tensor forward(const torch::Tensor& z) override {
    TORCH_CHECK(z.dim() >= 2 && z.size(1) % k_ == 0, "maxout with k=", k_,
                " needs dim 1 divisible by k, got shape ", z.sizes());
    std::vector<int64_t> shape = z.sizes().vec();
    shape[1] /= k_;
    shape.insert(shape.begin() + 2, k_);
    return std::get<0>(z.reshape(shape).max(2));
  }
  int64_t pieces() const override { return k_; }

 private:
  int64_t k_;
};

// E[M^2] for M the max of k iid N(0, 1), from the density of the maximum k phi(x) Phi(x)^(k-1):
// E[M^2] = E_z[z^2 k Phi(z)^(k-1)], a second moment of g(z) = z sqrt(k Phi(z)^(k-1)). No sampling,
// so the gain is exact to quadrature accuracy and the same on every machine. (k = 2 gives 1.)
double maxout_gain(int64_t k) {
  return second_moment_gain([k](const torch::Tensor& z) {
    const torch::Tensor cdf = 0.5 * (1 + torch::erf(z / std::sqrt(2.0)));
    return z * torch::sqrt(static_cast<double>(k) * cdf.pow(static_cast<double>(k - 1)));
  });
}

}  // namespace

ACTBENCH_REGISTER_ACTIVATION(maxout) {
  ActivationEntry entry;
  entry.name = "maxout";
  entry.description = "max over groups of k consecutive units or channels (Goodfellow et al. 2013)";
  entry.params = {core::ParamSpec::integer("k", 2, "pieces per output unit", 2, 64)};
  entry.gain = [](const core::ParamValues& p) { return maxout_gain(p.integer("k")); };
  entry.gain_source =
      "1/sqrt(E[max(z_1..z_k)^2]), z_i~N(0,1) iid, from the order statistic density";
  entry.make = [](const core::ParamValues& p, const ActivationContext&) {
    return std::make_shared<Maxout>(p.integer("k"));
  };
  return entry;
}

}  // namespace actbench::model
