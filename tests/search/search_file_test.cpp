// The search file's reader (src/search/search_file.hpp): a good file reads into its spec with the
// proxy resolved, and each kind of mistake is a ConfigError at its file:line:col.
#include "search/search_file.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "support/temp_dir.hpp"

namespace actbench::search::search_file_test {
namespace {

using actbench::testing::TempDir;

const char* kBase = "data: {dataset: synthetic, batch_size: 64}\nmodel: {hidden: [16, 16]}\n";

const std::string kGood =
    "name: tiny\n"
    "space:\n"
    "  unary: [x, tanh, sigmoid, \"x^2 + 1\"]\n"
    "  binary: [add, mul, \"max(a, b)\"]\n"
    "proxy: {base: base.yaml, set: {data.train_subset: 512}}\n"
    "rounds:\n"
    "  - {epochs: 1, seeds: 1, keep: 0.5}\n"
    "  - {epochs: 2, seeds: 2, keep_top: 2}\n"
    "baselines: [relu, silu]\n"
    "final: {seeds: 3}\n";

// The error's text with the temporary directory cut off ("s.yaml:3:5: error: ...").
std::string error_of(const std::string& yaml) {
  TempDir dir;
  dir.write("base.yaml", kBase);
  const auto file = dir.write("s.yaml", yaml);
  try {
    read_search_file(file.string());
  } catch (const ConfigError& e) {
    std::string text = e.what();
    const std::string prefix = file.string();
    if (text.rfind(prefix, 0) == 0) text = "s.yaml" + text.substr(prefix.size());
    return text;
  }
  ADD_FAILURE() << "no ConfigError for:\n" << yaml;
  return "";
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(SearchFile, AGoodFileReadsWithItsProxyResolved) {
  TempDir dir;
  dir.write("base.yaml", kBase);
  const SearchSpec spec = read_search_file(dir.write("s.yaml", kGood).string());
  EXPECT_EQ(spec.name, "tiny");
  ASSERT_EQ(spec.space.unary.size(), 4u);
  EXPECT_EQ(spec.space.unary[1].text, "tanh(x)");
  EXPECT_EQ(spec.space.unary[3].text, "x^2 + 1");
  EXPECT_EQ(spec.space.binary[2].text, "max(a, b)");
  EXPECT_EQ(space_size(spec.space), 4 * 4 * 3);
  EXPECT_EQ(spec.proxy.hidden_layers, 2);
  EXPECT_EQ(spec.screen.depth, 2) << "the screen follows the proxy's depth";
  EXPECT_NE(spec.proxy.resolved_yaml.find("train_subset: 512"), std::string::npos)
      << spec.proxy.resolved_yaml;
  EXPECT_EQ(spec.proxy.resolved_yaml.find("dir:"), std::string::npos) << "no output.dir";
  ASSERT_EQ(spec.rounds.size(), 2u);
  EXPECT_DOUBLE_EQ(spec.rounds[0].keep, 0.5);
  EXPECT_EQ(spec.rounds[1].keep_top, 2);
  EXPECT_EQ(spec.final_seeds, 3);
  EXPECT_EQ(spec.final_epochs, 2) << "the last round's epochs by default";
  EXPECT_EQ(spec.baselines, (std::vector<std::string>{"relu", "silu"}));
  EXPECT_EQ(spec.directory, std::filesystem::path("results/tiny"));
}

TEST(SearchFile, EachMistakeIsLocated) {
  struct Case {
    std::string from, to, expected_start;
  };
  const std::vector<Case> cases{
      {"space:\n", "spaces: {}\nspace:\n",
       "s.yaml:2:1: error: unknown key 'spaces' in a search file (did you mean 'space'?)"},
      {"  unary: [x, tanh,", "  unary: [x, tahn,",
       "s.yaml:3:14: error: unknown unary 'tahn' (did you mean 'tanh'?)"},
      {"\"max(a, b)\"", "\"max(a, a)\"",
       "s.yaml:4:22: error: the binary \"max(a, a)\" must use both a and b"},
      {"\"x^2 + 1\"", "\"x^2 + beta\"",
       "s.yaml:3:29: error: the unary \"x^2 + beta\" names 'beta', which is neither x nor a "
       "function"},
      {"\"x^2 + 1\"", "\"x^^2\"", "s.yaml:3:29: error: the unary \"x^^2\" is not an expression"},
      {"set: {data.train_subset: 512}", "set: {model.activation: tanh}",
       "s.yaml:5:32: error: proxy.set cannot set model.activation"},
      {"set: {data.train_subset: 512}", "set: {data.train_subset: -3}",
       "s.yaml:5:51: error: data.train_subset = -3 is out of range"},
      {"keep: 0.5}", "keep: 0.5, keep_top: 2}",
       "s.yaml:7:48: error: rounds[0] needs exactly one of keep"},
      {"keep: 0.5}", "keep: 1.5}", "s.yaml:7:33: error: rounds[0].keep must be a number"},
      {"[relu, silu]", "[relu, sulu]",
       "s.yaml:9:19: error: unknown activation 'sulu' (did you mean"},
      {"final: {seeds: 3}", "final: {seeds: 3, second: {base: missing.yaml}}",
       "s.yaml:10:34: error: base config "},
      {"name: tiny\n", "name: tiny\nscreen: {audit: 5}\n",
       "s.yaml:2:17: error: screen.audit samples the candidates the filter drops"},
      {"name: tiny\n", "name: tiny\nsweep_size: 5\n",
       "s.yaml:2:13: error: sweep_size 5 cannot hold the baselines and one candidate with 3 seeds "
       "each (9 runs)"},
  };
  for (const Case& c : cases) {
    const std::string text = error_of(replaced(kGood, c.from, c.to));
    EXPECT_TRUE(starts_with(text, c.expected_start))
        << "expected: " << c.expected_start << "\ngot:      " << text;
  }
}

TEST(SearchFile, AnExhaustiveSpaceTooLargeToEnumerateMustBeSampled) {
  const std::string deep = replaced(kGood, "  binary:", "  depth: 2\n  binary:");
  TempDir dir;
  dir.write("base.yaml", kBase);
  // 48^2 = 2,304 expressions: enumerable; with every builtin unary and binary it is not.
  EXPECT_NO_THROW(read_search_file(dir.write("s.yaml", deep).string()));
  const std::string huge = replaced(
      replaced(deep, "[x, tanh, sigmoid, \"x^2 + 1\"]",
               "[x, neg, abs, square, cube, two_x, x_plus_one, log, exp, sin, cos, tanh, atan, "
               "sigmoid, relu, min0, softplus, erf]"),
      "[add, mul, \"max(a, b)\"]", "[add, mul, sub, max, min, sigmoid_mul]");
  const std::string text = error_of(huge);
  EXPECT_NE(text.find("more than the 2000000 an exhaustive search enumerates"), std::string::npos)
      << text;
  EXPECT_NO_THROW(read_search_file(
      dir.write("s.yaml", replaced(huge, "  depth: 2\n", "  depth: 2\n  sample: 1000\n"))
          .string()));
}

}  // namespace
}  // namespace actbench::search::search_file_test

namespace actbench::search::search_file_test {
namespace {

// The shipped search files read, and full mode is exhaustive over at least 5,000 expressions
// (issue 21's target), quick mode over fewer.
TEST(SearchFile, TheShippedSearchFilesReadAndFullModeHoldsFiveThousandExpressions) {
  const std::filesystem::path experiments =
      std::filesystem::path(ACTBENCH_SOURCE_DIR) / "experiments";
  const SearchSpec full = read_search_file((experiments / "activation_search_full.yaml").string());
  EXPECT_EQ(full.space.sample, 0) << "exhaustive";
  EXPECT_GE(space_size(full.space), 5000);
  EXPECT_TRUE(full.has_second);
  EXPECT_GE(full.final_seeds, 10);
  const SearchSpec quick =
      read_search_file((experiments / "activation_search_quick.yaml").string());
  EXPECT_LT(space_size(quick.space), space_size(full.space));
  EXPECT_TRUE(quick.has_second);
  EXPECT_GE(quick.final_seeds, 10);
  EXPECT_EQ(quick.baselines, (std::vector<std::string>{"relu", "gelu", "silu"}));
}

}  // namespace
}  // namespace actbench::search::search_file_test
