// Classification and regression tasks (see task.hpp).
#include "train/task.hpp"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/numbers.hpp"

namespace actbench::train {

namespace {

using core::kNaN;

// [K, B] class labels: the member's own, or the shared [B] for every member.
at::Tensor labels_of(const at::Tensor& output, const at::Tensor& target) {
  return target.expand({output.size(0), output.size(1)});
}

// [K]: each member's mean over its samples of -log p(label).
at::Tensor member_losses_of(const at::Tensor& log_p, const at::Tensor& labels) {
  return -log_p.gather(-1, labels.unsqueeze(-1)).squeeze(-1).mean(1);
}

class ClassificationTask : public Task {
 public:
  const char* name() const override { return "classification"; }
  bool has_accuracy() const override { return true; }

  at::Tensor loss(const at::Tensor& output, const at::Tensor& target) const override {
    return torch::nn::functional::cross_entropy(output, target);
  }
  at::Tensor member_losses(const at::Tensor& output, const at::Tensor& target) const override {
    return member_losses_of(torch::log_softmax(output, -1), labels_of(output, target));
  }
  at::Tensor member_correct(const at::Tensor& output, const at::Tensor& target) const override {
    return output.argmax(-1).eq(target).sum(-1);
  }
  // d/dz of mean_b -log softmax(z_b)[y_b] is (softmax(z_b) - onehot(y_b)) / B.
  MemberLossGradient member_loss_and_gradient(const at::Tensor& output,
                                              const at::Tensor& target) const override {
    const at::Tensor labels = labels_of(output, target);
    const at::Tensor log_p = torch::log_softmax(output, -1);
    MemberLossGradient result;
    result.losses = member_losses_of(log_p, labels);
    result.correct = output.argmax(-1).eq(labels).sum(-1);
    result.gradient = log_p.exp();
    result.gradient.scatter_add_(
        -1, labels.unsqueeze(-1),
        torch::full({output.size(0), output.size(1), 1}, -1.0, result.gradient.options()));
    result.gradient.mul_(1.0 / static_cast<double>(output.size(1)));
    return result;
  }
  double features_major_loss_and_gradient(const float* output, int64_t outputs, int64_t batch,
                                          const float* /*values*/, const int64_t* labels,
                                          float* gradient, int64_t* correct) const override {
    const auto scale = static_cast<float>(1.0 / static_cast<double>(batch));
    double loss = 0.0;
    int64_t right = 0;
    for (int64_t i = 0; i < batch; ++i) {
      const int64_t label = labels[i];
      if (label < 0 || label >= outputs)
        throw std::out_of_range("classification: a label outside the network's outputs");
      // argmax as LibTorch's: the first largest, NaN above everything.
      int64_t best = 0;
      float top = output[i];
      for (int64_t o = 1; o < outputs; ++o) {
        const float v = output[o * batch + i];
        if (v > top || (std::isnan(v) && !std::isnan(top))) {
          top = v;
          best = o;
        }
      }
      right += best == label ? 1 : 0;
      double sum = 0.0;
      for (int64_t o = 0; o < outputs; ++o)
        sum += std::exp(static_cast<double>(output[o * batch + i]) - top);
      const double log_sum = std::log(sum);
      loss -= static_cast<double>(output[label * batch + i]) - top - log_sum;
      for (int64_t o = 0; o < outputs; ++o) {
        const double p = std::exp(static_cast<double>(output[o * batch + i]) - top - log_sum);
        gradient[o * batch + i] = static_cast<float>(p - (o == label ? 1.0 : 0.0)) * scale;
      }
    }
    *correct += right;
    return loss / static_cast<double>(batch);
  }
  at::Tensor loss_sum(const at::Tensor& output, const at::Tensor& target) const override {
    return torch::nn::functional::cross_entropy(
               output, target,
               torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
        .to(torch::kFloat64);
  }
  at::Tensor correct(const at::Tensor& output, const at::Tensor& target) const override {
    return output.argmax(1).eq(target).sum();
  }
};

class RegressionTask : public Task {
 public:
  const char* name() const override { return "regression"; }
  bool has_accuracy() const override { return false; }

