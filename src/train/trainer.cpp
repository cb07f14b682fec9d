// Training a run alone (see trainer.hpp): the one training loop with the solo engine.
#include "train/trainer.hpp"

#include <torch/torch.h>

#include "train/solo_engine.hpp"
#include "train/training_loop.hpp"

namespace actbench::train {

TrainResult train(const config::RunSpec& spec, model::NetworkImpl& network,
                  const data::Dataset& dataset, const torch::Device& device,
                  const std::vector<TrainingObserver*>& observers) {
  SoloEngine engine(spec, network);
  return run_training_loop(engine, {Member{&spec, observers}}, {&dataset}, device).front();
}

}  // namespace actbench::train
