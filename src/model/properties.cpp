// Computes an activation's properties by evaluating its module on a fine grid, at a few far-away
// points and under Gaussian quadrature (see properties.hpp for what each property means). The
// thresholds below are chosen so that float64 rounding never decides a property and the harshest
// default activation (sine with omega_0 = 30, f'' up to 900) is not mistaken for a kinked one.
#include "model/properties.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace actbench::model {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr int64_t kGridHalfPoints = 200000;  // grid x = i / kGridScale, |i| <= kGridHalfPoints
constexpr double kGridScale = 1e4;
// Bounds reached inside |x| <= kAttainedWithin count as attained. Further out float64 rounds
// tanh(19.1) to exactly 1, so reaching a bound there says nothing about the real function.
constexpr double kAttainedWithin = 10.0;
// Far-away points for limits and saturation: one per decade, 1e2 .. 1e8.
constexpr int kTailDecades = 7;
// Points per autograd pass of Probe::curve: a multiple of every SIMD width, so that each point
// meets the same kernel code as in one pass over the whole grid.
constexpr int64_t kCurveChunk = 8192;

// The module a run would build, evaluated as a function of one variable.
class Probe {
 public:
  explicit Probe(const ResolvedActivation& activation)
      : module_(activation.make(ActivationContext{1, false})), pieces_(module_->pieces()) {
    module_->eval();  // RReLU's eval mode uses the mean slope instead of random draws
    // float64 makes the grid differences and quadrature meaningful; an op without a float64
    // kernel falls back to float32, and the catalogue says so.
    try {
      curve(torch::zeros({1}, torch::kFloat64));
    } catch (const c10::Error&) {
      dtype_ = torch::kFloat32;
    }
  }

  // In chunks of kCurveChunk points: autograd keeps every op's inputs until the backward pass, so
  // an activation of n ops holds about n grid-sized tensors at once. On the 400,001-point grid
  // that was 3.2 MB per op (3.3 GB for a 1,000-term expression); a chunk bounds it to 64 KB per
  // op. Every activation is elementwise along the points (maxout along its k copies of each), so
  // the chunks give exactly the values and derivatives of one pass over all the points.
  ActivationCurve curve(const torch::Tensor& x) const {
    const int64_t n = x.size(0);
    if (n <= kCurveChunk) return curve_in_one_pass(x);
    std::vector<torch::Tensor> f, df;
    for (int64_t begin = 0; begin < n; begin += kCurveChunk) {
      const ActivationCurve part = curve_in_one_pass(x.slice(0, begin, begin + kCurveChunk));
      f.push_back(part.f);
      df.push_back(part.df);
    }
    return {x.to(torch::kFloat64), torch::cat(f), torch::cat(df)};
  }

  torch::Tensor values(const torch::Tensor& x) const {
    torch::NoGradGuard no_grad;
    torch::Tensor z = x.to(dtype_).unsqueeze(1).expand({x.size(0), pieces_}).contiguous();
    return module_->forward(z).reshape({-1}).to(torch::kFloat64);
  }

  int64_t pieces() const { return pieces_; }

  std::string precision() const { return dtype_ == torch::kFloat64 ? "float64" : "float32"; }

 private:
  ActivationCurve curve_in_one_pass(const torch::Tensor& x) const {
    torch::AutoGradMode enable_grad(true);  // callers may hold a NoGradGuard
    torch::Tensor input = x.detach().to(dtype_).requires_grad_(true);
    // k equal copies for maxout; the gradient reaches x through whichever copy max picks.
    torch::Tensor z = input.unsqueeze(1).expand({input.size(0), pieces_}).contiguous();
    torch::Tensor f = module_->forward(z).reshape({-1});
    torch::Tensor df = torch::autograd::grad({f.sum()}, {input})[0];
    return {x.to(torch::kFloat64), f.detach().to(torch::kFloat64), df.to(torch::kFloat64)};
  }

  std::shared_ptr<Activation> module_;
  int64_t pieces_;
  torch::Dtype dtype_ = torch::kFloat64;
};

torch::Tensor float64(std::vector<double> values) {
  return torch::tensor(values, torch::TensorOptions().dtype(torch::kFloat64));
}

