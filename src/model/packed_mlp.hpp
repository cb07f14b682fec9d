// A pack: K MLPs of one architecture held as one batched model. Every parameter of the members is
// stacked along a leading member dimension (weights [K, out, in], biases [K, out]), so one batched
// matmul computes a layer for all members. Members are built one by one as solo networks (same
// seed, same code, so the same tensors as a run alone) and copied into their slice. Each member
// has a "view": a solo network of the same shape with the member's own activations, through which
// it is probed, evaluated and saved, and whose activation modules the pack applies to the member's
// slice. Members may differ in activation (a mixed pack); consecutive members with one view form
// a span that one call of its activation computes.
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
  // Member k's view is member_views[k] (the same view may serve many members: activation modules
  // hold no parameters). Every view has the same layer shapes; the views must outlive the pack.
  explicit PackedMlp(std::vector<NetworkImpl*> member_views);
  // K members sharing one view (one activation).
  PackedMlp(int64_t members, NetworkImpl& view);

  int64_t members() const { return members_; }
  size_t num_hidden() const { return weights_.size() - 1; }
  NetworkImpl& view(int64_t k) const { return *views_[static_cast<size_t>(k)]; }
  // Copies a solo network's parameters into member k's slice.
  void set_member(int64_t k, NetworkImpl& network);
  // Copies member k's parameters into a solo network of the same shape.
  void copy_member_to(int64_t k, NetworkImpl& network) const;
  void to(const at::Device& device);

  // x: [B, ...] fed to every member (`shared`), or [K, B, ...] one batch per member. Returns
  // [K, B, outputs].
  at::Tensor forward(const at::Tensor& x, bool shared);

  // The forward pass of members [k0, k1), features-major (a layer's values are [Kc, units, B], so
  // the long sample dimension is the contiguous one: for narrow layers such as Lu et al.'s width
  // 2 this halves a step's time against [K, B, units]). `x` as in forward(), all K members' when
  // not shared. z[l]: layer l's pre-activations (z.back(): the outputs); h[l] = f_l(z[l]) for the
  // hidden layers.
  void forward_members(int64_t k0, int64_t k1, const at::Tensor& x, bool shared,
                       std::vector<at::Tensor>& z, std::vector<at::Tensor>& h) const;
  // The outputs [k1 - k0, B, outputs] of members [k0, k1), keeping no layer's values but the
  // current one's (evaluation: a chunk of members at a time stays in cache, and memory stays
  // small).
  at::Tensor forward_outputs(int64_t k0, int64_t k1, const at::Tensor& x, bool shared) const;
  // Hidden layer l's activation, and its derivative (the activation's own derivative(): the values
  // autograd gives, kinks included), on pre-activations z [k1 - k0, ...] of members [k0, k1).
  at::Tensor activate(size_t layer, int64_t k0, int64_t k1, const at::Tensor& z) const;
  at::Tensor activation_derivative(size_t layer, int64_t k0, int64_t k1, const at::Tensor& z) const;

  // Weights and biases, layer by layer (the output layer last), each [K, ...], requiring gradients.
  std::vector<at::Tensor> parameters() const;
  const at::Tensor& hidden_weight(size_t layer) const { return weights_[layer]; }
  // Every linear layer, the output layer last: weight [K, out, in], bias [K, out].
  size_t num_linear() const { return weights_.size(); }
  const at::Tensor& weight(size_t layer) const { return weights_[layer]; }
  const at::Tensor& bias(size_t layer) const { return biases_[layer]; }

  // Consecutive members with one view (one set of activation modules), in member order.
  struct Span {
    int64_t begin, end;  // members [begin, end) share `view`
    NetworkImpl* view;
  };
  const std::vector<Span>& spans() const { return spans_; }

 private:
  // f (derivative false) or f' of hidden layer l over members [k0, k1), span by span.
  at::Tensor apply(size_t layer, int64_t k0, int64_t k1, const at::Tensor& z,
                   bool derivative) const;

  int64_t members_;
  std::vector<NetworkImpl*> views_;
  std::vector<Span> spans_;
  std::vector<at::Tensor> weights_, biases_;  // hidden layers, then the output layer
};

}  // namespace actbench::model
