// Registers the dying-ReLU study and runs its three layers in order: measure (born dead, then the
// training sweeps), decide, write. See dying_relu.hpp for which file holds which layer.
#include "study/dying_relu.hpp"

#include "study/study.hpp"

namespace actbench::study {
namespace {

std::filesystem::path run_dying_relu(const StudyOptions& options) {
  const BornDeadMeasurements born_dead = measure_born_dead(options);
  const CollapseMeasurements collapse = measure_collapse(options);
  const TrainingMeasurements training = measure_training(options);
  return write_dying_relu(options, born_dead, collapse, training, decide_born_dead(born_dead),
                          decide_collapse(collapse), decide_training(training));
}

}  // namespace

ACTBENCH_REGISTER_STUDY(dying_relu) {
  StudyEntry entry;
  entry.name = "dying_relu";
  entry.description =
      "born-dead probability vs 1-(1-2^-w)^L, RAI and biases; collapse of deep narrow nets, He vs "
      "RAI (Lu et al. 2018, 2019); dying during training under SGD, momentum and Adam, "
      "structural vs numerical death, revival";
  entry.command = "actbench study dying_relu";
  // Born-dead trials, collapse seeds and the training sweeps' seeds all grow with added_seeds.
  entry.grows_seeds = true;
  entry.run = run_dying_relu;
  return entry;
}

}  // namespace actbench::study
