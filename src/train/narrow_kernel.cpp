// The loops of the pack engine's narrow path (see narrow_kernel.hpp). Each loop runs over the
// contiguous sample dimension so that the compiler vectorises it; a block of samples at a time
// keeps a layer's rows in L1 while every weight of the layer passes over them. The bodies are
// written once (always inlined) and compiled twice: for AVX2 + FMA, and for the baseline x86-64
// (SSE2) the binary is built for, so the binary still runs on any x86-64; which one runs is decided
// once.
#include "train/narrow_kernel.hpp"

#include <algorithm>

namespace actbench::train::narrow {

namespace {

#define ACTBENCH_ALWAYS_INLINE inline __attribute__((always_inline))

// Samples per block: a block of each input row and the output row (1 KB each) stay in L1 while the
// layer's weights pass over them.
constexpr int64_t kBlock = 256;
// Independent partial sums of a reduction over samples: enough vector registers in flight to hide
// the latency of the fused multiply-add (4 AVX2 registers of 8 floats).
constexpr int kLanes = 32;

template <ActivationKind Kind>
ACTBENCH_ALWAYS_INLINE float activate_as(const InlineActivation& f, float z) {
  // Written so that NaN passes through as in LibTorch's kernels (a comparison with NaN is false).
  if constexpr (Kind == ActivationKind::kRelu) return z < 0.0F ? 0.0F : z;
  if constexpr (Kind == ActivationKind::kLeakyRelu) return z > 0.0F ? z : z * f.slope;
  if constexpr (Kind == ActivationKind::kClamp)
    return z < f.low ? f.low : (z > f.high ? f.high : z);
  return z;
}

// grad times f'(z), as autograd's backward formulas write it (threshold_backward,
// leaky_relu_backward, hardtanh_backward): at a kink the derivative is the flat side's.
template <ActivationKind Kind>
ACTBENCH_ALWAYS_INLINE float chain(const InlineActivation& f, float z, float grad) {
  if constexpr (Kind == ActivationKind::kRelu) return z <= 0.0F ? 0.0F : grad;
  if constexpr (Kind == ActivationKind::kLeakyRelu) return z > 0.0F ? grad : grad * f.slope;
  if constexpr (Kind == ActivationKind::kClamp) return (z <= f.low || z >= f.high) ? 0.0F : grad;
  return grad;
}

// A layer of `In` inputs (Lu et al.'s widths) in one pass over the samples: every input row and
// the outputs stream once, instead of a pass per input. The same operations in the same order as
// the general loop below, so both round alike.
template <ActivationKind Kind, int In>
ACTBENCH_ALWAYS_INLINE void forward_fixed(const float* w, const float* b, const float* a,
                                          int64_t out, int64_t batch, const InlineActivation& f,
                                          float* z, float* h) {
  for (int64_t o = 0; o < out; ++o) {
    float weight[In];
    const float* rows[In];
    for (int j = 0; j < In; ++j) {
      weight[j] = w[o * In + j];
      rows[j] = a + j * batch;
    }
    const float bias = b[o];
    float* __restrict z_row = z + o * batch;
    if (Kind != ActivationKind::kLibTorch && h != nullptr) {
      float* __restrict h_row = h + o * batch;
      for (int64_t t = 0; t < batch; ++t) {
        float v = weight[0] * rows[0][t];
        for (int j = 1; j < In; ++j) v += weight[j] * rows[j][t];
        v += bias;
        z_row[t] = v;
        h_row[t] = activate_as<Kind>(f, v);
      }
    } else {
      for (int64_t t = 0; t < batch; ++t) {
        float v = weight[0] * rows[0][t];
        for (int j = 1; j < In; ++j) v += weight[j] * rows[j][t];
        z_row[t] = v + bias;
      }
    }
  }
}

// The rows are accumulated in place, starting from the first product: a separate accumulator
// array cost a memset and a memcpy per row (rep stos / rep movs, slow at 1 KB).
template <ActivationKind Kind>
ACTBENCH_ALWAYS_INLINE void forward_as(const float* w, const float* b, const float* a, int64_t out,
                                       int64_t in, int64_t batch, const InlineActivation& f,
                                       float* z, float* h) {
  switch (in) {
    case 1:
      return forward_fixed<Kind, 1>(w, b, a, out, batch, f, z, h);
    case 2:
      return forward_fixed<Kind, 2>(w, b, a, out, batch, f, z, h);
    case 3:
      return forward_fixed<Kind, 3>(w, b, a, out, batch, f, z, h);
    case 4:
      return forward_fixed<Kind, 4>(w, b, a, out, batch, f, z, h);
    default:
      break;
  }
  for (int64_t i0 = 0; i0 < batch; i0 += kBlock) {
    const int64_t n = std::min(kBlock, batch - i0);
    for (int64_t o = 0; o < out; ++o) {
      float* __restrict z_row = z + o * batch + i0;
      // The products first, the bias last: the order of a GEMM kernel computing bias + W a
      // (addmm, the solo engine's layer), so that narrow layers often round as they do alone.
      {
        const float weight = w[o * in];
        const float* __restrict row = a + i0;
        for (int64_t t = 0; t < n; ++t) z_row[t] = weight * row[t];
      }
      for (int64_t j = 1; j < in; ++j) {
        const float weight = w[o * in + j];
        const float* __restrict row = a + j * batch + i0;
        for (int64_t t = 0; t < n; ++t) z_row[t] += weight * row[t];
      }
      const float bias = b[o];
      if constexpr (Kind != ActivationKind::kLibTorch) {
        if (h != nullptr) {
          float* __restrict h_row = h + o * batch + i0;
          for (int64_t t = 0; t < n; ++t) {
            const float v = z_row[t] + bias;
            z_row[t] = v;
            h_row[t] = activate_as<Kind>(f, v);
          }
          continue;
        }
      }
      for (int64_t t = 0; t < n; ++t) z_row[t] += bias;
    }
  }
}

// Sum over i of x[i] * y[i] (y null: of x[i]) in kLanes partial sums, added pairwise at the end.
// The partial sums start from the first kLanes terms (zeroing them first compiled to a rep stos).
ACTBENCH_ALWAYS_INLINE float lane_dot(const float* __restrict x, const float* __restrict y,
                                      int64_t n) {
  float acc[kLanes];
  int64_t i = 0;
  if (n < kLanes) {
    for (int t = 0; t < kLanes; ++t) acc[t] = 0.0F;
  } else if (y != nullptr) {
    for (int t = 0; t < kLanes; ++t) acc[t] = x[t] * y[t];
    i = kLanes;
  } else {
    for (int t = 0; t < kLanes; ++t) acc[t] = x[t];
    i = kLanes;
  }
  if (y != nullptr) {
    for (; i + kLanes <= n; i += kLanes)
      for (int t = 0; t < kLanes; ++t) acc[t] += x[i + t] * y[i + t];
    for (int t = 0; i < n; ++i, ++t) acc[t] += x[i] * y[i];
  } else {
    for (; i + kLanes <= n; i += kLanes)
      for (int t = 0; t < kLanes; ++t) acc[t] += x[i + t];
    for (int t = 0; i < n; ++i, ++t) acc[t] += x[i];
  }
  for (int width = kLanes / 2; width > 0; width /= 2)
    for (int t = 0; t < width; ++t) acc[t] += acc[t + width];
  return acc[0];
}

// dW and db of a layer of `In` inputs in one pass over the samples, each sum in the kLanes partial
// sums of lane_dot, in its order (so both round alike). Needs batch >= kLanes.
template <int In>
ACTBENCH_ALWAYS_INLINE void weight_gradients_fixed(const float* d, const float* a, int64_t out,
                                                   int64_t batch, float* dw, float* db) {
  for (int64_t o = 0; o < out; ++o) {
    const float* __restrict x = d + o * batch;
    const float* rows[In];
    for (int j = 0; j < In; ++j) rows[j] = a + j * batch;
    float bias_acc[kLanes];
    float acc[In][kLanes];
    for (int t = 0; t < kLanes; ++t) {
      bias_acc[t] = x[t];
      for (int j = 0; j < In; ++j) acc[j][t] = x[t] * rows[j][t];
    }
    int64_t i = kLanes;
    for (; i + kLanes <= batch; i += kLanes) {
      for (int t = 0; t < kLanes; ++t) {
        const float v = x[i + t];
        bias_acc[t] += v;
        for (int j = 0; j < In; ++j) acc[j][t] += v * rows[j][i + t];
      }
    }
    for (int t = 0; i < batch; ++i, ++t) {
      bias_acc[t] += x[i];
      for (int j = 0; j < In; ++j) acc[j][t] += x[i] * rows[j][i];
    }
    for (int width = kLanes / 2; width > 0; width /= 2) {
      for (int t = 0; t < width; ++t) {
        bias_acc[t] += bias_acc[t + width];
        for (int j = 0; j < In; ++j) acc[j][t] += acc[j][t + width];
      }
    }
    db[o] = bias_acc[0];
    for (int j = 0; j < In; ++j) dw[o * In + j] = acc[j][0];
  }
}

ACTBENCH_ALWAYS_INLINE void weight_gradients_body(const float* d, const float* a, int64_t out,
                                                  int64_t in, int64_t batch, float* dw, float* db) {
  if (batch >= kLanes && in == 1) return weight_gradients_fixed<1>(d, a, out, batch, dw, db);
  if (batch >= kLanes && in == 2) return weight_gradients_fixed<2>(d, a, out, batch, dw, db);
  for (int64_t o = 0; o < out; ++o) {
    const float* d_row = d + o * batch;
    db[o] = lane_dot(d_row, nullptr, batch);
    for (int64_t j = 0; j < in; ++j) dw[o * in + j] = lane_dot(d_row, a + j * batch, batch);
  }
}

// s = W^T d for a layer of `Out` outputs in one pass over the samples per input; the order of the
// general loop below.
template <ActivationKind Kind, int Out>
ACTBENCH_ALWAYS_INLINE void back_propagate_fixed(const float* w, const float* d, int64_t in,
                                                 int64_t batch, const float* z,
                                                 const InlineActivation& f, float* s) {
  const float* rows[Out];
  for (int o = 0; o < Out; ++o) rows[o] = d + o * batch;
  for (int64_t j = 0; j < in; ++j) {
    float weight[Out];
    for (int o = 0; o < Out; ++o) weight[o] = w[o * in + j];
    float* __restrict s_row = s + j * batch;
    for (int64_t t = 0; t < batch; ++t) {
      float v = weight[0] * rows[0][t];
      for (int o = 1; o < Out; ++o) v += weight[o] * rows[o][t];
      s_row[t] = v;
    }
    // A pass of its own: fused into the loop above, GCC no longer vectorised it (a branch per
    // sample instead of a blend).
    if constexpr (Kind != ActivationKind::kLibTorch && Kind != ActivationKind::kIdentity) {
      const float* __restrict z_row = z + j * batch;
      for (int64_t t = 0; t < batch; ++t) s_row[t] = chain<Kind>(f, z_row[t], s_row[t]);
    }
  }
}

template <ActivationKind Kind>
ACTBENCH_ALWAYS_INLINE void back_propagate_as(const float* w, const float* d, int64_t out,
                                              int64_t in, int64_t batch, const float* z,
                                              const InlineActivation& f, float* s) {
  switch (out) {
    case 1:
      return back_propagate_fixed<Kind, 1>(w, d, in, batch, z, f, s);
    case 2:
      return back_propagate_fixed<Kind, 2>(w, d, in, batch, z, f, s);
    case 3:
      return back_propagate_fixed<Kind, 3>(w, d, in, batch, z, f, s);
    case 4:
      return back_propagate_fixed<Kind, 4>(w, d, in, batch, z, f, s);
    default:
      break;
  }
  for (int64_t i0 = 0; i0 < batch; i0 += kBlock) {
    const int64_t n = std::min(kBlock, batch - i0);
    for (int64_t j = 0; j < in; ++j) {
      float* __restrict s_row = s + j * batch + i0;
      {
        const float weight = w[j];
        const float* __restrict row = d + i0;
        for (int64_t t = 0; t < n; ++t) s_row[t] = weight * row[t];
      }
      for (int64_t o = 1; o < out; ++o) {
        const float weight = w[o * in + j];
        const float* __restrict row = d + o * batch + i0;
        for (int64_t t = 0; t < n; ++t) s_row[t] += weight * row[t];
      }
      if constexpr (Kind != ActivationKind::kLibTorch && Kind != ActivationKind::kIdentity) {
        const float* __restrict z_row = z + j * batch + i0;
        for (int64_t t = 0; t < n; ++t) s_row[t] = chain<Kind>(f, z_row[t], s_row[t]);
      }
    }
  }
}

ACTBENCH_ALWAYS_INLINE void forward_body(const float* w, const float* b, const float* a,
                                         int64_t out, int64_t in, int64_t batch,
                                         const InlineActivation& f, float* z, float* h) {
  switch (f.kind) {
    case ActivationKind::kIdentity:
      return forward_as<ActivationKind::kIdentity>(w, b, a, out, in, batch, f, z, h);
    case ActivationKind::kRelu:
      return forward_as<ActivationKind::kRelu>(w, b, a, out, in, batch, f, z, h);
    case ActivationKind::kLeakyRelu:
      return forward_as<ActivationKind::kLeakyRelu>(w, b, a, out, in, batch, f, z, h);
    case ActivationKind::kClamp:
      return forward_as<ActivationKind::kClamp>(w, b, a, out, in, batch, f, z, h);
    case ActivationKind::kLibTorch:
      break;
  }
  forward_as<ActivationKind::kLibTorch>(w, b, a, out, in, batch, f, z, h);
}

ACTBENCH_ALWAYS_INLINE void back_propagate_body(const float* w, const float* d, int64_t out,
                                                int64_t in, int64_t batch, const float* z,
                                                const InlineActivation& f, float* s) {
  switch (f.kind) {
    case ActivationKind::kRelu:
      return back_propagate_as<ActivationKind::kRelu>(w, d, out, in, batch, z, f, s);
    case ActivationKind::kLeakyRelu:
      return back_propagate_as<ActivationKind::kLeakyRelu>(w, d, out, in, batch, z, f, s);
    case ActivationKind::kClamp:
      return back_propagate_as<ActivationKind::kClamp>(w, d, out, in, batch, z, f, s);
    case ActivationKind::kIdentity:
    case ActivationKind::kLibTorch:
      break;
  }
  back_propagate_as<ActivationKind::kLibTorch>(w, d, out, in, batch, z, f, s);
}

struct Loops {
  void (*forward)(const float*, const float*, const float*, int64_t, int64_t, int64_t,
                  const InlineActivation&, float*, float*);
  void (*weight_gradients)(const float*, const float*, int64_t, int64_t, int64_t, float*, float*);
  void (*back_propagate)(const float*, const float*, int64_t, int64_t, int64_t, const float*,
                         const InlineActivation&, float*);
};

void forward_baseline(const float* w, const float* b, const float* a, int64_t out, int64_t in,
                      int64_t batch, const InlineActivation& f, float* z, float* h) {
  forward_body(w, b, a, out, in, batch, f, z, h);
}
void weight_gradients_baseline(const float* d, const float* a, int64_t out, int64_t in,
                               int64_t batch, float* dw, float* db) {
  weight_gradients_body(d, a, out, in, batch, dw, db);
}
void back_propagate_baseline(const float* w, const float* d, int64_t out, int64_t in, int64_t batch,
                             const float* z, const InlineActivation& f, float* s) {
  back_propagate_body(w, d, out, in, batch, z, f, s);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define ACTBENCH_HAS_AVX2_LOOPS 1
#define ACTBENCH_AVX2 __attribute__((target("avx2,fma")))
ACTBENCH_AVX2 void forward_avx2(const float* w, const float* b, const float* a, int64_t out,
                                int64_t in, int64_t batch, const InlineActivation& f, float* z,
                                float* h) {
  forward_body(w, b, a, out, in, batch, f, z, h);
}
ACTBENCH_AVX2 void weight_gradients_avx2(const float* d, const float* a, int64_t out, int64_t in,
                                         int64_t batch, float* dw, float* db) {
  weight_gradients_body(d, a, out, in, batch, dw, db);
}
ACTBENCH_AVX2 void back_propagate_avx2(const float* w, const float* d, int64_t out, int64_t in,
                                       int64_t batch, const float* z, const InlineActivation& f,
                                       float* s) {
  back_propagate_body(w, d, out, in, batch, z, f, s);
}
#endif

Loops choose_loops() {
#ifdef ACTBENCH_HAS_AVX2_LOOPS
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return Loops{forward_avx2, weight_gradients_avx2, back_propagate_avx2};
#endif
  return Loops{forward_baseline, weight_gradients_baseline, back_propagate_baseline};
}

const Loops& loops() {
  static const Loops chosen = choose_loops();
  return chosen;
}

}  // namespace

float activate(const InlineActivation& f, float z) {
  switch (f.kind) {
    case ActivationKind::kRelu:
      return activate_as<ActivationKind::kRelu>(f, z);
    case ActivationKind::kLeakyRelu:
      return activate_as<ActivationKind::kLeakyRelu>(f, z);
    case ActivationKind::kClamp:
      return activate_as<ActivationKind::kClamp>(f, z);
    case ActivationKind::kIdentity:
    case ActivationKind::kLibTorch:
      break;
  }
  return z;
}

float derivative(const InlineActivation& f, float z) {
  switch (f.kind) {
    case ActivationKind::kRelu:
      return chain<ActivationKind::kRelu>(f, z, 1.0F);
    case ActivationKind::kLeakyRelu:
      return chain<ActivationKind::kLeakyRelu>(f, z, 1.0F);
    case ActivationKind::kClamp:
      return chain<ActivationKind::kClamp>(f, z, 1.0F);
    case ActivationKind::kIdentity:
    case ActivationKind::kLibTorch:
      break;
  }
  return 1.0F;
}

void forward(const float* w, const float* b, const float* a, int64_t out, int64_t in, int64_t batch,
             const InlineActivation& f, float* z, float* h) {
  loops().forward(w, b, a, out, in, batch, f, z, h);
}

void weight_gradients(const float* d, const float* a, int64_t out, int64_t in, int64_t batch,
                      float* dw, float* db) {
  loops().weight_gradients(d, a, out, in, batch, dw, db);
}

void back_propagate(const float* w, const float* d, int64_t out, int64_t in, int64_t batch,
                    const float* z, const InlineActivation& f, float* s) {
  loops().back_propagate(w, d, out, in, batch, z, f, s);
}

}  // namespace actbench::train::narrow
