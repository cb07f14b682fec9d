// Every random stream actbench draws from, and how its seed follows from a seed the user gave, in
// one place. A changed derivation changes results, so each one is named here, pinned to its value
// by tests/core/seeding_test.cpp, and called rather than retyped where a stream starts.
//
// A run (seed S, the config's `seed`):
//   init     LibTorch's global generator, seeded with S before the network is built: the initial
//            weights and biases, then what training draws from it (dropout, rrelu's slopes).
//   shuffle  a generator of its own for the epochs' permutations, so that the data order does not
//            depend on how many numbers initialisation or dropout consumed.
//   data     generated datasets whose samples depend on the run (LoadOptions::seed); the function
//            dataset's points come from data.function.seed instead, the same for every run.
// Studies that build networks outside any run (study_network_seed), and bootstraps of a report
// (bootstrap_seed), derive theirs below as well.
#pragma once

#include <cstdint>

namespace actbench::core {

// The run's seed itself: a pack member, a study rebuilding a run's initial network and
// `actbench run seed=S` all draw the same weights from it.
constexpr uint64_t init_seed(int64_t run_seed) { return static_cast<uint64_t>(run_seed); }

// Seeds LibTorch's global generator with init_seed(run_seed), as every run does before it builds
// its network.
void seed_init_generator(int64_t run_seed);

// The shuffle generator's seed: the run's seed with a fixed bit pattern xor-ed in, so that the
// shuffle stream is not the init stream replayed (both are LibTorch CPU generators, mt19937).
constexpr uint64_t shuffle_seed(int64_t run_seed) {
  return static_cast<uint64_t>(run_seed) ^ 0x5eed5eed5eedULL;
}

// Generated datasets that depend on the run (the synthetic one): the run's seed itself.
constexpr uint64_t data_seed(int64_t run_seed) { return static_cast<uint64_t>(run_seed); }

// The index-th network a study draws outside any run (signal propagation's measured q and c):
// 1000 + index, clear of the seeds 0, 1, ... sweeps give their runs, so none of these networks is
// the initial network of a run.
constexpr uint64_t study_network_seed(int64_t index) { return static_cast<uint64_t>(1000 + index); }

// The index-th of several bootstraps of one report (a group, a comparison): base + index, so that
// each has its own stream and one --bootstrap-seed reproduces them all.
constexpr uint64_t bootstrap_seed(uint64_t base, uint64_t index) { return base + index; }

}  // namespace actbench::core
