// Where actbench's random streams get their seeds from the run's seed, in one place.
#pragma once

#include <cstdint>

namespace actbench::core {

// The seed of a run's data-order generator. Shuffling has its own generator so that the data order
// does not depend on how many random numbers initialisation or dropout consumed.
inline uint64_t shuffle_seed(int64_t run_seed) {
  return static_cast<uint64_t>(run_seed) ^ 0x5eed5eed5eedULL;
}

}  // namespace actbench::core
