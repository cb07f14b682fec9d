// The optimisers of a pack: SGD (momentum, Nesterov, weight decay), Adam, AdamW and RMSprop over
// stacked parameters [K, ...], each member with its own hyper-parameters (tensors of K values, not
// loops over members). The arithmetic follows LibTorch 1.13's own optimisers step for step, so a
// member moves as it would alone (tests/train/pack_test.cpp checks it against torch::optim).
// A frozen member (diverged) gets a zero gradient and a zero learning rate: its parameters stay
// exactly as they were.
// SGD, Adam and AdamW on float32 CPU tensors run as one loop over raw arrays, each element once:
// for small members (Lu et al.'s nets have 61 parameters) a dozen LibTorch calls per parameter
// tensor and step cost more than the arithmetic. The loop does the same float operations in the
// same order as the tensor code (up to fused multiply-adds), which stays the path for other
// devices.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "config/run_spec.hpp"

namespace actbench::train {

class PackedOptimizer {
 public:
  // `specs[k]` is member k's optim section; name and nesterov must agree across members.
  PackedOptimizer(const std::vector<config::OptimSpec>& specs, std::vector<at::Tensor> parameters);

  // One step with each member's learning rate for this step; members with active[k] false do not
  // move (their gradients may be NaN). Parameters without a gradient are skipped.
  void step(const std::vector<double>& lrs, const std::vector<bool>& active);

 private:
  // K values as a tensor of `like`'s type and device, shaped [K, 1, ...] to broadcast against it.
  at::Tensor per_member(const std::vector<double>& values, const at::Tensor& like) const;
  // The per-member tensor named `key` for parameters shaped like `like`: computed once when
  // `constant` (a hyper-parameter), once per step otherwise (learning rates, bias corrections).
  const at::Tensor& hyper(const std::string& key, const at::Tensor& like, bool constant,
                          const std::function<double(const config::OptimSpec&, size_t)>& value);

  // Whether every parameter with a gradient can take the raw loop (float32, CPU, contiguous).
  bool fused_applies() const;
  void fused_step(const std::vector<double>& lr, const std::vector<bool>& active);

  std::string name_;
  bool nesterov_ = false;
  std::vector<config::OptimSpec> specs_;
  std::vector<at::Tensor> parameters_;
  std::vector<at::Tensor> state_a_, state_b_;  // momentum / exp_avg / square_avg, and exp_avg_sq
  std::map<std::pair<std::string, int64_t>, at::Tensor> constant_cache_, step_cache_;
  int64_t steps_ = 0;
};

}  // namespace actbench::train
