// Which candidates of a search are the same function, and which are no use as an activation. Every
// candidate is evaluated, with its derivative (autograd's, the one training uses), on one fixed
// grid; two that agree there within a tolerance, in value and in derivative, are one function,
// named by its simplest spelling, the others kept as its aliases. Dropped, each with its reason: a
// text the expression language refuses, a candidate not finite on the grid, a constant, and one
// whose derivative is zero almost everywhere (a step: no gradient to learn from).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "search/search_space.hpp"

namespace actbench::search {

struct DedupOptions {
  // The grid: `points` midpoints of equal cells of [from, to], so that neither 0 nor an integer
  // (where the usual kinks are, and where equal functions may differ in their subgradient) is a
  // grid point when the cells are as the defaults make them.
  // [-10, 10]: the range on which the expr activation refuses an expression that is not finite,
  // so a candidate that passes here can be trained.
  double from = -10.0, to = 10.0;
  int64_t points = 400;
  // Two values agree when |u - v| <= atol + rtol * max(|u|, |v|).
  double rtol = 1e-6, atol = 1e-9;
  // A derivative zero (within atol + rtol * the median |f'|) on at least this share of the grid
  // makes the candidate degenerate.
  double flat_share = 0.95;
};

// The grid of the options.
std::vector<double> dedup_grid(const DedupOptions& options);

// f and f' on a grid.
struct Curve {
  std::vector<double> f, df;
};

// Evaluates the expression (float64, autograd for f'). Throws expression::SyntaxError for a text
// the language refuses, std::invalid_argument for one without x.
Curve evaluate_curve(const std::string& text, const std::vector<double>& grid);

// Whether two curves agree at every point, in value and in derivative.
bool same_function(const Curve& a, const Curve& b, const DedupOptions& options);

enum class Degeneracy { kNone, kInvalid, kNonFinite, kConstant, kFlat };
// "invalid", "non-finite", "constant", "zero derivative"
std::string degeneracy_name(Degeneracy kind);

// kNone, or why the curve is no use (reason: at which x it is not finite, its value, ...).
Degeneracy classify(const Curve& curve, const std::vector<double>& grid,
                    const DedupOptions& options, std::string* reason);

// One function of the space and every spelling of it.
struct UniqueFunction {
  std::string name;                  // the simplest text (complexity(), then length, then text)
  std::string spelling;              // of the name
  std::vector<std::string> aliases;  // the other texts, simplest first
  int64_t spellings = 0;             // candidates that gave this function (name included)
  Curve curve;
};

struct DroppedCandidate {
  Candidate candidate;
  Degeneracy kind = Degeneracy::kNone;
  std::string reason;
};

struct Deduplication {
  std::vector<UniqueFunction> unique;  // simplest first
  std::vector<DroppedCandidate> dropped;
  int64_t candidates = 0;  // looked at
  int64_t merged = 0;      // candidates counted into a function another spelling named
};

Deduplication deduplicate(const std::vector<Candidate>& candidates, const DedupOptions& options);

}  // namespace actbench::search

namespace actbench::search {

// The closest x * sigmoid(beta x) to a curve (Ramachandran et al.'s Swish), beta over a log grid
// of [kSwishBetaMin, kSwishBetaMax], compared where the shape is, |x| <= kSwishRange: the beta and
// the largest difference there relative to that Swish's largest |value| there. The beta range
// stops short of the large betas at which Swish becomes ReLU.
inline constexpr double kSwishBetaMin = 0.25, kSwishBetaMax = 3.0, kSwishRange = 3.0;
struct SwishFit {
  double beta = 0.0;
  double relative_error = 0.0;
};
SwishFit fit_swish(const std::vector<double>& f, const std::vector<double>& grid);

}  // namespace actbench::search
