// Trains a pack (see pack_trainer.hpp): the one training loop with the pack engine.
#include "train/pack_trainer.hpp"

#include "train/pack_engine.hpp"

namespace actbench::train {

std::vector<TrainResult> train_pack(const std::vector<Member>& members, model::PackedMlp& pack,
                                    const std::vector<const data::Dataset*>& datasets,
                                    const at::Device& device) {
  std::vector<const config::RunSpec*> specs;
  for (const Member& m : members) specs.push_back(m.spec);
  pack.to(device);
  PackEngine engine(specs, pack);
  return run_training_loop(engine, members, datasets, device);
}

}  // namespace actbench::train
