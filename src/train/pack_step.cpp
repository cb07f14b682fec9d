// A pack's training step by hand (see pack_step.hpp). Per chunk of members, features-major values
// [Kc, units, B]: forward z_l = W_l h_(l-1) + b_l, h_l = f(z_l); then back, with delta the loss's
// gradient with respect to z: dW_l = delta_l h_(l-1)^T, db_l = sum over B of delta_l,
// delta_(l-1) = (W_l^T delta_l) * f'(z_(l-1)), f' being the activation's own derivative() (the
// values autograd gives, kinks included).
#include "train/pack_step.hpp"

#include <torch/torch.h>

#include <algorithm>

namespace actbench::train {

namespace {

// Bytes of one layer's values per chunk: small enough that a chunk's forward values stay in cache
// between the forward and the backward pass.
constexpr int64_t kChunkBytes = 256 * 1024;

}  // namespace

PackStepResult pack_loss_and_gradients(model::PackedMlp& pack, const PackBatch& batch,
                                       bool regression) {
  torch::NoGradGuard no_grad;
  const int64_t k_members = pack.members();
  const size_t layers = pack.num_linear();
  const int64_t b = batch.shared ? batch.inputs.size(0) : batch.inputs.size(1);
  int64_t widest = 1;
  for (size_t l = 0; l < layers; ++l) widest = std::max(widest, pack.weight(l).size(1));
  const int64_t chunk =
      std::clamp<int64_t>(kChunkBytes / std::max<int64_t>(widest * b * 4, 1), 1, k_members);

  std::vector<torch::Tensor> grad_w(layers), grad_b(layers);
  for (size_t l = 0; l < layers; ++l) {
    grad_w[l] = torch::empty_like(pack.weight(l));
    grad_b[l] = torch::empty_like(pack.bias(l));
  }
  torch::Tensor losses = torch::empty({k_members}, pack.weight(0).options());
  torch::Tensor correct =
      regression ? torch::Tensor()
                 : torch::empty({k_members}, pack.weight(0).options().dtype(torch::kInt64));
  const torch::Tensor shared_x = batch.shared ? batch.inputs.flatten(1) : torch::Tensor();

  std::vector<torch::Tensor> z(layers), h(layers);  // per layer, this chunk's values [Kc, n, B]
  for (int64_t k0 = 0; k0 < k_members; k0 += chunk) {
    const int64_t k1 = std::min(k_members, k0 + chunk), kc = k1 - k0;
    auto w = [&](size_t l) { return pack.weight(l).slice(0, k0, k1); };
    auto bias = [&](size_t l) { return pack.bias(l).slice(0, k0, k1).unsqueeze(2); };

    // Forward. The input, features-major: [Kc, in, B] (shared: [in, B] for one GEMM).
    torch::Tensor input =
        batch.shared ? torch::Tensor() : batch.inputs.slice(0, k0, k1).flatten(2).transpose(1, 2);
    for (size_t l = 0; l < layers; ++l) {
      const torch::Tensor wl = w(l);
      if (l == 0 && batch.shared) {
        z[l] = torch::addmm(pack.bias(0).slice(0, k0, k1).reshape({-1, 1}),
                            wl.reshape({kc * wl.size(1), wl.size(2)}), shared_x.t())
                   .view({kc, wl.size(1), b});
      } else {
        z[l] = torch::baddbmm(bias(l), wl, l == 0 ? input : h[l - 1]);
      }
      if (l + 1 < layers) h[l] = pack.activation(l).forward(z[l]);
    }

    // The loss and its gradient with respect to the output z (features-major [Kc, O, B]).
    const torch::Tensor& out = z[layers - 1];
    torch::Tensor delta;
    if (regression) {
      torch::Tensor target = batch.shared ? batch.targets.t().unsqueeze(0)
                                          : batch.targets.slice(0, k0, k1).transpose(1, 2);
      const torch::Tensor diff = out - target;
      losses.slice(0, k0, k1).copy_(diff.pow(2).mean({1, 2}));
      delta = diff * (2.0 / static_cast<double>(diff.size(1) * b));
    } else {
      const torch::Tensor labels = batch.shared ? batch.targets.unsqueeze(0).expand({kc, b})
                                                : batch.targets.slice(0, k0, k1);
      const torch::Tensor log_p = torch::log_softmax(out, 1);
      const torch::Tensor picked = log_p.gather(1, labels.unsqueeze(1));  // [Kc, 1, B]
      losses.slice(0, k0, k1).copy_(-picked.mean({1, 2}));
      correct.slice(0, k0, k1).copy_(out.argmax(1).eq(labels).sum(1));
      delta = log_p.exp();
      delta.scatter_add_(1, labels.unsqueeze(1), torch::full({kc, 1, b}, -1.0, delta.options()));
      delta.mul_(1.0 / static_cast<double>(b));
    }

    // Backward, layer by layer, into this chunk's slices of the gradients.
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
      delta =
          torch::bmm(w(l).transpose(1, 2), delta).mul_(pack.activation(l - 1).derivative(z[l - 1]));
    }
  }
  for (size_t l = 0; l < layers; ++l) {
    pack.weight(l).mutable_grad() = grad_w[l];
    pack.bias(l).mutable_grad() = grad_b[l];
  }
  return {losses, correct};
}

}  // namespace actbench::train
