// The activation zoo on real data: every activation in the registry on MNIST and Fashion-MNIST,
// MLP and CNN, 3 seeds each, plus a deep narrow MLP (20 x 64) where the differences grow. Five
// sweeps (experiments/activation_zoo_*.yaml) run through the normal sweep machinery; this study
// gathers their reports into one table of mean +- std test accuracy; its verdict comes from
// decide_zoo (activation_zoo_decide.cpp), which also writes verdicts.json.
#include "study/activation_zoo.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "report/sweep_report.hpp"
#include "store/results_db.hpp"
#include "study/claims.hpp"
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
  std::vector<std::string> names;
  // activation -> sweep key -> its group
  std::map<std::string, std::map<std::string, report::Group>> cells;
  std::map<std::string, std::string> sweep_tables;
  std::vector<report::Report> settings;
  std::vector<std::string> titles, directories;
  for (const auto& sweep : zoo_sweeps()) {
    titles.push_back(sweep.title);
    directories.push_back(sweep.key);
    const auto dir = run_sweep_file(
        options, "experiments/activation_zoo_" + sweep.key + ".yaml",
        options.full ? sweep.full_overrides : std::vector<std::string>{}, out / sweep.key);
    report::Report loaded = report::load_report(dir, {"model.activation"});
    add_zoo_baseline(loaded);
    settings.push_back(loaded);
    report::add_figures(loaded, store::ResultsDb(dir / "results.db"));
    for (const auto& figure : loaded.figures)
      write_text(dir / "plots" / (figure.name + ".svg"), figure.svg);
    sweep_tables[sweep.key] = report::render(loaded, "md");
    for (const auto& group : loaded.groups) {
      const std::string name = activation_name(group.key_values.at(0));
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      cells[name][sweep.key] = group;
    }
  }

  std::vector<std::string> header{"activation"};
  for (const auto& sweep : zoo_sweeps()) header.push_back(sweep.title);
  MarkdownTable table(header);
  std::map<std::string, std::pair<double, double>> range;  // sweep -> (worst, best) mean
  std::map<std::string, std::pair<std::string, std::string>> range_names;
  std::map<std::string, std::vector<double>> means;  // sweep -> each activation's mean accuracy
  for (const auto& name : names) {
    std::vector<std::string> row{name};
    for (const auto& sweep : zoo_sweeps()) {
      const auto found = cells[name].find(sweep.key);
      if (found == cells[name].end()) {
        row.push_back("-");
        continue;
      }
      const report::Group& g = found->second;
      // One seed has no standard deviation: "-", as in the report tables.
      std::string cell =
          g.test_accuracy.n == 0 ? "n/a"
          : g.test_accuracy.n < 2
              ? fmt::format("{:.4f} ± -", g.test_accuracy.mean)
              : fmt::format("{:.4f} ± {:.4f}", g.test_accuracy.mean, g.test_accuracy.std);
      if (g.diverged > 0) cell += fmt::format(" ({} of {} diverged)", g.diverged, g.runs);
      row.push_back(cell);
      if (g.test_accuracy.n == 0) continue;
      means[sweep.key].push_back(g.test_accuracy.mean);
      auto [it, inserted] =
          range.try_emplace(sweep.key, std::make_pair(g.test_accuracy.mean, g.test_accuracy.mean));
      if (inserted || g.test_accuracy.mean < it->second.first) {
        it->second.first = g.test_accuracy.mean;
        range_names[sweep.key].first = name;
      }
      if (inserted || g.test_accuracy.mean > it->second.second) {
        it->second.second = g.test_accuracy.mean;
        range_names[sweep.key].second = name;
      }
    }
    table.add(row);
  }
  write_text(out / "zoo.csv", table.csv());

  // Quartiles with linear interpolation: the interquartile range of the activations' means is the
  // spread that one or two failed activations (sine at chance, say) cannot dominate.
  auto quantile = zoo_quantile;
  auto iqr = [&](const std::string& key) {
    return quantile(means[key], 0.75) - quantile(means[key], 0.25);
  };
  MarkdownTable spread(
      {"setting", "best (mean)", "worst (mean)", "best - worst", "median", "interquartile range"});
  for (const auto& sweep : zoo_sweeps()) {
    const auto found = range.find(sweep.key);
    if (found == range.end()) continue;
    spread.add({sweep.title,
                fmt::format("{} {:.4f}", range_names[sweep.key].second, found->second.second),
                fmt::format("{} {:.4f}", range_names[sweep.key].first, found->second.first),
                fmt::format("{:.4f}", found->second.second - found->second.first),
                fmt::format("{:.4f}", quantile(means[sweep.key], 0.5)),
                fmt::format("{:.4f}", iqr(sweep.key))});
  }

  std::string md;
  md += "# The activation zoo on MNIST and Fashion-MNIST\n\n";
  md += fmt::format(
      "Generated by `actbench study activation_zoo{}`; rerun it to regenerate this file (the "
      "sweeps resume, so finished runs are not trained again). Every activation in the registry "
      "(`expr` aside: it is how users write new ones), 3 seeds each, test accuracy mean ± sample "
      "std over seeds. Settings, from the sweep files `experiments/activation_zoo_*.yaml`: the "
      "MLPs 784-256-256-10 with Xavier init (each activation's own gain), SGD with momentum 0.9 "
      "and cosine decay from lr 0.05; the CNN of the PyTorch examples with Kaiming init and the "
      "same optimiser at lr 0.01; the deep narrow MLP, 20 hidden layers of 64 units, at lr 0.01 "
      "(at 0.05 half the activations diverged in the first steps of both). sine is paired with "
      "its siren init, whose w0 = 30 suits Adam at lr 1e-4 (SIREN's setting), not this SGD. "
      "{}\n\n",
      options.full ? " --full" : "",
      options.full
          ? "All data, 3 epochs."
          : "**Quick size** (2 cores): the MLPs train 2 epochs on the first 10000 training "
            "images, the deep narrow MLP 3 epochs on them, the CNNs 1 epoch on the first "
            "5000; the CNNs test on the first 2000 test images, the MLPs on all 10000. "
            "`--full` trains on everything for 3 epochs.");
  md += table.str();
  md += "\n## Where the differences become large\n\n";
  md += spread.str();
  const std::vector<ClaimResult> claims = decide_zoo(means);
  md += "\n" + verdict_paragraph(claims.front());
  write_verdicts(out / "verdicts.json", "activation_zoo", options.full ? "full" : "quick", claims);
  md += zoo_aggregate_section(out, settings, titles, directories);
  md += "## Each sweep\n\n";
  for (const auto& sweep : zoo_sweeps()) {
    md += "### " + sweep.title + "\n\n";
    md += fmt::format("Sweep `{0}/`; learning curves and per-layer plots in `{0}/plots/`.\n\n",
                      sweep.key);
    md += sweep_tables[sweep.key] + "\n";
  }
  write_text(out / "README.md", md);
  return out / "README.md";
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
  return entry;
}

}  // namespace actbench::study
