// The weights an `rai` layer gets, checked entry by entry against the published recipe (Lu et
// al. 2019 as public implementations draw it): per row of [W | b], exactly one entry from
// Beta(2, 1), in (0, 1), and the rest N(0, 0.6007^2 / fan_in), the std checked within a few of
// its own standard errors. The earlier recipe kept as `rai_he_moment` gets the same check with
// its N(0, 1.5 / fan_in).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "study/study_support.hpp"

namespace actbench::study {
namespace rai_init_test {

struct RaiRows {
  at::Tensor beta;  // the row's Beta(2, 1) entry
  at::Tensor rest;  // every other entry of the hidden layer's [W | b]
  int64_t rows = 0, fan_in = 0;
};

// A 10,000-input layer of 300 units: its symmetric entries have std 0.006 (rai), so the Beta entry
// is the row's largest unless it falls below about 4.4 of those stds (P(Beta(2,1) < 0.03) = 0.0009
// per row); with this seed none does, and the second largest entry of every row says so.
RaiRows rai_rows(const std::string& init) {
  torch::manual_seed(11);
  BuiltNetwork built = build_for_shape(
      spec_from_overrides({"model.hidden=[300]", "model.init=" + init, "model.activation=relu"}),
      {1, 100, 100, 2});
  torch::NoGradGuard no_grad;
  const at::Tensor weight = built.network->hidden_weight(0);
  const at::Tensor bias = built.network->named_parameters()["fc1.bias"];
  const at::Tensor joint = torch::cat({weight, bias.unsqueeze(1)}, 1).to(torch::kDouble);
  RaiRows out;
  out.rows = joint.size(0);
  out.fan_in = weight.size(1);
  const at::Tensor position = joint.argmax(1, /*keepdim=*/true);
  out.beta = joint.gather(1, position).squeeze(1);
  const at::Tensor mask = torch::ones_like(joint, torch::kBool).scatter_(1, position, false);
  out.rest = joint.masked_select(mask);
  return out;
}

void expect_rai_rows(const std::string& init, double symmetric_std_times_sqrt_fan) {
  const RaiRows r = rai_rows(init);
  ASSERT_EQ(r.fan_in, 10000);
  const double sigma = symmetric_std_times_sqrt_fan / std::sqrt(static_cast<double>(r.fan_in));
  // One entry per row in (0, 1), every other entry far below it: at most 6 sigma of the
  // symmetric part (P(|N| > 6 sigma) = 2e-9 per entry, 3e6 entries).
  EXPECT_GT(r.beta.min().item<double>(), 0.0) << init;
  EXPECT_LT(r.beta.max().item<double>(), 1.0) << init;
  EXPECT_LT(r.rest.abs().max().item<double>(), 6.0 * sigma) << init;
  EXPECT_GT(r.beta.min().item<double>(), 6.0 * sigma) << init << ": a row without its Beta entry";
  // The Beta entries follow Beta(2, 1), CDF x^2: Kolmogorov-Smirnov at 99.9% (1.95 / sqrt(n)).
  const double ks = ks_distance(r.beta.to(torch::kFloat), [](double x) {
    return x <= 0 ? 0.0 : x >= 1 ? 1.0 : x * x;
  });
  EXPECT_LT(ks, 1.95 / std::sqrt(static_cast<double>(r.rows))) << init;
  // The rest: mean 0 and the recipe's std, each within 5 of its standard errors (sigma / sqrt(n)
  // for the mean, sigma / sqrt(2n) for the std of a normal sample).
  const double n = static_cast<double>(r.rest.numel());
  EXPECT_NEAR(r.rest.mean().item<double>(), 0.0, 5.0 * sigma / std::sqrt(n)) << init;
  EXPECT_NEAR(r.rest.std().item<double>(), sigma, 5.0 * sigma / std::sqrt(2.0 * n)) << init;
}

TEST(RaiWeights, EachRowHasOneBetaEntryAndThePublishedStdElsewhere) {
  expect_rai_rows("rai", 0.6007);
}

TEST(RaiWeights, TheEarlierRecipeKeepsItsOwnNameAndStd) {
  expect_rai_rows("rai_he_moment", std::sqrt(1.5));
}

// With a fan-in of 4 the Beta entry cannot be told from the rest by value, but it still lands on
// any of the row's 5 positions, the bias included: the bias's mean is then Beta(2, 1)'s 2/3 times
// the chance 1/5 that it landed there, and every row's sum has mean 2/3. Each is checked within 4
// standard errors of its 3,000 rows.
TEST(RaiWeights, TheBetaEntryLandsOnAnyPositionTheBiasIncluded) {
  torch::manual_seed(12);
  BuiltNetwork built = build_for_shape(
      spec_from_overrides({"model.hidden=[3000]", "model.init=rai", "model.activation=relu"}),
      {1, 1, 4, 2});
  torch::NoGradGuard no_grad;
  const at::Tensor weight = built.network->hidden_weight(0);
  const at::Tensor bias = built.network->named_parameters()["fc1.bias"];
  const at::Tensor joint = torch::cat({weight, bias.unsqueeze(1)}, 1).to(torch::kDouble);
  const double symmetric_var = 0.6007 * 0.6007 / 4, beta_var = 1.0 / 18.0;
  const double sum_sd = std::sqrt(4 * symmetric_var + beta_var);
  EXPECT_NEAR(joint.sum(1).mean().item<double>(), 2.0 / 3.0, 4.0 * sum_sd / std::sqrt(3000.0));
  const double p = 0.2, mixture_mean = p * 2.0 / 3.0;
  const double mixture_var = p * 0.5 + (1 - p) * symmetric_var - mixture_mean * mixture_mean;
  EXPECT_NEAR(bias.to(torch::kDouble).mean().item<double>(), mixture_mean,
              4.0 * std::sqrt(mixture_var / 3000.0));
}

}  // namespace rai_init_test
}  // namespace actbench::study
