// SiLU / Swish x * sigmoid(beta * x) (Elfwing et al. 2018; Ramachandran et al. 2017), with beta
// fixed or learnt per layer as in the Swish paper.
#include <torch/torch.h>

#include "model/activation.hpp"

namespace actbench::model {

namespace {

torch::Tensor swish(const torch::Tensor& x, double beta) {
  // torch::silu is one fused kernel; the general form is only needed when beta differs from 1.
  return beta == 1.0 ? torch::silu(x) : x * torch::sigmoid(beta * x);
}

// Swish with beta a parameter of the module, so it is trained and saved with the model.
class LearnableSwish : public Activation {
 public:
  explicit LearnableSwish(double beta) {
    beta_ = register_parameter("beta", torch::full({1}, beta));
  }
  torch::Tensor forward(const torch::Tensor& z) override {
    return z * torch::sigmoid(beta_.to(z.scalar_type()) * z);
  }

 private:
  torch::Tensor beta_;
};

}  // namespace

ACTBENCH_REGISTER_ACTIVATION(silu) {
  ActivationEntry entry;
  entry.name = "silu";
  entry.aliases = {"swish"};
  entry.description =
      "x * sigmoid(beta * x) (Elfwing et al. 2018; Swish, Ramachandran et al. 2017)";
  entry.params = {
      core::ParamSpec::number("beta", 1.0, "sharpness of the sigmoid gate; 0 gives x/2", 0.0),
      core::ParamSpec::flag("learnable", false, "learn beta (one per layer), as in Swish"),
  };
  entry.gain = [](const core::ParamValues& p) {
    const double beta = p.number("beta");
    return second_moment_gain([beta](const torch::Tensor& x) { return swish(x, beta); });
  };
  entry.gain_source = "1/sqrt(E[f(z)^2]), z~N(0,1), at the initial beta";
  entry.make = [](const core::ParamValues& p,
                  const ActivationContext&) -> std::shared_ptr<Activation> {
    const double beta = p.number("beta");
    if (p.flag("learnable")) return std::make_shared<LearnableSwish>(beta);
    return make_elementwise([beta](const torch::Tensor& x) { return swish(x, beta); });
  };
  return entry;
}

}  // namespace actbench::model
