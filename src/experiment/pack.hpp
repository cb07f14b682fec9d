// Packs at the run level: which runs may train together (same structure), and training them as one
// pack while each member stays a run in every other sense: its own run directory, metrics.csv,
// summary.json, weights.pt and meta.json (which records the pack: id, size, index).
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "experiment/experiment.hpp"

namespace actbench::experiment {

// Runs with equal keys may share a pack: everything but what may differ between members (seed,
// init and bias init, lr, momentum, weight decay, betas, eps, alpha, the schedule's parameters,
// the divergence threshold, name and output) is part of it.
std::string pack_key(const config::RunSpec& spec);
// Why this run cannot be packed ("" when it can).
std::string pack_obstacle(const PreparedRun& prepared);

struct PackMemberRun {
  PreparedRun prepared;
  std::filesystem::path run_dir;  // must not exist yet
};

struct PackOptions {
  std::string pack_id;
  std::string command_line;  // recorded in every member's meta.json
  int threads = 0;           // intra-op threads for this process; 0 = train.threads
  std::FILE* out = stdout;
  bool console = false;  // one line per member at the end
};

// Trains the members as one pack and writes each member's directory. Throws ConfigError when the
// members do not share a pack key or cannot be packed.
std::vector<RunOutcome> execute_pack(std::vector<PackMemberRun> members,
                                     const PackOptions& options);

// A pack file (what `actbench sweep --pack` hands a worker): JSON, one {config, run_dir} per
// member.
void write_pack_file(
    const std::filesystem::path& file,
    const std::vector<std::pair<std::filesystem::path, std::filesystem::path>>& config_and_run_dir);
// Reads a pack file and prepares every member (each config validated as `actbench run` does).
std::vector<PackMemberRun> read_pack_file(const std::filesystem::path& file);

}  // namespace actbench::experiment
