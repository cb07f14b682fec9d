// The batched model of a pack (see packed_mlp.hpp).
#include "model/packed_mlp.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

namespace actbench::model {

std::string pack_obstacle(const config::ModelSpec& spec, const ModelPlan& plan) {
  if (spec.type != "mlp")
    return fmt::format("model.type {}: packs hold MLPs only (a CNN runs alone)", spec.type);
  if (spec.dropout > 0.0)
    return "model.dropout: dropout masks come from the global generator, so a packed member "
           "would not draw what it draws alone";
  if (spec.norm != "none")
    return fmt::format("model.norm {}: normalisation layers are not packed", spec.norm);
  for (const LayerPlan& layer : plan.hidden) {
    ActivationContext context;
    context.num_features = layer.info.units;
    const std::shared_ptr<Activation> activation = layer.activation.make(context);
    const std::string& name = layer.activation.entry->name;
    if (activation->pieces() != 1)
      return fmt::format("activation {} feeds {} pre-activations to one unit", name,
                         activation->pieces());
    if (!activation->parameters().empty())
      return fmt::format("activation {} has trainable parameters", name);
    // A stochastic activation (RReLU in training) would draw from the global generator in a
    // different order than alone: two forward passes of the same input must agree.
    torch::NoGradGuard no_grad;
    activation->train();
    const torch::Tensor z = torch::linspace(-3.0, 3.0, 64).unsqueeze(0);
    if (!torch::equal(activation->forward(z), activation->forward(z)))
      return fmt::format("activation {} is random in training", name);
  }
  return "";
}

PackedMlp::PackedMlp(std::vector<NetworkImpl*> member_views)
    : members_(static_cast<int64_t>(member_views.size())), views_(std::move(member_views)) {
  if (views_.empty()) throw std::logic_error("PackedMlp: no members");
  const std::vector<torch::Tensor> solo = views_.front()->parameters();
  const size_t expected = 2 * (views_.front()->num_hidden() + 1);
  if (solo.size() != expected)
    throw std::logic_error(fmt::format("PackedMlp: the view network has {} parameters, not {}",
                                       solo.size(), expected));
  for (int64_t k = 0; k < members_; ++k) {
    NetworkImpl* view = views_[static_cast<size_t>(k)];
    const std::vector<torch::Tensor> own = view->parameters();
    bool same_shape = own.size() == solo.size();
    for (size_t i = 0; same_shape && i < own.size(); ++i)
      same_shape = own[i].sizes() == solo[i].sizes();
    if (!same_shape)
      throw std::logic_error(fmt::format("PackedMlp: member {}'s view has another shape", k));
    if (spans_.empty() || spans_.back().view != view) spans_.push_back(Span{k, k + 1, view});
    spans_.back().end = k + 1;
  }
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < solo.size(); i += 2) {
    std::vector<int64_t> weight_shape{members_};
    for (int64_t d : solo[i].sizes()) weight_shape.push_back(d);
    weights_.push_back(torch::empty(weight_shape, solo[i].options()));
    biases_.push_back(torch::empty({members_, solo[i + 1].size(0)}, solo[i + 1].options()));
  }
}

PackedMlp::PackedMlp(int64_t members, NetworkImpl& view)
    : PackedMlp(std::vector<NetworkImpl*>(static_cast<size_t>(members), &view)) {}

void PackedMlp::set_member(int64_t k, NetworkImpl& network) {
  torch::NoGradGuard no_grad;
  const std::vector<torch::Tensor> solo = network.parameters();
  for (size_t l = 0; l < weights_.size(); ++l) {
    weights_[l][k].copy_(solo[2 * l]);
    biases_[l][k].copy_(solo[2 * l + 1]);
  }
}

void PackedMlp::copy_member_to(int64_t k, NetworkImpl& network) const {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> solo = network.parameters();
  for (size_t l = 0; l < weights_.size(); ++l) {
    solo[2 * l].copy_(weights_[l][k]);
    solo[2 * l + 1].copy_(biases_[l][k]);
  }
}

