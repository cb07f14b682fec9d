// Probe computations. Everything reduces on the device; .item() happens once per layer per record.
#include "probe/probes.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace actbench::probe {

namespace {

// Keeps the pre-activations of a forward pass, still attached to the graph, for autograd::grad.
class Recorder : public model::LayerObserver {
 public:
  void observe(size_t layer, const torch::Tensor& pre, const torch::Tensor& post) override {
    if (pre_.size() <= layer) {
      pre_.resize(layer + 1);
      post_.resize(layer + 1);
    }
    pre_[layer] = pre;
    post_[layer] = post.detach();
  }
  std::vector<torch::Tensor> pre_, post_;
};

// ||x||_2 as a BLAS dot product: LibTorch 1.13's norm() reduction takes ~4x longer on the CPU, and
// the gradient meter runs once per layer per training step.
torch::Tensor l2_norm(const torch::Tensor& x) {
  const torch::Tensor flat = x.reshape(-1);
  return flat.dot(flat).sqrt();
}

// Mean and population standard deviation over all elements, two-pass (no cancellation).
// torch::std_mean over all elements is a scalar Welford loop in LibTorch 1.13, ~16x slower.
std::pair<torch::Tensor, torch::Tensor> mean_and_std(const torch::Tensor& x) {
  const torch::Tensor mean = x.mean();
  const torch::Tensor centered = (x - mean).reshape(-1);
  return {mean, (centered.dot(centered) / std::max<int64_t>(centered.numel(), 1)).sqrt()};
}

}  // namespace

std::vector<LayerProbe> measure_layers(model::NetworkImpl& network, const at::Tensor& inputs,
                                       const at::Tensor& labels, double saturation_threshold,
                                       const LossFunction& loss_function) {
  const bool was_training = network.is_training();
  network.eval();
  torch::AutoGradMode enable_grad(true);

  Recorder recorder;
  torch::Tensor logits = network.forward(inputs, &recorder);
  torch::Tensor loss = loss_function ? loss_function(logits, labels)
                                     : torch::nn::functional::cross_entropy(logits, labels);
  const size_t n = network.num_hidden();
  std::vector<LayerProbe> probes(n);
  if (n == 0) {
    network.train(was_training);
    return probes;
  }
  // Gradients w.r.t. the pre-activations only: the parameters' .grad stay as the optimiser left
  // them.
  std::vector<torch::Tensor> backprop = torch::autograd::grad({loss}, recorder.pre_);

  for (size_t i = 0; i < n; ++i) {
    torch::NoGradGuard no_grad;
    const torch::Tensor pre = recorder.pre_[i].detach();
    const torch::Tensor& post = recorder.post_[i];

    const torch::Tensor derivative = network.activation(i).derivative(pre).abs();
    // A unit is a feature of an MLP layer or a channel of a conv layer (over samples and
    // positions).
    torch::Tensor per_unit_max =
        derivative.dim() > 2 ? derivative.transpose(0, 1).flatten(1).amax(1) : derivative.amax(0);
    const model::HiddenLayerInfo& info = network.info(i);
    const double max_derivative = info.max_derivative;
    const auto [pre_mean, pre_std] = mean_and_std(pre);
    const auto [post_mean, post_std] = mean_and_std(post);
    const torch::Tensor dead = per_unit_max == 0;
    // Structural: every sample on a half-line where f' = 0 by definition, not by rounding.
    torch::Tensor structural = torch::zeros_like(dead);
    if (std::isfinite(info.flat_below) || std::isfinite(info.flat_above)) {
      const torch::Tensor on_flat = (pre <= info.flat_below).logical_or(pre >= info.flat_above);
      structural = dead.logical_and(on_flat.dim() > 2 ? on_flat.transpose(0, 1).flatten(1).all(1)
                                                      : on_flat.all(0));
    }
    torch::Tensor stats =
        torch::stack(
            {dead.sum().to(torch::kFloat64) / per_unit_max.numel(),
             structural.sum().to(torch::kFloat64) / per_unit_max.numel(),
             (derivative < saturation_threshold * max_derivative).sum().to(torch::kFloat64) /
                 derivative.numel(),
             pre_mean.to(torch::kFloat64), pre_std.to(torch::kFloat64),
             post_mean.to(torch::kFloat64), post_std.to(torch::kFloat64),
             l2_norm(backprop[i]).to(torch::kFloat64)})
            .cpu();
    const double* s = stats.data_ptr<double>();
    probes[i] =
        LayerProbe{s[0], s[2], s[3], s[4], s[5], s[6], s[7], s[1], dead.cpu(), structural.cpu()};
  }
  network.train(was_training);
  return probes;
}

