// The command outputs pasted into README.md and docs/*.md are the binary's: every fenced block
// whose first line is `$ actbench ...` is run (in a scratch directory that sees the repository's
// configs/, experiments/ and data/) and compared with what the block shows. Durations ("0.1s",
// "~1m09s") may differ, numbers within a tolerance (other CPUs round differently); every word, id,
// path and column must be the same. A line "..." in a block stands for any number of lines, a line
// ending in "..." for a printed line that starts with its words. With ACTBENCH_UPDATE_DOCS=1 the
// blocks without "..." are rewritten from the binary instead (scripts/update_docs.sh does that), so
// a pasted output can be regenerated, never typed. The commands run with the numeric kernels pinned
// (pinned_numerics()), so that a block pasted on one x86 machine is what another prints.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "core/files.hpp"
#include "core/strings.hpp"
#include "support/run_helpers.hpp"
#include "support/temp_dir.hpp"

namespace actbench::app::docs_outputs_test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// A wall-clock figure: "0.1s", "23s", "~1m09s", "1m09s," (the punctuation around it kept apart).
bool is_duration(const std::string& word) {
  static const std::regex duration(R"([(~]*(\d+h)?(\d+m)?\d+(\.\d+)?s[,);]*)");
  return std::regex_match(word, duration);
}

// Splits "(0.9691," into prefix "(", number 0.9691 and suffix ","; false when the word is no
// number.
bool split_number(const std::string& word, std::string& prefix, double& value,
                  std::string& suffix) {
  static const std::regex number(R"(([(~\[]*)([-+]?\d+(\.\d+)?([eE][-+]?\d+)?)([%,);\]]*))");
  std::smatch m;
  if (!std::regex_match(word, m, number)) return false;
  prefix = m[1];
  value = std::stod(m[2]);
  suffix = m[5];
  return true;
}

// The value of one unit in the last printed place: 0.0001 for "0.9615", 0.001 for "2.213e-01".
double last_place(const std::string& word) {
  const auto e = word.find_first_of("eE");
  const auto mantissa = word.substr(0, e);
  const auto point = mantissa.find('.');
  size_t decimals = 0;
  if (point != std::string::npos)
    while (point + 1 + decimals < mantissa.size() &&
           std::isdigit(static_cast<unsigned char>(mantissa[point + 1 + decimals])))
      ++decimals;
  const int exponent = e == std::string::npos ? 0 : std::atoi(word.c_str() + e + 1);
  return std::pow(10.0, exponent - static_cast<int>(decimals));
}

bool words_match(const std::string& expected, const std::string& actual) {
  if (expected == actual) return true;
  if (is_duration(expected) && is_duration(actual)) return true;
  std::string p1, s1, p2, s2;
  double a = 0, b = 0;
  if (!split_number(expected, p1, a, s1) || !split_number(actual, p2, b, s2)) return false;
  if (p1 != p2 || s1 != s2) return false;
  // Counts, widths, seeds and steps are integers and must be the same.
  const auto integer = [](const std::string& w) {
    return w.find_first_of(".eE") == std::string::npos;
  };
  if (integer(expected) || integer(actual)) return a == b;
  // Training is not bit-identical across machines: the README's 3-epoch run, pasted from another
  // machine, differed from this one's by 3% in test loss (0.1097, 0.1132) and 7% in fc2's |dL/dz|
  // (4.048e-03, 4.343e-03). So numbers match within 10 units of the last printed place or 10%;
  // what a stale block changes (columns, words, ids, counts) is caught exactly.
  const double unit = std::max(last_place(expected), last_place(actual));
  return std::fabs(a - b) <= std::max(10 * unit, 0.10 * std::max(std::fabs(a), std::fabs(b)));
}

// A line ending in "..." shows the start of the printed line: its words before the "..." match the
// printed line's first words.
bool lines_match(const std::string& expected, const std::string& actual) {
  auto e = split_words(expected);
  auto a = split_words(actual);
  if (!e.empty() && e.back() == "..." && (a.empty() || a.back() != "...")) {
    e.pop_back();
    if (a.size() < e.size()) return false;
    a.resize(e.size());
  }
  if (e.size() != a.size()) return false;
  for (size_t i = 0; i < e.size(); ++i)
    if (!words_match(e[i], a[i])) return false;
  return true;
}

