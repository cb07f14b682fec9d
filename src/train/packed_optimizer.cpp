// Per-member optimisers over stacked parameters (see packed_optimizer.hpp). Each update repeats
// the operations of LibTorch 1.13's torch::optim step (torch/csrc/api/src/optim/*.cpp) with the
// scalar hyper-parameters replaced by per-member tensors; the scalars derived from them (1 - beta,
// bias corrections, step sizes) are computed in double on the host, as LibTorch does, and only
// then rounded to the parameters' type.
#include "train/packed_optimizer.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>

namespace actbench::train {

PackedOptimizer::PackedOptimizer(const std::vector<config::OptimSpec>& specs,
                                 std::vector<at::Tensor> parameters)
    : specs_(specs), parameters_(std::move(parameters)) {
  if (specs_.empty()) throw std::logic_error("PackedOptimizer: no members");
  name_ = specs_.front().name;
  nesterov_ = specs_.front().nesterov;
  for (const auto& s : specs_) {
    if (s.name != name_ || s.nesterov != nesterov_)
      throw std::logic_error("PackedOptimizer: members disagree on optim.name or nesterov");
  }
  if (name_ != "sgd" && name_ != "adam" && name_ != "adamw" && name_ != "rmsprop")
    throw std::logic_error("PackedOptimizer: optimiser not handled: " + name_);
  state_a_.resize(parameters_.size());
  state_b_.resize(parameters_.size());
}

at::Tensor PackedOptimizer::per_member(const std::vector<double>& values,
                                       const at::Tensor& like) const {
  std::vector<float> rounded(values.begin(), values.end());
  std::vector<int64_t> shape(static_cast<size_t>(like.dim()), 1);
  shape[0] = static_cast<int64_t>(rounded.size());
  return torch::from_blob(rounded.data(), {static_cast<int64_t>(rounded.size())}, torch::kFloat32)
      .to(like.options().dtype(like.scalar_type()), /*non_blocking=*/false, /*copy=*/true)
      .view(shape);
}

const at::Tensor& PackedOptimizer::hyper(
    const std::string& key, const at::Tensor& like, bool constant,
    const std::function<double(const config::OptimSpec&, size_t)>& value) {
  auto& cache = constant ? constant_cache_ : step_cache_;
  const auto slot = std::make_pair(key, like.dim());
  auto it = cache.find(slot);
  if (it != cache.end()) return it->second;
  std::vector<double> values(specs_.size());
  for (size_t k = 0; k < specs_.size(); ++k) values[k] = value(specs_[k], k);
  return cache.emplace(slot, per_member(values, like)).first->second;
}

void PackedOptimizer::step(const std::vector<double>& lrs, const std::vector<bool>& active) {
  torch::NoGradGuard no_grad;
  const size_t k_members = specs_.size();
  ++steps_;
  step_cache_.clear();
  std::vector<double> lr(k_members);
  bool any_frozen = false;
  for (size_t k = 0; k < k_members; ++k) {
    lr[k] = active[k] ? lrs[k] : 0.0;
    any_frozen |= !active[k];
  }
  bool any_decay = false, any_momentum = false;
  for (const auto& s : specs_) {
    any_decay |= s.weight_decay != 0.0;
    any_momentum |= s.momentum != 0.0;
  }
  if (fused_applies()) return fused_step(lr, active);
  const auto step = static_cast<double>(steps_);
  using Spec = const config::OptimSpec&;

  for (size_t i = 0; i < parameters_.size(); ++i) {
    at::Tensor p = parameters_[i];
    if (!p.grad().defined()) continue;
    at::Tensor grad = p.grad();
    // A frozen member's gradient may be NaN or infinite: replace it, never multiply it.
    if (any_frozen) {
      const at::Tensor& keep =
          hyper("active", p, false, [&](Spec, size_t k) { return active[k] ? 1.0 : 0.0; });
      grad = torch::where(keep > 0, grad, torch::zeros_like(grad));
    }
    const at::Tensor& lr_t = hyper("lr", p, false, [&](Spec, size_t k) { return lr[k]; });
    auto decay = [&] {
      return hyper("wd", p, true, [](Spec s, size_t) { return s.weight_decay; });
    };

    if (name_ == "sgd") {
      at::Tensor d_p = any_decay ? grad.add(p * decay()) : grad;
      if (any_momentum) {
        const at::Tensor& momentum =
            hyper("momentum", p, true, [](Spec s, size_t) { return s.momentum; });
        at::Tensor& buf = state_a_[i];
        if (!buf.defined()) {
          buf = d_p.clone().detach();
        } else {
          buf.mul_(momentum).add_(d_p);  // dampening 0, as actbench's SGD
        }
        d_p = nesterov_ ? d_p.add(buf * momentum) : buf;
      }
      p.sub_(d_p * lr_t);
    } else if (name_ == "adam" || name_ == "adamw") {
      if (name_ == "adamw") {
        if (any_decay)
          p.mul_(hyper("decoupled", p, false,
                       [&](Spec s, size_t k) { return 1.0 - lr[k] * s.weight_decay; }));
      } else if (any_decay) {
        grad = grad.add(p * decay());
      }
      at::Tensor& exp_avg = state_a_[i];
      at::Tensor& exp_avg_sq = state_b_[i];
      if (!exp_avg.defined()) {
        exp_avg = torch::zeros_like(p, at::MemoryFormat::Preserve);
        exp_avg_sq = torch::zeros_like(p, at::MemoryFormat::Preserve);
      }
      exp_avg.mul_(hyper("beta1", p, true, [](Spec s, size_t) { return s.beta1; }))
          .add_(grad * hyper("1-beta1", p, true, [](Spec s, size_t) { return 1.0 - s.beta1; }));
      exp_avg_sq.mul_(hyper("beta2", p, true, [](Spec s, size_t) { return s.beta2; }))
          .addcmul_(grad,
                    grad * hyper("1-beta2", p, true, [](Spec s, size_t) { return 1.0 - s.beta2; }));
      const at::Tensor denom =
          (exp_avg_sq.sqrt() / hyper("sqrt_bc2", p, false, [&](Spec s, size_t) {
             return std::sqrt(1.0 - std::pow(s.beta2, step));
           })).add_(hyper("eps", p, true, [](Spec s, size_t) { return s.eps; }));
      p.sub_(exp_avg / denom * hyper("step_size", p, false, [&](Spec s, size_t k) {
               return lr[k] / (1.0 - std::pow(s.beta1, step));
             }));
    } else {  // rmsprop
      if (any_decay) grad = grad.add(p * decay());
      at::Tensor& square_avg = state_b_[i];
      if (!square_avg.defined()) square_avg = torch::zeros_like(p, at::MemoryFormat::Preserve);
      square_avg.mul_(hyper("alpha", p, true, [](Spec s, size_t) { return s.alpha; }))
          .addcmul_(grad,
                    grad * hyper("1-alpha", p, true, [](Spec s, size_t) { return 1.0 - s.alpha; }));
      const at::Tensor avg =
          square_avg.sqrt().add_(hyper("eps", p, true, [](Spec s, size_t) { return s.eps; }));
      if (any_momentum) {
        at::Tensor& buf = state_a_[i];
        if (!buf.defined()) buf = torch::zeros_like(p, at::MemoryFormat::Preserve);
        buf.mul_(hyper("momentum", p, true, [](Spec s, size_t) { return s.momentum; }))
            .addcdiv_(grad, avg);
        p.sub_(buf * lr_t);
      } else {
        p.sub_(grad / avg * lr_t);
      }
    }
  }
}

}  // namespace actbench::train