void GradNormMeter::add(model::NetworkImpl& network) {
  if (num_layers_ == 0) return;
  torch::NoGradGuard no_grad;
  if (!norms_.defined()) {
    norms_ = torch::zeros({static_cast<int64_t>(num_layers_)}, network.hidden_weight(0).options());
    for (size_t i = 0; i < num_layers_; ++i) slot_.push_back(norms_[static_cast<int64_t>(i)]);
  }
  for (size_t i = 0; i < num_layers_; ++i) {
    const torch::Tensor grad = network.hidden_weight(i).grad();
    if (!grad.defined()) {
      slot_[i].zero_();
      continue;
    }
    // A BLAS dot product: LibTorch 1.13's norm() reduction takes ~4x longer on the CPU.
    const torch::Tensor flat = grad.reshape(-1);
    torch::dot_out(slot_[i], flat, flat);
  }
  norms_.sqrt_();
  if (steps_ == 0) {
    sum_ = norms_.clone();
    max_ = norms_.clone();
  } else {
    sum_.add_(norms_);
    torch::maximum_out(max_, max_, norms_);
  }
  ++steps_;
}

std::vector<GradNormMeter::Value> GradNormMeter::read_and_reset() {
  std::vector<Value> values(num_layers_);
  if (steps_ > 0) {
    const torch::Tensor both = torch::stack({sum_, max_}).to(torch::kFloat64).cpu();
    const double* v = both.data_ptr<double>();
    for (size_t i = 0; i < num_layers_; ++i) {
      values[i].mean = v[i] / static_cast<double>(steps_);
      values[i].max = v[num_layers_ + i];
    }
  }
  steps_ = 0;
  return values;
}

BatchProbeMeter::BatchProbeMeter(model::NetworkImpl& network, double saturation_threshold)
    : network_(network),
      saturation_threshold_(saturation_threshold),
      layers_(network.num_hidden()) {}

