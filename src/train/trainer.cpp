// The training loop (see trainer.hpp).
#include "train/trainer.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include "core/clock.hpp"
#include "core/interrupt.hpp"
#include "core/numbers.hpp"
#include "core/runtime.hpp"

namespace actbench::train {

namespace {

using core::kNaN;

using Clock = std::chrono::steady_clock;

using core::seconds_since;

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

double scheduled_lr(const config::OptimSpec& spec, int64_t step, int64_t steps_per_epoch,
                    int64_t total_steps) {
  const config::ScheduleSpec& s = spec.schedule;
  if (step < s.warmup_steps) return spec.lr * static_cast<double>(step + 1) / s.warmup_steps;
  const double span = static_cast<double>(std::max<int64_t>(1, total_steps - s.warmup_steps));
  const double t = std::min(1.0, static_cast<double>(step - s.warmup_steps) / span);
  if (s.name == "step") {
    const int64_t epoch = step / std::max<int64_t>(1, steps_per_epoch);
    return spec.lr * std::pow(s.gamma, static_cast<double>(epoch / s.step_size));
  }
  if (s.name == "cosine") return s.min_lr + (spec.lr - s.min_lr) * 0.5 * (1.0 + std::cos(M_PI * t));
  if (s.name == "linear") return spec.lr + (s.min_lr - spec.lr) * t;
  return spec.lr;
}

std::pair<double, double> evaluate(model::NetworkImpl& network, const data::Split& split,
                                   int64_t batch_size) {
  const Evaluation result = evaluate(network, split, batch_size, task_named("classification"));
  return {result.loss, result.accuracy};
}

void set_psnr(Record& record, double psnr_peak) {
  record.train_psnr = record.test_psnr = kNaN;
  if (psnr_peak <= 0.0) return;
  if (!std::isnan(record.train_loss)) record.train_psnr = psnr(record.train_loss, psnr_peak);
  if (!std::isnan(record.test_loss)) record.test_psnr = psnr(record.test_loss, psnr_peak);
}

TrainResult train(const config::RunSpec& spec, model::NetworkImpl& network,
                  const data::Dataset& dataset, const torch::Device& device,
                  const std::vector<TrainingObserver*>& observers) {
  TrainResult result;
  const auto start = Clock::now();
  const Task& task = task_named(spec.task);

  data::Split train_split{dataset.train.images.to(device), dataset.train.labels.to(device)};
  data::Split test_split{dataset.test.images.to(device), dataset.test.labels.to(device)};
  const int64_t n = train_split.size();
  // Full batch: every step sees the whole training set in its stored order (a permutation would
  // change nothing but the order of a sum), without copying it.
  const bool full_batch = spec.data.batch_size == 0;
  const int64_t batch_size = full_batch ? std::max<int64_t>(n, 1)
                                        : std::min(spec.data.batch_size, std::max<int64_t>(n, 1));
  const int64_t steps_per_epoch = (n + batch_size - 1) / batch_size;
  const int64_t total_steps = steps_per_epoch * spec.train.epochs;

  // A fixed probe set: the first probe_samples training samples, the same at every record.
  const int64_t probe_n = std::min(spec.probes.probe_samples, n);
  const torch::Tensor probe_x = train_split.images.slice(0, 0, probe_n);
  const torch::Tensor probe_y = train_split.labels.slice(0, 0, probe_n);

  // Shuffling has its own generator so that the data order does not depend on how many random
  // numbers initialisation or dropout consumed.
  at::Generator shuffle_generator =
      at::detail::createCPUGenerator(static_cast<uint64_t>(spec.seed) ^ 0x5eed5eed5eedULL);

  core::retain_freed_memory();
  network.train();
  const std::vector<torch::Tensor> parameters = network.parameters();
  auto optimizer = make_optimizer(spec.optim, parameters);
  probe::GradNormMeter grad_meter(network.num_hidden());
  // Step records from the training batches themselves: the meter watches every training forward.
  std::optional<probe::BatchProbeMeter> batch_meter;
  const probe::LossFunction probe_loss = [&task](const at::Tensor& output,
                                                 const at::Tensor& target) {
    return task.loss(output, target);
  };
  if (spec.probes.enabled && spec.probes.every_steps > 0 &&
      spec.probes.step_source == "train_batch" && network.num_hidden() > 0) {
    batch_meter.emplace(network, spec.probes.saturation_threshold);
  }

  auto make_record = [&](int64_t epoch, int64_t step, bool end_of_epoch) {
    Record record;
    record.epoch = epoch;
    record.step = step;
    record.end_of_epoch = end_of_epoch;
    record.lr = optimizer->param_groups().front().options().get_lr();
    record.train_loss = kNaN;
    record.train_accuracy = kNaN;
    record.test_loss = kNaN;
    record.test_accuracy = kNaN;
    if (batch_meter && end_of_epoch) batch_meter->read_and_reset();  // epoch records: probe set
    if (spec.probes.enabled && network.num_hidden() > 0 && probe_n > 0) {
      const auto probes = batch_meter && !end_of_epoch
                              ? batch_meter->read_and_reset()
                              : probe::measure_layers(network, probe_x, probe_y,
                                                      spec.probes.saturation_threshold, probe_loss);
      const auto grads = grad_meter.read_and_reset();
      for (size_t i = 0; i < probes.size(); ++i) record.layers.push_back({probes[i], grads[i]});
    }
    return record;
  };
  auto publish = [&](Record record) {
    record.seconds = seconds_since(start);
    set_psnr(record, dataset.psnr_peak);
    for (auto* observer : observers) observer->on_record(record);
    result.records.push_back(std::move(record));
  };

  // Epoch 0: the network as initialised.
  {
    Record record = make_record(0, 0, true);
    const Evaluation test = evaluate(network, test_split, spec.data.eval_batch_size, task);
    record.test_loss = test.loss;
    record.test_accuracy = test.accuracy;
    publish(record);
  }

  int64_t step = 0;
  auto last_progress = Clock::now();
  for (int64_t epoch = 1; epoch <= spec.train.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    torch::Tensor order;
    if (!full_batch) {
      order = spec.data.shuffle ? torch::randperm(n, shuffle_generator, torch::kLong)
                                : torch::arange(n, torch::kLong);
      order = order.to(device);
    }
    double loss_sum = 0.0;
    torch::Tensor correct;  // classification only: no allocation per full-batch regression step
    if (task.has_accuracy()) correct = torch::zeros({}, torch::dtype(torch::kInt64).device(device));
    int64_t seen = 0;
    for (int64_t batch = 0; batch < steps_per_epoch; ++batch) {
      if (core::interrupt_requested()) {
        result.status = core::RunStatus::kInterrupted;
        result.reason = fmt::format("interrupted by a signal at step {} (epoch {})", step, epoch);
        result.steps = step;
        result.seconds = seconds_since(start);
        return result;
      }
      const double lr = scheduled_lr(spec.optim, step, steps_per_epoch, total_steps);
      for (auto& group : optimizer->param_groups()) group.options().set_lr(lr);

      const int64_t begin = batch * batch_size;
      const torch::Tensor index =
          full_batch ? torch::Tensor() : order.slice(0, begin, std::min(n, begin + batch_size));
      const torch::Tensor x =
          full_batch ? train_split.images : train_split.images.index_select(0, index);
      const torch::Tensor y =
          full_batch ? train_split.labels : train_split.labels.index_select(0, index);
      const int64_t batch_samples = x.size(0);

      // Unset rather than zeroed (PyTorch's set_to_none): backward then hands its gradient over
      // instead of adding it into a zeroed buffer, two passes over the parameters fewer per step.
      for (const auto& parameter : parameters) parameter.mutable_grad().reset();
      const torch::Tensor output = network.forward(x, batch_meter ? &*batch_meter : nullptr);
      const torch::Tensor loss = task.loss(output, y);
      const double loss_value = loss.item<double>();
      const double threshold = spec.train.divergence_threshold;
      if (!std::isfinite(loss_value) || (threshold > 0 && loss_value > threshold)) {
        result.status = core::RunStatus::kDiverged;
        result.diverged_step = step;
        result.reason =
            std::isfinite(loss_value)
                ? fmt::format(
                      "loss became {:g}, above train.divergence_threshold {:g}, at step {} "
                      "(epoch {}, lr {:g})",
                      loss_value, threshold, step, epoch, lr)
                : fmt::format("loss became {} at step {} (epoch {}, lr {:g})", loss_value, step,
                              epoch, lr);
        result.steps = step;
        result.seconds = seconds_since(start);
        return result;
      }
      loss.backward();
      if (spec.optim.clip_grad_norm > 0)
        torch::nn::utils::clip_grad_norm_(parameters, spec.optim.clip_grad_norm);
      if (spec.probes.enabled) grad_meter.add(network);
      optimizer->step();
      ++step;

      loss_sum += loss_value * static_cast<double>(batch_samples);
      if (task.has_accuracy()) {
        torch::NoGradGuard no_grad;
        correct += task.correct(output, y);
      }
      seen += batch_samples;

      const bool epoch_record_follows =
          batch + 1 == steps_per_epoch &&
          (epoch % spec.train.eval_every == 0 || epoch == spec.train.epochs);
      if (spec.probes.every_steps > 0 && step % spec.probes.every_steps == 0 &&
          !epoch_record_follows) {
        Record record = make_record(epoch, step, false);
        publish(record);
      }
      if (!observers.empty() && (Clock::now() - last_progress) > std::chrono::milliseconds(100)) {
        last_progress = Clock::now();
        Progress progress{epoch,      spec.train.epochs,
                          batch + 1,  steps_per_epoch,
                          loss_value, seen / std::max(1e-9, seconds_since(epoch_start))};
        for (auto* observer : observers) observer->on_progress(progress);
      }
    }

    result.epochs_completed = epoch;
    if (epoch % spec.train.eval_every != 0 && epoch != spec.train.epochs) continue;
    Record record = make_record(epoch, step, true);
    record.train_loss = loss_sum / std::max<int64_t>(seen, 1);
    record.train_accuracy = task.has_accuracy() ? static_cast<double>(correct.item<int64_t>()) /
                                                      std::max<int64_t>(seen, 1)
                                                : kNaN;
    const Evaluation test = evaluate(network, test_split, spec.data.eval_batch_size, task);
    record.test_loss = test.loss;
    record.test_accuracy = test.accuracy;
    publish(record);
  }
  result.steps = step;
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace actbench::train
