// The dying-ReLU study's collapse measurement (Lu, Su and Karniadakis 2018; Lu et al. 2019): deep
// narrow ReLU nets trained on regression targets as packs, read back per run from the sweeps'
// databases: collapsed (output constant over the test inputs, decided by the trainer), born dead
// (some hidden layer dead on every probe input at step 0, from the probe records) and constant at
// initialisation (each run's initial network rebuilt from its config and seed, as the run built
// it, and its output compared with the collapse rule). Each target gets seeds of its own, so the
// targets' runs are independent draws; the depth sweep has its own seeds too.
#include <fmt/format.h>
#include <torch/torch.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <utility>

#include "core/seeding.hpp"
#include "experiment/experiment.hpp"
#include "experiment/run_files.hpp"
#include "study/dying_relu.hpp"
#include "study/study_support.hpp"
#include "train/task.hpp"

namespace actbench::study {
namespace {

// Quick mode trains on fewer points and for half the steps of the config's 1,000 points and
// 2,000 steps, so that the whole study stays within 20 minutes on 2 cores; --full runs the
// config's sizes. The README prints the sizes that were used.
constexpr int64_t kQuickTrials = 200, kFullTrials = 1000;
constexpr int64_t kQuickPoints = 200, kQuickSteps = 1000;

// The width sweep runs once per target, each with seeds from its own offset, and the depth sweep
// from another: no two targets (or sweeps) share an initialisation. The offsets leave room for
// --full's 1,000 trials plus --until-decided's added seeds.
struct CollapseTarget {
  const char* target;
  int64_t dims;
  int64_t seed_offset;
};
constexpr CollapseTarget kCollapseTargets[] = {
    {"abs", 1, 0}, {"xsin5x", 1, 100000}, {"sum_abs", 2, 200000}};
constexpr int64_t kDepthSeedOffset = 300000;

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

// Run id -> whether the run's output at initialisation is constant over the test inputs by the
// collapse rule (train/task.hpp's kCollapseRatio). The initial network is rebuilt as the run built
// it: its config (the sweep's configs/<run id>.yaml), torch::manual_seed(seed), then build_network
// on the CPU (execute_run and packs
// do exactly that). One dataset and plan per (target, width, depth, init) cell: only the seed
// differs between its runs.
std::map<std::string, bool> constant_at_init(const std::filesystem::path& sweep_dir,
                                             const std::vector<store::RunRow>& rows) {
  std::map<std::string, bool> out;
  std::map<std::string, std::pair<experiment::PreparedRun, data::Dataset>> prepared;
  torch::NoGradGuard no_grad;
  for (const auto& row : rows) {
    const auto config = nlohmann::json::parse(row.config_json);
    nlohmann::json cell_key = config;
    cell_key.erase("seed");
    cell_key.erase("name");
    const std::string key = cell_key.dump();
    auto found = prepared.find(key);
    if (found == prepared.end()) {
      experiment::PreparedRun run =
          experiment::prepare_run((sweep_dir / "configs" / (row.run_id + ".yaml")).string(), {});
      data::Dataset dataset = experiment::load_run_dataset(run.spec);
      found = prepared.emplace(key, std::make_pair(std::move(run), std::move(dataset))).first;
    }
    const auto& [run, dataset] = found->second;
    core::seed_init_generator(row.seed);
    model::Network network = model::build_network(run.plan, run.spec.model, torch::kCPU);
    network->eval();
    const at::Tensor outputs = network->forward(dataset.test.images).to(torch::kFloat64);
    const at::Tensor targets = dataset.test.labels.to(torch::kFloat64);
    const at::Tensor output_std = outputs.std(0, /*unbiased=*/false);
    const at::Tensor target_std = targets.std(0, /*unbiased=*/false);
    out[row.run_id] = (output_std < train::kCollapseRatio * target_std).all().item<bool>();
  }
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
  m.trials_per_cell = (options.full ? kFullTrials : kQuickTrials) + options.added_seeds;
  std::vector<std::string> sizes;
  if (!options.full) {
    sizes.push_back(fmt::format("data.function.n_train={}", kQuickPoints));
    sizes.push_back(fmt::format("data.function.n_test={}", kQuickPoints));
    sizes.push_back(fmt::format("train.epochs={}", kQuickSteps));
    sizes.push_back(fmt::format("train.eval_every={}", kQuickSteps));
  }
  // The sweep's seed axis is the plan's; run_sweep_file adds options.added_seeds after it.
  auto seeds = [&](int64_t offset) {
    const int64_t base = options.full ? kFullTrials : kQuickTrials;
    return fmt::format("seed={}..{}", offset, offset + base - 1);
  };
  struct Sweep {
    std::string file;
    std::filesystem::path directory;
    std::vector<std::string> overrides;
  };
  std::vector<Sweep> sweeps;
  for (const auto& t : kCollapseTargets) {
    std::vector<std::string> o = sizes;
    o.push_back(fmt::format("data.function.target={}", t.target));
    o.push_back(fmt::format("data.function.dims={}", t.dims));
    o.push_back(seeds(t.seed_offset));
    sweeps.push_back({"experiments/dying_relu_collapse.yaml",
                      out / fmt::format("collapse_width_{}", t.target), o});
  }
  {
    std::vector<std::string> o = sizes;
    o.push_back(seeds(kDepthSeedOffset));
    sweeps.push_back({"experiments/dying_relu_collapse_depth.yaml", out / "collapse_depth", o});
  }
  // Both inits of a (width, depth) share a pack: 2 x trials members, at most 1,000.
  const int64_t pack = std::min<int64_t>(2 * m.trials_per_cell, 1000);
  using Key = std::tuple<std::string, int64_t, int64_t, std::string>;
  std::map<Key, size_t> index;
  for (const auto& sweep : sweeps) {
    const auto sweep_dir =
        run_sweep_file(options, sweep.file, sweep.overrides, sweep.directory, pack);
    const std::set<std::string> born_dead = born_dead_runs(sweep_dir);
    const std::vector<store::RunRow> rows = read_runs(sweep_dir);
    std::vector<store::RunRow> finished;
    for (const auto& row : rows)
      if (row.status == core::RunStatus::kCompleted && row.collapsed) finished.push_back(row);
    fmt::print(options.log, "collapse: initial outputs of {} runs in {}\n", finished.size(),
               sweep_dir.filename().string());
    const std::map<std::string, bool> constant = constant_at_init(sweep_dir, finished);
    for (const auto& row : rows) {
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
      const bool flat = constant.at(row.run_id);
      if (dead && !flat) ++m.born_dead_not_constant;
      cell.collapsed += *row.collapsed ? 1 : 0;
      cell.born_dead += dead ? 1 : 0;
      cell.constant_at_init += !dead && flat ? 1 : 0;
      cell.died_in_training += !dead && !flat && *row.collapsed ? 1 : 0;
    }
  }
  return m;
}

}  // namespace actbench::study
