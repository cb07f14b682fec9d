// Run status names (run_status.hpp).
#include "core/run_status.hpp"

#include <fmt/format.h>

#include <array>
#include <ostream>
#include <utility>

#include "core/error.hpp"

namespace actbench::core {
namespace {

constexpr std::array<std::pair<RunStatus, std::string_view>, 6> kNames{{
    {RunStatus::kPending, "pending"},
    {RunStatus::kRunning, "running"},
    {RunStatus::kCompleted, "completed"},
    {RunStatus::kDiverged, "diverged"},
    {RunStatus::kInterrupted, "interrupted"},
    {RunStatus::kFailed, "failed"},
}};

}  // namespace

std::string_view to_string(RunStatus status) {
  for (const auto& [value, name] : kNames)
    if (value == status) return name;
  return "unknown";
}

RunStatus parse_run_status(std::string_view text, const std::string& where) {
  for (const auto& [value, name] : kNames)
    if (name == text) return value;
  throw Error(
      fmt::format("{}: unknown run status '{}' (pending, running, completed, diverged, "
                  "interrupted or failed)",
                  where, text));
}

bool has_result(RunStatus status) {
  return status == RunStatus::kCompleted || status == RunStatus::kDiverged;
}

std::ostream& operator<<(std::ostream& out, RunStatus status) { return out << to_string(status); }

}  // namespace actbench::core
