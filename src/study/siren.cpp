// The SIREN study's measuring layer (Sitzmann et al. 2020, "Implicit Neural Representations with
// Periodic Activation Functions"). Part 1: a deep sine MLP on inputs spread over [-1, 1], built by
// actbench's network and initialisers, over several init seeds; per layer, the sine's argument
// against N(0, 1) and its output against the arcsine distribution, for the SIREN init and naive
// ones. Part 2: fitting an image the project generates as a function of pixel coordinates, SIREN
// against ReLU and tanh MLPs of the same size, over several training seeds. The recipes are the
// official code's (github.com/vsitzmann/siren, modules.py): siren init on every layer, output
// included, PyTorch's default uniform biases; ReLU with Kaiming normal (fan_in, gain sqrt 2) and
// tanh with Xavier normal (gain 1) on every layer.
#include "study/siren.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "core/numbers.hpp"
#include "core/seeding.hpp"
#include "core/strings.hpp"
#include "data/image.hpp"
#include "experiment/experiment.hpp"
#include "plot/svg_plot.hpp"
#include "study/study.hpp"
#include "study/study_support.hpp"
#include "train/trainer.hpp"

namespace actbench::study {
namespace {

using core::kPi;

struct SineVariant {
  std::string key;    // file names
  std::string label;  // tables
  std::vector<std::string> overrides;
  double omega_0 = 30.0;  // the sine's: its argument is omega_0 * pre-activation
};

const std::vector<SineVariant>& sine_variants() {
  static const std::vector<SineVariant> variants{
      {"siren",
       "SIREN: sine w0=30, siren init, zero bias",
       {"model.activation={name: sine, omega_0: 30}", "model.init=siren", "model.bias_init=zeros"},
       30.0},
      {"siren_uniform_bias",
       "SIREN with PyTorch's default bias U(-1/sqrt(n), +) (as the official code)",
       {"model.activation={name: sine, omega_0: 30}", "model.init=siren",
        "model.bias_init=uniform"},
       30.0},
      {"xavier_w30",
       "naive: sine w0=30, Xavier init (gain 1)",
       {"model.activation={name: sine, omega_0: 30}", "model.init={name: xavier_uniform, gain: 1}",
        "model.bias_init=zeros"},
       30.0},
      {"xavier_w1",
       "naive: sine w0=1 (no w0 scaling), Xavier init (gain 1)",
       {"model.activation={name: sine, omega_0: 1}", "model.init={name: xavier_uniform, gain: 1}",
        "model.bias_init=zeros"},
       1.0},
      {"siren_init_w1",
       "naive: siren init for w0=30, but sine w0=1",
       {"model.activation={name: sine, omega_0: 1}", "model.init={name: siren, omega_0: 30}",
        "model.bias_init=zeros"},
       1.0},
  };
  return variants;
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double arcsine_cdf(double y) {
  y = std::clamp(y, -1.0, 1.0);
  return 0.5 + std::asin(y) / kPi;
}

std::string siren_hidden_layers(int64_t depth, int64_t width) {
  std::string s = "[";
  for (int64_t i = 0; i < depth; ++i) s += (i ? ", " : "") + std::to_string(width);
  return s + "]";
}

}  // namespace

std::vector<SineLayerStats> sine_layer_stats(
    const std::vector<std::string>& overrides, double omega_0, const at::Tensor& inputs,
    const std::function<void(size_t, const at::Tensor&, const at::Tensor&, const SineLayerStats&)>&
        each_layer,
    uint64_t seed) {
  core::seed_init_generator(static_cast<int64_t>(seed));
  BuiltNetwork built = build_for_shape(spec_from_overrides(overrides), {1, 1, 1, 1});
  torch::NoGradGuard no_grad;
  LayerRecorder recorder;
  built.network->forward(inputs, &recorder);
  std::vector<SineLayerStats> stats;
  for (size_t l = 0; l < recorder.pre.size(); ++l) {
    const at::Tensor arg = (recorder.pre[l] * omega_0).to(torch::kDouble);
    const at::Tensor post = recorder.post[l].to(torch::kDouble);
    SineLayerStats s;
    s.arg_mean = arg.mean().item<double>();
    s.arg_std = arg.std().item<double>();
    s.arg_ks = ks_distance(arg, normal_cdf);
    s.post_mean = post.mean().item<double>();
    s.post_std = post.std().item<double>();
    s.post_ks = ks_distance(post, arcsine_cdf);
    stats.push_back(s);
    if (each_layer) each_layer(l, arg, post, s);
  }
  return stats;
}

ImageFit fit_image(const std::vector<std::string>& overrides, int64_t size, int64_t steps,
                   int64_t every, uint64_t seed, double lr) {
  // Full-batch Adam, one step per epoch, so eval_every counts steps and
  // every epoch record measures the whole image after that many steps.
  std::vector<std::string> all{"task=regression",
                               "data.dataset=image",
                               fmt::format("data.image.size={}", size),
                               "data.batch_size=0",
                               fmt::format("data.eval_batch_size={}", size * size),
                               "optim.name=adam",
                               fmt::format("optim.lr={}", lr),
                               fmt::format("train.epochs={}", steps),
                               fmt::format("train.eval_every={}", every),
                               "train.progress=never",
                               "probes.enabled=false",
                               fmt::format("seed={}", seed)};
  all.insert(all.end(), overrides.begin(), overrides.end());
  const experiment::PreparedRun prepared = experiment::prepare_spec(spec_from_overrides(all));
  const data::Dataset dataset =
      data::load_dataset(prepared.spec.data.dataset, experiment::load_options(prepared.spec));
  // Seeded as execute_run seeds a run, so the fit is the one `actbench run` gives these overrides.
  core::seed_init_generator(static_cast<int64_t>(seed));
  model::Network network = model::build_network(prepared.plan, prepared.spec.model, torch::kCPU);
  const train::TrainResult trained =
      train::train(prepared.spec, *network, dataset, torch::kCPU, {});
  ImageFit fit;
  // The best constant output predicts the targets' mean: its MSE is their (population) variance.
  const double variance = dataset.test.labels.to(torch::kDouble).var(false).item<double>();
  fit.constant_psnr = 10.0 * std::log10(dataset.psnr_peak * dataset.psnr_peak / variance);
  if (trained.status == core::RunStatus::kDiverged) {
    fit.diverged = true;
    fit.reason = trained.reason;
    return fit;
  }
  if (trained.status != core::RunStatus::kCompleted) {
    throw Error(fmt::format("siren image fit ({}) did not complete: {} {}", core::join(overrides),
                            core::to_string(trained.status), trained.reason));
  }
  for (const auto& record : trained.records) {
    if (!record.end_of_epoch) continue;
    fit.steps.push_back(static_cast<double>(record.step));
    fit.psnr.push_back(record.test_psnr);
  }
  fit.seconds = trained.seconds;
  torch::NoGradGuard no_grad;
  network->eval();
  fit.reconstruction =
      ((network->forward(dataset.test.images) + 1.0) / 2.0).reshape({size, size}).clamp(0.0, 1.0);
  return fit;
}

namespace {

// Layers shown as histograms: the first two (raw input, first sines), the middle and the last.
bool shown_layer(size_t layer, size_t layers) {
  return layer == 1 || layer == 2 || layer == layers / 2 || layer == layers;
}

// Seeds 0 .. count - 1.
std::vector<uint64_t> first_seeds(int64_t count) {
  std::vector<uint64_t> seeds;
  for (int64_t i = 0; i < count; ++i) seeds.push_back(static_cast<uint64_t>(i));
  return seeds;
}

SirenMeasurements measure_siren(const StudyOptions& options) {
  SirenMeasurements m;
  m.full = options.full;
  m.depth = options.full ? 20 : 10;
  m.width = options.full ? 1024 : 256;
  m.points = options.full ? 65536 : 4096;
  // A forward pass costs little: five init seeds give the t intervals of part 1 four degrees of
  // freedom; --until-decided adds to them.
  m.init_seeds = first_seeds(5 + options.added_seeds);

  // ---- Part 1: distributions at initialisation.
  const at::Tensor inputs = torch::linspace(-1.0, 1.0, m.points).unsqueeze(1);
  for (const auto& variant : sine_variants()) {
    SineVariantResult v;
    v.key = variant.key;
    v.label = variant.label;
    v.recipe = core::join(variant.overrides, ", ");
    std::vector<std::string> overrides = variant.overrides;
    overrides.push_back("model.hidden=" + siren_hidden_layers(m.depth, m.width));
    v.arg_std.assign(static_cast<size_t>(m.depth), {});
    for (uint64_t seed : m.init_seeds) {
      auto record = [&](size_t l, const at::Tensor& arg, const at::Tensor& post,
                        const SineLayerStats& s) {
        v.arg_std[l].push_back(s.arg_std);
        if (seed != m.init_seeds.front() || !shown_layer(l + 1, static_cast<size_t>(m.depth)))
          return;
        const double range = std::max(4.0, 4.0 * s.arg_std);
        v.shown_layers.push_back(l + 1);
        v.arg_hist.push_back(histogram(arg, -range, range, 80));
        v.post_hist.push_back(histogram(post, -1.0, 1.0, 50));
      };
      const auto layers = sine_layer_stats(overrides, variant.omega_0, inputs, record, seed);
      if (seed == m.init_seeds.front()) v.layers = layers;
    }
    m.variants.push_back(std::move(v));
  }

  // ---- Part 2: image fitting, the official recipe at a size two cores fit in minutes.
  m.size = options.full ? 512 : 64;
  m.steps = options.full ? 10000 : 1000;
  m.hidden = options.full ? siren_hidden_layers(4, 256) : siren_hidden_layers(3, 128);
  m.every = options.full ? 100 : 25;
  m.lr = 1e-4;
  // Three seeds per arm: the fewest for which Welch's interval of the PSNR difference has any
  // width to speak of, within the quick budget (one seed of the three arms takes about a minute).
  m.fit_seeds = first_seeds(3 + options.added_seeds);
  m.target = data::image_tensor(data::builtin_image(m.size));
  const std::vector<ImageFitArm> arms{
      {"siren",
       "SIREN (sine w0=30, siren init)",
       {"model.activation={name: sine, omega_0: 30}", "model.init=siren"},
       {}},
      {"relu",
       "ReLU (Kaiming normal, fan_in)",
       {"model.activation=relu",
        "model.init={name: kaiming_normal, mode: fan_in, gain: 1.4142135623730951}"},
       {}},
      {"tanh",
       "tanh (Xavier normal, gain 1)",
       {"model.activation=tanh", "model.init={name: xavier_normal, gain: 1}"},
       {}},
  };
  for (ImageFitArm arm : arms) {
    for (uint64_t seed : m.fit_seeds) {
      fmt::print(options.log, "image fit: {} seed {} ({} steps, {}x{} pixels)\n", arm.label, seed,
                 m.steps, m.size, m.size);
      std::fflush(options.log);
      std::vector<std::string> overrides = arm.overrides;
      overrides.push_back("model.hidden=" + m.hidden);
      overrides.push_back("model.bias_init=uniform");
      arm.fits.push_back(fit_image(overrides, m.size, m.steps, m.every, seed, m.lr));
    }
    m.arms.push_back(std::move(arm));
  }
  return m;
}

std::filesystem::path run_siren(const StudyOptions& options) {
  const auto out = output_dir(options, "siren");
  const SirenMeasurements m = measure_siren(options);
  const std::vector<ClaimResult> claims = decide_siren(summarize_siren(m));
  write_verdicts(out / "verdicts.json", "siren", options.full ? "full" : "quick", claims);
  return write_siren(out, m, claims);
}

}  // namespace

SirenSummary summarize_siren(const SirenMeasurements& m) {
  SirenSummary s;
  s.depth = m.depth;
  auto variant = [&](const std::string& key) -> const SineVariantResult& {
    for (const auto& v : m.variants)
      if (v.key == key) return v;
    throw Error("siren: no variant " + key);
  };
  // Layer 1 sees the raw input (its argument spans several periods by design), layer 2 the first
  // sines; from layer 3 on the distributions should no longer change with depth.
  auto spread = [](const SineVariantResult& v, size_t seed) {
    double lo = 1e300, hi = 0;
    for (size_t l = 2; l < v.arg_std.size(); ++l) {
      lo = std::min(lo, v.arg_std[l][seed]);
      hi = std::max(hi, v.arg_std[l][seed]);
    }
    return hi > 0 ? (hi - lo) / hi : std::nan("");
  };
  auto mean_from_layer_3 = [](const std::vector<double>& per_layer) {
    double sum = 0;
    for (size_t l = 2; l < per_layer.size(); ++l) sum += per_layer[l];
    return sum / static_cast<double>(per_layer.size() - 2);
  };
  const auto& zero = variant("siren");
  const auto& uniform = variant("siren_uniform_bias");
  for (size_t seed = 0; seed < m.init_seeds.size(); ++seed) {
    s.depth_spread.push_back(std::max(spread(zero, seed), spread(uniform, seed)));
    std::vector<double> zero_std, uniform_std;
    for (const auto& layer : zero.arg_std) zero_std.push_back(layer[seed]);
    for (const auto& layer : uniform.arg_std) uniform_std.push_back(layer[seed]);
    s.zero_bias_arg_std.push_back(mean_from_layer_3(zero_std));
    s.uniform_bias_arg_std.push_back(mean_from_layer_3(uniform_std));
    s.xavier_w30_last_arg_std.push_back(variant("xavier_w30").arg_std.back()[seed]);
    s.xavier_w1_last_arg_std.push_back(variant("xavier_w1").arg_std.back()[seed]);
    s.siren_w1_first_arg_std.push_back(variant("siren_init_w1").arg_std.front()[seed]);
    s.siren_w1_last_arg_std.push_back(variant("siren_init_w1").arg_std.back()[seed]);
  }
  // The output's statistics come from the table's seed.
  auto outputs = [&](const SineVariantResult& v, std::vector<double>& post_std,
                     std::vector<double>* ks) {
    std::vector<double> per_layer;
    double worst = 0;
    for (const auto& layer : v.layers) per_layer.push_back(layer.post_std);
    for (size_t l = 2; l < v.layers.size(); ++l) worst = std::max(worst, v.layers[l].post_ks);
    post_std.push_back(mean_from_layer_3(per_layer));
    if (ks) ks->push_back(worst);
  };
  outputs(zero, s.zero_bias_post_std, &s.zero_bias_ks);
  outputs(uniform, s.uniform_bias_post_std, nullptr);
  for (const auto& arm : m.arms) {
    std::vector<double>& psnr = arm.key == "siren"  ? s.siren_psnr
                                : arm.key == "relu" ? s.relu_psnr
                                                    : s.tanh_psnr;
    int64_t& diverged = arm.key == "siren"  ? s.siren_diverged
                        : arm.key == "relu" ? s.relu_diverged
                                            : s.tanh_diverged;
    for (const auto& fit : arm.fits) {
      s.constant_psnr = fit.constant_psnr;
      if (fit.diverged)
        ++diverged;
      else
        psnr.push_back(fit.psnr.back());
    }
  }
  return s;
}

ACTBENCH_REGISTER_STUDY(siren) {
  StudyEntry entry;
  entry.name = "siren";
  entry.description =
      "sine-MLP activation distributions per layer and image fitting PSNR (Sitzmann et al. 2020)";
  entry.command = "actbench study siren";
  entry.run = run_siren;
  entry.grows_seeds = true;
  return entry;
}

}  // namespace actbench::study
