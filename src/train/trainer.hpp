// Training a run alone, and what every training run reports: its records (at initialisation, after
// every train.eval_every epochs, optionally every N steps), its progress, and its result. The loop
// itself is training_loop.hpp, shared with packs; a run alone is its K = 1 case with the
// SoloEngine. Observers receive every record; the console table and the run directory are two
// such observers.
#pragma once

#include <torch/optim/optimizer.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "config/run_spec.hpp"
#include "core/run_status.hpp"
#include "data/dataset.hpp"
#include "model/network.hpp"
#include "probe/probes.hpp"
#include "train/task.hpp"

namespace actbench::train {

struct LayerRecord {
  probe::LayerProbe probe;
  probe::GradNormMeter::Value weight_grad;  // over the steps since the previous record
};

struct Record {
  int64_t epoch = 0;  // 0: at initialisation
  int64_t step = 0;   // optimiser steps so far
  bool end_of_epoch = true;
  double lr = 0.0;
  // Training loss and accuracy averaged over the epoch's batches (NaN at epoch 0 and for step
  // records). Losses are the task's: cross-entropy, or for regression the MSE (accuracies NaN).
  double train_loss = 0.0, train_accuracy = 0.0;
  double test_loss = 0.0, test_accuracy = 0.0;  // NaN for step records
  // Image data (the dataset's psnr_peak > 0): PSNR in dB of train_loss and test_loss as MSEs, see
  // psnr() in task.hpp; NaN otherwise, and where those losses are NaN.
  double train_psnr = std::numeric_limits<double>::quiet_NaN();
  double test_psnr = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0.0;             // wall time since training started
  std::vector<LayerRecord> layers;  // empty when probes are off
};

struct Progress {
  int64_t epoch = 0, epochs = 0;
  int64_t batch = 0, batches = 0;
  double loss = 0.0;
  double samples_per_second = 0.0;
};

class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void on_record(const Record& record) = 0;
  virtual void on_progress(const Progress& /*progress*/) {}
};

struct TrainResult {
  core::RunStatus status = core::RunStatus::kCompleted;  // or kDiverged, kInterrupted
  std::string reason;                                    // for diverged and interrupted
  int64_t diverged_step = -1;
  int64_t epochs_completed = 0;
  int64_t steps = 0;
  double seconds = 0.0;
  std::vector<Record> records;
};

// Fills the record's PSNR fields from its losses for a dataset with this psnr_peak (0: none).
void set_psnr(Record& record, double psnr_peak);

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const config::OptimSpec& spec,
                                                        std::vector<torch::Tensor> parameters);

// Learning rate at 0-based optimiser step `step` of `total_steps` (schedule and warm-up).
double scheduled_lr(const config::OptimSpec& spec, int64_t step, int64_t steps_per_epoch,
                    int64_t total_steps);

// Trains `network` (already on `device`) on `dataset` (on any device; moved as needed): the
// training loop (training_loop.hpp) with the solo engine.
TrainResult train(const config::RunSpec& spec, model::NetworkImpl& network,
                  const data::Dataset& dataset, const torch::Device& device,
                  const std::vector<TrainingObserver*>& observers);

}  // namespace actbench::train
