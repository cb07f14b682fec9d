// Trains a pack: K members of one architecture as one batched model (model/packed_mlp.hpp), each
// member with its own seed-driven data order (the permutation it would draw alone), its own
// hyper-parameters and its own divergence: a member whose loss turns NaN, infinite or above its
// threshold is recorded as diverged at its own step and frozen, while the others go on. Every
// member gets the records, TrainResult and observer calls a run alone gets from train::train().
#pragma once

#include <vector>

#include "config/run_spec.hpp"
#include "data/dataset.hpp"
#include "model/packed_mlp.hpp"
#include "train/trainer.hpp"

namespace actbench::train {

struct PackMember {
  const config::RunSpec* spec = nullptr;
  std::vector<TrainingObserver*> observers;
};

// `datasets` holds one dataset shared by every member, or one per member (data drawn from each
// run's seed). `view` is a solo network of the members' shape, used to probe a member.
std::vector<TrainResult> train_pack(const std::vector<PackMember>& members, model::PackedMlp& pack,
                                    model::NetworkImpl& view,
                                    const std::vector<const data::Dataset*>& datasets,
                                    const torch::Device& device);

}  // namespace actbench::train
