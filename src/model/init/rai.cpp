// Randomized asymmetric initialisation (RAI) of Lu, Shin, Su and Karniadakis (2019, "Dying ReLU
// and Initialization", sec. 5): symmetric inits let a deep narrow ReLU network be born dead with a
// probability that tends to 1 with depth; RAI makes each unit's incoming parameters asymmetric so
// that units are far less likely to start switched off. For every unit (row j of V = [W | b]) one
// entry, at a position chosen uniformly at random, is drawn from Beta(2, 1) (positive, mean 2/3),
// the others from a symmetric normal.
//   rai            the recipe as published implementations that cite the paper draw it: symmetric
//                  entries N(0, 0.6007^2 / fan_in). The paper's text was not reachable from here
//                  to check the constant against; the study says so.
//   rai_he_moment  actbench's earlier recipe, kept under a name of its own: symmetric entries
//                  N(0, 1.5 / fan_in), so that a row's second moment, (fan_in) * 1.5 / fan_in +
//                  E[Beta(2,1)^2] = 1.5 + 0.5, is He's 2. Not the paper's.
// The output layer feeds the loss, not a ReLU: both give it N(0, 1/fan_in) and a zero bias.
#include <torch/torch.h>

#include <cmath>

#include "model/init.hpp"
#include "model/init/init_common.hpp"

namespace actbench::model {
namespace {

// std of RAI's symmetric entries times sqrt(fan_in), as published implementations draw them.
constexpr double kRaiPublishedStd = 0.6007;

void apply_rai_rows(at::Tensor& weight, const InitContext& context,
                    double symmetric_std_times_sqrt_fan) {
  torch::NoGradGuard no_grad;
  const auto fan = static_cast<double>(init_common::fan_in(weight, context));
  at::Tensor bias = context.bias;
  if (context.is_last()) {
    weight.normal_(0.0, 1.0 / std::sqrt(fan));
    if (bias.defined()) bias.zero_();
    return;
  }
  // Work on the joint matrix V = [W | b] so the asymmetric entry can land on the bias too.
  const int64_t rows = weight.size(0);
  at::Tensor joint = weight.reshape({rows, -1});
  if (bias.defined()) joint = torch::cat({joint, bias.reshape({rows, 1})}, 1);
  joint.normal_(0.0, symmetric_std_times_sqrt_fan / std::sqrt(fan));
  const at::Tensor chosen = torch::randint(joint.size(1), {rows, 1}, torch::kLong);
  // Beta(2, 1) has CDF x^2 on [0, 1]: the square root of a uniform draw is one.
  const at::Tensor positive = torch::rand({rows, 1}).sqrt_();
  joint.scatter_(1, chosen, positive);
  const int64_t weights_per_row = weight.numel() / rows;
  weight.copy_(joint.narrow(1, 0, weights_per_row).reshape(weight.sizes()));
  if (bias.defined()) bias.copy_(joint.narrow(1, weights_per_row, 1).reshape(bias.sizes()));
}

}  // namespace

ACTBENCH_REGISTER_INIT(rai) {
  InitEntry entry;
  entry.name = "rai";
  entry.aliases = {"randomized_asymmetric"};
  entry.description =
      "one Beta(2,1) entry per unit among [W | b], the rest N(0, 0.6007^2/fan_in) (Lu et al. "
      "2019, as published implementations draw it)";
  entry.sets_bias = true;
  entry.apply = [](at::Tensor& weight, const core::ParamValues&, const InitContext& context,
                   const SourceLocation&) { apply_rai_rows(weight, context, kRaiPublishedStd); };
  return entry;
}

ACTBENCH_REGISTER_INIT(rai_he_moment) {
  InitEntry entry;
  entry.name = "rai_he_moment";
  entry.description =
      "RAI's rows with the symmetric part N(0, 1.5/fan_in), a row's second moment He's 2 "
      "(actbench's earlier recipe, not the paper's)";
  entry.sets_bias = true;
  entry.apply = [](at::Tensor& weight, const core::ParamValues&, const InitContext& context,
                   const SourceLocation&) { apply_rai_rows(weight, context, std::sqrt(1.5)); };
  return entry;
}

}  // namespace actbench::model
