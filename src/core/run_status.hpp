// A run's status as the code handles it: an enum. It is text ("completed", ...) only where it
// leaves or enters the process: meta.json, summary.json and the results database (store/), whose
// readers convert it back with parse_run_status, so a misspelt status cannot compare unequal
// silently.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

namespace actbench::core {

enum class RunStatus {
  kPending,      // planned in a sweep's database, not started
  kRunning,      // started; what a killed run's meta.json still says
  kCompleted,    // trained every epoch
  kDiverged,     // a NaN or infinite loss ended it: a result, not a failure
  kInterrupted,  // SIGINT/SIGTERM; a sweep reruns it
  kFailed,       // an error ended it; the reason is recorded beside it
};

// "pending", "running", "completed", "diverged", "interrupted", "failed".
std::string_view to_string(RunStatus status);
// The reverse; throws core Error naming the text and `where` for anything else.
RunStatus parse_run_status(std::string_view text, const std::string& where);
// A run that produced a result (completed or diverged): a sweep counts it and does not rerun it.
bool has_result(RunStatus status);

std::ostream& operator<<(std::ostream& out, RunStatus status);

}  // namespace actbench::core
