// The training loop (see training_loop.hpp).
#include "train/training_loop.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "core/clock.hpp"
#include "core/interrupt.hpp"
#include "core/numbers.hpp"
#include "core/runtime.hpp"
#include "core/seeding.hpp"

namespace actbench::train {

namespace {

using Clock = std::chrono::steady_clock;
using core::kNaN;
using core::seconds_since;

// What every member of one loop must share: anything the loop reads once for all of them.
void check_members_share_the_loop(const std::vector<Member>& members) {
  const config::RunSpec& a = *members.front().spec;
  for (const Member& m : members) {
    const config::RunSpec& b = *m.spec;
    const bool same =
        a.task == b.task && a.train.epochs == b.train.epochs &&
        a.train.eval_every == b.train.eval_every && a.data.batch_size == b.data.batch_size &&
        a.data.eval_batch_size == b.data.eval_batch_size && a.probes.enabled == b.probes.enabled &&
        a.probes.every_steps == b.probes.every_steps &&
        a.probes.probe_samples == b.probes.probe_samples &&
        a.probes.saturation_threshold == b.probes.saturation_threshold &&
        a.optim.clip_grad_norm == b.optim.clip_grad_norm;
    if (!same) throw std::logic_error("run_training_loop: members differ in what the loop shares");
  }
}

std::string divergence_reason(double loss, double threshold, int64_t step, int64_t epoch,
                              double lr) {
  return std::isfinite(loss)
             ? fmt::format(
                   "loss became {:g}, above train.divergence_threshold {:g}, at step {} (epoch "
                   "{}, lr {:g})",
                   loss, threshold, step, epoch, lr)
             : fmt::format("loss became {} at step {} (epoch {}, lr {:g})", loss, step, epoch, lr);
}

}  // namespace

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

void set_psnr(Record& record, double psnr_peak) {
  record.train_psnr = record.test_psnr = kNaN;
  if (psnr_peak <= 0.0) return;
  if (!std::isnan(record.train_loss)) record.train_psnr = psnr(record.train_loss, psnr_peak);
  if (!std::isnan(record.test_loss)) record.test_psnr = psnr(record.test_loss, psnr_peak);
}

std::vector<TrainResult> run_training_loop(Engine& engine, const std::vector<Member>& members,
                                           const std::vector<const data::Dataset*>& datasets,
                                           const at::Device& device) {
  const auto start = Clock::now();
  const auto k_members = static_cast<int64_t>(members.size());
  if (k_members == 0 || k_members != engine.members())
    throw std::logic_error("run_training_loop: members and engine disagree");
  if (datasets.size() != 1 && static_cast<int64_t>(datasets.size()) != k_members)
    throw std::logic_error("run_training_loop: one dataset, or one per member");
  check_members_share_the_loop(members);
  const config::RunSpec& first = *members.front().spec;
  const Task& task = task_named(first.task);
  const bool shared_data = datasets.size() == 1;

  // Inputs [N, ...] when shared, else [K, N, ...]; targets likewise.
  auto stack_split = [&](auto pick) {
    if (shared_data) return pick(*datasets.front()).to(device);
    std::vector<torch::Tensor> parts;
    for (const auto* d : datasets) parts.push_back(pick(*d));
    return torch::stack(parts).to(device);
  };
  const MemberBatch train_set{stack_split([](const data::Dataset& d) { return d.train.images; }),
                              shared_data,
                              stack_split([](const data::Dataset& d) { return d.train.labels; })};
  const MemberBatch test_set{stack_split([](const data::Dataset& d) { return d.test.images; }),
                             shared_data,
                             stack_split([](const data::Dataset& d) { return d.test.labels; })};
  const int64_t n = datasets.front()->train.size();
  // Full batch: every step sees the whole training set in its stored order (a permutation would
  // change nothing but the order of a sum), without copying it.
  const bool full_batch = first.data.batch_size <= 0 || first.data.batch_size >= n;
  const int64_t batch_size = full_batch ? std::max<int64_t>(n, 1) : first.data.batch_size;
  const int64_t steps_per_epoch = (n + batch_size - 1) / batch_size;
  const int64_t total_steps = steps_per_epoch * first.train.epochs;

  std::vector<TrainResult> results(members.size());
  std::vector<bool> active(members.size(), true);
  std::vector<double> last_lr(members.size());
  std::vector<at::Generator> shuffle;
  for (size_t k = 0; k < members.size(); ++k) {
    shuffle.push_back(at::detail::createCPUGenerator(core::shuffle_seed(members[k].spec->seed)));
    last_lr[k] = members[k].spec->optim.lr;
  }
  core::retain_freed_memory();

  // A fixed probe set: each member's first probe_samples training samples, at every record.
  const bool probes = first.probes.enabled && engine.num_hidden() > 0;
  const int64_t probe_n = std::min(first.probes.probe_samples, n);
  auto probe_set = [&](const at::Tensor& all, int64_t k) {
    return shared_data ? all.slice(0, 0, probe_n) : all[k].slice(0, 0, probe_n);
  };

  // Records for every member still training, with probes and the window's gradient norms.
  auto make_records = [&](int64_t epoch, int64_t step, bool end_of_epoch) {
    std::vector<Record> records(members.size());
    std::vector<std::vector<probe::GradNormMeter::Value>> grads;
    if (probes && probe_n > 0) grads = engine.read_gradient_norms();
    for (int64_t k = 0; k < k_members; ++k) {
      if (!active[k]) continue;
      Record& record = records[k];
      record.epoch = epoch;
      record.step = step;
      record.end_of_epoch = end_of_epoch;
      record.lr = last_lr[k];
      record.train_loss = record.train_accuracy = record.test_loss = record.test_accuracy = kNaN;
      if (probes && probe_n > 0) {
        const auto layer_probes = engine.probe(k, probe_set(train_set.inputs, k),
                                               probe_set(train_set.targets, k), end_of_epoch);
        for (size_t l = 0; l < layer_probes.size(); ++l)
          record.layers.push_back({layer_probes[l], grads[l][k]});
      }
    }
    return records;
  };
  auto add_test_results = [&](std::vector<Record>& records) {
    const std::vector<Evaluation> tests =
        engine.evaluate(test_set, std::max<int64_t>(first.data.eval_batch_size, 1));
    for (int64_t k = 0; k < k_members; ++k) {
      records[k].test_loss = tests[k].loss;
      records[k].test_accuracy = tests[k].accuracy;
    }
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
  // Member k's samples [begin, end) of this epoch's order ([K, N]), as one batch for all members.
  const torch::Tensor member_offsets =
      (torch::arange(k_members, torch::kLong) * n).unsqueeze(1).to(device);
  auto select_batch = [&](const torch::Tensor& order, int64_t begin, int64_t end) {
    if (full_batch) return train_set;
    const torch::Tensor index = order.slice(1, begin, end);  // [K, B]
    if (shared_data && k_members == 1) {
      const torch::Tensor rows = index[0];
      return MemberBatch{train_set.inputs.index_select(0, rows), true,
                         train_set.targets.index_select(0, rows)};
    }
    const torch::Tensor flat =
        shared_data ? index.reshape(-1) : (index + member_offsets).reshape(-1);
    auto gather = [&](const torch::Tensor& all) {
      const torch::Tensor rows = shared_data ? all : all.flatten(0, 1);
      std::vector<int64_t> shape{k_members, end - begin};
      for (int64_t d = 1; d < rows.dim(); ++d) shape.push_back(rows.size(d));
      return rows.index_select(0, flat).view(shape);
    };
    return MemberBatch{gather(train_set.inputs), false, gather(train_set.targets)};
  };

  // Epoch 0: the networks as initialised.
  {
    std::vector<Record> records = make_records(0, 0, true);
    add_test_results(records);
    publish(records);
  }

  int64_t step = 0;
  auto last_progress = Clock::now();
  for (int64_t epoch = 1; epoch <= first.train.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
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
    // Classification only: no allocation per full-batch regression step.
    torch::Tensor correct;
    if (task.has_accuracy())
      correct = torch::zeros({k_members}, torch::dtype(torch::kInt64).device(device));
    int64_t seen = 0;
    for (int64_t batch = 0; batch < steps_per_epoch; ++batch) {
      if (core::interrupt_requested()) {
        finish(core::RunStatus::kInterrupted,
               fmt::format("interrupted by a signal at step {} (epoch {})", step, epoch), step);
        return results;
      }
      std::vector<double> lrs(members.size());
      for (int64_t k = 0; k < k_members; ++k)
        lrs[k] = scheduled_lr(members[k].spec->optim, step, steps_per_epoch, total_steps);
      const int64_t begin = batch * batch_size;
      const int64_t end = std::min(n, begin + batch_size);

      const StepOutput output = engine.compute_gradients(select_batch(order, begin, end));
      const torch::Tensor host_losses = output.losses.to(torch::kCPU, torch::kFloat64);
      const double* losses = host_losses.data_ptr<double>();  // contiguous: a fresh tensor
      bool any_active = false;
      for (int64_t k = 0; k < k_members; ++k) {
        if (!active[k]) continue;
        const double threshold = members[k].spec->train.divergence_threshold;
        if (!std::isfinite(losses[k]) || (threshold > 0 && losses[k] > threshold)) {
          TrainResult& r = results[k];
          r.status = core::RunStatus::kDiverged;
          r.diverged_step = step;
          r.reason = divergence_reason(losses[k], threshold, step, epoch, lrs[k]);
          r.steps = step;
          r.seconds = seconds_since(start);
          active[k] = false;
          continue;
        }
        loss_sum[k] += losses[k] * static_cast<double>(end - begin);
        any_active = true;
      }
      if (!any_active) return results;
      if (first.optim.clip_grad_norm > 0) engine.clip_gradients(first.optim.clip_grad_norm);
      if (probes) engine.add_gradient_norms();
      engine.step(lrs, active);
      last_lr = lrs;
      ++step;
      if (task.has_accuracy()) correct += output.correct;
      seen += end - begin;

      const bool epoch_record_follows =
          batch + 1 == steps_per_epoch &&
          (epoch % first.train.eval_every == 0 || epoch == first.train.epochs);
      if (first.probes.every_steps > 0 && step % first.probes.every_steps == 0 &&
          !epoch_record_follows) {
        std::vector<Record> records = make_records(epoch, step, false);
        publish(records);
      }
      if ((Clock::now() - last_progress) > std::chrono::milliseconds(100)) {
        last_progress = Clock::now();
        for (int64_t k = 0; k < k_members; ++k) {
          if (!active[k] || members[k].observers.empty()) continue;
          const Progress progress{epoch,     first.train.epochs,
                                  batch + 1, steps_per_epoch,
                                  losses[k], seen / std::max(1e-9, seconds_since(epoch_start))};
          for (auto* observer : members[k].observers) observer->on_progress(progress);
        }
      }
    }
    for (int64_t k = 0; k < k_members; ++k)
      if (active[k]) results[k].epochs_completed = epoch;
    if (epoch % first.train.eval_every != 0 && epoch != first.train.epochs) continue;
    std::vector<Record> records = make_records(epoch, step, true);
    add_test_results(records);
    const torch::Tensor host_correct =
        task.has_accuracy() ? correct.to(torch::kCPU) : torch::Tensor();
    for (int64_t k = 0; k < k_members; ++k) {
      if (!active[k]) continue;
      records[k].train_loss = loss_sum[k] / std::max<int64_t>(seen, 1);
      records[k].train_accuracy =
          task.has_accuracy()
              ? static_cast<double>(host_correct[k].item<int64_t>()) / std::max<int64_t>(seen, 1)
              : kNaN;
    }
    publish(records);
  }
  finish(core::RunStatus::kCompleted, "", step);
  return results;
}

}  // namespace actbench::train
