// One training step's arithmetic for a pack, without autograd: every member's loss and the
// gradients of all stacked parameters, written into their .grad. Members are taken a chunk at a
// time, a chunk being as many members as keep one layer's values within a few hundred kilobytes:
// a step of 1,000 narrow nets then runs in cache instead of streaming every layer's [K, width, B]
// values through memory several times, as autograd over the whole pack does (bench/README.md).
#pragma once

#include <ATen/core/Tensor.h>

#include "model/packed_mlp.hpp"

namespace actbench::train {

struct PackBatch {
  at::Tensor inputs;  // [B, ...] shared by every member, or [K, B, ...]
  bool shared = false;
  at::Tensor targets;  // [B] / [B, O] shared, or [K, B] / [K, B, O]
};

struct PackStepResult {
  at::Tensor losses;   // [K], each member's mean loss over its batch
  at::Tensor correct;  // [K] int64 correct predictions (classification); undefined for regression
};

// Back-propagates each member's mean loss over its batch, so that each member's gradients are
// those of its own run alone.
PackStepResult pack_loss_and_gradients(model::PackedMlp& pack, const PackBatch& batch,
                                       bool regression);

}  // namespace actbench::train
