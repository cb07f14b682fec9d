// Any catalogue activation as mean-field input (its module, its kinks from the properties grid),
// and the theory report in text and JSON (activation_theory.hpp).
#include "catalogue/activation_theory.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "config/loader.hpp"
#include "model/properties.hpp"

namespace actbench::catalogue {

using nlohmann::ordered_json;

namespace {

std::string label_of(const model::ResolvedActivation& activation) {
  const std::string params = model::parameter_string(activation);
  return params.empty() ? activation.entry->name : activation.entry->name + "(" + params + ")";
}

// f' still varying far out (|x| in [20, 40]) marks a periodic f: its features never end, so its
// panels stay narrow everywhere.
bool varies_far_out(const model::ResolvedActivation& activation, double max_abs_derivative) {
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  const torch::Tensor x = torch::cat(
      {torch::linspace(20.0, 40.0, 2001, options), torch::linspace(-40.0, -20.0, 2001, options)});
  const torch::Tensor df = model::evaluate_activation(activation, x).df;
  const torch::Tensor right = df.slice(0, 0, 2001), left = df.slice(0, 2001);
  const double spread = std::max((right.max() - right.min()).item<double>(),
                                 (left.max() - left.min()).item<double>());
  return spread > 1e-3 * std::max(1.0, max_abs_derivative);
}

ordered_json number_or_null(double v) { return std::isfinite(v) ? ordered_json(v) : nullptr; }

ordered_json edge_json(const EdgeOfChaosRow& row) {
  ordered_json points = ordered_json::array();
  for (const EdgeOfChaosPoint& p : row.points) {
    points.push_back({{"sigma_w2", p.sigma_w2},
                      {"sigma_w", std::sqrt(p.sigma_w2)},
                      {"q_star", number_or_null(p.q)},
                      {"length_slope", number_or_null(p.length_slope)},
                      {"q_star_stable", p.stable}});
  }
  return {{"sigma_b2", row.sigma_b2},
          {"every_q_fixed", row.degenerate && !row.points.empty()},
          {"points", points}};
}

std::string fmt_number(double v) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return "inf";
  return fmt::format("{:.6g}", v);
}

std::string edge_text(const EdgeOfChaosRow& row) {
  if (row.points.empty())
    return row.degenerate ? "none (chi1 = 1 at a fixed point only at another sigma_b2)"
                          : "none (the critical line does not reach this sigma_b2)";
  std::string out;
  for (const EdgeOfChaosPoint& p : row.points) {
    if (!out.empty()) out += "; ";
    if (row.degenerate) {
      out += fmt::format("sigma_w2 = {} (sigma_w = {}) with every q a fixed point",
                         fmt_number(p.sigma_w2), fmt_number(std::sqrt(p.sigma_w2)));
    } else {
      out += fmt::format("sigma_w2 = {} (sigma_w = {}), q* = {} ({}, dq'/dq = {})",
                         fmt_number(p.sigma_w2), fmt_number(std::sqrt(p.sigma_w2)), fmt_number(p.q),
                         p.stable ? "stable" : "unstable", fmt_number(p.length_slope));
    }
  }
  return out;
}

EdgeOfChaosRow edge_row(const GaussianExpectations& e, double sigma_b2) {
  EdgeOfChaosRow row;
  row.sigma_b2 = sigma_b2;
  row.points = edge_of_chaos(e, sigma_b2, &row.degenerate);
  return row;
}

}  // namespace

std::string theory_not_applicable(const model::ResolvedActivation& activation) {
  const auto module = activation.make(model::ActivationContext{1, false});
  if (module->pieces() != 1)
    return "not elementwise: it takes the max over " + std::to_string(module->pieces()) +
           " pre-activations, and the mean-field maps here assume one pre-activation per unit";
  return "";
}

