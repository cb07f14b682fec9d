// The training loop, once, for K members (a run alone is K = 1): epochs and steps, the batch rule
// (data.batch_size 0, or at least the training set's size, is the whole set in its stored order;
// otherwise each member's own seeded permutation), each member's learning-rate schedule,
// divergence (a NaN, infinite or above-threshold loss ends that member with status `diverged`; the
// others go on), records at initialisation, after every train.eval_every epochs and every
// probes.every_steps steps, interrupts, and the results. An Engine (engine.hpp) computes the steps.
#pragma once

#include <vector>

#include "config/run_spec.hpp"
#include "data/dataset.hpp"
#include "train/engine.hpp"
#include "train/trainer.hpp"

namespace actbench::train {

struct Member {
  const config::RunSpec* spec = nullptr;
  std::vector<TrainingObserver*> observers;
};

// `datasets` holds one dataset shared by every member, or one per member (data drawn from each
// run's seed). The members must agree on what the loop shares (task, epochs, batch sizes, record
// cadence, probes, clipping); what may differ is read per member (seed, schedule, learning rate,
// divergence threshold, data order).
std::vector<TrainResult> run_training_loop(Engine& engine, const std::vector<Member>& members,
                                           const std::vector<const data::Dataset*>& datasets,
                                           const at::Device& device);

}  // namespace actbench::train
