// De-duplication and degenerate candidates (deduplicate.hpp): curves by LibTorch autograd in
// float64, then one pass over the candidates simplest first, each compared only with the functions
// whose value at one probe point lies within the tolerance of its own (a sorted index), so a space
// of thousands costs thousands of comparisons, not millions.
#include "search/deduplicate.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <tuple>

#include "expression/expression.hpp"

namespace actbench::search {

std::vector<double> dedup_grid(const DedupOptions& options) {
  std::vector<double> grid;
  const double cell = (options.to - options.from) / static_cast<double>(options.points);
  for (int64_t i = 0; i < options.points; ++i)
    grid.push_back(options.from + (static_cast<double>(i) + 0.5) * cell);
  return grid;
}

Curve evaluate_curve(const std::string& text, const std::vector<double>& grid) {
  if (!uses_input(text)) throw std::invalid_argument("the expression does not use x");
  const expression::Expression f = expression::Expression::parse(text);
  torch::Tensor x =
      torch::tensor(grid, torch::TensorOptions().dtype(torch::kFloat64)).requires_grad_(true);
  torch::Tensor y = f(x);
  torch::Tensor dy = torch::zeros_like(x);
  // x - x and the like keep x in the graph; a text whose ops all dropped it has no gradient.
  if (y.requires_grad()) dy = torch::autograd::grad({y.sum()}, {x}, {}, false, false, true)[0];
  if (!dy.defined()) dy = torch::zeros_like(x);
  y = y.detach().contiguous();
  dy = dy.detach().contiguous();
  Curve curve;
  curve.f.assign(y.data_ptr<double>(), y.data_ptr<double>() + y.numel());
  curve.df.assign(dy.data_ptr<double>(), dy.data_ptr<double>() + dy.numel());
  return curve;
}

namespace deduplicate_internal {

bool close(double u, double v, const DedupOptions& o) {
  return std::abs(u - v) <= o.atol + o.rtol * std::max(std::abs(u), std::abs(v));
}

double max_abs(const std::vector<double>& values) {
  double m = 0.0;
  for (double v : values) m = std::max(m, std::abs(v));
  return m;
}

// Simplest first: fewest tokens, then shortest text, then the one reading from x first, then
// alphabetical (a total order, so the name does not depend on the order the space was enumerated
// in).
bool simpler(const std::string& a, const std::string& b) {
  return std::make_tuple(complexity(a), a.size(), input_position(a), a) <
         std::make_tuple(complexity(b), b.size(), input_position(b), b);
}

}  // namespace deduplicate_internal
using namespace deduplicate_internal;

bool same_function(const Curve& a, const Curve& b, const DedupOptions& options) {
  if (a.f.size() != b.f.size()) return false;
  for (size_t i = 0; i < a.f.size(); ++i)
    if (!close(a.f[i], b.f[i], options) || !close(a.df[i], b.df[i], options)) return false;
  return true;
}

std::string degeneracy_name(Degeneracy kind) {
  switch (kind) {
    case Degeneracy::kNone:
      return "none";
    case Degeneracy::kInvalid:
      return "invalid";
    case Degeneracy::kNonFinite:
      return "non-finite";
    case Degeneracy::kConstant:
      return "constant";
    case Degeneracy::kFlat:
      return "zero derivative";
  }
  return "?";
}

Degeneracy classify(const Curve& curve, const std::vector<double>& grid,
                    const DedupOptions& options, std::string* reason) {
  for (size_t i = 0; i < curve.f.size(); ++i) {
    if (!std::isfinite(curve.f[i]) || !std::isfinite(curve.df[i])) {
      const bool value = !std::isfinite(curve.f[i]);
      *reason =
          fmt::format("{} is {} at x = {:g}", value ? "f" : "f'",
                      std::isnan(value ? curve.f[i] : curve.df[i]) ? "NaN" : "infinite", grid[i]);
      return Degeneracy::kNonFinite;
    }
  }
  const auto [low, high] = std::minmax_element(curve.f.begin(), curve.f.end());
  if (*high - *low <= options.atol + options.rtol * max_abs(curve.f)) {
    *reason = fmt::format("f = {:.6g} on the whole grid", *low);
    return Degeneracy::kConstant;
  }
  // Zero relative to the derivative's median, not its largest value: exp(exp(x)) is steep
  // enough at one end that the largest |f'| would call the rest of the grid flat.
  std::vector<double> magnitudes;
  for (double d : curve.df) magnitudes.push_back(std::abs(d));
  std::nth_element(magnitudes.begin(), magnitudes.begin() + magnitudes.size() / 2,
                   magnitudes.end());
  const double zero = options.atol + options.rtol * magnitudes[magnitudes.size() / 2];
  int64_t flat = 0;
  for (double d : curve.df) flat += std::abs(d) <= zero ? 1 : 0;
  const double share = static_cast<double>(flat) / static_cast<double>(curve.df.size());
  if (share >= options.flat_share) {
    *reason = fmt::format("f' = 0 on {:.1f}% of the grid", 100.0 * share);
    return Degeneracy::kFlat;
  }
  return Degeneracy::kNone;
}

Deduplication deduplicate(const std::vector<Candidate>& candidates, const DedupOptions& options) {
  Deduplication out;
  out.candidates = static_cast<int64_t>(candidates.size());
  const std::vector<double> grid = dedup_grid(options);

  // One curve per distinct text; a text spelt twice (x + 1 from two routes) is evaluated once.
  struct Text {
    Candidate first;
    int64_t count = 0;
    Curve curve;
  };
  std::map<std::string, Text> texts;
  for (const Candidate& c : candidates) {
    Text& t = texts[c.text];
    if (t.count++ == 0) t.first = c;
  }
  std::vector<const Text*> valid;
  for (auto& [text, t] : texts) {
    DroppedCandidate dropped{t.first, Degeneracy::kNone, ""};
    try {
      t.curve = evaluate_curve(text, grid);
      dropped.kind = classify(t.curve, grid, options, &dropped.reason);
    } catch (const expression::SyntaxError& e) {
      dropped.kind = Degeneracy::kInvalid;
      dropped.reason = fmt::format("at offset {}: {}", e.offset(), e.message());
    } catch (const std::invalid_argument&) {
      // No x at all: a constant whatever its value.
      dropped.kind = Degeneracy::kConstant;
      dropped.reason = "the expression does not use x";
    } catch (const c10::Error& e) {
      dropped.kind = Degeneracy::kInvalid;
      dropped.reason = e.what_without_backtrace();
    }
    if (dropped.kind == Degeneracy::kNone) {
      valid.push_back(&t);
      continue;
    }
    // Every spelling of a dropped text is dropped with it.
    for (int64_t k = 0; k < t.count; ++k) out.dropped.push_back(dropped);
  }
  std::sort(valid.begin(), valid.end(),
            [](const Text* a, const Text* b) { return simpler(a->first.text, b->first.text); });

  // Functions by their value at one probe point; a candidate is compared with those within the
  // tolerance there: equal curves are close at the probe, so none is missed.
  const size_t probe = grid.size() * 2 / 3;
  std::multimap<double, size_t> by_probe;
  for (const Text* t : valid) {
    const double v = t->curve.f[probe];
    const double window = (options.atol + options.rtol * std::abs(v)) / (1.0 - options.rtol);
    size_t match = out.unique.size();
    for (auto it = by_probe.lower_bound(v - window);
         it != by_probe.end() && it->first <= v + window; ++it) {
      if (same_function(out.unique[it->second].curve, t->curve, options)) {
        match = it->second;
        break;
      }
    }
    if (match == out.unique.size()) {
      UniqueFunction u;
      u.name = t->first.text;
      u.spelling = t->first.spelling;
      u.spellings = t->count;
      u.curve = t->curve;
      out.merged += t->count - 1;
      by_probe.emplace(v, out.unique.size());
      out.unique.push_back(std::move(u));
    } else {
      out.unique[match].aliases.push_back(t->first.text);
      out.unique[match].spellings += t->count;
      out.merged += t->count;
    }
  }
  return out;
}

}  // namespace actbench::search

namespace actbench::search {

SwishFit fit_swish(const std::vector<double>& f, const std::vector<double>& grid) {
  constexpr int kBetas = 401;
  SwishFit best{0.0, std::numeric_limits<double>::infinity()};
  for (int k = 0; k < kBetas; ++k) {
    const double beta = kSwishBetaMin * std::pow(kSwishBetaMax / kSwishBetaMin,
                                                 static_cast<double>(k) / (kBetas - 1));
    double difference = 0.0, scale = 0.0;
    for (size_t i = 0; i < grid.size() && i < f.size(); ++i) {
      if (std::abs(grid[i]) > kSwishRange) continue;
      const double swish = grid[i] / (1.0 + std::exp(-beta * grid[i]));
      difference = std::max(difference, std::abs(f[i] - swish));
      scale = std::max(scale, std::abs(swish));
    }
    const double error = scale > 0.0 ? difference / scale : difference;
    if (error < best.relative_error) best = {beta, error};
  }
  return best;
}

}  // namespace actbench::search
