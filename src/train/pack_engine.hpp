// The engine of a pack (engine.hpp): K MLPs as stacked tensors (model/packed_mlp.hpp), the forward
// and backward passes by hand, a chunk of members at a time, and the packed optimisers
// (packed_optimizer.hpp). Members may differ in activation, initialisation and optimiser
// hyper-parameters. What it computes must equal what the solo engine computes for each member
// alone: tests/train/engine_agreement_test.cpp checks it step by step.
//
// Two implementations of a step. Wide packs (MNIST MLPs) use LibTorch's batched products. Narrow
// packs, every layer at most kNarrowWidth units wide (Lu et al.'s width-2 nets), use hand-written
// loops over raw float32 arrays (narrow_kernel.hpp): at that width a LibTorch call costs far more
// than its arithmetic. Their activations are computed inside the loops when the pack can prove the
// loops compute them exactly as the module does (ReLU and its piecewise-linear kin), otherwise by
// one call of the module's forward()/derivative() per layer and chunk of members.
#pragma once

#include <vector>

#include "config/run_spec.hpp"
#include "model/packed_mlp.hpp"
#include "train/engine.hpp"
#include "train/narrow_kernel.hpp"
#include "train/packed_optimizer.hpp"

namespace actbench::train {

class PackEngine : public Engine {
 public:
  // Which implementation computes a step: kAutomatic picks the narrow loops for narrow float32
  // packs on the CPU (or what the environment's ACTBENCH_PACK_PATH, wide or narrow, says: for
  // measurements); the others force one (tests compare both; kNarrow falls back to the wide
  // products where the loops cannot run).
  enum class Path { kAutomatic, kWide, kNarrow };
  // The widest layer (inputs or outputs) the narrow loops take: where they stop paying. Measured
  // (bench/README.md) on 64 nets of 10 hidden layers, 1,000 points, 300 Adam steps, CPU seconds
  // narrow / wide: width 4 2.9 / 4.2, 8 4.9 / 6.0, 10 6.3 / 6.4, 12 7.3 / 6.8, 16 12.2 / 10.5.
  static constexpr int64_t kNarrowWidth = 10;

  // `specs[k]` is member k's run; `pack` (on its device) must outlive the engine.
  PackEngine(const std::vector<const config::RunSpec*>& specs, model::PackedMlp& pack,
             Path path = Path::kAutomatic);

  // Whether steps run through the narrow loops.
  bool uses_narrow_kernel() const { return narrow_; }
  // Per hidden layer, how many members' activations the narrow loops compute themselves (the
  // others call their module).
  std::vector<int64_t> inline_activation_members() const;

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
  // Members [begin, end) of one hidden layer sharing one activation module.
  struct ActivationSegment {
    int64_t begin, end;
    narrow::InlineActivation inline_form;  // kind kLibTorch: `module` computes f and f'
    model::Activation* module;
  };

  StepOutput compute_gradients_wide(const MemberBatch& batch);
  StepOutput compute_gradients_narrow(const MemberBatch& batch);
  bool narrow_applies(const MemberBatch& batch) const;
  // Gradient tensors kept from step to step, like every parameter's.
  void ensure_gradients();
  // The narrow loops' values for a chunk of `chunk` members and `batch` samples.
  void ensure_workspace(int64_t chunk, int64_t batch);

  model::PackedMlp& pack_;
  const Task& task_;
  double saturation_threshold_;
  std::vector<at::Tensor> parameters_;
  PackedOptimizer optimizer_;
  // Per hidden layer and member, the sum and max over the window's steps of || dL/dW ||_2.
  at::Tensor grad_sum_, grad_max_;  // [L, K]
  int64_t grad_steps_ = 0;

  bool narrow_ = false;
  std::vector<std::vector<ActivationSegment>> segments_;  // per hidden layer
  bool any_module_activation_ = false;
  std::vector<at::Tensor> grad_w_, grad_b_;
  // Per layer pre-activations z [chunk, units, B] and, for hidden layers, h = f(z); the loss's
  // gradient with respect to z of the current layer and of the one below, [chunk * widest * B].
  std::vector<at::Tensor> z_work_, h_work_;
  at::Tensor delta_work_[2];
  int64_t work_chunk_ = 0, work_batch_ = 0;
};

}  // namespace actbench::train
