// Grouping a sweep's runs into packs (see pack_plan.hpp).
#include "sweep/pack_plan.hpp"

#include <fmt/format.h>

#include <map>

#include "core/strings.hpp"
#include "experiment/pack.hpp"

namespace actbench::sweep {

PackPlan plan_packs(const std::vector<const SweepRun*>& runs, int64_t pack_size) {
  PackPlan plan;
  std::vector<const SweepRun*> alone;
  if (pack_size <= 1) {
    for (const auto* run : runs) plan.jobs.push_back(SweepJob{"", {run}});
    return plan;
  }
  std::vector<std::string> key_order;
  std::map<std::string, std::vector<const SweepRun*>> groups;
  std::map<std::string, int64_t> reasons;  // why runs stay alone, with their count
  for (const auto* run : runs) {
    const std::string why = experiment::pack_obstacle(run->prepared);
    if (!why.empty()) {
      alone.push_back(run);
      ++reasons[why];
      continue;
    }
    const std::string key = experiment::pack_key(run->prepared.spec);
    if (groups.find(key) == groups.end()) key_order.push_back(key);
    groups[key].push_back(run);
  }
  for (const auto& key : key_order) {
    const auto& group = groups[key];
    if (group.size() == 1) {
      alone.push_back(group.front());
      ++reasons["no other run shares its structure"];
      continue;
    }
    for (size_t begin = 0; begin < group.size(); begin += static_cast<size_t>(pack_size)) {
      const size_t end = std::min(group.size(), begin + static_cast<size_t>(pack_size));
      SweepJob job;
      job.runs.assign(group.begin() + static_cast<std::ptrdiff_t>(begin),
                      group.begin() + static_cast<std::ptrdiff_t>(end));
      if (job.runs.size() == 1) {
        alone.push_back(job.runs.front());
        ++reasons["the last of its group, left over after full packs"];
        continue;
      }
      job.pack_id = fmt::format("pack-{}-{}", job.runs.front()->planned.run_id, job.runs.size());
      plan.jobs.push_back(std::move(job));
    }
  }
  for (const auto* run : alone) plan.jobs.push_back(SweepJob{"", {run}});
  for (const auto& [why, count] : reasons)
    plan.alone_reasons.push_back(
        fmt::format("{} run{} alone: {}", count, count == 1 ? "" : "s", why));
  return plan;
}

std::string describe_packs(const PackPlan& plan) {
  std::string out;
  int64_t packs = 0, packed = 0, alone = 0;
  for (const auto& job : plan.jobs) {
    if (job.pack_id.empty()) {
      ++alone;
      continue;
    }
    ++packs;
    packed += static_cast<int64_t>(job.runs.size());
  }
  out += fmt::format("  packs: {} pack{} of {} runs, {} run{} alone\n", packs,
                     packs == 1 ? "" : "s", packed, alone, alone == 1 ? "" : "s");
  for (const auto& job : plan.jobs) {
    if (job.pack_id.empty()) continue;
    // Consecutive positions as ranges ("0-199,600-799"): a pack of 1,000 seeds stays one line.
    std::vector<std::string> ranges;
    for (size_t i = 0; i < job.runs.size();) {
      size_t j = i;
      while (j + 1 < job.runs.size() &&
             job.runs[j + 1]->planned.position == job.runs[j]->planned.position + 1)
        ++j;
      const auto first = job.runs[i]->planned.position, last = job.runs[j]->planned.position;
      ranges.push_back(first == last ? std::to_string(first) : fmt::format("{}-{}", first, last));
      i = j + 1;
    }
    out += fmt::format("    {} ({} members): runs {}\n", job.pack_id, job.runs.size(),
                       core::join(ranges, ","));
  }
  for (const auto& reason : plan.alone_reasons) out += fmt::format("    {}\n", reason);
  return out;
}

}  // namespace actbench::sweep
