// The activation zoo's measuring layer: every activation in the registry on MNIST and
// Fashion-MNIST, MLP and CNN, plus a deep narrow MLP (20 x 64) where the differences grow. Five
// sweeps (experiments/activation_zoo_*.yaml) run through the normal sweep machinery (which grows
// their seeds under --until-decided); this file gathers their runs per activation for
// decide_zoo (activation_zoo_decide.cpp) and write_zoo (activation_zoo_write.cpp).
#include "study/activation_zoo.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/sweep_report.hpp"
#include "store/results_db.hpp"
#include "study/study.hpp"
#include "study/study_support.hpp"
#include "study/zoo_statistics.hpp"

namespace actbench::study {
namespace {

struct ZooSweep {
  std::string key;    // directory and sweep-file suffix
  std::string title;  // column heading
  std::vector<std::string> full_overrides;
};

// --full: every training and test image, 3 epochs (the base configs' own budget).
const std::vector<std::string> kFullSize{"data.train_subset=0", "data.test_subset=0",
                                         "train.epochs=3"};

const std::vector<ZooSweep>& zoo_sweeps() {
  static const std::vector<ZooSweep> sweeps{
      {"mnist", "MNIST MLP", kFullSize},
      {"fashion_mnist", "Fashion MLP", kFullSize},
      {"mnist_cnn", "MNIST CNN", kFullSize},
      {"fashion_mnist_cnn", "Fashion CNN", kFullSize},
      {"deep_narrow", "MNIST deep narrow MLP (20 x 64)", kFullSize},
  };
  return sweeps;
}

// "leaky_relu(negative_slope=0.01)" -> "leaky_relu": rows are matched across sweeps by name.
std::string activation_name(const std::string& label) { return label.substr(0, label.find('(')); }

std::filesystem::path run_zoo(const StudyOptions& options) {
  const auto out = output_dir(options, "activation_zoo");
  ZooMeasurements m;
  m.full = options.full;
  for (const auto& sweep : zoo_sweeps()) {
    ZooSweepResult result;
    result.setting.key = sweep.key;
    result.setting.title = sweep.title;
    // run_sweep_file grows the seed axis by options.added_seeds.
    result.directory = run_sweep_file(
        options, "experiments/activation_zoo_" + sweep.key + ".yaml",
        options.full ? sweep.full_overrides : std::vector<std::string>{}, out / sweep.key);
    report::Report loaded = report::load_report(result.directory, {"model.activation"});
    add_zoo_baseline(loaded);
    report::add_figures(loaded, store::ResultsDb(result.directory / "results.db"));
    for (const auto& figure : loaded.figures)
      write_text(result.directory / "plots" / (figure.name + ".svg"), figure.svg);
    // Every column: the study's record keeps the dead fractions and gradient norms per layer.
    result.table = report::render(loaded, "md", {}, report::ColumnChoice{{"all"}});
    for (const auto& group : loaded.groups) {
      result.setting.activations.push_back(activation_name(group.key_values.at(0)));
      result.setting.accuracies.push_back(group.values);
      result.setting.runs.push_back(group.runs);
      result.setting.diverged.push_back(group.diverged);
    }
    for (const auto& run : read_runs(result.directory)) {
      if (std::find(result.seeds.begin(), result.seeds.end(), run.seed) == result.seeds.end())
        result.seeds.push_back(run.seed);
      // The baseline's resolved config: what every activation shares (sine's init aside).
      const auto activation = run.params.find("model.activation");
      if (result.config_json.empty() ||
          (activation != run.params.end() && activation_name(activation->second) == "relu"))
        result.config_json = run.config_json;
    }
    std::sort(result.seeds.begin(), result.seeds.end());
    result.report = std::move(loaded);
    m.sweeps.push_back(std::move(result));
  }
  std::map<std::string, ZooSetting> settings;
  for (const auto& sweep : m.sweeps) settings[sweep.setting.key] = sweep.setting;
  const std::vector<ClaimResult> claims = decide_zoo(settings);
  write_verdicts(out / "verdicts.json", "activation_zoo", options.full ? "full" : "quick", claims);
  return write_zoo(out, m, claims);
}

}  // namespace

ACTBENCH_REGISTER_STUDY(activation_zoo) {
  StudyEntry entry;
  entry.name = "activation_zoo";
  entry.aliases = {"zoo"};
  entry.description =
      "every activation on MNIST and Fashion-MNIST, MLP and CNN, 3 seeds, plus a deep narrow MLP";
  entry.command = "actbench study activation_zoo";
  entry.run = run_zoo;
  entry.grows_seeds = true;
  return entry;
}

}  // namespace actbench::study
