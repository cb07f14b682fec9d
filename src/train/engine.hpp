// What the training loop (training_loop.hpp) needs from whatever computes a step for K members: a
// batch in, each member's loss and the gradients of its parameters out, then clipping, the update,
// gradient norms, evaluation and probes. Two engines implement it: SoloEngine (one network,
// autograd and LibTorch's optimisers) and PackEngine (K networks of one shape as stacked tensors,
// the backward pass and the optimisers by hand). The loop owns everything else (batches, schedule,
// divergence, records), so a run alone and a packed member are trained by the same code.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "probe/probes.hpp"
#include "train/task.hpp"

namespace actbench::train {

// Inputs and targets of a batch: shared by every member ([B, ...], targets [B] / [B, O]) or one
// per member ([K, B, ...], targets [K, B] / [K, B, O]).
struct MemberBatch {
  at::Tensor inputs;
  bool shared = false;
  at::Tensor targets;
};

struct StepOutput {
  at::Tensor losses;   // [K], member k's mean loss over its batch
  at::Tensor correct;  // [K] int64 correct predictions (classification); undefined for regression
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual int64_t members() const = 0;
  virtual size_t num_hidden() const = 0;

  // Each member's loss on its batch, and the gradients of its mean loss left in its parameters'
  // .grad, so that a member's gradients are those of its run alone. Nothing is updated yet.
  virtual StepOutput compute_gradients(const MemberBatch& batch) = 0;
  // Scales each member's gradient to a total 2-norm of at most max_norm (clip_grad_norm_).
  virtual void clip_gradients(double max_norm) = 0;
  // One optimiser step with member k's learning rate lrs[k]; inactive members do not move.
  virtual void step(const std::vector<double>& lrs, const std::vector<bool>& active) = 0;

  // Per hidden layer, || dL/dW ||_2 of the current gradients, summed into a window.
  virtual void add_gradient_norms() = 0;
  // [layer][member] mean and max over the window, which then starts again.
  virtual std::vector<std::vector<probe::GradNormMeter::Value>> read_gradient_norms() = 0;

  // Each member's mean loss and accuracy on a split, in batches of `batch_size`.
  virtual std::vector<Evaluation> evaluate(const MemberBatch& split, int64_t batch_size) = 0;
  // Member k's layer probes: on step records the engine may give what it measured on the training
  // batches since the last record (probes.step_source train_batch); otherwise measured on x, y.
  virtual std::vector<probe::LayerProbe> probe(int64_t member, const at::Tensor& x,
                                               const at::Tensor& y, bool end_of_epoch) = 0;
};

}  // namespace actbench::train
