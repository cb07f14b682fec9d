// The one execute path of a run and of a pack (see run_files.hpp): a run alone is a list of one
// member trained by the solo engine, a pack is K members trained by the pack engine, and
// everything around the training (data before any directory exists, each member built from its
// own seed exactly as a run alone builds it, its run directory and meta.json, its metrics, the end
// files, the failure record) is written once, here, for both.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <map>
#include <memory>
#include <stdexcept>

#include "core/runtime.hpp"
#include "core/seeding.hpp"
#include "experiment/pack.hpp"
#include "experiment/run_files.hpp"
#include "model/packed_mlp.hpp"
#include "store/run_directory.hpp"
#include "train/console.hpp"
#include "train/pack_engine.hpp"
#include "train/solo_engine.hpp"
#include "train/training_loop.hpp"

namespace actbench::experiment {

using nlohmann::ordered_json;

namespace {

// A member's run directory from the moment it exists: its meta.json as written so far and its
// metrics recorder (which keeps a reference to the directory, so these never move once made).
struct OpenMember {
  store::RunDirectory directory;
  ordered_json meta;
  std::unique_ptr<store::MetricsRecorder> metrics;
};

void check_packable(const std::vector<PackMemberRun>& members) {
  const std::string key = pack_key(members.front().prepared.spec);
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
}

// The pack's view networks: one per distinct model section without its initialisers (members
// that share it share its activation modules, which hold no parameters), built as the first
// member with that model builds its network.
std::map<std::string, model::Network> build_views(const std::vector<PackMemberRun>& members,
                                                  std::vector<model::NetworkImpl*>& member_views) {
  std::map<std::string, model::Network> views;
  for (const auto& m : members) {
    ordered_json model_json = config::to_json(m.prepared.spec).at("model");
    model_json.erase("init");
    model_json.erase("bias_init");
    const std::string model_key = model_json.dump();
    auto found = views.find(model_key);
    if (found == views.end()) {
      core::seed_init_generator(m.prepared.spec.seed);
      found = views
                  .emplace(model_key, model::build_network(m.prepared.plan, m.prepared.spec.model,
                                                           torch::kCPU))
                  .first;
    }
    member_views.push_back(found->second.get());
  }
  return views;
}

}  // namespace

std::vector<RunOutcome> execute_members(std::vector<PackMemberRun> members,
                                        const ExecuteOptions& options) {
  if (members.empty()) return {};
  const bool packed = options.packed;
  if (!packed && members.size() != 1)
    throw std::logic_error("execute_members: a run alone has one member; more are a pack");
  if (packed) check_packable(members);
  const config::RunSpec& first = members.front().prepared.spec;
  const torch::Device device = parse_device(first);
  core::set_compute_threads(options.run.threads > 0 ? options.run.threads
                                                    : static_cast<int>(first.train.threads));
  const auto k_members = static_cast<int64_t>(members.size());

  // Data first: a missing file must fail before a run directory exists. Data drawn from a run's
  // seed (a function dataset's points) is loaded per member.
  const data::DatasetEntry& entry =
      data::dataset_entry(first.data.dataset, first.location_of("data.dataset"));
  std::vector<data::Dataset> datasets;
  if (entry.seeded && k_members > 1) {
    for (const auto& m : members) datasets.push_back(load_run_dataset(m.prepared.spec));
  } else {
    datasets.push_back(load_run_dataset(first));
  }
  const auto dataset_of = [&](int64_t k) -> data::Dataset& {
    return datasets[datasets.size() == 1 ? 0 : static_cast<size_t>(k)];
  };

  // The networks. Alone: the member's network, built on its device, is what trains. In a pack:
  // each member is built on the CPU and copied into the pack's stacked tensors, and its view
  // network (shared by the members with its activations) evaluates, probes and saves it.
  std::vector<model::NetworkImpl*> member_views;
  std::map<std::string, model::Network> views;
  std::unique_ptr<model::PackedMlp> pack;
  if (packed) {
    views = build_views(members, member_views);
    pack = std::make_unique<model::PackedMlp>(member_views);
  }
  model::Network solo_network{nullptr};

  std::vector<OpenMember> open;
  open.reserve(members.size());
  const std::string start_time = core::utc_now_iso8601();
  for (int64_t k = 0; k < k_members; ++k) {
    const PackMemberRun& member = members[static_cast<size_t>(k)];
    const PreparedRun& prepared = member.prepared;
    // Seeded, then built: the same initial tensors alone and packed.
    core::seed_init_generator(prepared.spec.seed);
    std::vector<std::string> init_report;
    model::Network network =
        model::build_network(prepared.plan, prepared.spec.model,
                             packed ? torch::Device(torch::kCPU) : device, &init_report);
    int64_t parameters = 0;
    for (const auto& p : network->parameters()) parameters += p.numel();
    if (packed) {
      pack->set_member(k, *network);
    } else {
      solo_network = network;
    }
    store::RunDirectory directory = member.run_dir.empty()
                                        ? store::RunDirectory::create(prepared.spec)
                                        : store::RunDirectory::create_at(member.run_dir);
    ordered_json meta =
        meta_json(prepared, dataset_of(k), init_report, options.run, start_time, parameters);
    if (packed) meta["pack"] = {{"id", options.pack_id}, {"size", k_members}, {"index", k}};
    spdlog::debug("run: start {} ({} on {}, seed {}, {} threads)", directory.path().string(),
                  prepared.plan.summary, dataset_of(k).name, prepared.spec.seed,
                  core::compute_threads());
    open.push_back(OpenMember{std::move(directory), std::move(meta), nullptr});
  }
  // The network that holds member k's weights at the end (a pack copies them into its view).
  const auto network_of = [&](int64_t k) -> model::NetworkImpl& {
    return packed ? pack->view(k) : *solo_network;
  };

  std::vector<train::TrainResult> results;
  std::unique_ptr<train::ConsoleReporter> console;
  try {
    for (int64_t k = 0; k < k_members; ++k) {
      OpenMember& o = open[static_cast<size_t>(k)];
      write_run_start(members[static_cast<size_t>(k)].prepared.spec, o.directory, o.meta);
      o.metrics = std::make_unique<store::MetricsRecorder>(o.directory, layer_names(network_of(k)));
    }
    std::vector<train::Member> loop_members;
    for (int64_t k = 0; k < k_members; ++k)
      loop_members.push_back({&members[static_cast<size_t>(k)].prepared.spec,
                              {open[static_cast<size_t>(k)].metrics.get()}});
    if (!packed && options.run.console) {
      const PreparedRun& prepared = members.front().prepared;
      fmt::print(options.run.out, "run {}: {} on {} ({} train / {} test), {} parameters, {}\n",
                 open.front().directory.path().string(), prepared.plan.summary,
                 datasets.front().name, datasets.front().train.size(), datasets.front().test.size(),
                 open.front().meta["model"]["parameters"].get<int64_t>(),
                 prepared.spec.model.activation.name);
      console = std::make_unique<train::ConsoleReporter>(
          layer_names(*solo_network), prepared.spec.train.progress, options.run.out);
      loop_members.front().observers.push_back(console.get());
    }
    std::vector<const data::Dataset*> dataset_views;
    for (const auto& d : datasets) dataset_views.push_back(&d);

    // The one training loop, with the engine that fits: autograd and LibTorch's optimisers for a
    // run alone (any architecture), the batched by-hand passes for a pack.
    std::unique_ptr<train::Engine> engine;
    if (packed) {
      for (auto& [key, view] : views) view->to(device);
      pack->to(device);
      std::vector<const config::RunSpec*> specs;
      for (const auto& m : members) specs.push_back(&m.prepared.spec);
      engine = std::make_unique<train::PackEngine>(specs, *pack);
    } else {
      engine = std::make_unique<train::SoloEngine>(first, *solo_network);
    }
    results = train::run_training_loop(*engine, loop_members, dataset_views, device);
  } catch (const std::exception& error) {
    for (auto& o : open) write_run_failure(o.directory, o.meta, error.what());
    throw;
  }

  std::vector<RunOutcome> outcomes;
  for (int64_t k = 0; k < k_members; ++k) {
    OpenMember& o = open[static_cast<size_t>(k)];
    const PackMemberRun& member = members[static_cast<size_t>(k)];
    const train::TrainResult& result = results[static_cast<size_t>(k)];
    ordered_json summary;
    try {
      if (o.metrics->has_unwritten_rows()) o.metrics->flush();
      if (packed) pack->copy_member_to(k, network_of(k));
      summary = write_run_end(member.prepared.spec, result, network_of(k), dataset_of(k),
                              o.directory, o.meta);
    } catch (const std::exception& error) {
      write_run_failure(o.directory, o.meta, error.what());
      throw;
    }
    outcomes.push_back(RunOutcome{o.directory.path(), result.status, summary});
    if (packed && options.member_lines) {
      fmt::print(options.run.out, "{} {}: {}\n", o.directory.path().string(),
                 core::to_string(result.status), result.reason);
    }
    if (!packed && options.run.console) {
      if (result.status != core::RunStatus::kCompleted)
        fmt::print(options.run.out, "status: {} ({})\n", core::to_string(result.status),
                   result.reason);
      fmt::print(options.run.out, "\n{}",
                 result_table(summary, fmt::format("{} ({})", member.prepared.spec.name,
                                                   member.prepared.plan.summary)));
      fmt::print(options.run.out, "\nresults in {}\n", o.directory.path().string());
    }
  }
  return outcomes;
}

RunOutcome execute_run(PreparedRun prepared, const RunOptions& options) {
  std::vector<PackMemberRun> members;
  members.push_back(PackMemberRun{std::move(prepared), options.run_dir});
  ExecuteOptions execute;
  execute.run = options;
  return execute_members(std::move(members), execute).front();
}

std::vector<RunOutcome> execute_pack(std::vector<PackMemberRun> members,
                                     const PackOptions& options) {
  ExecuteOptions execute;
  execute.run.command_line = options.command_line;
  execute.run.threads = options.threads;
  execute.run.out = options.out;
  execute.run.console = false;
  execute.packed = true;
  execute.pack_id = options.pack_id;
  execute.member_lines = options.console;
  return execute_members(std::move(members), execute);
}

}  // namespace actbench::experiment
