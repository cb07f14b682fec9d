// Packs at the run level (see pack.hpp): the pack key, the pack file, and execute_pack(), which
// builds each member exactly as execute_run() would (same seed, same code: the same initial
// tensors), trains them together, and writes each member's run directory through run_files.hpp.
#include <fmt/format.h>
#include <torch/torch.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "core/files.hpp"
#include "core/runtime.hpp"
#include "core/seeding.hpp"
#include "experiment/pack.hpp"
#include "experiment/run_files.hpp"
#include "model/packed_mlp.hpp"
#include "train/pack_trainer.hpp"

namespace actbench::experiment {

using nlohmann::ordered_json;

namespace {

// What may differ between the members of a pack: each entry names a key and resets it to its
// default, so that everything not listed here (a key added later included) stays part of the pack
// key and must be equal. The pack engine reads each of these per member: the initialisers build
// each member alone, the activations are applied span by span (PackedMlp), the packed optimiser
// holds one value per member, the loop keeps a schedule, a threshold and a data order per member.
struct PerMemberKey {
  const char* name;
  void (*reset)(config::RunSpec& spec, const config::RunSpec& defaults);
};

const std::vector<PerMemberKey>& per_member_keys() {
  using config::RunSpec;
  static const std::vector<PerMemberKey> keys{
      {"name", [](RunSpec& s, const RunSpec& d) { s.name = d.name; }},
      {"seed", [](RunSpec& s, const RunSpec& d) { s.seed = d.seed; }},
      {"model.activation",
       [](RunSpec& s, const RunSpec& d) { s.model.activation = d.model.activation; }},
      {"model.layer_activations",
       [](RunSpec& s, const RunSpec& d) { s.model.layer_activations = d.model.layer_activations; }},
      {"model.init", [](RunSpec& s, const RunSpec& d) { s.model.init = d.model.init; }},
      {"model.bias_init",
       [](RunSpec& s, const RunSpec& d) { s.model.bias_init = d.model.bias_init; }},
      {"optim.lr", [](RunSpec& s, const RunSpec& d) { s.optim.lr = d.optim.lr; }},
      {"optim.momentum", [](RunSpec& s, const RunSpec& d) { s.optim.momentum = d.optim.momentum; }},
      {"optim.weight_decay",
       [](RunSpec& s, const RunSpec& d) { s.optim.weight_decay = d.optim.weight_decay; }},
      {"optim.beta1", [](RunSpec& s, const RunSpec& d) { s.optim.beta1 = d.optim.beta1; }},
      {"optim.beta2", [](RunSpec& s, const RunSpec& d) { s.optim.beta2 = d.optim.beta2; }},
      {"optim.eps", [](RunSpec& s, const RunSpec& d) { s.optim.eps = d.optim.eps; }},
      {"optim.alpha", [](RunSpec& s, const RunSpec& d) { s.optim.alpha = d.optim.alpha; }},
      {"optim.schedule.warmup_steps",
       [](RunSpec& s, const RunSpec& d) {
         s.optim.schedule.warmup_steps = d.optim.schedule.warmup_steps;
       }},
      {"optim.schedule.step_size",
       [](RunSpec& s, const RunSpec& d) {
         s.optim.schedule.step_size = d.optim.schedule.step_size;
       }},
      {"optim.schedule.gamma",
       [](RunSpec& s, const RunSpec& d) { s.optim.schedule.gamma = d.optim.schedule.gamma; }},
      {"optim.schedule.min_lr",
       [](RunSpec& s, const RunSpec& d) { s.optim.schedule.min_lr = d.optim.schedule.min_lr; }},
      {"train.divergence_threshold",
       [](RunSpec& s, const RunSpec& d) {
         s.train.divergence_threshold = d.train.divergence_threshold;
       }},
      // How a process runs, not what it computes.
      {"train.threads", [](RunSpec& s, const RunSpec& d) { s.train.threads = d.train.threads; }},
      {"train.progress", [](RunSpec& s, const RunSpec& d) { s.train.progress = d.train.progress; }},
      {"output", [](RunSpec& s, const RunSpec& d) { s.output = d.output; }},
  };
  return keys;
}

}  // namespace

std::string pack_key(const config::RunSpec& spec) {
  config::RunSpec key = spec;
  const config::RunSpec defaults;
  for (const PerMemberKey& k : per_member_keys()) k.reset(key, defaults);
  return config::to_json(key).dump();
}

std::string per_member_key_list() {
  std::string list;
  for (const PerMemberKey& k : per_member_keys())
    list += (list.empty() ? "" : ", ") + std::string(k.name);
  return list;
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
                        "only these keys may differ: " + per_member_key_list());
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

  // One view network per distinct activation set: members that share it share its modules.
  const auto k_members = static_cast<int64_t>(members.size());
  std::map<std::string, model::Network> views_by_activation;
  std::vector<model::NetworkImpl*> member_views;
  for (const auto& m : members) {
    // The members' models differ at most in their per-member keys; initialisation is not the
    // view's.
    ordered_json model_json = config::to_json(m.prepared.spec).at("model");
    model_json.erase("init");
    model_json.erase("bias_init");
    const std::string activations = model_json.dump();
    auto found = views_by_activation.find(activations);
    if (found == views_by_activation.end()) {
      core::seed_init_generator(m.prepared.spec.seed);
      found = views_by_activation
                  .emplace(activations, model::build_network(m.prepared.plan, m.prepared.spec.model,
                                                             torch::kCPU))
                  .first;
    }
    member_views.push_back(found->second.get());
  }
  model::PackedMlp pack(member_views);

  struct Open {
    store::RunDirectory directory;
    ordered_json meta;
    std::unique_ptr<store::MetricsRecorder> metrics;
  };
  std::vector<Open> open;
  const std::string start_time = core::utc_now_iso8601();
  for (int64_t k = 0; k < k_members; ++k) {
    const PreparedRun& prepared = members[k].prepared;
    // Exactly what execute_run does before training: seed, then build on the CPU.
    core::seed_init_generator(prepared.spec.seed);
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
  for (int64_t k = 0; k < k_members; ++k) {
    open[k].metrics =
        std::make_unique<store::MetricsRecorder>(open[k].directory, layer_names(pack.view(k)));
  }
  for (auto& [key, network] : views_by_activation) network->to(device);

  std::vector<train::Member> pack_members;
  for (int64_t k = 0; k < k_members; ++k)
    pack_members.push_back({&members[k].prepared.spec, {open[k].metrics.get()}});

  std::vector<train::TrainResult> results;
  try {
    results = train::train_pack(pack_members, pack, dataset_views, device);
  } catch (const std::exception& error) {
    for (auto& o : open) write_run_failure(o.directory, o.meta, error.what());
    throw;
  }

  std::vector<RunOutcome> outcomes;
  for (int64_t k = 0; k < k_members; ++k) {
    Open& o = open[k];
    try {
      if (o.metrics->has_unwritten_rows()) o.metrics->flush();
      model::NetworkImpl& member_view = pack.view(k);
      pack.copy_member_to(k, member_view);
      const ordered_json summary =
          write_run_end(members[k].prepared.spec, results[k], member_view,
                        datasets[entry.seeded ? k : 0], o.directory, o.meta);
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
