// The engine of a run alone (see solo_engine.hpp).
#include "train/solo_engine.hpp"

#include <torch/torch.h>

#include <stdexcept>

namespace actbench::train {

namespace {

// A batch for one member: the shared form, or member 0's slice of the per-member form.
at::Tensor member_zero(const at::Tensor& t, bool shared) { return shared ? t : t[0]; }

}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const config::OptimSpec& spec,
                                                        std::vector<torch::Tensor> parameters) {
  if (spec.name == "sgd") {
    return std::make_unique<torch::optim::SGD>(parameters, torch::optim::SGDOptions(spec.lr)
                                                               .momentum(spec.momentum)
                                                               .nesterov(spec.nesterov)
                                                               .weight_decay(spec.weight_decay));
  }
  if (spec.name == "adam") {
    return std::make_unique<torch::optim::Adam>(parameters, torch::optim::AdamOptions(spec.lr)
                                                                .betas({spec.beta1, spec.beta2})
                                                                .eps(spec.eps)
                                                                .weight_decay(spec.weight_decay));
  }
  if (spec.name == "adamw") {
    return std::make_unique<torch::optim::AdamW>(parameters, torch::optim::AdamWOptions(spec.lr)
                                                                 .betas({spec.beta1, spec.beta2})
                                                                 .eps(spec.eps)
                                                                 .weight_decay(spec.weight_decay));
  }
  if (spec.name == "rmsprop") {
    return std::make_unique<torch::optim::RMSprop>(parameters,
                                                   torch::optim::RMSpropOptions(spec.lr)
                                                       .alpha(spec.alpha)
                                                       .eps(spec.eps)
                                                       .momentum(spec.momentum)
                                                       .weight_decay(spec.weight_decay));
  }
  throw std::logic_error("optimiser not handled: " + spec.name);  // the schema allows no other
}

SoloEngine::SoloEngine(const config::RunSpec& spec, model::NetworkImpl& network)
    : spec_(spec),
      network_(network),
      task_(task_named(spec.task)),
      parameters_(network.parameters()),
      optimizer_(make_optimizer(spec.optim, parameters_)),
      grad_meter_(network.num_hidden()) {
  network_.train();
  if (spec.probes.enabled && spec.probes.every_steps > 0 &&
      spec.probes.step_source == "train_batch" && network.num_hidden() > 0) {
    batch_meter_.emplace(network, spec.probes.saturation_threshold);
  }
}

StepOutput SoloEngine::compute_gradients(const MemberBatch& batch) {
  const at::Tensor x = member_zero(batch.inputs, batch.shared);
  const at::Tensor y = member_zero(batch.targets, batch.shared);
  // Unset rather than zeroed (PyTorch's set_to_none): backward then hands its gradient over
  // instead of adding it into a zeroed buffer, two passes over the parameters fewer per step.
  for (const auto& parameter : parameters_) parameter.mutable_grad().reset();
  const at::Tensor output = network_.forward(x, batch_meter_ ? &*batch_meter_ : nullptr);
  const at::Tensor loss = task_.loss(output, y);
  StepOutput result;
  result.losses = loss.detach().reshape({1});
  // A diverged member takes no step: its backward pass would be wasted.
  if (std::isfinite(loss.item<double>())) loss.backward();
  if (task_.has_accuracy()) {
    torch::NoGradGuard no_grad;
    result.correct = task_.correct(output, y).reshape({1});
  }
  return result;
}

void SoloEngine::clip_gradients(double max_norm) {
  torch::nn::utils::clip_grad_norm_(parameters_, max_norm);
}

void SoloEngine::step(const std::vector<double>& lrs, const std::vector<bool>& active) {
  if (!active.at(0)) return;
  for (auto& group : optimizer_->param_groups()) group.options().set_lr(lrs.at(0));
  optimizer_->step();
}

void SoloEngine::add_gradient_norms() { grad_meter_.add(network_); }

std::vector<std::vector<probe::GradNormMeter::Value>> SoloEngine::read_gradient_norms() {
  std::vector<std::vector<probe::GradNormMeter::Value>> out;
  for (const auto& value : grad_meter_.read_and_reset()) out.push_back({value});
  return out;
}

std::vector<Evaluation> SoloEngine::evaluate(const MemberBatch& split, int64_t batch_size) {
  const data::Split member{member_zero(split.inputs, split.shared),
                           member_zero(split.targets, split.shared)};
  return {train::evaluate(network_, member, batch_size, task_)};
}

std::vector<probe::LayerProbe> SoloEngine::probe(int64_t /*member*/, const at::Tensor& x,
                                                 const at::Tensor& y, bool end_of_epoch) {
  if (batch_meter_) {
    // Step records read what the training batches showed; an epoch record starts a new window.
    const auto from_batches = batch_meter_->read_and_reset();
    if (!end_of_epoch) return from_batches;
  }
  const probe::LossFunction loss = [this](const at::Tensor& output, const at::Tensor& target) {
    return task_.loss(output, target);
  };
  return probe::measure_layers(network_, x, y, spec_.probes.saturation_threshold, loss);
}

}  // namespace actbench::train