namespace actbench::train {

bool PackedOptimizer::fused_applies() const {
  if (name_ != "sgd" && name_ != "adam" && name_ != "adamw") return false;
  for (const auto& p : parameters_) {
    const at::Tensor& grad = p.grad();
    if (!grad.defined()) continue;
    if (!p.device().is_cpu() || p.scalar_type() != torch::kFloat32 || !p.is_contiguous() ||
        !grad.device().is_cpu() || grad.scalar_type() != torch::kFloat32 || !grad.is_contiguous() ||
        grad.sizes() != p.sizes())
      return false;
  }
  return true;
}

// The tensor code of step() element by element: the per-member scalars rounded to float as
// per_member() rounds them, the derived ones (1 - beta, bias corrections, step sizes) computed in
// double first, as there.
void PackedOptimizer::fused_step(const std::vector<double>& lr, const std::vector<bool>& active) {
  torch::NoGradGuard no_grad;
  const size_t k_members = specs_.size();
  const auto step = static_cast<double>(steps_);
  bool any_momentum = false;
  for (const auto& s : specs_) any_momentum |= s.momentum != 0.0;
  auto rounded = [](double value) { return static_cast<float>(value); };
  struct AdamScalars {
    float beta1, one_minus_beta1, beta2, one_minus_beta2, eps, decay, shrink, sqrt_bc2, step_size;
  };
  std::vector<AdamScalars> per_step;

  for (size_t i = 0; i < parameters_.size(); ++i) {
    at::Tensor p = parameters_[i];
    const at::Tensor grad_tensor = p.grad();
    if (!grad_tensor.defined()) continue;
    const int64_t per_member = p.numel() / static_cast<int64_t>(k_members);
    float* param = p.data_ptr<float>();
    const float* grad = grad_tensor.data_ptr<float>();

    if (name_ == "sgd") {
      bool first = false;
      if (any_momentum && !state_a_[i].defined()) {
        state_a_[i] = torch::empty_like(p, at::MemoryFormat::Contiguous);
        first = true;
      }
      float* buffer = any_momentum ? state_a_[i].data_ptr<float>() : nullptr;
      for (size_t k = 0; k < k_members; ++k) {
        const config::OptimSpec& s = specs_[k];
        const bool live = active[k];
        const float decay = rounded(s.weight_decay), momentum = rounded(s.momentum);
        const float rate = rounded(lr[k]);
        const int64_t offset = static_cast<int64_t>(k) * per_member;
        float* pk = param + offset;
        const float* gk = grad + offset;
        float* bk = buffer ? buffer + offset : nullptr;
        for (int64_t e = 0; e < per_member; ++e) {
          float d = live ? gk[e] : 0.0F;
          if (s.weight_decay != 0.0) d = d + pk[e] * decay;
          if (bk) {
            bk[e] = first ? d : bk[e] * momentum + d;
            d = nesterov_ ? d + bk[e] * momentum : bk[e];
          }
          pk[e] = pk[e] - d * rate;
        }
      }
      continue;
    }

    // Adam and AdamW.
    if (per_step.size() != k_members) {
      // The per-member scalars, once per step rather than per parameter tensor.
      per_step.resize(k_members);
      for (size_t k = 0; k < k_members; ++k) {
        const config::OptimSpec& s = specs_[k];
        const double rate = active[k] ? lr[k] : 0.0;
        AdamScalars& a = per_step[k];
        a.beta1 = rounded(s.beta1);
        a.one_minus_beta1 = rounded(1.0 - s.beta1);
        a.beta2 = rounded(s.beta2);
        a.one_minus_beta2 = rounded(1.0 - s.beta2);
        a.eps = rounded(s.eps);
        a.decay = rounded(s.weight_decay);
        a.shrink = rounded(1.0 - rate * s.weight_decay);
        a.sqrt_bc2 = rounded(std::sqrt(1.0 - std::pow(s.beta2, step)));
        a.step_size = rounded(rate / (1.0 - std::pow(s.beta1, step)));
      }
    }
    if (!state_a_[i].defined()) {
      state_a_[i] = torch::zeros_like(p, at::MemoryFormat::Contiguous);
      state_b_[i] = torch::zeros_like(p, at::MemoryFormat::Contiguous);
    }
    float* exp_avg = state_a_[i].data_ptr<float>();
    float* exp_avg_sq = state_b_[i].data_ptr<float>();
    const bool decoupled = name_ == "adamw";
    for (size_t k = 0; k < k_members; ++k) {
      const config::OptimSpec& s = specs_[k];
      const bool live = active[k];
      const AdamScalars& a = per_step[k];
      const float beta1 = a.beta1, one_minus_beta1 = a.one_minus_beta1, beta2 = a.beta2;
      const float one_minus_beta2 = a.one_minus_beta2, eps = a.eps, decay = a.decay;
      const float shrink = a.shrink, sqrt_bc2 = a.sqrt_bc2, step_size = a.step_size;
      const int64_t offset = static_cast<int64_t>(k) * per_member;
      float* pk = param + offset;
      const float* gk = grad + offset;
      float* mk = exp_avg + offset;
      float* vk = exp_avg_sq + offset;
      for (int64_t e = 0; e < per_member; ++e) {
        float g = live ? gk[e] : 0.0F;
        if (s.weight_decay != 0.0) {
          if (decoupled) {
            pk[e] = pk[e] * shrink;
          } else {
            g = g + pk[e] * decay;
          }
        }
        mk[e] = mk[e] * beta1 + g * one_minus_beta1;
        vk[e] = vk[e] * beta2 + g * (g * one_minus_beta2);
        const float denom = std::sqrt(vk[e]) / sqrt_bc2 + eps;
        pk[e] = pk[e] - mk[e] / denom * step_size;
      }
    }
  }
}

}  // namespace actbench::train