// The minimum of f near a grid minimum at x, by zooming in 1000x three times on the bracket
// [x - step, x + step]: f is unimodal there, smooth or kinked, and no derivative is needed.
double refine_minimum(const Probe& probe, double sign, double x, double step) {
  double best = kInfinity;
  for (int round = 0; round < 3; ++round) {
    const torch::Tensor xs =
        torch::linspace(x - step, x + step, 2001, torch::TensorOptions().dtype(torch::kFloat64));
    const torch::Tensor fs = sign * probe.values(xs);
    const int64_t i = fs.argmin().item<int64_t>();
    best = std::min(best, fs[i].item<double>());
    x = xs[i].item<double>();
    step = 2.0 * step / 2000.0;
  }
  return best;
}

// f at +-10^2 .. +-10^8, ordered outwards; non-finite values are left out by the callers.
struct Tails {
  std::vector<double> x;  // 1e2 .. 1e8
  std::vector<double> left_f, left_df, right_f, right_df;
};

Tails tails(const Probe& probe) {
  Tails t;
  for (int d = 0; d < kTailDecades; ++d) t.x.push_back(std::pow(10.0, d + 2));
  std::vector<double> points;
  for (double x : t.x) points.push_back(-x);
  for (double x : t.x) points.push_back(x);
  const ActivationCurve c = probe.curve(float64(points));
  for (int d = 0; d < kTailDecades; ++d) {
    t.left_f.push_back(c.f[d].item<double>());
    t.left_df.push_back(c.df[d].item<double>());
    t.right_f.push_back(c.f[kTailDecades + d].item<double>());
    t.right_df.push_back(c.df[kTailDecades + d].item<double>());
  }
  return t;
}

// Whether sign * f keeps falling without bound along the tail values: strictly falling over the
// last three decades by steps that do not shrink (linear or logarithmic growth does not shrink
// its per-decade steps; softsign's approach to 1 shrinks them tenfold).
bool diverges_down(const std::vector<double>& tail, double sign) {
  const size_t n = tail.size();
  const double a = sign * tail[n - 3], b = sign * tail[n - 2], c = sign * tail[n - 1];
  if (!(std::isfinite(a) && std::isfinite(b) && std::isfinite(c))) return false;
  return b < a && c < b && (b - c) >= 0.5 * (a - b);
}

// The infimum of sign * f (sign = -1 gives the supremum), as a bound of f.
RangeBound range_bound(const Probe& probe, const ActivationCurve& grid, const Tails& t,
                       double sign) {
  const double step = 1.0 / kGridScale;
  if (diverges_down(t.left_f, sign) || diverges_down(t.right_f, sign)) {
    return RangeBound{false, -sign * kInfinity, false};
  }
  const torch::Tensor g = sign * grid.f;
  const int64_t n = g.size(0);
  const int64_t i = g.argmin().item<int64_t>();
  double lowest = g[i].item<double>();
  if (i > 0 && i < n - 1)
    lowest = std::min(lowest, refine_minimum(probe, sign, grid.x[i].item<double>(), step));
  // The same over |x| <= kAttainedWithin, the only region whose minimum can count as attained.
  const int64_t lo = kGridHalfPoints - static_cast<int64_t>(kAttainedWithin * kGridScale);
  const int64_t hi = kGridHalfPoints + static_cast<int64_t>(kAttainedWithin * kGridScale);
  const torch::Tensor inner = g.slice(0, lo, hi + 1);
  const int64_t j = inner.argmin().item<int64_t>();
  double inner_lowest = inner[j].item<double>();
  if (j > 0 && j < hi - lo) {
    inner_lowest =
        std::min(inner_lowest, refine_minimum(probe, sign, grid.x[lo + j].item<double>(), step));
  }
  double value = std::min(lowest, inner_lowest);
  for (const auto* tail : {&t.left_f, &t.right_f}) {
    for (double v : *tail)
      if (std::isfinite(v)) value = std::min(value, sign * v);
  }
  const bool attained = inner_lowest <= value + 1e-10 * std::max(1.0, std::abs(value));
  return RangeBound{true, sign * value, attained};
}

bool monotonic_with_sign(const ActivationCurve& grid, const Tails& t, double sign) {
  const double scale = std::max(1.0, grid.f.abs().max().item<double>());
  const double tol = 1e-12 * scale;
  if ((sign * grid.f.diff()).min().item<double>() < -tol) return false;
  // Outwards: left tail values must not rise above f(-20), right ones not fall below f(20).
  double previous = sign * grid.f[0].item<double>();
  for (double v : t.left_f) {
    if (std::isfinite(v) && sign * v > previous + tol) return false;
    if (std::isfinite(v)) previous = sign * v;
  }
  previous = sign * grid.f[-1].item<double>();
  for (double v : t.right_f) {
    if (std::isfinite(v) && sign * v < previous - tol) return false;
    if (std::isfinite(v)) previous = sign * v;
  }
  return true;
}