// A line that is "..." alone (indented or not): it stands for any number of printed lines.
bool is_elision(const std::string& line) {
  return split_words(line) == std::vector<std::string>{"..."};
}

// Whether `actual` from line j on matches `expected` from line i on, "..." matching any lines.
bool block_matches(const std::vector<std::string>& expected, size_t i,
                   const std::vector<std::string>& actual, size_t j) {
  if (i == expected.size()) return j == actual.size();
  if (is_elision(expected[i])) {
    for (size_t k = j; k <= actual.size(); ++k)
      if (block_matches(expected, i + 1, actual, k)) return true;
    return false;
  }
  return j < actual.size() && lines_match(expected[i], actual[j]) &&
         block_matches(expected, i + 1, actual, j + 1);
}

// One `$ actbench ...` command of a block and the output lines shown under it.
struct PastedCommand {
  std::string file;
  size_t line = 0;      // of the `$` line, 1-based
  std::string command;  // without the leading "$ actbench " and any trailing "# comment"
  std::vector<std::string> output;
  size_t first = 0, end = 0;  // the output's line range in the file, 0-based, [first, end)
};

std::vector<PastedCommand> pasted_commands(const fs::path& file) {
  const auto lines = split_lines(core::read_file(file));
  std::vector<PastedCommand> found;
  bool in_fence = false, pasted = false;
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string& line = lines[n];
    if (line.rfind("```", 0) == 0) {
      if (in_fence && pasted) found.back().end = n;
      in_fence = !in_fence;
      pasted = in_fence && n + 1 < lines.size() && lines[n + 1].rfind("$ actbench ", 0) == 0;
      continue;
    }
    if (!in_fence || !pasted) continue;
    if (line.rfind("$ actbench ", 0) == 0) {
      if (!found.empty() && found.back().end == 0) found.back().end = n;
      PastedCommand command;
      command.file = file.filename().string();
      command.line = n + 1;
      command.command = line.substr(std::string("$ actbench ").size());
      const auto comment = command.command.find("  #");
      if (comment != std::string::npos) command.command.resize(comment);
      while (!command.command.empty() && command.command.back() == ' ') command.command.pop_back();
      command.first = n + 1;
      found.push_back(command);
    } else {
      found.back().output.push_back(line);
    }
  }
  return found;
}

std::vector<fs::path> documents() {
  const fs::path source(ACTBENCH_SOURCE_DIR);
  std::vector<fs::path> files{source / "README.md"};
  for (const auto& entry : fs::directory_iterator(source / "docs"))
    if (entry.path().extension() == ".md") files.push_back(entry.path());
  return files;
}

// A scratch working directory that sees the repository's configs, sweep files and data, so the
// commands run as typed from the repository's root, writing their results into the scratch.
void link_repository(const actbench::testing::TempDir& dir) {
  const fs::path source(ACTBENCH_SOURCE_DIR);
  fs::create_directory_symlink(source / "configs", dir.path() / "configs");
  fs::create_directory_symlink(source / "experiments", dir.path() / "experiments");
  fs::create_directory_symlink(fs::absolute(actbench::testing::data_root()), dir.path() / "data");
}

// The environment the pasted commands run in. Training is not bit-identical across CPUs: OpenBLAS
// and LibTorch pick their kernels (and so the order of each sum) by the CPU they find, and a
// one-epoch MNIST run that differs in the last bits ends 0.004 apart in accuracy. On an AMD EPYC
// (OpenBLAS Cooperlake kernels) the README's sweep printed "n.s." where the Intel machine that
// pasted it had printed "lower": words that follow from the numbers. AVX2 kernels everywhere
// (OpenBLAS Haswell, ATen avx2, oneDNN AVX2) run the same instructions on any x86 CPU that has
// AVX2, so every such machine prints the same block; elsewhere the numbers' tolerance is all
// there is.
std::string pinned_numerics() {
#if defined(__x86_64__) || defined(__i386__)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return "OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 DNNL_MAX_CPU_ISA=AVX2";
#endif
  return "";
}

