// Elapsed wall-clock time, as the training loops record it (seconds since a steady-clock start).
// Shared instead of defined per file, so that a unity build can put the loops in one unit.
#pragma once

#include <chrono>

namespace actbench::core {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace actbench::core
