// The dying-ReLU study's measurement at initialisation (Lu, Shin, Su and Karniadakis 2019): Monte
// Carlo over fresh initialisations of narrow deep ReLU MLPs, built and re-initialised by actbench's
// own network and initialisers, under symmetric inits, positive biases and RAI.
#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>

#include "core/seeding.hpp"
#include "study/dying_relu.hpp"
#include "study/study_support.hpp"

namespace actbench::study {
namespace {

constexpr int64_t kInputs = 2;  // inputs in [-1, 1]^2, as a coordinate network's
// --until-decided grows every seeded part by StudyOptions::added_seeds; here a "seed" is a batch
// of this many fresh initialisations per (init, width).
constexpr int64_t kInitsPerAddedSeed = 100;

}  // namespace

const std::vector<BornDeadInit>& born_dead_inits() {
  static const std::vector<BornDeadInit> inits{
      {"symmetric (He normal), zero bias",
       {"model.init=kaiming_normal", "model.bias_init=zeros"},
       true,
       false},
      {"symmetric (He normal), N(0, 0.5^2) bias",
       {"model.init=kaiming_normal", "model.bias_init={name: normal, std: 0.5}"},
       false,
       false},
      {"He normal, bias 0.01",
       {"model.init=kaiming_normal", "model.bias_init={name: constant, value: 0.01}"},
       false,
       false},
      {"He normal, bias 0.1",
       {"model.init=kaiming_normal", "model.bias_init={name: constant, value: 0.1}"},
       false,
       false},
      {"RAI (Lu et al., published recipe)", {"model.init=rai"}, false, true},
      {"RAI rows, N(0, 1.5/fan_in) rest (rai_he_moment)",
       {"model.init=rai_he_moment"},
       false,
       false},
  };
  return inits;
}

BornDeadMeasurements measure_born_dead(const StudyOptions& options) {
  BornDeadMeasurements m;
  m.widths = {2, 3, 4, 5, 8};
  m.max_depth = 30;
  m.trials = (options.full ? 10000 : 1000) + kInitsPerAddedSeed * options.added_seeds;
  m.probe_points = options.full ? 1024 : 256;
  m.inits = born_dead_inits();
  for (size_t v = 0; v < m.inits.size(); ++v) {
    m.cells.emplace_back();
    for (int64_t w : m.widths) {
      fmt::print(options.log, "born dead: {} width {} ({} initialisations)\n", m.inits[v].label, w,
                 m.trials);
      std::fflush(options.log);
      m.cells.back().push_back(estimate_born_dead(w, m.max_depth, m.inits[v].overrides, m.trials,
                                                  m.probe_points,
                                                  1000 * static_cast<uint64_t>(v) + w));
    }
  }
  return m;
}

// One width and init: `trials` initialisations of a depth-`max_depth` network. A depth-L network
// is the first L layers of it (the layers are drawn independently and identically), so each trial
// answers every depth at once; the estimates at different depths share trials.
BornDeadCell estimate_born_dead(int64_t width, int64_t max_depth,
                                const std::vector<std::string>& init_overrides, int64_t trials,
                                int64_t probe_points, uint64_t seed) {
  std::vector<std::string> overrides = init_overrides;
  std::string hidden;
  for (int64_t i = 0; i < max_depth; ++i) hidden += (i ? ", " : "") + std::to_string(width);
  overrides.push_back("model.hidden=[" + hidden + "]");
  overrides.push_back("model.activation=relu");
  core::seed_init_generator(static_cast<int64_t>(seed));
  BuiltNetwork built = build_for_shape(spec_from_overrides(overrides), {1, 1, kInputs, 1});
  torch::NoGradGuard no_grad;
  const at::Tensor fixed_input = torch::tensor({{0.6f, -0.4f}});
  const at::Tensor inputs =
      torch::cat({fixed_input, torch::rand({probe_points, kInputs}) * 2.0 - 1.0});
  at::Tensor dead = torch::zeros({max_depth}, torch::kLong);
  at::Tensor constant = torch::zeros({max_depth}, torch::kLong);
  LayerRecorder recorder;
  for (int64_t t = 0; t < trials; ++t) {
    built.network->reinitialize(built.plan);
    built.network->forward(inputs, &recorder);
    const at::Tensor post = torch::stack(recorder.post);  // [depth, 1 + probe points, width]
    const at::Tensor zero_at_input = (post.select(1, 0) == 0).all(1).to(torch::kLong);
    const at::Tensor probe = post.narrow(1, 1, probe_points);
    const at::Tensor layer_constant =
        ((probe - probe.narrow(1, 0, 1)).abs().amax({1, 2}) == 0).to(torch::kLong);
    dead += std::get<0>(zero_at_input.cummax(0));
    constant += std::get<0>(layer_constant.cummax(0));
  }
  BornDeadCell cell;
  cell.trials = trials;
  for (int64_t d = 0; d < max_depth; ++d) {
    cell.dead_at_input.push_back(dead[d].item<int64_t>());
    cell.constant_on_set.push_back(constant[d].item<int64_t>());
  }
  return cell;
}

double born_dead_formula(int64_t width, int64_t depth) {
  return 1.0 -
         std::pow(1.0 - std::pow(2.0, -static_cast<double>(width)), static_cast<double>(depth));
}

}  // namespace actbench::study