TEST(DocsOutputs, EveryPastedOutputIsTheBinarys) {
  const bool update = std::getenv("ACTBENCH_UPDATE_DOCS") != nullptr;
  size_t checked = 0;
  for (const auto& file : documents()) {
    const auto commands = pasted_commands(file);
    if (commands.empty()) continue;
    auto lines = split_lines(core::read_file(file));
    bool rewritten = false;
    // Bottom up, so a rewritten block leaves the line numbers of those above it as they were.
    for (auto it = commands.rbegin(); it != commands.rend(); ++it) {
      const actbench::testing::TempDir dir;
      link_repository(dir);
      const auto result =
          actbench::testing::run_cli(it->command, dir.path().string(), pinned_numerics());
      auto actual = split_lines(result.output);
      ++checked;
      if (block_matches(it->output, 0, actual, 0)) continue;
      const bool elided = std::any_of(it->output.begin(), it->output.end(), is_elision);
      if (update && !elided) {
        lines.erase(lines.begin() + it->first, lines.begin() + it->end);
        lines.insert(lines.begin() + it->first, actual.begin(), actual.end());
        rewritten = true;
        continue;
      }
      ADD_FAILURE() << it->file << ":" << it->line << ": `actbench " << it->command
                    << "` prints (exit " << result.exit_code << "):\n"
                    << result.output << "\nbut the document shows:\n"
                    << core::join(it->output, "\n")
                    << (elided ? "\n(a block with \"...\" is edited by hand)"
                               : "\n(scripts/update_docs.sh regenerates it)");
    }
    if (rewritten) {
      std::string text;
      for (const auto& line : lines) text += line + "\n";
      core::write_file_atomic(file, text);
    }
  }
  EXPECT_GE(checked, 5u) << "the README's tour pastes at least five commands";
}

// The matcher itself: what it lets through and what it catches.
TEST(DocsOutputs, MatcherToleratesTimingAndRoundingButNotWords) {
  EXPECT_TRUE(lines_match("elapsed 23s, left ~1m09s", "elapsed 2m01s, left ~0s"));
  EXPECT_TRUE(lines_match("| relu | 0.9691 ± 0.0005 |", "| relu | 0.9693 ± 0.0007 |"));
  EXPECT_FALSE(lines_match("| relu | 0.9691 |", "| relu | 0.8691 |"));
  EXPECT_TRUE(lines_match("| tanh | 0.1097 |", "| tanh | 0.1132 |"));
  EXPECT_TRUE(lines_match("| fc2 | 2.213e-01 |", "| fc2 | 2.219e-01 |"));
  EXPECT_FALSE(lines_match("| fc2 | 2.213e-01 |", "| fc2 | 2.613e-01 |"));
  EXPECT_FALSE(lines_match("| relu | 2 |", "| gelu | 2 |"));
  EXPECT_FALSE(lines_match("66 runs planned", "67 runs planned"));
  EXPECT_FALSE(
      lines_match("run results/runs/mnist_mlp-d964708f", "run results/runs/mnist_mlp-d964709f"));
  EXPECT_FALSE(lines_match("4 runs planned", "4 runs planned, 2 added"));
  EXPECT_TRUE(lines_match("expectations: 10 nodes, ...", "expectations: 10 nodes, 4 panels"));
  EXPECT_FALSE(lines_match("expectations: 12 nodes, ...", "expectations: 10 nodes, 4 panels"));
  const std::vector<std::string> expected{"a 1", "  ...", "z 2"};
  EXPECT_TRUE(block_matches(expected, 0, {"a 1", "b", "c", "z 2"}, 0));
  EXPECT_TRUE(block_matches(expected, 0, {"a 1", "z 2"}, 0));
  EXPECT_FALSE(block_matches(expected, 0, {"a 1", "b"}, 0));
}

}  // namespace
}  // namespace actbench::app::docs_outputs_test
