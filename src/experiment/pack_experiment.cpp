// Packs at the run level (see pack.hpp): the pack key, the pack file, and execute_pack(), which
// builds each member exactly as execute_run() would (same seed, same code: the same initial
// tensors), trains them together, and writes each member's run directory through run_files.hpp.
#include <fmt/format.h>
#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "core/files.hpp"
#include "core/runtime.hpp"
#include "experiment/pack.hpp"
#include "experiment/run_files.hpp"
#include "model/packed_mlp.hpp"
#include "train/pack_trainer.hpp"

namespace actbench::experiment {

using nlohmann::ordered_json;

std::string pack_key(const config::RunSpec& spec) {
  config::RunSpec key = spec;
  const config::RunSpec defaults;
  key.name = defaults.name;
  key.seed = 0;
  key.model.init = defaults.model.init;
  key.model.bias_init = defaults.model.bias_init;
  const std::string schedule = key.optim.schedule.name;
  key.optim = config::OptimSpec{};
  key.optim.name = spec.optim.name;
  key.optim.nesterov = spec.optim.nesterov;
  key.optim.clip_grad_norm = spec.optim.clip_grad_norm;
  key.optim.schedule.name = schedule;
  key.train.divergence_threshold = defaults.train.divergence_threshold;
  key.train.threads = defaults.train.threads;
  key.train.progress = defaults.train.progress;
  key.output = defaults.output;
  return config::to_json(key).dump();
}

std::string pack_obstacle(const PreparedRun& prepared) {
  const config::RunSpec& spec = prepared.spec;
  if (spec.probes.enabled && spec.probes.every_steps > 0 &&
      spec.probes.step_source == "train_batch")
    return "probes.step_source train_batch: the batch meter watches one network";
  return model::pack_obstacle(spec.model, prepared.plan);
}

std::vector<RunOutcome> execute_pack(std::vector<PackMemberRun> members,
                                     const PackOptions& options) {
  if (members.empty()) return {};
  const config::RunSpec& first = members.front().prepared.spec;
  const std::string key = pack_key(first);
  for (const auto& m : members) {
    const std::string why = pack_obstacle(m.prepared);
    if (!why.empty())
      throw ConfigError(m.prepared.spec.location_of("model"), "this run cannot be packed: " + why);
    if (pack_key(m.prepared.spec) != key)
      throw ConfigError(SourceLocation{m.prepared.spec.config_file, 0, 0},
                        "the runs of a pack must share their structure, and this one differs from "
                        "the first member",
                        "only seed, init, lr, momentum, weight decay, betas, eps, alpha, the "
                        "schedule's parameters and the divergence threshold may differ");
  }
  const torch::Device device = parse_device(first);
  core::set_compute_threads(options.threads > 0 ? options.threads
                                                : static_cast<int>(first.train.threads));

  // Data before any directory exists. Data drawn from the run's seed is loaded per member.
  const data::DatasetEntry& entry =
      data::dataset_entry(first.data.dataset, first.location_of("data.dataset"));
  std::vector<data::Dataset> datasets;
  if (entry.seeded) {
    for (const auto& m : members) datasets.push_back(load_run_dataset(m.prepared.spec));
  } else {
    datasets.push_back(load_run_dataset(first));
  }
  std::vector<const data::Dataset*> dataset_views;
  for (const auto& d : datasets) dataset_views.push_back(&d);

  const auto k_members = static_cast<int64_t>(members.size());
  torch::manual_seed(static_cast<uint64_t>(first.seed));
  model::Network view =
      model::build_network(members.front().prepared.plan, first.model, torch::kCPU);
  model::PackedMlp pack(k_members, *view);

  struct Open {
    store::RunDirectory directory;
    ordered_json meta;
    std::unique_ptr<store::MetricsRecorder> metrics;
  };
  std::vector<Open> open;
  const std::string start_time = core::utc_now_iso8601();
  const std::vector<std::string> names = layer_names(*view);
  for (int64_t k = 0; k < k_members; ++k) {
    const PreparedRun& prepared = members[k].prepared;
    // Exactly what execute_run does before training: seed, then build on the CPU.
    torch::manual_seed(static_cast<uint64_t>(prepared.spec.seed));
    std::vector<std::string> init_report;
    model::Network network =
        model::build_network(prepared.plan, prepared.spec.model, torch::kCPU, &init_report);
    pack.set_member(k, *network);
    int64_t parameters = 0;
    for (const auto& p : network->parameters()) parameters += p.numel();
    RunOptions run_options;
    run_options.command_line = options.command_line;
    ordered_json meta = meta_json(prepared, datasets[entry.seeded ? k : 0], init_report,
                                  run_options, start_time, parameters);
    meta["pack"] = {{"id", options.pack_id}, {"size", k_members}, {"index", k}};
    store::RunDirectory directory = store::RunDirectory::create_at(members[k].run_dir);
    write_run_start(prepared.spec, directory, meta);
    open.push_back(Open{std::move(directory), std::move(meta), nullptr});
  }
  for (auto& o : open) o.metrics = std::make_unique<store::MetricsRecorder>(o.directory, names);
  view->to(device);

  std::vector<train::PackMember> pack_members;
  for (int64_t k = 0; k < k_members; ++k)
    pack_members.push_back({&members[k].prepared.spec, {open[k].metrics.get()}});

  std::vector<train::TrainResult> results;
  try {
    results = train::train_pack(pack_members, pack, *view, dataset_views, device);
  } catch (const std::exception& error) {
    for (auto& o : open) write_run_failure(o.directory, o.meta, error.what());
    throw;
  }

  std::vector<RunOutcome> outcomes;
  for (int64_t k = 0; k < k_members; ++k) {
    Open& o = open[k];
    try {
      if (o.metrics->has_unwritten_rows()) o.metrics->flush();
      pack.copy_member_to(k, *view);
      const ordered_json summary =
          write_run_end(members[k].prepared.spec, results[k], *view, datasets[entry.seeded ? k : 0],
                        o.directory, o.meta);
      outcomes.push_back(RunOutcome{o.directory.path(), results[k].status, summary});
    } catch (const std::exception& error) {
      write_run_failure(o.directory, o.meta, error.what());
      throw;
    }
    if (options.console) {
      fmt::print(options.out, "{} {}: {}\n", o.directory.path().string(),
                 core::to_string(results[k].status), results[k].reason);
    }
  }
  return outcomes;
}

void write_pack_file(const std::filesystem::path& file,
                     const std::vector<std::pair<std::filesystem::path, std::filesystem::path>>&
                         config_and_run_dir) {
  nlohmann::json members = nlohmann::json::array();
  for (const auto& [config, run_dir] : config_and_run_dir)
    members.push_back({{"config", config.string()}, {"run_dir", run_dir.string()}});
  core::write_file_atomic(file, nlohmann::json{{"members", members}}.dump(1) + "\n");
}

std::vector<PackMemberRun> read_pack_file(const std::filesystem::path& file) {
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(core::read_file(file));
  } catch (const nlohmann::json::exception& error) {
    throw ConfigError(SourceLocation{file.string(), 0, 0},
                      fmt::format("not a pack file: {}", error.what()));
  }
  if (!parsed.is_object() || !parsed.contains("members") || !parsed["members"].is_array())
    throw ConfigError(SourceLocation{file.string(), 0, 0},
                      "a pack file holds {\"members\": [...]}");
  std::vector<PackMemberRun> members;
  for (const auto& m : parsed["members"]) {
    if (!m.is_object() || !m.contains("config") || !m.contains("run_dir") ||
        !m["config"].is_string() || !m["run_dir"].is_string())
      throw ConfigError(SourceLocation{file.string(), 0, 0},
                        "each pack member is {\"config\": FILE, \"run_dir\": DIR}");
    members.push_back(PackMemberRun{prepare_run(m["config"].get<std::string>(), {}),
                                    std::filesystem::path(m["run_dir"].get<std::string>())});
  }
  return members;
}

}  // namespace actbench::experiment
