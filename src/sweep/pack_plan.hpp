// Which of a sweep's runs train together: runs whose configs share the pack key
// (experiment/pack.hpp) are grouped, in plan order, into packs of at most K members; a run that
// cannot be packed, or that has no partner, runs alone, and the plan says why.
#pragma once

#include <string>
#include <vector>

#include "sweep/sweep_plan.hpp"

namespace actbench::sweep {

struct SweepJob {
  std::string pack_id;                // "" for a run alone
  std::vector<const SweepRun*> runs;  // one for a run alone
};

struct PackPlan {
  std::vector<SweepJob> jobs;              // packs first, then runs alone, each in plan order
  std::vector<std::string> alone_reasons;  // "3 runs alone: model.type cnn: ..."
};

// pack_size <= 1: every run alone.
PackPlan plan_packs(const std::vector<const SweepRun*>& runs, int64_t pack_size);

// The packs as text, for --dry-run and the sweep's first lines.
std::string describe_packs(const PackPlan& plan);

}  // namespace actbench::sweep
