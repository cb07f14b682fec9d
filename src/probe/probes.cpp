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
                                       const at::Tensor& labels, double saturation_threshold) {
  const bool was_training = network.is_training();
  network.eval();
  torch::AutoGradMode enable_grad(true);

  Recorder recorder;
  torch::Tensor logits = network.forward(inputs, &recorder);
  torch::Tensor loss = torch::nn::functional::cross_entropy(logits, labels);
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

    // f'(z) elementwise, from autograd through the layer's own activation module.
    torch::Tensor derivative;
    {
      torch::AutoGradMode grad_on(true);
      torch::Tensor z = pre.clone().requires_grad_(true);
      torch::Tensor y = network.activation(i).forward(z);
      derivative = torch::autograd::grad({y.sum()}, {z})[0].abs();
    }
    // A unit is a feature of an MLP layer or a channel of a conv layer (over samples and
    // positions).
    torch::Tensor per_unit_max =
        derivative.dim() > 2 ? derivative.transpose(0, 1).flatten(1).amax(1) : derivative.amax(0);
    const double max_derivative = network.info(i).max_derivative;
    const auto [pre_mean, pre_std] = mean_and_std(pre);
    const auto [post_mean, post_std] = mean_and_std(post);
    torch::Tensor stats =
        torch::stack(
            {(per_unit_max == 0).sum().to(torch::kFloat64) / per_unit_max.numel(),
             (derivative < saturation_threshold * max_derivative).sum().to(torch::kFloat64) /
                 derivative.numel(),
             pre_mean.to(torch::kFloat64), pre_std.to(torch::kFloat64),
             post_mean.to(torch::kFloat64), post_std.to(torch::kFloat64),
             l2_norm(backprop[i]).to(torch::kFloat64)})
            .cpu();
    const double* s = stats.data_ptr<double>();
    probes[i] = LayerProbe{s[0], s[1], s[2], s[3], s[4], s[5], s[6]};
  }
  network.train(was_training);
  return probes;
}

GradNormMeter::GradNormMeter(size_t num_layers) : sum_(num_layers), max_(num_layers) {}

void GradNormMeter::add(model::NetworkImpl& network) {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < sum_.size(); ++i) {
    const torch::Tensor grad = network.hidden_weight(i).grad();
    if (!grad.defined()) continue;
    torch::Tensor norm = l2_norm(grad);
    if (!sum_[i].defined()) {
      sum_[i] = norm.clone();
      max_[i] = norm.clone();
    } else {
      sum_[i].add_(norm);
      torch::maximum_out(max_[i], max_[i], norm);
    }
  }
  ++steps_;
}

std::vector<GradNormMeter::Value> GradNormMeter::read_and_reset() {
  std::vector<Value> values(sum_.size());
  for (size_t i = 0; i < sum_.size(); ++i) {
    if (sum_[i].defined() && steps_ > 0) {
      values[i].mean = sum_[i].item<double>() / static_cast<double>(steps_);
      values[i].max = max_[i].item<double>();
    }
    sum_[i] = torch::Tensor();
    max_[i] = torch::Tensor();
  }
  steps_ = 0;
  return values;
}

BatchProbeMeter::BatchProbeMeter(model::NetworkImpl& network, double saturation_threshold)
    : network_(network),
      saturation_threshold_(saturation_threshold),
      windows_(network.num_hidden()),
      slots_(network.num_hidden()) {
  for (Slots& slots : slots_) {
    slots.step = torch::zeros({5}, network.hidden_weight(0).options().requires_grad(false));
    for (int64_t k = 0; k < 5; ++k) slots.at.push_back(slots.step[k]);
  }
}

