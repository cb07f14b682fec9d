// The seeds of every random stream (core/seeding.hpp), pinned to the values the code used before
// they were named: a run's initial weights, its shuffle order, its generated data, the studies'
// networks and the reports' bootstraps must not move, or every stored result would stop
// reproducing.
#include "core/seeding.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace actbench::core {
namespace {

TEST(Seeding, StreamsKeepTheirValues) {
  EXPECT_EQ(init_seed(0), 0u);
  EXPECT_EQ(init_seed(42), 42u);
  EXPECT_EQ(data_seed(7), 7u);
  // The shuffle stream: the run's seed xor 0x5eed5eed5eed (src/train before it was named).
  EXPECT_EQ(shuffle_seed(0), 0x5eed5eed5eedULL);
  EXPECT_EQ(shuffle_seed(1), 0x5eed5eed5eecULL);
  EXPECT_EQ(shuffle_seed(123456789), static_cast<uint64_t>(123456789) ^ 0x5eed5eed5eedULL);
  EXPECT_NE(shuffle_seed(3), init_seed(3));
  EXPECT_EQ(study_network_seed(0), 1000u);
  EXPECT_EQ(study_network_seed(4), 1004u);
  EXPECT_EQ(bootstrap_seed(0, 0), 0u);
  EXPECT_EQ(bootstrap_seed(17, 3), 20u);
  static_assert(shuffle_seed(2) == (2ULL ^ 0x5eed5eed5eedULL), "usable at compile time");
}

TEST(Seeding, InitGeneratorIsTorchManualSeed) {
  seed_init_generator(5);
  const torch::Tensor ours = torch::randn({8});
  torch::manual_seed(5);
  const torch::Tensor torchs = torch::randn({8});
  EXPECT_TRUE(torch::equal(ours, torchs));
}

}  // namespace
}  // namespace actbench::core