// f' -> 0: below 1e-3 of the largest |f'| from 1e3 outwards and below 1e-6 of it at 1e8 (sine's
// derivative is large at almost every far point; softsign's falls like 1/x^2).
bool saturates(const std::vector<double>& tail_df, double scale) {
  for (size_t d = 1; d < tail_df.size(); ++d) {
    if (!std::isfinite(tail_df[d]) || std::abs(tail_df[d]) > 1e-3 * scale) return false;
  }
  return std::abs(tail_df.back()) <= 1e-6 * scale;
}

// Largest |f'| and where it is reached. Grid points within 1e-9 of the maximum tie; of those, the
// one closest to 0 picks the stretch of ties around it. A stretch shorter than 0.01 is the flat top
// of a smooth maximum (SiLU's at 2.40), reported at its grid argmax; a longer one is a plateau
// (ReLU's slope 1 on [0, inf)). A larger value far out means the supremum is only approached as
// |x| grows (softplus' slope 1).
void largest_derivative(const ActivationCurve& grid, const Tails& t, ActivationProperties& p) {
  const torch::Tensor abs_df = grid.df.abs();
  const double max_df = abs_df.max().item<double>();
  double tail_max = 0.0, tail_x = 0.0;
  for (int d = 0; d < kTailDecades; ++d) {
    for (const auto& [df, x] :
         {std::make_pair(t.left_df[d], -t.x[d]), std::make_pair(t.right_df[d], t.x[d])}) {
      if (std::isfinite(df) && std::abs(df) > tail_max) {
        tail_max = std::abs(df);
        tail_x = x;
      }
    }
  }
  if (tail_max > max_df * (1.0 + 1e-9)) {
    p.max_abs_derivative = tail_max;
    p.max_derivative_x = p.max_derivative_from = p.max_derivative_to =
        std::copysign(kInfinity, tail_x);
    return;
  }
  p.max_abs_derivative = max_df;
  const double threshold = max_df * (1.0 - 1e-9);
  const torch::Tensor at_max = abs_df >= threshold;
  const int64_t c = torch::where(at_max, grid.x.abs(), torch::full_like(grid.x, kInfinity))
                        .argmin()
                        .item<int64_t>();
  const auto flags_tensor = at_max.contiguous();
  const bool* flags = flags_tensor.data_ptr<bool>();
  const int64_t n = at_max.size(0);
  int64_t l = c, r = c;
  while (l > 0 && flags[l - 1]) --l;
  while (r < n - 1 && flags[r + 1]) ++r;
  if (grid.x[r].item<double>() - grid.x[l].item<double>() < 0.01) {
    const int64_t top = l + abs_df.slice(0, l, r + 1).argmax().item<int64_t>();
    p.max_derivative_x = p.max_derivative_from = p.max_derivative_to = grid.x[top].item<double>();
    return;
  }
  auto tail_keeps = [&](const std::vector<double>& df) {
    return std::all_of(df.begin(), df.end(), [&](double v) { return std::abs(v) >= threshold; });
  };
  const double half = 0.5 / kGridScale;  // the stretch ends between two grid points
  p.max_derivative_x = grid.x[c].item<double>();
  p.max_derivative_from =
      l == 0 && tail_keeps(t.left_df) ? -kInfinity : grid.x[l].item<double>() - half;
  p.max_derivative_to =
      r == n - 1 && tail_keeps(t.right_df) ? kInfinity : grid.x[r].item<double>() + half;
}

}  // namespace

torch::Tensor property_grid() {
  return torch::arange(-kGridHalfPoints, kGridHalfPoints + 1,
                       torch::TensorOptions().dtype(torch::kFloat64)) /
         kGridScale;
}

