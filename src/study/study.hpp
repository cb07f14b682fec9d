// The literature studies: each reproduces a paper's claim with actbench's own models, initialisers,
// probes and sweeps, and writes results/<study>/README.md with its tables, its plots, the claim,
// our numbers and a verdict computed from them. `actbench study <name>` runs one at sizes a 2-core
// machine finishes in minutes; `--full` runs it at the paper's size. One .cpp per study registers
// itself here, like activations do.
#pragma once

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/registry.hpp"

namespace actbench::study {

struct StudyOptions {
  bool full = false;          // the paper's sizes instead of the quick defaults
  std::filesystem::path out;  // results/<study> when empty
  std::filesystem::path data_root = "data";
  int workers = 0;   // for the study's sweeps; 0: one per core
  int64_t pack = 0;  // > 1: the study's sweeps train runs sharing their structure in packs of this
  std::filesystem::path executable;  // the actbench binary the sweep workers run
  std::FILE* log = stdout;
  // Seeds (or trials) each of the study's seeded experiments runs beyond its plan: the sweeps
  // grow, the runs already finished are kept. Set by run_study's --until-decided loop.
  int added_seeds = 0;
  // > 0: after each pass, while a claim is inconclusive only because its interval straddles a
  // threshold, run again with more seeds, up to this many added (`--until-decided`).
  int until_decided_cap = 0;
};

struct StudyEntry {
  static constexpr const char* kKind = "study";
  std::string name;
  std::vector<std::string> aliases;
  std::string description;  // one line, with the paper
  std::string command;      // as experiments/README.md lists it
  // Runs the study and writes its README; returns the README's path.
  std::function<std::filesystem::path(const StudyOptions&)> run;
  // Whether `run` honours StudyOptions::added_seeds (what --until-decided needs).
  bool grows_seeds = false;
};
using StudyRegistry = core::Registry<StudyEntry>;

// Looks the study up (a located error with did-you-mean for an unknown name) and runs it. With
// options.until_decided_cap > 0, reruns it with more seeds while a claim straddles (see above):
// each pass adds as many seeds as were added before (2, 4, 8, ...), capped; it stops when no claim
// straddles or at the cap, and says which.
std::filesystem::path run_study(const std::string& name, StudyOptions options);

// The loop of --until-decided around one study's `run` (which writes options.out/verdicts.json);
// with options.until_decided_cap == 0, `run` once.
std::filesystem::path run_until_decided(
    StudyOptions options, const std::function<std::filesystem::path(const StudyOptions&)>& run);

// The next number of added seeds after `added`, at most `cap` (-1 when `added` is at the cap).
int next_added_seeds(int added, int cap);

}  // namespace actbench::study

#define ACTBENCH_REGISTER_STUDY(id)                                                  \
  static ::actbench::study::StudyEntry actbench_study_entry_##id();                  \
  [[maybe_unused]] static const bool actbench_study_registered_##id =                \
      ::actbench::study::StudyRegistry::instance().add(actbench_study_entry_##id()); \
  static ::actbench::study::StudyEntry actbench_study_entry_##id()