ActivationFunctions functions_of(const model::ResolvedActivation& activation) {
  const std::string reason = theory_not_applicable(activation);
  if (!reason.empty()) throw std::invalid_argument(activation.entry->name + ": " + reason);
  const model::ActivationProperties properties = model::compute_properties(activation);
  ActivationFunctions f;
  f.name = label_of(activation);
  f.kinks = properties.kinks;
  // Narrower panels where f' is steep (sine's omega_0 = 30): f changes on a scale 1/max|f'|,
  // and 10 Gauss-Legendre nodes integrate a few radians of a sine to rounding.
  const double steepness =
      std::isfinite(properties.max_abs_derivative) ? properties.max_abs_derivative : 1.0;
  f.panel_width = std::min(1.0, 2.0 / std::max(1.0, steepness));
  if (varies_far_out(activation, properties.max_abs_derivative))
    f.feature_extent = std::numeric_limits<double>::infinity();
  const std::string& name = activation.entry->name;
  if (name == "relu") f.closed_form = ActivationFunctions::ClosedForm::Relu;
  if (name == "identity") f.closed_form = ActivationFunctions::ClosedForm::Identity;
  if (name == "sine") {
    // Periodic: quadrature needs panels of 1/omega over the whole density, and the 2-D
    // correlation map a million nodes a call; the Gaussian's characteristic function is exact.
    f.closed_form = ActivationFunctions::ClosedForm::Sine;
    f.omega = activation.params.number("omega_0");
  }
  // One module for every call: building it costs more than evaluating it.
  auto module = activation.make(model::ActivationContext{1, false});
  module->eval();
  // float64 where the module's ops allow it (as model/properties.hpp), else float32 widened.
  torch::Dtype dtype = torch::kFloat64;
  try {
    torch::NoGradGuard no_grad;
    module->forward(torch::zeros({1}, torch::kFloat64));
  } catch (const c10::Error&) {
    dtype = torch::kFloat32;
  }
  f.evaluate = [module, dtype](const std::vector<double>& x, std::vector<double>* values,
                               std::vector<double>* derivatives) {
    if (values != nullptr) values->resize(x.size());
    if (derivatives != nullptr) derivatives->resize(x.size());
    const auto options = torch::TensorOptions().dtype(torch::kFloat64);
    auto copy_out = [](const torch::Tensor& t, double* out) {
      const torch::Tensor contiguous = t.to(torch::kFloat64).contiguous();
      std::copy_n(contiguous.data_ptr<double>(), contiguous.numel(), out);
    };
    // In chunks of 8192 points (64 KB of float64): a 2-D correlation rule holds tens of thousands
    // of nodes, and tensors of that size are fresh pages from the kernel at every call under
    // AddressSanitizer's allocator (the phase diagram took 18 times its release time there).
    // The chunk is a multiple of every SIMD width, so each value is computed as in one batch.
    constexpr size_t kChunk = 8192;
    for (size_t first = 0; first < x.size(); first += kChunk) {
      const int64_t count = static_cast<int64_t>(std::min(kChunk, x.size() - first));
      const torch::Tensor input =
          torch::from_blob(const_cast<double*>(x.data() + first), {count}, options)
              .to(dtype, /*non_blocking=*/false, /*copy=*/true);
      if (values != nullptr) {
        torch::NoGradGuard no_grad;
        copy_out(module->forward(input), values->data() + first);
      }
      if (derivatives != nullptr) copy_out(module->derivative(input), derivatives->data() + first);
    }
  };
  return f;
}

model::ResolvedActivation activation_from_text(const std::string& text, int arg) {
  const config::RunSpec spec = config::load_run_spec("", {{"model.activation=" + text, arg}});
  return model::resolve_activation(spec.model.activation);
}

TheoryReport compute_theory(const model::ResolvedActivation& activation,
                            const TheoryOptions& options) {
  const GaussianExpectations e(functions_of(activation));
  TheoryReport report;
  report.activation = label_of(activation);
  report.quadrature = quadrature_description(e.activation());
  report.sigma_b2 = options.sigma_b2;
  report.edge = edge_row(e, options.sigma_b2);
  for (const EdgeOfChaosPoint& p : report.edge.points)
    report.at_edge.push_back(analyse(e, p.sigma_w2, options.sigma_b2));
  if (options.sigma_w2) report.at_point = analyse(e, *options.sigma_w2, options.sigma_b2);
  for (double sigma_b2 : options.line_sigma_b2) report.line.push_back(edge_row(e, sigma_b2));
  return report;
}

std::string theory_text(const TheoryReport& report) {
  std::string out = fmt::format("mean-field theory of {}\nexpectations: {}\n\n", report.activation,
                                report.quadrature);
  out += fmt::format("edge of chaos at sigma_b2 = {}: {}\n", fmt_number(report.sigma_b2),
                     edge_text(report.edge));
  for (const PhaseAnalysis& a : report.at_edge) out += "  there: " + a.summary() + "\n";
  if (report.at_point) out += "\nat the given point: " + report.at_point->summary() + "\n";
  out += "\ncritical line (chi1 = 1 at the fixed point q*):\n";
  for (const EdgeOfChaosRow& row : report.line)
    out += fmt::format("  sigma_b2 = {:<5}  {}\n", fmt_number(row.sigma_b2), edge_text(row));
  out +=
      "\nchi1 < 1: ordered (correlations go to 1, gradients vanish); chi1 > 1: chaotic (inputs "
      "decorrelate, gradients explode); xi_c: depth over which correlations are seen "
      "(Schoenholz et al. 2017)\n";
  return out;
}

ordered_json phase_json(const PhaseAnalysis& a) {
  ordered_json points = ordered_json::array();
  for (const FixedPoint& p : a.fixed_points) {
    points.push_back({{"q_star", p.q},
                      {"stable", p.stable},
                      {"length_slope", p.length_slope},
                      {"chi1", p.chi1},
                      {"phase", p.phase},
                      {"c_star", number_or_null(p.c_star)},
                      {"chi_c", number_or_null(p.chi_c)},
                      {"xi_q", number_or_null(p.xi_q)},
                      // null: infinite on the critical line, or unknown
                      {"xi_c", number_or_null(p.xi_c)}});
  }
  return {{"sigma_w2", a.sigma_w2},
          {"sigma_b2", a.sigma_b2},
          {"grows_without_bound", a.grows_without_bound},
          {"every_q_fixed", a.every_q_fixed},
          {"fixed_points", points},
          {"summary", a.summary()}};
}

