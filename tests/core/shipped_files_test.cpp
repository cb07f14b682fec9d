// Shipped files from any working directory: `actbench study vanishing_gradients` run outside the
// checkout stopped with "experiments/vanishing_gradients.yaml: cannot read config file", because
// the studies named their sweep files by the checkout's relative path.
#include "core/shipped_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.hpp"

namespace actbench::core {
namespace {

// Runs the test body in another working directory and comes back, so the other tests of this
// process keep theirs.
class ElsewhereTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = std::filesystem::current_path();
    std::filesystem::current_path(dir_.path());
  }
  void TearDown() override { std::filesystem::current_path(home_); }
  std::filesystem::path home_;
  actbench::testing::TempDir dir_;
};

TEST_F(ElsewhereTest, AShippedSweepFileIsFoundOutsideTheCheckout) {
  ASSERT_FALSE(std::filesystem::exists("experiments/vanishing_gradients.yaml"));
  const auto found = find_shipped_file("experiments/vanishing_gradients.yaml");
  EXPECT_TRUE(std::filesystem::is_regular_file(found)) << found;
  EXPECT_EQ(found.filename(), "vanishing_gradients.yaml");
}

TEST_F(ElsewhereTest, TheWorkingDirectorysOwnFileComesFirst) {
  dir_.write("experiments/vanishing_gradients.yaml", "name: mine\n");
  EXPECT_EQ(find_shipped_file("experiments/vanishing_gradients.yaml"),
            std::filesystem::path("experiments/vanishing_gradients.yaml"));
}

TEST_F(ElsewhereTest, AFileNoRootHoldsIsReturnedAsGiven) {
  EXPECT_EQ(find_shipped_file("experiments/no_such_sweep.yaml"),
            std::filesystem::path("experiments/no_such_sweep.yaml"));
}

}  // namespace
}  // namespace actbench::core
