// The dying-ReLU study's collapse measurement (Lu, Su and Karniadakis 2018; Lu et al. 2019): deep
// narrow ReLU nets trained on regression targets as packs, read back per run from the sweeps'
// databases: collapsed (output constant over the test inputs, decided by the trainer) and born
// dead (some hidden layer dead on every probe input at step 0, from the probe records).
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <utility>

#include "study/dying_relu.hpp"
#include "study/study_support.hpp"

namespace actbench::study {
namespace {

// Quick mode trains on fewer points and for half the steps of the config's 1,000 points and
// 2,000 steps, so that the whole study stays within 20 minutes on 2 cores; --full runs the
// config's sizes. The README prints the sizes that were used.
constexpr int64_t kQuickTrials = 200, kFullTrials = 1000;
constexpr int64_t kQuickPoints = 200, kQuickSteps = 1000;

std::string target_name(const nlohmann::json& target) {
  return target.is_string() ? target.get<std::string>() : target.dump();
}

std::string init_name(const nlohmann::json& init) {
  return init.is_string() ? init.get<std::string>() : init.value("name", init.dump());
}

// run id -> born dead: some hidden layer's dead fraction is 1 at step 0.
std::set<std::string> born_dead_runs(const std::filesystem::path& sweep_dir) {
  std::set<std::string> out;
  for (const auto& row : read_metric(sweep_dir, "dead_fraction"))
    if (row.step == 0 && !row.layer.empty() && row.value >= 1.0) out.insert(row.run_id);
  return out;
}

}  // namespace

const CollapseCell* find_collapse_cell(const CollapseMeasurements& m, const std::string& target,
                                       int64_t width, int64_t depth, const std::string& init) {
  for (const auto& c : m.cells)
    if (c.target == target && c.width == width && c.depth == depth && c.init == init) return &c;
  return nullptr;
}

CollapseMeasurements measure_collapse(const StudyOptions& options) {
  const auto out = output_dir(options, "dying_relu");
  CollapseMeasurements m;
  m.trials_per_cell = options.full ? kFullTrials : kQuickTrials;
  std::vector<std::string> overrides{fmt::format("seed=0..{}", m.trials_per_cell - 1)};
  if (!options.full) {
    overrides.push_back(fmt::format("data.function.n_train={}", kQuickPoints));
    overrides.push_back(fmt::format("data.function.n_test={}", kQuickPoints));
    overrides.push_back(fmt::format("train.epochs={}", kQuickSteps));
    overrides.push_back(fmt::format("train.eval_every={}", kQuickSteps));
  }
  // Both inits of a (target, width, depth) share a pack: 2 x trials members, at most 1,000.
  const int64_t pack = std::min<int64_t>(2 * m.trials_per_cell, 1000);
  using Key = std::tuple<std::string, int64_t, int64_t, std::string>;
  std::map<Key, size_t> index;
  const std::pair<const char*, const char*> sweeps[] = {
      {"experiments/dying_relu_collapse.yaml", "collapse_width"},
      {"experiments/dying_relu_collapse_depth.yaml", "collapse_depth"}};
  for (const auto& [file, directory] : sweeps) {
    const auto sweep_dir = run_sweep_file(options, file, overrides, out / directory, pack);
    const std::set<std::string> born_dead = born_dead_runs(sweep_dir);
    for (const auto& row : read_runs(sweep_dir)) {
      const auto config = nlohmann::json::parse(row.config_json);
      const auto& hidden = config.at("model").at("hidden");
      const auto& function = config.at("data").at("function");
      CollapseCell key_cell;
      key_cell.target = target_name(function.at("target"));
      key_cell.dims = function.at("dims").get<int64_t>();
      key_cell.width = hidden.empty() ? 0 : hidden.at(0).get<int64_t>();
      key_cell.depth = static_cast<int64_t>(hidden.size());
      key_cell.init = init_name(config.at("model").at("init"));
      const Key key{key_cell.target, key_cell.width, key_cell.depth, key_cell.init};
      auto found = index.find(key);
      // The depth sweep repeats no width-sweep cell, but a user's edit might: keep the first.
      if (found == index.end()) {
        found = index.emplace(key, m.cells.size()).first;
        m.cells.push_back(key_cell);
      }
      CollapseCell& cell = m.cells[found->second];
      if (m.points == 0) {
        m.points = function.at("n_train").get<int64_t>();
        m.steps = config.at("train").at("epochs").get<int64_t>();
        m.lr = config.at("optim").at("lr").get<double>();
      }
      if (row.status != core::RunStatus::kCompleted || !row.collapsed) {
        ++cell.unfinished;
        continue;
      }
      ++cell.trials;
      const bool dead = born_dead.count(row.run_id) > 0;
      cell.born_dead += dead ? 1 : 0;
      cell.collapsed += *row.collapsed ? 1 : 0;
      cell.collapsed_not_born_dead += *row.collapsed && !dead ? 1 : 0;
    }
  }
  return m;
}

}  // namespace actbench::study
