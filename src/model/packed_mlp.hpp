// A pack: K MLPs of one architecture held as one batched model. Every parameter of the members is
// stacked along a leading member dimension (weights [K, out, in], biases [K, out]), so one batched
// matmul computes a layer for all members. Members are built one by one as solo networks (same
// seed, same code, so the same tensors as a run alone) and copied into their slice; a solo network
// of the same shape serves as the "view" through which a member is probed, evaluated and saved.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "model/network.hpp"

namespace actbench::model {

// Why networks of this plan cannot be trained as a pack, or "" when they can. Packs hold MLPs whose
// hidden layers are a linear map and a parameter-free, deterministic, one-piece activation.
std::string pack_obstacle(const config::ModelSpec& spec, const ModelPlan& plan);

class PackedMlp {
 public:
  // `view` fixes the architecture and lends its activation modules to the pack (they hold no
  // parameters, so one module serves every member). It must outlive the pack.
  PackedMlp(int64_t members, NetworkImpl& view);

  int64_t members() const { return members_; }
  size_t num_hidden() const { return weights_.size() - 1; }
  // Copies a solo network's parameters into member k's slice.
  void set_member(int64_t k, NetworkImpl& network);
  // Copies member k's parameters into a solo network of the same shape.
  void copy_member_to(int64_t k, NetworkImpl& network) const;
  void to(const at::Device& device);

  // x: [B, ...] fed to every member (`shared`), or [K, B, ...] one batch per member. Returns
  // [K, B, outputs]. `pre` and `post`, when given, receive each hidden layer's pre- and
  // post-activation [K, B, units].
  at::Tensor forward(const at::Tensor& x, bool shared, std::vector<at::Tensor>* pre = nullptr,
                     std::vector<at::Tensor>* post = nullptr);

  // Weights and biases, layer by layer (the output layer last), each [K, ...], requiring gradients.
  std::vector<at::Tensor> parameters() const;
  const at::Tensor& hidden_weight(size_t layer) const { return weights_[layer]; }
  // Every linear layer, the output layer last: weight [K, out, in], bias [K, out].
  size_t num_linear() const { return weights_.size(); }
  const at::Tensor& weight(size_t layer) const { return weights_[layer]; }
  const at::Tensor& bias(size_t layer) const { return biases_[layer]; }
  Activation& activation(size_t hidden_layer) { return view_.activation(hidden_layer); }

 private:
  int64_t members_;
  NetworkImpl& view_;
  std::vector<at::Tensor> weights_, biases_;  // hidden layers, then the output layer
};

}  // namespace actbench::model
