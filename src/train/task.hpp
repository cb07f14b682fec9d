// What a run learns, as the config's `task` key chooses it: classification (cross-entropy,
// accuracy) or regression (mean squared error; a run may collapse to a constant output). A Task
// gives the training step its loss, evaluation its metrics, and the summary its fields, so that the
// trainer never asks which task it runs. The member-wise forms take a stack of K networks' outputs
// [K, B, O] at once, for training K networks of one shape together (packs).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "config/run_spec.hpp"
#include "data/dataset.hpp"
#include "model/network.hpp"

namespace actbench::train {

class Task {
 public:
  virtual ~Task() = default;
  virtual const char* name() const = 0;  // the config's `task` value
  virtual bool has_accuracy() const = 0;

  // The training step's loss, the mean over the batch: output [B, O]; target int64 [B]
  // (classification) or float [B, O] (regression).
  virtual at::Tensor loss(const at::Tensor& output, const at::Tensor& target) const = 0;
  // The same for K networks at once: output [K, B, O]; target [K, B] / [K, B, O] per member, or
  // [B] / [B, O] shared by all members. Returns [K], member k's mean loss over its B samples:
  // loss() on its slice (regression: the same operations; classification: within float rounding,
  // loss() keeping LibTorch's cross_entropy).
  virtual at::Tensor member_losses(const at::Tensor& output, const at::Tensor& target) const = 0;
  // [K] int64, member k's number of correct predictions; an undefined tensor for regression.
  virtual at::Tensor member_correct(const at::Tensor& output, const at::Tensor& target) const = 0;

  // For a backward pass by hand (the pack engine): member_losses() and member_correct() of the
  // same arguments, and the gradient of each member's mean loss with respect to the output, of the
  // output's shape [K, B, O] (a view of any layout; the gradient is laid out like it).
  struct MemberLossGradient {
    at::Tensor losses, correct, gradient;
  };
  virtual MemberLossGradient member_loss_and_gradient(const at::Tensor& output,
                                                      const at::Tensor& target) const = 0;
  // The same for one member on raw float32 arrays, for the pack engine's narrow loops (a LibTorch
  // call per member would cost more than the arithmetic): output [O, B] features-major (output[o *
  // B + i] is output o of sample i); the member's targets as stored, `values` [B, O] (regression)
  // or `labels` [B] (classification; the other null). Writes the gradient of the mean loss with
  // respect to the output into `gradient` [O, B], adds the member's correct predictions to
  // `*correct` (classification), and returns its mean loss.
  virtual double features_major_loss_and_gradient(const float* output, int64_t outputs,
                                                  int64_t batch, const float* values,
                                                  const int64_t* labels, float* gradient,
                                                  int64_t* correct) const = 0;

  // For evaluation over several batches: the sum over the batch of each sample's loss (float64,
  // 0-dim), and the number of correct predictions (int64, 0-dim; undefined for regression).
  virtual at::Tensor loss_sum(const at::Tensor& output, const at::Tensor& target) const = 0;
  virtual at::Tensor correct(const at::Tensor& output, const at::Tensor& target) const = 0;
};

// "classification" or "regression" (the schema allows no other); the tasks hold no state.
const Task& task_named(const std::string& name);

// Mean loss and accuracy (NaN for regression) on a split, in eval mode without gradients, in
// batches of `batch_size`. The split may be on any device; it moves to the network's.
struct Evaluation {
  double loss = 0.0;
  double accuracy = 0.0;
};
Evaluation evaluate(model::NetworkImpl& network, const data::Split& split, int64_t batch_size,
                    const Task& task);

// A run's summary fields beyond what its training records say, measured on the trained network
// itself, so that a network trained in a pack and copied into a solo network of the same shape gets
// the same fields. Classification: none. Regression: train_mse and test_mse (the final network on
// the whole split), collapsed (see kCollapseRatio), and psnr for image data (peak: the dataset's
// psnr_peak).
nlohmann::ordered_json task_summary(const config::RunSpec& spec, model::NetworkImpl& network,
                                    const data::Dataset& dataset);

// collapsed: for every output, the std of the network's output over the test inputs is below
// kCollapseRatio times the std of that output's test targets (population stds); null when the
// outputs are not finite.
constexpr double kCollapseRatio = 1e-3;

// PSNR in dB of a mean squared error against targets spanning `peak`: 10 log10(peak^2 / mse).
double psnr(double mse, double peak);

}  // namespace actbench::train
