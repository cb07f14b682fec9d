// Trains a pack: K members as one batched model (model/packed_mlp.hpp), through the training loop
// every run goes through (training_loop.hpp) with the pack engine (pack_engine.hpp). Each member
// keeps its own data order, hyper-parameters and divergence: a member whose loss turns NaN,
// infinite or above its threshold is recorded as diverged at its own step and frozen, while the
// others go on. Every member gets the records, TrainResult and observer calls a run alone gets.
#pragma once

#include <vector>

#include "data/dataset.hpp"
#include "model/packed_mlp.hpp"
#include "train/training_loop.hpp"

namespace actbench::train {

// `datasets` holds one dataset shared by every member, or one per member (data drawn from each
// run's seed).
std::vector<TrainResult> train_pack(const std::vector<Member>& members, model::PackedMlp& pack,
                                    const std::vector<const data::Dataset*>& datasets,
                                    const at::Device& device);

}  // namespace actbench::train
