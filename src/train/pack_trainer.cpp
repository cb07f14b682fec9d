// The training loop of a pack (see pack_trainer.hpp). It mirrors train::train() step for step:
// same learning-rate schedule per member, same data order per member (each member's own shuffle
// generator), same divergence rule checked before the backward pass, same records.
#include "train/pack_trainer.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "core/clock.hpp"
#include "core/interrupt.hpp"
#include "core/numbers.hpp"
#include "core/runtime.hpp"
#include "train/pack_step.hpp"
#include "train/packed_optimizer.hpp"
#include "train/task.hpp"

namespace actbench::train {

namespace {

using core::kNaN;
using Clock = std::chrono::steady_clock;

using core::seconds_since;

// Per member and hidden layer, mean and max over the window's steps of || dL/dW ||_2.
class PackGradMeter {
 public:
  void add(const model::PackedMlp& pack) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> norms;
    for (size_t l = 0; l < pack.num_hidden(); ++l) {
      const torch::Tensor grad = pack.hidden_weight(l).grad();
      norms.push_back(grad.defined() ? grad.flatten(1).pow(2).sum(1).sqrt()
                                     : torch::zeros({pack.members()}));
    }
    if (norms.empty()) return;
    const torch::Tensor step = torch::stack(norms).nan_to_num(0.0);  // [L, K]
    if (steps_ == 0) {
      sum_ = step.to(torch::kFloat64);
      max_ = step.clone();
    } else {
      sum_.add_(step);
      max_ = torch::maximum(max_, step);
    }
    ++steps_;
  }
  // [L][K] values since the last read.
  std::vector<std::vector<probe::GradNormMeter::Value>> read_and_reset(int64_t members,
                                                                       size_t layers) {
    std::vector<std::vector<probe::GradNormMeter::Value>> out(
        layers, std::vector<probe::GradNormMeter::Value>(static_cast<size_t>(members)));
    if (steps_ > 0) {
      const torch::Tensor sum = sum_.cpu(), max = max_.to(torch::kFloat64).cpu();
      for (size_t l = 0; l < layers; ++l)
        for (int64_t k = 0; k < members; ++k) {
          out[l][k].mean = sum[l][k].item<double>() / static_cast<double>(steps_);
          out[l][k].max = max[l][k].item<double>();
        }
    }
    steps_ = 0;
    return out;
  }

 private:
  torch::Tensor sum_, max_;
  int64_t steps_ = 0;
};

}  // namespace

