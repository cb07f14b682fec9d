// The loops of the pack engine's narrow path (pack_engine.cpp): one member's linear layer forward
// and backward on raw float32 arrays, values features-major ([units, B], the B samples of a unit
// contiguous), for packs whose layers are all narrow (Lu et al.'s width-2 nets). At that width a
// LibTorch call costs far more than its arithmetic, so these loops replace the per-layer operators
// of a step; the activations they can compute themselves are fused into them (InlineActivation),
// the others stay one LibTorch call per layer and chunk of members. No LibTorch here: the loops
// are compiled for AVX2 + FMA where the CPU has them, chosen once at start-up.
#pragma once

#include <cstdint>

namespace actbench::train::narrow {

// An activation the loops compute themselves, bit for bit as LibTorch's kernel and its autograd
// formula do (PackEngine checks that on a grid of values before trusting it), or kLibTorch: the
// loops leave f and f' to the Activation module.
enum class ActivationKind { kLibTorch, kIdentity, kRelu, kLeakyRelu, kClamp };

struct InlineActivation {
  ActivationKind kind = ActivationKind::kLibTorch;
  float slope = 0.0F;  // kLeakyRelu: f(z) = slope * z and f'(z) = slope for z <= 0
  float low = 0.0F;    // kClamp (hard_tanh, relu6): f(z) = min(max(z, low), high),
  float high = 0.0F;   //   f'(z) = 1 strictly between low and high, else 0 (autograd's choice)
};

// f(z) and autograd's f'(z) of an inline activation, one value (the reference the loops follow).
float activate(const InlineActivation& f, float z);
float derivative(const InlineActivation& f, float z);

// z = W a + b for one member: w [out, in] row-major, b [out], a [in, batch], z [out, batch]. When
// f is inline, h [out, batch] receives f(z) too (h may be null for the output layer).
void forward(const float* w, const float* b, const float* a, int64_t out, int64_t in, int64_t batch,
             const InlineActivation& f, float* z, float* h);

// dW = d a^T and db = d summed over the batch: d [out, batch], a [in, batch], dw [out, in], db
// [out].
void weight_gradients(const float* d, const float* a, int64_t out, int64_t in, int64_t batch,
                      float* dw, float* db);

// s = W^T d, times f'(z) when f is inline (z: the layer below's pre-activations [in, batch]):
// the loss's gradient with respect to the layer below's pre-activations. s [in, batch].
void back_propagate(const float* w, const float* d, int64_t out, int64_t in, int64_t batch,
                    const float* z, const InlineActivation& f, float* s);

}  // namespace actbench::train::narrow
