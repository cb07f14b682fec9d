// The CLI's listing and checking commands (see commands.hpp); runs themselves are in experiment/.
#include "app/commands.hpp"

#include <fmt/format.h>

#include "core/strings.hpp"

namespace actbench::app {

std::string validate_report(const PreparedRun& prepared, bool print_resolved) {
  if (print_resolved) return config::to_yaml(prepared.spec);
  std::vector<std::string> activations;
  for (const auto& layer : prepared.plan.hidden)
    activations.push_back(layer.info.name + ":" + layer.info.activation);
  return fmt::format("ok: {} — {} {} on {}, init {}, {} lr {} for {} epochs\n  layers: {}\n",
                     prepared.spec.config_file.empty() ? "<defaults>" : prepared.spec.config_file,
                     prepared.spec.model.type, prepared.plan.summary, prepared.spec.data.dataset,
                     prepared.plan.init.entry->name, prepared.spec.optim.name,
                     prepared.spec.optim.lr, prepared.spec.train.epochs,
                     core::join(activations, ", "));
}

std::string datasets_table() {
  std::string out =
      "| dataset | task | shape | classes or outputs | mean | std | description |\n"
      "|---|---|---|---:|---|---|---|\n";
  for (const data::DatasetEntry* entry : data::DatasetRegistry::instance().entries()) {
    std::vector<std::string> mean, std;
    for (double m : entry->mean) mean.push_back(fmt::format("{:.4f}", m));
    for (double s : entry->std) std.push_back(fmt::format("{:.4f}", s));
    out += fmt::format("| {} | {} | {}x{}x{} | {} | {} | {} | {} |\n", entry->name, entry->task,
                       entry->shape.channels, entry->shape.height, entry->shape.width,
                       entry->shape.num_classes, core::join(mean, " "), core::join(std, " "),
                       entry->description);
  }
  return out;
}

}  // namespace actbench::app