std::vector<TrainResult> train_pack(const std::vector<PackMember>& members, model::PackedMlp& pack,
                                    model::NetworkImpl& view,
                                    const std::vector<const data::Dataset*>& datasets,
                                    const torch::Device& device) {
  const auto start = Clock::now();
  const auto k_members = static_cast<int64_t>(members.size());
  if (k_members == 0 || k_members != pack.members())
    throw std::logic_error("train_pack: members and pack disagree");
  if (datasets.size() != 1 && static_cast<int64_t>(datasets.size()) != k_members)
    throw std::logic_error("train_pack: one dataset, or one per member");
  const config::RunSpec& first = *members.front().spec;
  const Task& task = task_named(first.task);
  const bool regression = !task.has_accuracy();
  const probe::LossFunction probe_loss = [&task](const at::Tensor& output,
                                                 const at::Tensor& target) {
    return task.loss(output, target);
  };
  const bool shared_data = datasets.size() == 1;

  // Inputs [N, ...] when shared, else [K, N, ...]; targets likewise.
  auto stack_split = [&](auto pick) {
    if (shared_data) return pick(*datasets.front()).to(device);
    std::vector<torch::Tensor> parts;
    for (const auto* d : datasets) parts.push_back(pick(*d));
    return torch::stack(parts).to(device);
  };
  const torch::Tensor train_x = stack_split([](const data::Dataset& d) { return d.train.images; });
  const torch::Tensor train_y = stack_split([](const data::Dataset& d) { return d.train.labels; });
  const torch::Tensor test_x = stack_split([](const data::Dataset& d) { return d.test.images; });
  const torch::Tensor test_y = stack_split([](const data::Dataset& d) { return d.test.labels; });
  const int64_t n = datasets.front()->train.size();
  const int64_t n_test = datasets.front()->test.size();
  const int64_t batch_size = first.data.batch_size <= 0
                                 ? std::max<int64_t>(n, 1)
                                 : std::min(first.data.batch_size, std::max<int64_t>(n, 1));
  const int64_t steps_per_epoch = (n + batch_size - 1) / batch_size;
  const int64_t total_steps = steps_per_epoch * first.train.epochs;
  const bool full_batch = batch_size >= n;

  std::vector<TrainResult> results(members.size());
  std::vector<bool> active(members.size(), true);
  std::vector<double> last_lr(members.size());
  std::vector<at::Generator> shuffle;
  std::vector<config::OptimSpec> optim_specs;
  for (const auto& m : members) {
    shuffle.push_back(
        at::detail::createCPUGenerator(static_cast<uint64_t>(m.spec->seed) ^ 0x5eed5eed5eedULL));
    optim_specs.push_back(m.spec->optim);
  }
  for (size_t k = 0; k < members.size(); ++k) last_lr[k] = members[k].spec->optim.lr;

  core::retain_freed_memory();
  pack.to(device);
  const std::vector<torch::Tensor> parameters = pack.parameters();
  PackedOptimizer optimizer(optim_specs, parameters);
  PackGradMeter grad_meter;
  const bool probes = first.probes.enabled && pack.num_hidden() > 0;
  const int64_t probe_n = std::min(first.probes.probe_samples, n);

  // Test loss (MSE for regression) and accuracy of every member, in batches of eval_batch_size.
  auto evaluate_all = [&]() {
    torch::NoGradGuard no_grad;
    torch::Tensor loss_sum = torch::zeros({k_members}, torch::dtype(torch::kFloat64));
    torch::Tensor correct = torch::zeros({k_members}, torch::kInt64);
    const int64_t eval_batch = std::max<int64_t>(first.data.eval_batch_size, 1);
    for (int64_t begin = 0; begin < n_test; begin += eval_batch) {
      const int64_t end = std::min(n_test, begin + eval_batch);
      const torch::Tensor x =
          shared_data ? test_x.slice(0, begin, end) : test_x.slice(1, begin, end);
      const torch::Tensor y =
          shared_data ? test_y.slice(0, begin, end) : test_y.slice(1, begin, end);
      const torch::Tensor out = pack.forward(x, shared_data);
      const torch::Tensor batch_loss =
          task.member_losses(out, y) * static_cast<double>(end - begin);
      loss_sum += batch_loss.to(torch::kFloat64).cpu();
      if (!regression) correct += task.member_correct(out, y).cpu();
    }
    std::vector<std::pair<double, double>> out(members.size(), {kNaN, kNaN});
    if (n_test == 0) return out;
    for (int64_t k = 0; k < k_members; ++k) {
      out[k].first = loss_sum[k].item<double>() / static_cast<double>(n_test);
      if (!regression) out[k].second = static_cast<double>(correct[k].item<int64_t>()) / n_test;
    }
    return out;
  };

  // Records for every member still training, probes measured through the view network.
  auto make_records = [&](int64_t epoch, int64_t step, bool end_of_epoch) {
    std::vector<Record> records(members.size());
    std::vector<std::vector<probe::GradNormMeter::Value>> grads;
    if (probes && probe_n > 0) grads = grad_meter.read_and_reset(k_members, pack.num_hidden());
    for (int64_t k = 0; k < k_members; ++k) {
      if (!active[k]) continue;
      Record& record = records[k];
      record.epoch = epoch;
      record.step = step;
      record.end_of_epoch = end_of_epoch;
      record.lr = last_lr[k];
      record.train_loss = record.train_accuracy = record.test_loss = record.test_accuracy = kNaN;
      if (probes && probe_n > 0) {
        pack.copy_member_to(k, view);
        const torch::Tensor px =
            shared_data ? train_x.slice(0, 0, probe_n) : train_x[k].slice(0, 0, probe_n);
        const torch::Tensor py =
            shared_data ? train_y.slice(0, 0, probe_n) : train_y[k].slice(0, 0, probe_n);
        const auto layer_probes =
            probe::measure_layers(view, px, py, first.probes.saturation_threshold, probe_loss);
        for (size_t l = 0; l < layer_probes.size(); ++l)
          record.layers.push_back({layer_probes[l], grads[l][k]});
      }
    }
    return records;
  };
  auto publish = [&](std::vector<Record>& records) {
    const double seconds = seconds_since(start);
    for (int64_t k = 0; k < k_members; ++k) {
      if (!active[k]) continue;
      records[k].seconds = seconds;
      set_psnr(records[k], datasets[shared_data ? 0 : k]->psnr_peak);
      for (auto* observer : members[k].observers) observer->on_record(records[k]);
      results[k].records.push_back(std::move(records[k]));
    }
  };
  auto finish = [&](core::RunStatus status, const std::string& reason, int64_t step) {
    for (int64_t k = 0; k < k_members; ++k) {
      if (!active[k]) continue;
      results[k].status = status;
      results[k].reason = reason;
      results[k].steps = step;
      results[k].seconds = seconds_since(start);
    }
  };

  {
    std::vector<Record> records = make_records(0, 0, true);
    const auto tests = evaluate_all();
    for (int64_t k = 0; k < k_members; ++k)
      std::tie(records[k].test_loss, records[k].test_accuracy) = tests[k];
    publish(records);
  }

  const torch::Tensor member_offsets =
      (torch::arange(k_members, torch::kLong) * n).unsqueeze(1).to(device);
  int64_t step = 0;
  for (int64_t epoch = 1; epoch <= first.train.epochs; ++epoch) {
    torch::Tensor order;  // [K, N]; full batch needs none
    if (!full_batch) {
      std::vector<torch::Tensor> orders(members.size());
      for (int64_t k = 0; k < k_members; ++k) {
        orders[k] = members[k].spec->data.shuffle ? torch::randperm(n, shuffle[k], torch::kLong)
                                                  : torch::arange(n, torch::kLong);
      }
      order = torch::stack(orders).to(device);
    }
    std::vector<double> loss_sum(members.size(), 0.0);
    torch::Tensor correct = torch::zeros({k_members}, torch::dtype(torch::kInt64).device(device));
    int64_t seen = 0;
    for (int64_t batch = 0; batch < steps_per_epoch; ++batch) {
      if (core::interrupt_requested()) {
        finish(core::RunStatus::kInterrupted,
               fmt::format("interrupted by a signal at step {} (epoch {})", step, epoch), step);
        return results;
      }
      std::vector<double> lrs(members.size());
      for (int64_t k = 0; k < k_members; ++k) {
        lrs[k] = scheduled_lr(members[k].spec->optim, step, steps_per_epoch, total_steps);
      }
      const int64_t begin = batch * batch_size;
      const int64_t end = std::min(n, begin + batch_size);
      torch::Tensor x, y;
      bool x_shared = false;
      if (full_batch) {
        // Every member sees every sample: the permutation only reorders a sum.
        x = train_x;
        y = train_y;
        x_shared = shared_data;
      } else {
        const torch::Tensor index = order.slice(1, begin, end);  // [K, B]
        const torch::Tensor flat =
            shared_data ? index.reshape(-1) : (index + member_offsets).reshape(-1);
        const torch::Tensor all_x = shared_data ? train_x : train_x.flatten(0, 1);
        const torch::Tensor all_y = shared_data ? train_y : train_y.flatten(0, 1);
        std::vector<int64_t> x_shape{k_members, end - begin};
        for (int64_t d = 1; d < all_x.dim(); ++d) x_shape.push_back(all_x.size(d));
        std::vector<int64_t> y_shape{k_members, end - begin};
        for (int64_t d = 1; d < all_y.dim(); ++d) y_shape.push_back(all_y.size(d));
        x = all_x.index_select(0, flat).view(x_shape);
        y = all_y.index_select(0, flat).view(y_shape);
      }

      const PackStepResult step_result =
          pack_loss_and_gradients(pack, PackBatch{x, x_shared, y}, regression);
      const torch::Tensor host_losses = step_result.losses.to(torch::kFloat64).cpu();
      bool any_active = false;
      for (int64_t k = 0; k < k_members; ++k) {
        if (!active[k]) continue;
        const double value = host_losses[k].item<double>();
        const double threshold = members[k].spec->train.divergence_threshold;
        if (!std::isfinite(value) || (threshold > 0 && value > threshold)) {
          TrainResult& r = results[k];
          r.status = core::RunStatus::kDiverged;
          r.diverged_step = step;
          r.reason = std::isfinite(value)
                         ? fmt::format(
                               "loss became {:g}, above train.divergence_threshold {:g}, at step "
                               "{} (epoch {}, lr {:g})",
                               value, threshold, step, epoch, lrs[k])
                         : fmt::format("loss became {} at step {} (epoch {}, lr {:g})", value, step,
                                       epoch, lrs[k]);
          r.steps = step;
          r.seconds = seconds_since(start);
          active[k] = false;
          continue;
        }
        loss_sum[k] += value * static_cast<double>(end - begin);
        any_active = true;
      }
      if (!any_active) return results;
      if (first.optim.clip_grad_norm > 0) {
        // Per member, as torch::nn::utils::clip_grad_norm_ on a run alone.
        torch::NoGradGuard no_grad;
        torch::Tensor squares = torch::zeros({k_members}, parameters.front().options());
        for (const auto& p : parameters)
          if (p.grad().defined()) squares = squares + p.grad().flatten(1).pow(2).sum(1);
        const torch::Tensor coef =
            (first.optim.clip_grad_norm / (squares.sqrt() + 1e-6)).clamp_max(1.0);
        for (const auto& p : parameters) {
          if (!p.grad().defined()) continue;
          std::vector<int64_t> shape(static_cast<size_t>(p.dim()), 1);
          shape[0] = k_members;
          p.mutable_grad().mul_(coef.view(shape));
        }
      }
      if (probes) grad_meter.add(pack);
      optimizer.step(lrs, active);
      for (int64_t k = 0; k < k_members; ++k) last_lr[k] = lrs[k];
      ++step;
      if (!regression) correct += step_result.correct;
      seen += end - begin;

      const bool epoch_record_follows =
          batch + 1 == steps_per_epoch &&
          (epoch % first.train.eval_every == 0 || epoch == first.train.epochs);
      if (first.probes.every_steps > 0 && step % first.probes.every_steps == 0 &&
          !epoch_record_follows) {
        std::vector<Record> records = make_records(epoch, step, false);
        publish(records);
      }
    }
    for (int64_t k = 0; k < k_members; ++k)
      if (active[k]) results[k].epochs_completed = epoch;
    if (epoch % first.train.eval_every != 0 && epoch != first.train.epochs) continue;
    std::vector<Record> records = make_records(epoch, step, true);
    const auto tests = evaluate_all();
    const torch::Tensor host_correct = correct.cpu();
    for (int64_t k = 0; k < k_members; ++k) {
      if (!active[k]) continue;
      records[k].train_loss = loss_sum[k] / std::max<int64_t>(seen, 1);
      records[k].train_accuracy =
          regression
              ? kNaN
              : static_cast<double>(host_correct[k].item<int64_t>()) / std::max<int64_t>(seen, 1);
      std::tie(records[k].test_loss, records[k].test_accuracy) = tests[k];
    }
    publish(records);
  }
  finish(core::RunStatus::kCompleted, "", step);
  return results;
}

}  // namespace actbench::train