void PackedMlp::to(const at::Device& device) {
  torch::NoGradGuard no_grad;
  for (auto* list : {&weights_, &biases_})
    for (auto& t : *list) t = t.to(device).detach().requires_grad_(true);
}

std::vector<at::Tensor> PackedMlp::parameters() const {
  std::vector<at::Tensor> out;
  for (size_t l = 0; l < weights_.size(); ++l) {
    out.push_back(weights_[l]);
    out.push_back(biases_[l]);
  }
  return out;
}

at::Tensor PackedMlp::apply(size_t layer, int64_t k0, int64_t k1, const at::Tensor& z,
                            bool derivative) const {
  std::vector<at::Tensor> parts;
  for (const Span& span : spans_) {
    const int64_t begin = std::max(k0, span.begin), end = std::min(k1, span.end);
    if (begin >= end) continue;
    Activation& f = span.view->activation(layer);
    const at::Tensor slice = begin == k0 && end == k1 ? z : z.slice(0, begin - k0, end - k0);
    parts.push_back(derivative ? f.derivative(slice) : f.forward(slice));
  }
  return parts.size() == 1 ? parts.front() : torch::cat(parts);
}

at::Tensor PackedMlp::activate(size_t layer, int64_t k0, int64_t k1, const at::Tensor& z) const {
  return apply(layer, k0, k1, z, false);
}

at::Tensor PackedMlp::activation_derivative(size_t layer, int64_t k0, int64_t k1,
                                            const at::Tensor& z) const {
  return apply(layer, k0, k1, z, true);
}

void PackedMlp::forward_members(int64_t k0, int64_t k1, const at::Tensor& x, bool shared,
                                std::vector<at::Tensor>& z, std::vector<at::Tensor>& h) const {
  const size_t layers = weights_.size();
  z.resize(layers);
  h.resize(layers);
  const int64_t kc = k1 - k0;
  for (size_t l = 0; l < layers; ++l) {
    const at::Tensor w = weights_[l].slice(0, k0, k1);
    const at::Tensor b = biases_[l].slice(0, k0, k1);
    if (l == 0 && shared) {
      // The first layer of every member in one GEMM: [Kc*out, in] x [in, B].
      const at::Tensor flat = x.flatten(1);
      z[l] = torch::addmm(b.reshape({-1, 1}), w.reshape({kc * w.size(1), w.size(2)}), flat.t())
                 .view({kc, w.size(1), flat.size(0)});
    } else {
      const at::Tensor input = l == 0 ? x.slice(0, k0, k1).flatten(2).transpose(1, 2) : h[l - 1];
      z[l] = torch::baddbmm(b.unsqueeze(2), w, input);
    }
    if (l + 1 < layers) h[l] = activate(l, k0, k1, z[l]);
  }
}

at::Tensor PackedMlp::forward_outputs(int64_t k0, int64_t k1, const at::Tensor& x,
                                      bool shared) const {
  const int64_t kc = k1 - k0;
  at::Tensor h;
  for (size_t l = 0; l < weights_.size(); ++l) {
    const at::Tensor w = weights_[l].slice(0, k0, k1);
    const at::Tensor b = biases_[l].slice(0, k0, k1);
    at::Tensor z;
    if (l == 0 && shared) {
      const at::Tensor flat = x.flatten(1);
      z = torch::addmm(b.reshape({-1, 1}), w.reshape({kc * w.size(1), w.size(2)}), flat.t())
              .view({kc, w.size(1), flat.size(0)});
    } else {
      const at::Tensor input = l == 0 ? x.slice(0, k0, k1).flatten(2).transpose(1, 2) : h;
      z = torch::baddbmm(b.unsqueeze(2), w, input);
    }
    h = l + 1 < weights_.size() ? activate(l, k0, k1, z) : z;
  }
  return h.transpose(1, 2);
}

at::Tensor PackedMlp::forward(const at::Tensor& x, bool shared) {
  std::vector<at::Tensor> z, h;
  forward_members(0, members_, x, shared, z, h);
  return z.back().transpose(1, 2);
}

}  // namespace actbench::model