ordered_json theory_json(const TheoryReport& report) {
  ordered_json at_edge = ordered_json::array();
  for (const PhaseAnalysis& a : report.at_edge) at_edge.push_back(phase_json(a));
  ordered_json line = ordered_json::array();
  for (const EdgeOfChaosRow& row : report.line) line.push_back(edge_json(row));
  ordered_json out = {{"activation", report.activation},
                      {"quadrature", report.quadrature},
                      {"edge_of_chaos", edge_json(report.edge)},
                      {"at_edge_of_chaos", at_edge}};
  out["at_point"] = report.at_point ? phase_json(*report.at_point) : ordered_json(nullptr);
  out["critical_line"] = line;
  return out;
}

ordered_json catalogue_theory_json(const model::ResolvedActivation& activation) {
  const std::string reason = theory_not_applicable(activation);
  if (!reason.empty()) return {{"applicable", false}, {"reason", reason}};
  const GaussianExpectations e(functions_of(activation));
  const double gain = activation.gain();
  ordered_json edges = ordered_json::array();
  for (double sigma_b2 : {0.0, 0.05}) edges.push_back(edge_json(edge_row(e, sigma_b2)));
  return {{"applicable", true},
          {"quadrature", quadrature_description(e.activation())},
          {"at_recommended_gain", phase_json(analyse(e, gain * gain, 0.0))},
          {"edge_of_chaos", edges}};
}

namespace {

std::mutex& cache_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::string cache_key(const model::ResolvedActivation& activation, double a, double b) {
  return fmt::format("{}|{:.17g}|{:.17g}", label_of(activation), a, b);
}

}  // namespace

double critical_sigma_w2(const model::ResolvedActivation& activation, double sigma_b2) {
  static std::map<std::string, double> cache;
  const std::string key = cache_key(activation, sigma_b2, 0.0);
  {
    std::lock_guard<std::mutex> lock(cache_mutex());
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  const GaussianExpectations e(functions_of(activation));
  const std::vector<EdgeOfChaosPoint> points = edge_of_chaos(e, sigma_b2);
  if (points.empty())
    throw std::domain_error(fmt::format(
        "the critical line of {} does not reach sigma_b2 = {:g} (`actbench theory {}` lists it)",
        label_of(activation), sigma_b2, activation.entry->name));
  double sigma_w2 = points.front().sigma_w2;
  bool stable = false;
  for (const EdgeOfChaosPoint& p : points) {
    if (p.stable) {
      sigma_w2 = p.sigma_w2;
      stable = true;
      break;
    }
  }
  // SiLU at small sigma_b2, for one: chi1 = 1 there, but q drifts away from that q* with depth,
  // so the network is at the edge of chaos only in its first layers.
  if (!stable)
    spdlog::warn(
        "the edge of chaos of {} at sigma_b2 = {:g} (sigma_w2 = {:g}) has an unstable q* = {:g} "
        "(dq'/dq = {:g}): q moves away from it with depth",
        label_of(activation), sigma_b2, sigma_w2, points.front().q, points.front().length_slope);
  std::lock_guard<std::mutex> lock(cache_mutex());
  cache[key] = sigma_w2;
  return sigma_w2;
}

std::string init_theory_summary(const model::ResolvedActivation& activation, double sigma_w2,
                                double sigma_b2) {
  static std::map<std::string, std::string> cache;
  const std::string key = cache_key(activation, sigma_w2, sigma_b2);
  {
    std::lock_guard<std::mutex> lock(cache_mutex());
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  if (!theory_not_applicable(activation).empty()) return "mean field: not applicable";
  const GaussianExpectations e(functions_of(activation));
  const PhaseAnalysis a = analyse(e, sigma_w2, sigma_b2);
  std::string out =
      fmt::format("mean field sigma_w2 = {:.6g}, sigma_b2 = {:.6g}: ", sigma_w2, sigma_b2);
  if (a.every_q_fixed) {
    out += "every q is a fixed point, chi1 = " + fmt_number(a.fixed_points.front().chi1);
  } else if (a.stable().empty()) {
    out +=
        a.grows_without_bound ? "no fixed point, q grows without bound" : "no stable fixed point";
  } else {
    std::string points;
    for (const FixedPoint* p : a.stable()) {
      points += fmt::format("{}q* = {}, chi1 = {}, xi_c = {}", points.empty() ? "" : "; ",
                            fmt_number(p->q), fmt_number(p->chi1), fmt_number(p->xi_c));
    }
    out += points;
  }
  std::lock_guard<std::mutex> lock(cache_mutex());
  cache[key] = out;
  return out;
}

}  // namespace actbench::catalogue