void BatchProbeMeter::observe(size_t index, const torch::Tensor& pre, const torch::Tensor& post) {
  if (index >= layers_.size()) return;
  if (index == 0) ++steps_;
  Layer& layer = layers_[index];
  ++layer.steps;

  const torch::Tensor derivative = network_.activation(index).derivative(pre).abs();
  torch::NoGradGuard no_grad;
  if (!layer.step.defined()) {
    const auto options = pre.options().requires_grad(false);
    layer.step = torch::zeros({kSums + 1}, options);
    for (int64_t k = 0; k <= kSums; ++k) layer.step_at.push_back(layer.step[k]);
    layer.step_sums = layer.step.narrow(0, 0, kSums);
    layer.window = torch::zeros({kSums}, options.dtype(torch::kFloat64));
    layer.backprop_sum = layer.window[kBackprop];
    layer.unit_max_derivative = torch::zeros({derivative.size(1)}, options);
  }
  const bool first_step_of_window = layer.steps == 1;
  if (pre.requires_grad()) {
    // dL/dz arrives during the step's own backward; the hook only reduces it.
    pre.register_hook([&layer](const torch::Tensor& grad) {
      torch::NoGradGuard no_grad;
      layer.backprop_sum.add_(l2_norm(grad));
    });
  }

  // A unit is a feature of an MLP layer or a channel of a conv layer (over samples and positions).
  std::vector<int64_t> reduce_dims{0};
  for (int64_t d = 2; d < derivative.dim(); ++d) reduce_dims.push_back(d);
  if (first_step_of_window) {
    torch::amax_out(layer.unit_max_derivative, derivative, reduce_dims);
  } else {
    torch::maximum_out(layer.unit_max_derivative, layer.unit_max_derivative,
                       derivative.amax(reduce_dims));
  }
  // This step's sums go into preallocated slots, then into the window in one addition. The
  // saturated count compares into a float buffer: LibTorch 1.13 writes a bool result with a scalar
  // loop, several times slower than the same comparison written as float. step[kBackprop] stays 0:
  // the hook adds into the window directly. A window's first step overwrites the window's buffers,
  // so a read needs no zeroing.
  const torch::Tensor pre_flat = pre.detach().reshape(-1);
  const torch::Tensor post_flat = post.detach().reshape(-1);
  const double cutoff = saturation_threshold_ * network_.info(index).max_derivative;
  if (!layer.below_cutoff.sizes().equals(derivative.sizes()))
    layer.below_cutoff = torch::empty_like(derivative);  // the first step, or a short last batch
  torch::lt_out(layer.below_cutoff, derivative, cutoff);
  torch::sum_out(layer.step_at[kSaturated], layer.below_cutoff);
  torch::sum_out(layer.step_at[kPreSum], pre_flat);
  torch::dot_out(layer.step_at[kPreSquares], pre_flat, pre_flat);
  torch::sum_out(layer.step_at[kPostSum], post_flat);
  torch::dot_out(layer.step_at[kPostSquares], post_flat, post_flat);
  if (first_step_of_window) {
    layer.window.copy_(layer.step_sums);
  } else {
    layer.window.add_(layer.step_sums);
  }
  layer.pre_elements += pre_flat.numel();
  layer.post_elements += post_flat.numel();
}

std::vector<LayerProbe> BatchProbeMeter::read_and_reset() {
  std::vector<LayerProbe> probes(layers_.size());
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < layers_.size(); ++i) {
    Layer& layer = layers_[i];
    if (layer.steps > 0) {
      // Units alive somewhere in the window: sign(max |f'|) is 1 for them and 0 for dead ones.
      torch::sum_out(layer.step_at[kAlive], layer.unit_max_derivative.sign());
      const torch::Tensor window = layer.window.cpu();  // no copy on the CPU
      const torch::Tensor step = layer.step.cpu();
      const double* v = window.data_ptr<double>();
      const double alive = static_cast<double>(step.data_ptr<float>()[kAlive]);
      const double pre_n = static_cast<double>(layer.pre_elements);
      const double post_n = static_cast<double>(layer.post_elements);
      LayerProbe& p = probes[i];
      p.saturated_fraction = v[kSaturated] / pre_n;
      p.pre_mean = v[kPreSum] / pre_n;
      p.pre_std = std::sqrt(std::max(0.0, v[kPreSquares] / pre_n - p.pre_mean * p.pre_mean));
      p.post_mean = v[kPostSum] / post_n;
      p.post_std = std::sqrt(std::max(0.0, v[kPostSquares] / post_n - p.post_mean * p.post_mean));
      p.backprop_grad_norm = v[kBackprop] / static_cast<double>(layer.steps);
      const double units = static_cast<double>(layer.unit_max_derivative.numel());
      p.dead_fraction = (units - alive) / units;
      // Which units, but not why: telling structural from numerical death would need every
      // pre-activation's side, which these every-step records do not keep.
      p.dead_units = (layer.unit_max_derivative == 0).cpu();
      p.structural_dead_fraction = std::nan("");
    }
    layer.pre_elements = layer.post_elements = layer.steps = 0;
  }
  steps_ = 0;
  return probes;
}

}  // namespace actbench::probe
