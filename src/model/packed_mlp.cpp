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

PackedMlp::PackedMlp(int64_t members, NetworkImpl& view) : members_(members), view_(view) {
  const std::vector<torch::Tensor> solo = view.parameters();
  const size_t expected = 2 * (view.num_hidden() + 1);
  if (solo.size() != expected)
    throw std::logic_error(fmt::format("PackedMlp: the view network has {} parameters, not {}",
                                       solo.size(), expected));
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < solo.size(); i += 2) {
    std::vector<int64_t> weight_shape{members};
    for (int64_t d : solo[i].sizes()) weight_shape.push_back(d);
    weights_.push_back(torch::empty(weight_shape, solo[i].options()));
    biases_.push_back(torch::empty({members, solo[i + 1].size(0)}, solo[i + 1].options()));
  }
}

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

at::Tensor PackedMlp::forward(const at::Tensor& x, bool shared, std::vector<at::Tensor>* pre,
                              std::vector<at::Tensor>* post) {
  // Features-major inside: a layer's values are [K, units, B], so the long sample dimension is the
  // contiguous one. For narrow layers (Lu et al.'s width 2) this halves the time of a step against
  // [K, B, units], whose rows of two floats make every elementwise pass strided.
  torch::Tensor h;
  if (shared) {
    // The first layer for all members in one GEMM: [K*out, in] x [in, B].
    const torch::Tensor& w = weights_.front();
    const torch::Tensor flat = x.flatten(1);
    h = torch::addmm(biases_.front().reshape({-1, 1}), w.reshape({members_ * w.size(1), w.size(2)}),
                     flat.t())
            .view({members_, w.size(1), flat.size(0)});
  } else {
    h = torch::baddbmm(biases_.front().unsqueeze(2), weights_.front(),
                       x.flatten(2).transpose(1, 2));
  }
  for (size_t l = 0; l + 1 < weights_.size(); ++l) {
    if (l > 0) h = torch::baddbmm(biases_[l].unsqueeze(2), weights_[l], h);
    torch::Tensor a = view_.activation(l).forward(h);
    if (pre != nullptr) pre->push_back(h.transpose(1, 2));
    if (post != nullptr) post->push_back(a.transpose(1, 2));
    h = a;
  }
  if (weights_.size() > 1) h = torch::baddbmm(biases_.back().unsqueeze(2), weights_.back(), h);
  return h.transpose(1, 2);
}

}  // namespace actbench::model
