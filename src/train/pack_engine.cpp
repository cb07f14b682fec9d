// The engine of a pack (see pack_engine.hpp). A step, per chunk of members, features-major values
// [Kc, units, B]: forward z_l = W_l h_(l-1) + b_l, h_l = f(z_l) (PackedMlp::forward_members); the
// task's loss and its gradient with respect to the outputs; then back, with delta the loss's
// gradient with respect to z: dW_l = delta_l h_(l-1)^T, db_l = sum over B of delta_l,
// delta_(l-1) = (W_l^T delta_l) * f'(z_(l-1)).
#include "train/pack_engine.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "core/numbers.hpp"

namespace actbench::train {

namespace {

// Bytes of one layer's values per chunk: small enough that a chunk's forward values stay in cache
// between the forward and the backward pass, instead of streaming every layer's [K, width, B]
// values through memory several times, as autograd over the whole pack does (bench/README.md).
constexpr int64_t kChunkBytes = 256 * 1024;

std::vector<config::OptimSpec> optim_specs(const std::vector<const config::RunSpec*>& specs) {
  if (specs.empty()) throw std::logic_error("PackEngine: no members");
  std::vector<config::OptimSpec> out;
  for (const auto* spec : specs) out.push_back(spec->optim);
  return out;
}

}  // namespace

PackEngine::PackEngine(const std::vector<const config::RunSpec*>& specs, model::PackedMlp& pack)
    : pack_(pack),
      task_(task_named(specs.front()->task)),
      saturation_threshold_(specs.front()->probes.saturation_threshold),
      parameters_(pack.parameters()),
      optimizer_(optim_specs(specs), parameters_) {
  if (static_cast<int64_t>(specs.size()) != pack.members())
    throw std::logic_error("PackEngine: one spec per member");
}

StepOutput PackEngine::compute_gradients(const MemberBatch& batch) {
  torch::NoGradGuard no_grad;
  const int64_t k_members = pack_.members();
  const size_t layers = pack_.num_linear();
  const int64_t b = batch.shared ? batch.inputs.size(0) : batch.inputs.size(1);
  int64_t widest = 1;
  for (size_t l = 0; l < layers; ++l) widest = std::max(widest, pack_.weight(l).size(1));
  const int64_t chunk =
      std::clamp<int64_t>(kChunkBytes / std::max<int64_t>(widest * b * 4, 1), 1, k_members);

  std::vector<torch::Tensor> grad_w(layers), grad_b(layers);
  for (size_t l = 0; l < layers; ++l) {
    grad_w[l] = torch::empty_like(pack_.weight(l));
    grad_b[l] = torch::empty_like(pack_.bias(l));
  }
  StepOutput result;
  result.losses = torch::empty({k_members}, pack_.weight(0).options());
  if (task_.has_accuracy())
    result.correct = torch::empty({k_members}, pack_.weight(0).options().dtype(torch::kInt64));
  const torch::Tensor shared_x = batch.shared ? batch.inputs.flatten(1) : torch::Tensor();

  std::vector<torch::Tensor> z, h;  // per layer, this chunk's values [Kc, n, B]
  for (int64_t k0 = 0; k0 < k_members; k0 += chunk) {
    const int64_t k1 = std::min(k_members, k0 + chunk), kc = k1 - k0;
    pack_.forward_members(k0, k1, batch.inputs, batch.shared, z, h);

    // The task's loss and its gradient with respect to the outputs, asked for in the task's
    // layout [Kc, B, O] (a view) and used features-major [Kc, O, B].
    const torch::Tensor targets = batch.shared ? batch.targets : batch.targets.slice(0, k0, k1);
    const Task::MemberLossGradient loss =
        task_.member_loss_and_gradient(z[layers - 1].transpose(1, 2), targets);
    result.losses.slice(0, k0, k1).copy_(loss.losses);
    if (task_.has_accuracy()) result.correct.slice(0, k0, k1).copy_(loss.correct);
    torch::Tensor delta = loss.gradient.transpose(1, 2);

    // Backward, layer by layer, into this chunk's slices of the gradients.
    const torch::Tensor input =
        batch.shared ? torch::Tensor()
                     : batch.inputs.slice(0, k0, k1).flatten(2).transpose(1, 2);  // [Kc, in, B]
    for (size_t l = layers; l-- > 0;) {
      torch::Tensor gw = grad_w[l].slice(0, k0, k1);
      if (l == 0 && batch.shared) {
        gw.view({kc * gw.size(1), gw.size(2)})
            .copy_(torch::mm(delta.reshape({kc * delta.size(1), b}), shared_x));
      } else {
        gw.copy_(torch::bmm(delta, (l == 0 ? input : h[l - 1]).transpose(1, 2)));
      }
      grad_b[l].slice(0, k0, k1).copy_(delta.sum(2));
      if (l == 0) break;
      delta = torch::bmm(pack_.weight(l).slice(0, k0, k1).transpose(1, 2), delta)
                  .mul_(pack_.activation_derivative(l - 1, k0, k1, z[l - 1]));
    }
  }
  for (size_t l = 0; l < layers; ++l) {
    pack_.weight(l).mutable_grad() = grad_w[l];
    pack_.bias(l).mutable_grad() = grad_b[l];
  }
  return result;
}

void PackEngine::clip_gradients(double max_norm) {
  // Per member, as torch::nn::utils::clip_grad_norm_ on a run alone.
  torch::NoGradGuard no_grad;
  const int64_t k_members = pack_.members();
  torch::Tensor squares = torch::zeros({k_members}, parameters_.front().options());
  for (const auto& p : parameters_)
    if (p.grad().defined()) squares = squares + p.grad().flatten(1).pow(2).sum(1);
  const torch::Tensor coef = (max_norm / (squares.sqrt() + 1e-6)).clamp_max(1.0);
  for (const auto& p : parameters_) {
    if (!p.grad().defined()) continue;
    std::vector<int64_t> shape(static_cast<size_t>(p.dim()), 1);
    shape[0] = k_members;
    p.mutable_grad().mul_(coef.view(shape));
  }
}

void PackEngine::step(const std::vector<double>& lrs, const std::vector<bool>& active) {
  optimizer_.step(lrs, active);
}

void PackEngine::add_gradient_norms() {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> norms;
  for (size_t l = 0; l < pack_.num_hidden(); ++l) {
    const torch::Tensor grad = pack_.hidden_weight(l).grad();
    norms.push_back(grad.defined() ? grad.flatten(1).pow(2).sum(1).sqrt()
                                   : torch::zeros({pack_.members()}));
  }
  if (norms.empty()) return;
  const torch::Tensor step = torch::stack(norms).nan_to_num(0.0);  // [L, K]
  if (grad_steps_ == 0) {
    grad_sum_ = step.to(torch::kFloat64);
    grad_max_ = step.clone();
  } else {
    grad_sum_.add_(step);
    grad_max_ = torch::maximum(grad_max_, step);
  }
  ++grad_steps_;
}

std::vector<std::vector<probe::GradNormMeter::Value>> PackEngine::read_gradient_norms() {
  const auto members = static_cast<size_t>(pack_.members());
  std::vector<std::vector<probe::GradNormMeter::Value>> out(
      pack_.num_hidden(), std::vector<probe::GradNormMeter::Value>(members));
  if (grad_steps_ > 0) {
    const torch::Tensor sum = grad_sum_.cpu(), max = grad_max_.to(torch::kFloat64).cpu();
    for (size_t l = 0; l < out.size(); ++l)
      for (size_t k = 0; k < members; ++k) {
        const auto kk = static_cast<int64_t>(k);
        const auto ll = static_cast<int64_t>(l);
        out[l][k].mean = sum[ll][kk].item<double>() / static_cast<double>(grad_steps_);
        out[l][k].max = max[ll][kk].item<double>();
      }
  }
  grad_steps_ = 0;
  return out;
}

std::vector<Evaluation> PackEngine::evaluate(const MemberBatch& split, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  const int64_t k_members = pack_.members();
  const int64_t n = split.shared ? split.inputs.size(0) : split.inputs.size(1);
  torch::Tensor loss_sum = torch::zeros({k_members}, torch::dtype(torch::kFloat64));
  torch::Tensor correct = torch::zeros({k_members}, torch::kInt64);
  for (int64_t begin = 0; begin < n; begin += batch_size) {
    const int64_t end = std::min(n, begin + batch_size);
    const int dim = split.shared ? 0 : 1;
    const torch::Tensor x = split.inputs.slice(dim, begin, end);
    const torch::Tensor y = split.targets.slice(dim, begin, end);
    const torch::Tensor out = pack_.forward(x, split.shared);
    loss_sum += (task_.member_losses(out, y) * static_cast<double>(end - begin))
                    .to(torch::kCPU, torch::kFloat64);
    if (task_.has_accuracy()) correct += task_.member_correct(out, y).cpu();
  }
  std::vector<Evaluation> out(static_cast<size_t>(k_members), Evaluation{core::kNaN, core::kNaN});
  if (n == 0) return out;
  for (int64_t k = 0; k < k_members; ++k) {
    out[k].loss = loss_sum[k].item<double>() / static_cast<double>(n);
    if (task_.has_accuracy())
      out[k].accuracy = static_cast<double>(correct[k].item<int64_t>()) / static_cast<double>(n);
  }
  return out;
}

std::vector<probe::LayerProbe> PackEngine::probe(int64_t member, const at::Tensor& x,
                                                 const at::Tensor& y, bool /*end_of_epoch*/) {
  model::NetworkImpl& view = pack_.view(member);
  pack_.copy_member_to(member, view);
  const probe::LossFunction loss = [this](const at::Tensor& output, const at::Tensor& target) {
    return task_.loss(output, target);
  };
  return probe::measure_layers(view, x, y, saturation_threshold_, loss);
}

}  // namespace actbench::train