std::vector<DerivativeJump> derivative_jumps(const ActivationCurve& curve) {
  const auto x_tensor = curve.x.to(torch::kFloat64).contiguous();
  const auto f_tensor = curve.f.to(torch::kFloat64).contiguous();
  const auto df_tensor = curve.df.to(torch::kFloat64).contiguous();
  const auto delta_tensor = df_tensor.diff().abs().contiguous();
  const double* x = x_tensor.data_ptr<double>();
  const double* f = f_tensor.data_ptr<double>();
  const double* df = df_tensor.data_ptr<double>();
  const double* delta = delta_tensor.data_ptr<double>();
  const int64_t n = delta_tensor.size(0);
  const double tol = 1e-3 * std::max(1.0, df_tensor.abs().max().item<double>());
  auto is_jump = [&](int64_t k) {
    const double around = std::max({delta[k - 3], delta[k - 2], delta[k + 2], delta[k + 3]});
    return delta[k] > tol + 2.0 * around;
  };
  std::vector<DerivativeJump> jumps;
  int64_t i = 3;
  while (i < n - 3) {
    if (!is_jump(i)) {
      ++i;
      continue;
    }
    DerivativeJump jump;
    jump.first = i;
    while (i + 1 < n - 3 && is_jump(i + 1)) ++i;
    jump.last = i;
    // Where the tangents one point outside the jump cross: the kink of a piecewise function.
    const int64_t l = jump.first - 1, r = jump.last + 2;
    jump.x = 0.5 * (x[jump.first] + x[jump.last + 1]);
    if (df[l] != df[r]) {
      const double cross = (f[r] - f[l] + df[l] * x[l] - df[r] * x[r]) / (df[l] - df[r]);
      if (cross >= x[l] && cross <= x[r]) jump.x = cross;
    }
    // To 1e-6, well inside the grid's resolution: SELU's kink reads 0, not 1.2e-8; and no -0.
    jump.x = std::round(jump.x * 1e6) / 1e6 + 0.0;
    jumps.push_back(jump);
    i = jump.last + 1;
  }
  return jumps;
}

ActivationCurve evaluate_activation(const ResolvedActivation& activation, const torch::Tensor& x) {
  return Probe(activation).curve(x);
}

namespace {

// Where f' is exactly 0 from the grid's end to some x and at every far point on that side, and
// leaves 0 at a rate above rounding there (see ActivationProperties::flat_below).
void flat_half_lines(const ActivationCurve& grid, const Tails& t, double max_df,
                     ActivationProperties& p) {
  const auto zeros_tensor = (grid.df == 0.0).contiguous();
  const bool* zeros = zeros_tensor.data_ptr<bool>();
  const int64_t n = zeros_tensor.size(0);
  auto all_zero = [](const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [](double x) { return x == 0.0; });
  };
  const int64_t reach = static_cast<int64_t>(0.1 * kGridScale);
  const double rate = 1e-6 * max_df;
  if (zeros[0] && all_zero(t.left_df)) {
    int64_t j = 0;
    while (j + 1 < n && zeros[j + 1]) ++j;
    const int64_t end = std::min(n, j + 1 + reach);
    if (j + 1 < n && grid.df.slice(0, j + 1, end).abs().max().item<double>() >= rate)
      p.flat_below = grid.x[j].item<double>();
  }
  if (zeros[n - 1] && all_zero(t.right_df)) {
    int64_t j = n - 1;
    while (j > 0 && zeros[j - 1]) --j;
    const int64_t begin = std::max<int64_t>(0, j - reach);
    if (j > 0 && grid.df.slice(0, begin, j).abs().max().item<double>() >= rate)
      p.flat_above = grid.x[j].item<double>();
  }
}

}  // namespace

ResolvedActivation default_activation(const std::string& name, const SourceLocation& where) {
  core::ComponentSpec spec;
  spec.name = name;
  spec.where = where;
  return resolve_activation(spec);
}

std::string parameter_string(const ResolvedActivation& activation) {
  std::vector<std::string> params;
  for (const auto& [name, value] : activation.params.all())
    params.push_back(name + "=" + core::param_value_string(value));
  return core::join(params);
}

