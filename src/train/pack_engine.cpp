// The engine of a pack (see pack_engine.hpp). A step, per chunk of members, features-major values
// [Kc, units, B]: forward z_l = W_l h_(l-1) + b_l, h_l = f(z_l) (PackedMlp::forward_members); the
// task's loss and its gradient with respect to the outputs; then back, with delta the loss's
// gradient with respect to z: dW_l = delta_l h_(l-1)^T, db_l = sum over B of delta_l,
// delta_(l-1) = (W_l^T delta_l) * f'(z_(l-1)). The wide path computes these with LibTorch's batched
// products over a chunk; the narrow path with the loops of narrow_kernel.hpp, member by member.
#include "train/pack_engine.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/error.hpp"
#include "core/numbers.hpp"

namespace actbench::train {

namespace {

// Bytes of one layer's values per chunk: small enough that a chunk's forward values stay in cache
// between the forward and the backward pass, instead of streaming every layer's [K, width, B]
// values through memory several times, as autograd over the whole pack does (bench/README.md).
constexpr int64_t kChunkBytes = 256 * 1024;
// The narrow path's chunk: every layer's values of its members (z, h and two deltas) within about
// half of a core's L2 (1 MiB on the machines measured), so that the backward pass finds them there.
constexpr int64_t kNarrowChunkBytes = 512 * 1024;
// Evaluation keeps one layer's values per chunk: about a core's L2.
constexpr int64_t kEvaluationChunkBytes = 1024 * 1024;

// The inline form of an activation module, or kind kLibTorch when none computes it exactly: the
// candidates (identity, ReLU, leaky ReLU with the module's slope, a clamp between the module's
// limits) are fitted from a few values of the module, then checked value for value, f and
// autograd's f', on a grid holding every kink of the candidates and its neighbouring floats.
// Recognising the behaviour rather than a name keeps this right whatever the registry, an
// expression, or a parameter does.
narrow::InlineActivation inline_form_of(model::Activation& module) {
  using narrow::ActivationKind;
  torch::NoGradGuard no_grad;
  auto values_at = [&](const std::vector<float>& points, bool derivative) {
    const torch::Tensor z =
        torch::from_blob(const_cast<float*>(points.data()),
                         {static_cast<int64_t>(points.size()), 1}, torch::kFloat32)
            .clone();
    const torch::Tensor out =
        (derivative ? module.derivative(z) : module.forward(z)).to(torch::kFloat32).contiguous();
    if (out.numel() != z.numel()) throw std::logic_error("not elementwise");
    return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
  };
  try {
    const std::vector<float> probes = values_at({-1.0F, -1e6F, 1e6F}, false);
    std::vector<narrow::InlineActivation> candidates(4);
    candidates[0].kind = ActivationKind::kIdentity;
    candidates[1].kind = ActivationKind::kRelu;
    candidates[2].kind = ActivationKind::kLeakyRelu;
    candidates[2].slope = -probes[0];
    candidates[3].kind = ActivationKind::kClamp;
    candidates[3].low = probes[1];
    candidates[3].high = probes[2];

    std::vector<float> grid;
    for (int i = -800; i <= 800; ++i) grid.push_back(static_cast<float>(i) / 100.0F);
    const float kinks[] = {0.0F, candidates[3].low, candidates[3].high};
    for (const float kink : kinks) {
      if (!std::isfinite(kink)) continue;
      float below = kink, above = kink;
      for (int step = 0; step < 3; ++step) {
        below = std::nextafter(below, -std::numeric_limits<float>::infinity());
        above = std::nextafter(above, std::numeric_limits<float>::infinity());
        grid.push_back(below);
        grid.push_back(above);
      }
      grid.push_back(kink);
    }
    for (const float far : {-1e30F, -1e6F, -123.4F, -1e-30F, -0.0F, 1e-30F, 123.4F, 1e6F, 1e30F})
      grid.push_back(far);
    const std::vector<float> f = values_at(grid, false), df = values_at(grid, true);
    for (const auto& candidate : candidates) {
      if (candidate.kind == ActivationKind::kClamp &&
          !(std::isfinite(candidate.low) && std::isfinite(candidate.high) &&
            candidate.low < candidate.high))
        continue;
      bool same = true;
      for (size_t i = 0; same && i < grid.size(); ++i)
        same = narrow::activate(candidate, grid[i]) == f[i] &&
               narrow::derivative(candidate, grid[i]) == df[i];
      if (same) return candidate;
    }
  } catch (const std::exception&) {
    // A module that cannot take this probe is left to compute itself.
  }
  return narrow::InlineActivation{};
}

std::vector<config::OptimSpec> optim_specs(const std::vector<const config::RunSpec*>& specs) {
  if (specs.empty()) throw std::logic_error("PackEngine: no members");
  std::vector<config::OptimSpec> out;
  for (const auto* spec : specs) out.push_back(spec->optim);
  return out;
}

}  // namespace

PackEngine::PackEngine(const std::vector<const config::RunSpec*>& specs, model::PackedMlp& pack,
                       Path path)
    : pack_(pack),
      task_(task_named(specs.front()->task)),
      saturation_threshold_(specs.front()->probes.saturation_threshold),
      parameters_(pack.parameters()),
      optimizer_(optim_specs(specs), parameters_) {
  if (static_cast<int64_t>(specs.size()) != pack.members())
    throw std::logic_error("PackEngine: one spec per member");
  // For measurements (bench/README.md: where the narrow loops stop paying):
  // ACTBENCH_PACK_PATH=wide or =narrow overrides the automatic choice.
  if (const char* forced = std::getenv("ACTBENCH_PACK_PATH"); path == Path::kAutomatic && forced) {
    const std::string value = forced;
    if (value == "wide") {
      path = Path::kWide;
    } else if (value == "narrow") {
      path = Path::kNarrow;
    } else if (!value.empty()) {
      // A misspelt override would silently measure the automatic path.
      throw Error(
          fmt::format("ACTBENCH_PACK_PATH is '{}': use wide or narrow (or unset it)", value));
    }
  }
  bool narrow = path != Path::kWide;
  for (size_t l = 0; l < pack_.num_linear(); ++l) {
    const at::Tensor& w = pack_.weight(l);
    narrow = narrow && w.device().is_cpu() && w.scalar_type() == torch::kFloat32 &&
             w.is_contiguous() && pack_.bias(l).is_contiguous() &&
             (path == Path::kNarrow || (w.size(1) <= kNarrowWidth && w.size(2) <= kNarrowWidth));
  }
  narrow_ = narrow;
  if (!narrow_) return;
  // One inline form per activation module (views are shared by many members).
  for (size_t l = 0; l < pack_.num_hidden(); ++l) {
    std::vector<ActivationSegment> segments;
    for (const model::PackedMlp::Span& span : pack_.spans()) {
      model::Activation* module = &span.view->activation(l);
      if (!segments.empty() && segments.back().module == module) {
        segments.back().end = span.end;
        continue;
      }
      const auto known = std::find_if(segments.begin(), segments.end(),
                                      [&](const auto& s) { return s.module == module; });
      const narrow::InlineActivation form =
          known != segments.end() ? known->inline_form : inline_form_of(*module);
      any_module_activation_ |= form.kind == narrow::ActivationKind::kLibTorch;
      segments.push_back(ActivationSegment{span.begin, span.end, form, module});
    }
    segments_.push_back(std::move(segments));
  }
}

std::vector<int64_t> PackEngine::inline_activation_members() const {
  std::vector<int64_t> out;
  for (const auto& layer : segments_) {
    int64_t members = 0;
    for (const auto& segment : layer)
      if (segment.inline_form.kind != narrow::ActivationKind::kLibTorch)
        members += segment.end - segment.begin;
    out.push_back(members);
  }
  return out;
}

void PackEngine::ensure_gradients() {
  const size_t layers = pack_.num_linear();
  bool fresh = grad_w_.size() == layers;
  for (size_t l = 0; fresh && l < layers; ++l)
    fresh = grad_w_[l].sizes() == pack_.weight(l).sizes() &&
            grad_w_[l].options().type_equal(pack_.weight(l).options());
  if (!fresh) {
    grad_w_.resize(layers);
    grad_b_.resize(layers);
    for (size_t l = 0; l < layers; ++l) {
      grad_w_[l] = torch::empty_like(pack_.weight(l));
      grad_b_[l] = torch::empty_like(pack_.bias(l));
    }
  }
  for (size_t l = 0; l < layers; ++l) {
    pack_.weight(l).mutable_grad() = grad_w_[l];
    pack_.bias(l).mutable_grad() = grad_b_[l];
  }
}

StepOutput PackEngine::compute_gradients(const MemberBatch& batch) {
  return narrow_ && narrow_applies(batch) ? compute_gradients_narrow(batch)
                                          : compute_gradients_wide(batch);
}

bool PackEngine::narrow_applies(const MemberBatch& batch) const {
  const bool labels = task_.has_accuracy();
  for (size_t l = 0; l < pack_.num_linear(); ++l)
    if (!pack_.weight(l).is_contiguous() || !pack_.bias(l).is_contiguous()) return false;
  return batch.inputs.device().is_cpu() && batch.inputs.scalar_type() == torch::kFloat32 &&
         batch.targets.device().is_cpu() &&
         batch.targets.scalar_type() == (labels ? torch::kInt64 : torch::kFloat32);
}

void PackEngine::ensure_workspace(int64_t chunk, int64_t batch) {
  if (chunk == work_chunk_ && batch == work_batch_) return;
  const size_t layers = pack_.num_linear();
  const auto options = pack_.weight(0).options().requires_grad(false);
  z_work_.assign(layers, at::Tensor());
  h_work_.assign(layers, at::Tensor());
  int64_t widest = 1;
  for (size_t l = 0; l < layers; ++l) {
    const int64_t units = pack_.weight(l).size(1);
    widest = std::max({widest, units, pack_.weight(l).size(2)});
    z_work_[l] = torch::empty({chunk, units, batch}, options);
    if (l + 1 < layers) h_work_[l] = torch::empty({chunk, units, batch}, options);
  }
  for (auto& delta : delta_work_) delta = torch::empty({chunk * widest * batch}, options);
  work_chunk_ = chunk;
  work_batch_ = batch;
}

// The narrow loops (narrow_kernel.hpp) over a cache-sized chunk of members at a time: forward
// layer by layer member by member, the loss and its gradient by the Task on raw arrays, then back.
// Activations without an inline form take one call of their module per layer and chunk.
StepOutput PackEngine::compute_gradients_narrow(const MemberBatch& batch) {
  torch::NoGradGuard no_grad;
  using narrow::ActivationKind;
  const int64_t k_members = pack_.members();
  const size_t layers = pack_.num_linear();
  const int64_t b = batch.shared ? batch.inputs.size(0) : batch.inputs.size(1);
  const int64_t outputs = pack_.weight(layers - 1).size(1);

  int64_t member_floats = 0, widest = 1;
  for (size_t l = 0; l < layers; ++l) {
    const int64_t units = pack_.weight(l).size(1);
    member_floats += units * b * (l + 1 < layers ? 2 : 1);
    widest = std::max({widest, units, pack_.weight(l).size(2)});
  }
  member_floats += 2 * widest * b;
  int64_t chunk = kNarrowChunkBytes / std::max<int64_t>(member_floats * 4, 1);
  // Module calls cost per chunk: as many members per call as the wide path then.
  if (any_module_activation_) chunk = std::max(chunk, kChunkBytes / (widest * b * 4));
  chunk = std::clamp<int64_t>(chunk, 1, k_members);
  ensure_workspace(chunk, b);
  ensure_gradients();

  // Inputs features-major: [in, B] shared, or [K, in, B].
  const torch::Tensor x = batch.shared ? batch.inputs.flatten(1).t().contiguous()
                                       : batch.inputs.flatten(2).transpose(1, 2).contiguous();
  const torch::Tensor targets = batch.targets.contiguous();
  const int64_t in0 = pack_.weight(0).size(2);
  const int64_t target_stride = batch.shared ? 0 : targets[0].numel();
  const bool labels = task_.has_accuracy();

  StepOutput result;
  result.losses = torch::empty({k_members}, torch::kFloat32);
  float* losses = result.losses.data_ptr<float>();
  int64_t* correct = nullptr;
  if (labels) {
    result.correct = torch::zeros({k_members}, torch::kInt64);
    correct = result.correct.data_ptr<int64_t>();
  }
  const float* x_data = x.data_ptr<float>();
  const float* values = labels ? nullptr : targets.data_ptr<float>();
  const int64_t* label_data = labels ? targets.data_ptr<int64_t>() : nullptr;

  // Member k's input to layer l within the chunk starting at k0.
  auto input_of = [&](size_t l, int64_t k, int64_t k0) -> const float* {
    if (l == 0) return batch.shared ? x_data : x_data + k * in0 * b;
    return h_work_[l - 1].data_ptr<float>() + (k - k0) * pack_.weight(l).size(2) * b;
  };
  // Calls fn(begin, end, segment) for the parts of [k0, k1) that share an activation of hidden
  // layer l (the output layer has none: one part, segment null).
  auto for_each_part = [&](size_t l, int64_t k0, int64_t k1, const auto& fn) {
    if (l >= segments_.size()) return fn(k0, k1, static_cast<const ActivationSegment*>(nullptr));
    for (const ActivationSegment& segment : segments_[l]) {
      const int64_t begin = std::max(k0, segment.begin), end = std::min(k1, segment.end);
      if (begin < end) fn(begin, end, &segment);
    }
  };
  const narrow::InlineActivation none;

  for (int64_t k0 = 0; k0 < k_members; k0 += chunk) {
    const int64_t k1 = std::min(k_members, k0 + chunk);
    for (size_t l = 0; l < layers; ++l) {
      const int64_t out = pack_.weight(l).size(1), in = pack_.weight(l).size(2);
      const float* w = pack_.weight(l).data_ptr<float>();
      const float* bias = pack_.bias(l).data_ptr<float>();
      float* z = z_work_[l].data_ptr<float>();
      float* h = l + 1 < layers ? h_work_[l].data_ptr<float>() : nullptr;
      for_each_part(l, k0, k1, [&](int64_t begin, int64_t end, const ActivationSegment* segment) {
        const narrow::InlineActivation& f = segment ? segment->inline_form : none;
        for (int64_t k = begin; k < end; ++k)
          narrow::forward(w + k * out * in, bias + k * out, input_of(l, k, k0), out, in, b, f,
                          z + (k - k0) * out * b, h ? h + (k - k0) * out * b : nullptr);
        if (segment && f.kind == ActivationKind::kLibTorch)
          h_work_[l]
              .slice(0, begin - k0, end - k0)
              .copy_(segment->module->forward(z_work_[l].slice(0, begin - k0, end - k0)));
      });
    }

    int current = 0;  // delta_work_[current]: the gradient at the current layer's z
    float* delta = delta_work_[current].data_ptr<float>();
    const float* z_out = z_work_[layers - 1].data_ptr<float>();
    for (int64_t k = k0; k < k1; ++k) {
      losses[k] = static_cast<float>(task_.features_major_loss_and_gradient(
          z_out + (k - k0) * outputs * b, outputs, b, values ? values + k * target_stride : nullptr,
          label_data ? label_data + k * target_stride : nullptr, delta + (k - k0) * outputs * b,
          correct ? correct + k : nullptr));
    }

    for (size_t l = layers; l-- > 0;) {
      const int64_t out = pack_.weight(l).size(1), in = pack_.weight(l).size(2);
      const float* w = pack_.weight(l).data_ptr<float>();
      float* gw = grad_w_[l].data_ptr<float>();
      float* gb = grad_b_[l].data_ptr<float>();
      for (int64_t k = k0; k < k1; ++k)
        narrow::weight_gradients(delta + (k - k0) * out * b, input_of(l, k, k0), out, in, b,
                                 gw + k * out * in, gb + k * out);
      if (l == 0) break;
      const float* z_below = z_work_[l - 1].data_ptr<float>();
      float* below = delta_work_[1 - current].data_ptr<float>();
      for_each_part(
          l - 1, k0, k1, [&](int64_t begin, int64_t end, const ActivationSegment* segment) {
            for (int64_t k = begin; k < end; ++k)
              narrow::back_propagate(w + k * out * in, delta + (k - k0) * out * b, out, in, b,
                                     z_below + (k - k0) * in * b, segment->inline_form,
                                     below + (k - k0) * in * b);
            if (segment->inline_form.kind != ActivationKind::kLibTorch) return;
            const torch::Tensor part = delta_work_[1 - current]
                                           .narrow(0, (begin - k0) * in * b, (end - begin) * in * b)
                                           .view({end - begin, in, b});
            part.mul_(segment->module->derivative(z_work_[l - 1].slice(0, begin - k0, end - k0)));
          });
      current = 1 - current;
      delta = below;
    }
  }
  return result;
}

StepOutput PackEngine::compute_gradients_wide(const MemberBatch& batch) {
  torch::NoGradGuard no_grad;
  const int64_t k_members = pack_.members();
  const size_t layers = pack_.num_linear();
  const int64_t b = batch.shared ? batch.inputs.size(0) : batch.inputs.size(1);
  int64_t widest = 1;
  for (size_t l = 0; l < layers; ++l) widest = std::max(widest, pack_.weight(l).size(1));
  const int64_t chunk =
      std::clamp<int64_t>(kChunkBytes / std::max<int64_t>(widest * b * 4, 1), 1, k_members);

  ensure_gradients();
  const std::vector<torch::Tensor>& grad_w = grad_w_;
  const std::vector<torch::Tensor>& grad_b = grad_b_;
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
  const size_t hidden = pack_.num_hidden();
  const int64_t k_members = pack_.members();
  bool raw = hidden > 0;
  for (size_t l = 0; raw && l < hidden; ++l) {
    const at::Tensor& grad = pack_.hidden_weight(l).grad();
    raw = grad.defined() && grad.device().is_cpu() && grad.scalar_type() == torch::kFloat32 &&
          grad.is_contiguous();
  }
  if (raw) {
    // What the tensor code below computes, without a LibTorch call per layer and step: a float
    // norm per member, NaN as 0 and infinities as the largest floats (nan_to_num), summed in double
    // and maximised in float.
    if (grad_steps_ == 0) {
      grad_sum_ = torch::zeros({static_cast<int64_t>(hidden), k_members}, torch::kFloat64);
      grad_max_ = torch::zeros({static_cast<int64_t>(hidden), k_members}, torch::kFloat32);
    }
    double* sums = grad_sum_.data_ptr<double>();
    float* maxima = grad_max_.data_ptr<float>();
    for (size_t l = 0; l < hidden; ++l) {
      const at::Tensor& grad = pack_.hidden_weight(l).grad();
      const float* g = grad.data_ptr<float>();
      const int64_t per_member = grad.numel() / k_members;
      for (int64_t k = 0; k < k_members; ++k) {
        // Eight float partial sums, as LibTorch's float sum keeps (and vectorises) them.
        const float* gk = g + k * per_member;
        float lanes[8] = {};
        int64_t e = 0;
        for (; e + 8 <= per_member; e += 8)
          for (int t = 0; t < 8; ++t) lanes[t] += gk[e + t] * gk[e + t];
        for (int t = 0; e < per_member; ++e, ++t) lanes[t] += gk[e] * gk[e];
        float squares = 0.0F;
        for (const float lane : lanes) squares += lane;
        auto norm = std::sqrt(squares);
        if (std::isnan(norm)) norm = 0.0F;
        if (std::isinf(norm)) norm = std::numeric_limits<float>::max();
        const auto at = static_cast<int64_t>(l) * k_members + k;
        sums[at] += static_cast<double>(norm);
        maxima[at] = grad_steps_ == 0 ? norm : std::max(maxima[at], norm);
      }
    }
    ++grad_steps_;
    return;
  }
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
  int64_t widest = 1;
  for (size_t l = 0; l < pack_.num_linear(); ++l)
    widest = std::max(widest, pack_.weight(l).size(1));
  for (int64_t begin = 0; begin < n; begin += batch_size) {
    const int64_t end = std::min(n, begin + batch_size);
    const int dim = split.shared ? 0 : 1;
    const torch::Tensor x = split.inputs.slice(dim, begin, end);
    const torch::Tensor y = split.targets.slice(dim, begin, end);
    // A cache-sized chunk of members at a time: the whole pack's layer values at once came to
    // hundreds of MB for the zoo's mixed packs (57 members, 20 x 64, batches of 1,000).
    const int64_t chunk = std::clamp<int64_t>(
        kEvaluationChunkBytes / std::max<int64_t>(widest * (end - begin) * 4, 1), 1, k_members);
    for (int64_t k0 = 0; k0 < k_members; k0 += chunk) {
      const int64_t k1 = std::min(k_members, k0 + chunk);
      const torch::Tensor out = pack_.forward_outputs(k0, k1, x, split.shared);
      const torch::Tensor targets = split.shared ? y : y.slice(0, k0, k1);
      loss_sum.slice(0, k0, k1).add_(
          (task_.member_losses(out, targets) * static_cast<double>(end - begin))
              .to(torch::kCPU, torch::kFloat64));
      if (task_.has_accuracy())
        correct.slice(0, k0, k1).add_(task_.member_correct(out, targets).cpu());
    }
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