  // The solo loss is the member-wise one on a stack of one, so that a packed member's loss is
  // the same computation as its solo twin's.
  at::Tensor loss(const at::Tensor& output, const at::Tensor& target) const override {
    return member_losses(output.unsqueeze(0), target.unsqueeze(0)).squeeze(0);
  }
  at::Tensor member_losses(const at::Tensor& output, const at::Tensor& target) const override {
    return (output - target).square().mean({1, 2});
  }
  at::Tensor member_correct(const at::Tensor&, const at::Tensor&) const override { return {}; }
  // d/dz of the mean over B and O of (z - t)^2 is 2 (z - t) / (B O).
  MemberLossGradient member_loss_and_gradient(const at::Tensor& output,
                                              const at::Tensor& target) const override {
    const at::Tensor diff = output - target;
    MemberLossGradient result;
    result.losses = diff.square().mean({1, 2});
    result.gradient = diff * (2.0 / static_cast<double>(output.size(1) * output.size(2)));
    return result;
  }
  double features_major_loss_and_gradient(const float* output, int64_t outputs, int64_t batch,
                                          const float* values, const int64_t* /*labels*/,
                                          float* gradient, int64_t* /*correct*/) const override {
    const auto scale = static_cast<float>(2.0 / static_cast<double>(outputs * batch));
    // Eight partial sums: the additions of one would wait on each other.
    double sums[8] = {};
    for (int64_t o = 0; o < outputs; ++o) {
      const float* out_row = output + o * batch;
      float* gradient_row = gradient + o * batch;
      for (int64_t i = 0; i < batch; ++i) {
        const float diff = out_row[i] - values[i * outputs + o];
        gradient_row[i] = diff * scale;
        sums[i & 7] += static_cast<double>(diff * diff);
      }
    }
    double total = 0.0;
    for (const double part : sums) total += part;
    return total / static_cast<double>(outputs * batch);
  }
  // Each sample's loss is the mean over its O outputs, as in loss().
  at::Tensor loss_sum(const at::Tensor& output, const at::Tensor& target) const override {
    return (output.to(torch::kFloat64) - target.to(torch::kFloat64)).square().sum() /
           static_cast<double>(std::max<int64_t>(output.size(1), 1));
  }
  at::Tensor correct(const at::Tensor&, const at::Tensor&) const override { return {}; }
};

// The network's outputs on every input of a split, in eval mode, without gradients.
at::Tensor outputs_of(model::NetworkImpl& network, const at::Tensor& inputs, int64_t batch_size) {
  std::vector<at::Tensor> parts;
  for (int64_t start = 0; start < inputs.size(0); start += batch_size)
    parts.push_back(network.forward(inputs.slice(0, start, start + batch_size)));
  return torch::cat(parts);
}

torch::Device device_of(model::NetworkImpl& network) {
  const auto parameters = network.parameters();
  return parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
}

}  // namespace

const Task& task_named(const std::string& name) {
  static const ClassificationTask classification;
  static const RegressionTask regression;
  if (name == "classification") return classification;
  if (name == "regression") return regression;
  throw std::logic_error("task not handled: " + name);  // the schema allows no other
}

Evaluation evaluate(model::NetworkImpl& network, const data::Split& split, int64_t batch_size,
                    const Task& task) {
  const bool was_training = network.is_training();
  network.eval();
  torch::NoGradGuard no_grad;
  const torch::Device device = device_of(network);
  const int64_t n = split.size();
  torch::Tensor loss_sum = torch::zeros({}, torch::dtype(torch::kFloat64).device(device));
  torch::Tensor correct = torch::zeros({}, torch::dtype(torch::kInt64).device(device));
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t end = std::min(n, start + batch_size);
    const torch::Tensor x = split.images.slice(0, start, end).to(device);
    const torch::Tensor y = split.labels.slice(0, start, end).to(device);
    const torch::Tensor output = network.forward(x);
    loss_sum += task.loss_sum(output, y);
    if (task.has_accuracy()) correct += task.correct(output, y);
  }
  network.train(was_training);
  if (n == 0) return {kNaN, kNaN};
  return {loss_sum.item<double>() / n,
          task.has_accuracy() ? static_cast<double>(correct.item<int64_t>()) / n : kNaN};
}

double psnr(double mse, double peak) { return 10.0 * std::log10(peak * peak / mse); }

nlohmann::ordered_json task_summary(const config::RunSpec& spec, model::NetworkImpl& network,
                                    const data::Dataset& dataset) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  const Task& task = task_named(spec.task);
  if (task.has_accuracy()) return fields;
  auto number_or_null = [](double value) {
    return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
  };
  const int64_t batch = spec.data.eval_batch_size;
  const double train_mse = evaluate(network, dataset.train, batch, task).loss;
  const double test_mse = evaluate(network, dataset.test, batch, task).loss;
  fields["train_mse"] = number_or_null(train_mse);
  fields["test_mse"] = number_or_null(test_mse);

  const bool was_training = network.is_training();
  network.eval();
  at::Tensor outputs;
  {
    torch::NoGradGuard no_grad;
    outputs = outputs_of(network, dataset.test.images.to(device_of(network)), batch)
                  .to(torch::kCPU, torch::kFloat64);
  }
  network.train(was_training);
  const at::Tensor targets = dataset.test.labels.to(torch::kCPU, torch::kFloat64);
  if (outputs.size(0) > 0 && torch::isfinite(outputs).all().item<bool>()) {
    const at::Tensor output_std = outputs.std(0, /*unbiased=*/false);
    const at::Tensor target_std = targets.std(0, /*unbiased=*/false);
    fields["collapsed"] = (output_std < kCollapseRatio * target_std).all().item<bool>();
  } else {
    fields["collapsed"] = nullptr;
  }
  if (dataset.psnr_peak > 0.0) fields["psnr"] = number_or_null(psnr(test_mse, dataset.psnr_peak));
  return fields;
}

}  // namespace actbench::train
