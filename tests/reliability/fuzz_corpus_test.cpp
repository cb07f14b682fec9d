// Replays every committed fuzz corpus input (fuzz/corpus/<target>/) through the same entry the
// libFuzzer target runs (fuzz/*_entry*.hpp), so the regular build checks the corpora, including
// the inputs that once crashed, without clang. An entry aborts the test binary on a finding.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/files.hpp"
#include "fuzz/config_entries.hpp"
#include "fuzz/data_entries.hpp"
#include "fuzz/expression_entry.hpp"
#include "fuzz/slurm_script_entry.hpp"

namespace actbench::fuzz {
namespace {

using Entry = std::function<void(const uint8_t*, size_t)>;

const std::map<std::string, Entry>& entries() {
  static const std::map<std::string, Entry> kEntries{
      {"config_loader", config_loader_one_input},
      {"overrides", overrides_one_input},
      {"expression", expression_one_input},
      {"idx", idx_one_input},
      {"cifar10", cifar10_one_input},
      {"slurm_script", slurm_script_one_input},
  };
  return kEntries;
}

std::filesystem::path corpus_root() {
  return std::filesystem::path(ACTBENCH_SOURCE_DIR) / "fuzz" / "corpus";
}

class FuzzCorpus : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzCorpus, EveryInputIsHandled) {
  const std::string target = GetParam();
  const auto dir = corpus_root() / target;
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  std::vector<std::filesystem::path> inputs;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file()) inputs.push_back(entry.path());
  std::sort(inputs.begin(), inputs.end());
  // A corpus of one or two files would hardly exercise the entry.
  EXPECT_GE(inputs.size(), 3u) << dir;
  for (const auto& input : inputs) {
    SCOPED_TRACE(input.string());
    const std::string bytes = core::read_file(input);
    EXPECT_NO_THROW(
        entries().at(target)(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzCorpus,
                         ::testing::Values("config_loader", "overrides", "expression", "idx",
                                           "cifar10", "slurm_script"),
                         [](const auto& info) { return info.param; });

TEST(FuzzCorpus, EveryCorpusDirectoryHasAnEntry) {
  for (const auto& entry : std::filesystem::directory_iterator(corpus_root()))
    EXPECT_EQ(entries().count(entry.path().filename().string()), 1u) << entry.path();
}

}  // namespace
}  // namespace actbench::fuzz
