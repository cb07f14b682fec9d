// The engine of a pack (engine.hpp): K MLPs as stacked tensors (model/packed_mlp.hpp), the forward
// and backward passes by hand, a chunk of members at a time, and the packed optimisers
// (packed_optimizer.hpp). Members may differ in activation, initialisation and optimiser
// hyper-parameters. What it computes must equal what the solo engine computes for each member
// alone: tests/train/engine_agreement_test.cpp checks it step by step.
#pragma once

#include <vector>

#include "config/run_spec.hpp"
#include "model/packed_mlp.hpp"
#include "train/engine.hpp"
#include "train/packed_optimizer.hpp"

namespace actbench::train {

class PackEngine : public Engine {
 public:
  // `specs[k]` is member k's run; `pack` (on its device) must outlive the engine.
  PackEngine(const std::vector<const config::RunSpec*>& specs, model::PackedMlp& pack);

  int64_t members() const override { return pack_.members(); }
  size_t num_hidden() const override { return pack_.num_hidden(); }
  StepOutput compute_gradients(const MemberBatch& batch) override;
  void clip_gradients(double max_norm) override;
  void step(const std::vector<double>& lrs, const std::vector<bool>& active) override;
  void add_gradient_norms() override;
  std::vector<std::vector<probe::GradNormMeter::Value>> read_gradient_norms() override;
  std::vector<Evaluation> evaluate(const MemberBatch& split, int64_t batch_size) override;
  std::vector<probe::LayerProbe> probe(int64_t member, const at::Tensor& x, const at::Tensor& y,
                                       bool end_of_epoch) override;

 private:
  model::PackedMlp& pack_;
  const Task& task_;
  double saturation_threshold_;
  std::vector<at::Tensor> parameters_;
  PackedOptimizer optimizer_;
  // Per hidden layer and member, the sum and max over the window's steps of || dL/dW ||_2.
  at::Tensor grad_sum_, grad_max_;  // [L, K]
  int64_t grad_steps_ = 0;
};

}  // namespace actbench::train
