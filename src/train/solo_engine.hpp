// The engine of a run alone (engine.hpp, K = 1): the network's own forward pass, autograd for the
// gradients, and LibTorch's optimisers. Any architecture trains here (CNNs, dropout, norms).
#pragma once

#include <torch/optim/optimizer.h>

#include <memory>
#include <optional>
#include <vector>

#include "config/run_spec.hpp"
#include "model/network.hpp"
#include "train/engine.hpp"

namespace actbench::train {

class SoloEngine : public Engine {
 public:
  // `network` (already on its device) must outlive the engine.
  SoloEngine(const config::RunSpec& spec, model::NetworkImpl& network);

  int64_t members() const override { return 1; }
  size_t num_hidden() const override { return network_.num_hidden(); }
  StepOutput compute_gradients(const MemberBatch& batch) override;
  void clip_gradients(double max_norm) override;
  void step(const std::vector<double>& lrs, const std::vector<bool>& active) override;
  void add_gradient_norms() override;
  std::vector<std::vector<probe::GradNormMeter::Value>> read_gradient_norms() override;
  std::vector<Evaluation> evaluate(const MemberBatch& split, int64_t batch_size) override;
  std::vector<probe::LayerProbe> probe(int64_t member, const at::Tensor& x, const at::Tensor& y,
                                       bool end_of_epoch) override;

 private:
  const config::RunSpec& spec_;
  model::NetworkImpl& network_;
  const Task& task_;
  std::vector<at::Tensor> parameters_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  probe::GradNormMeter grad_meter_;
  // Step records from the training batches themselves: the meter watches every training forward.
  std::optional<probe::BatchProbeMeter> batch_meter_;
};

}  // namespace actbench::train