ActivationProperties compute_properties(const ResolvedActivation& activation) {
  const Probe probe(activation);
  ActivationProperties p;
  p.name = activation.entry->name;
  p.parameters = parameter_string(activation);
  p.precision = probe.precision();
  p.gain = activation.gain();
  const int64_t k = probe.pieces();
  if (k > 1) {
    p.elementwise = false;
    p.note = "not elementwise: the shape columns are for its " + std::to_string(k) +
             " pieces all equal to x, where it is f(x) = x; mean and variance are for " +
             std::to_string(k) + " iid N(0, 1) pieces";
  }

  const ActivationCurve grid = probe.curve(property_grid());
  const Tails t = tails(probe);
  const int64_t zero = kGridHalfPoints;  // index of x = 0

  p.lower = range_bound(probe, grid, t, 1.0);
  p.upper = range_bound(probe, grid, t, -1.0);
  p.value_at_zero = grid.f[zero].item<double>();
  p.derivative_at_zero = grid.df[zero].item<double>();

  largest_derivative(grid, t, p);
  const double max_df = p.max_abs_derivative;

  p.monotonic = monotonic_with_sign(grid, t, 1.0) || monotonic_with_sign(grid, t, -1.0);
  const double f_scale = std::max(1.0, grid.f.abs().max().item<double>());
  p.odd = (grid.f + grid.f.flip(0)).abs().max().item<double>() <= 1e-9 * f_scale;
  p.zero_centred = std::abs(p.value_at_zero) <= 1e-12 && p.lower.value < 0.0 && p.upper.value > 0.0;

  for (const DerivativeJump& jump : derivative_jumps(grid)) p.kinks.push_back(jump.x);
  p.smooth = p.kinks.empty();
  // A stretch of largest |f'| that ends at a kink ends exactly there (ReLU's at 0, not 5e-5).
  for (double kink : p.kinks) {
    for (double* end : {&p.max_derivative_from, &p.max_derivative_to}) {
      if (std::abs(*end - kink) <= 1.5 / kGridScale && p.max_derivative_from != p.max_derivative_to)
        *end = kink;
    }
  }
  p.saturates_left = saturates(t.left_df, max_df);
  p.saturates_right = saturates(t.right_df, max_df);

  // Sparse: exactly 0 from the grid's end to some x, and at every far point on that side.
  {
    const auto zeros_tensor = (grid.f == 0.0).contiguous();
    const bool* zeros = zeros_tensor.data_ptr<bool>();
    const int64_t n = zeros_tensor.size(0);
    auto all_zero = [](const std::vector<double>& v) {
      return std::all_of(v.begin(), v.end(), [](double x) { return x == 0.0; });
    };
    // f must leave 0 at a rate above rounding: torch's float64 GELU is exactly 0 below -8.37
    // (1 + erf(x / sqrt 2) cancels) and gelu_tanh below -7.15 (tanh rounds to -1), but neither
    // is sparse; within 0.1 of the end of the zero region |f'| must reach 1e-6 of its maximum.
    const int64_t reach = static_cast<int64_t>(0.1 * kGridScale);
    const double rate = 1e-6 * max_df;
    if (zeros[0] && all_zero(t.left_f)) {
      int64_t j = 0;
      while (j + 1 < n && zeros[j + 1]) ++j;
      const int64_t end = std::min(n, j + 1 + reach);
      if (j + 1 < n && grid.df.slice(0, j + 1, end).abs().max().item<double>() >= rate) {
        p.sparse = true;
        p.sparse_threshold = grid.x[j].item<double>();
      }
    } else if (zeros[n - 1] && all_zero(t.right_f)) {
      int64_t j = n - 1;
      while (j > 0 && zeros[j - 1]) --j;
      const int64_t begin = std::max<int64_t>(0, j - reach);
      if (j > 0 && grid.df.slice(0, begin, j).abs().max().item<double>() >= rate) {
        p.sparse = true;
        p.sparse_on_right = true;
        p.sparse_threshold = grid.x[j].item<double>();
      }
    }
  }

  flat_half_lines(grid, t, max_df, p);

  // Moments under N(0, 1). For maxout the output is the max M of k iid N(0, 1) pieces, whose
  // density is k phi(m) Phi(m)^(k-1): weight the module's values at m by k Phi(m)^(k-1).
  auto weight = [k](const torch::Tensor& z) {
    if (k == 1) return torch::ones_like(z);
    const torch::Tensor cdf = 0.5 * (1 + torch::erf(z / std::sqrt(2.0)));
    return static_cast<double>(k) * cdf.pow(static_cast<double>(k - 1));
  };
  p.mean = normal_expectation([&](const torch::Tensor& z) { return probe.values(z) * weight(z); });
  const double second = normal_expectation([&](const torch::Tensor& z) {
    const torch::Tensor v = probe.values(z);
    return v * v * weight(z);
  });
  p.variance = second - p.mean * p.mean;
  return p;
}

}  // namespace actbench::model