void BatchProbeMeter::observe(size_t layer, const torch::Tensor& pre, const torch::Tensor& post) {
  if (layer >= windows_.size()) return;
  if (layer == 0) ++steps_;
  Window& window = windows_[layer];
  ++window.steps;
  if (pre.requires_grad()) {
    // dL/dz arrives during the step's own backward; the hook only reduces it.
    pre.register_hook([this, layer](const torch::Tensor& grad) {
      torch::NoGradGuard no_grad;
      Window& w = windows_[layer];
      const torch::Tensor norm = l2_norm(grad);
      if (w.backprop_norm_sum.defined()) {
        w.backprop_norm_sum.add_(norm);
      } else {
        w.backprop_norm_sum = norm.to(torch::kFloat64);
      }
    });
  }

  // f'(z) through the layer's own activation module in eval mode: an RReLU in training mode would
  // draw random slopes, and the run's random stream must not depend on whether probes are on.
  torch::Tensor derivative;
  {
    model::Activation& activation = network_.activation(layer);
    const bool was_training = activation.is_training();
    activation.eval();
    torch::AutoGradMode grad_on(true);
    torch::Tensor z = pre.detach().requires_grad_(true);
    derivative = torch::autograd::grad({activation.forward(z).sum()}, {z})[0].abs();
    activation.train(was_training);
  }
  torch::NoGradGuard no_grad;
  // A unit is a feature of an MLP layer or a channel of a conv layer (over samples and positions).
  std::vector<int64_t> reduce_dims{0};
  for (int64_t d = 2; d < derivative.dim(); ++d) reduce_dims.push_back(d);
  const torch::Tensor per_unit = derivative.amax(reduce_dims);
  if (window.unit_max_derivative.defined()) {
    torch::maximum_out(window.unit_max_derivative, window.unit_max_derivative, per_unit);
  } else {
    window.unit_max_derivative = per_unit;
  }
  // This step's sums go into preallocated slots, then into the window in one addition: every
  // operator call here is paid at every step. The saturated count is sign(relu(c - |f'|)) summed:
  // LibTorch 1.13's comparison operators write bool tensors with a scalar loop, several times
  // slower than these float ones, and c - |f'| > 0 exactly when |f'| < c.
  const torch::Tensor pre_flat = pre.detach().reshape(-1);
  const torch::Tensor post_flat = post.detach().reshape(-1);
  const double cutoff = saturation_threshold_ * network_.info(layer).max_derivative;
  Slots& slots = slots_[layer];
  torch::sum_out(slots.at[0], torch::rsub(derivative, cutoff).clamp_min_(0).sign_());
  torch::sum_out(slots.at[1], pre_flat);
  torch::dot_out(slots.at[2], pre_flat, pre_flat);
  torch::sum_out(slots.at[3], post_flat);
  torch::dot_out(slots.at[4], post_flat, post_flat);
  if (window.sums.defined()) {
    window.sums.add_(slots.step);
  } else {
    window.sums = slots.step.to(torch::kFloat64);
  }
  window.pre_elements += pre_flat.numel();
  window.post_elements += post_flat.numel();
}

std::vector<LayerProbe> BatchProbeMeter::read_and_reset() {
  std::vector<LayerProbe> probes(windows_.size());
  for (size_t i = 0; i < windows_.size(); ++i) {
    Window& w = windows_[i];
    if (w.steps > 0 && w.sums.defined()) {
      torch::NoGradGuard no_grad;
      const torch::Tensor dead =
          (w.unit_max_derivative == 0).sum().to(torch::kFloat64) / w.unit_max_derivative.numel();
      const torch::Tensor backprop = w.backprop_norm_sum.defined()
                                         ? w.backprop_norm_sum.reshape({1})
                                         : torch::zeros({1}, w.sums.options());
      const torch::Tensor values = torch::cat({w.sums, dead.reshape({1}), backprop}).cpu();
      const double* v = values.data_ptr<double>();
      const double pre_n = static_cast<double>(std::max<int64_t>(w.pre_elements, 1));
      const double post_n = static_cast<double>(std::max<int64_t>(w.post_elements, 1));
      LayerProbe& p = probes[i];
      p.saturated_fraction = v[0] / pre_n;
      p.pre_mean = v[1] / pre_n;
      p.pre_std = std::sqrt(std::max(0.0, v[2] / pre_n - p.pre_mean * p.pre_mean));
      p.post_mean = v[3] / post_n;
      p.post_std = std::sqrt(std::max(0.0, v[4] / post_n - p.post_mean * p.post_mean));
      p.dead_fraction = v[5];
      p.backprop_grad_norm = v[6] / static_cast<double>(w.steps);
    }
    w = Window();
  }
  steps_ = 0;
  return probes;
}

}  // namespace actbench::probe
