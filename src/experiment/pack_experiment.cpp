// Packs at the run level (see pack.hpp): the pack key (an allow-list of what may differ between
// members), why a run cannot be packed, and the pack file. Training a pack is execute.cpp's, the
// path a run alone takes too.
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "core/files.hpp"
#include "experiment/pack.hpp"
#include "experiment/run_files.hpp"
#include "model/packed_mlp.hpp"

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
