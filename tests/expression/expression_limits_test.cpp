// Hostile expressions (issue 23, items 2 and 8): deep nesting, long chains of unary minus and
// 100,000-term sums once overflowed the stack of the recursive-descent parser and of the tree it
// built, and every node cost megabytes when the catalogue's properties were computed. Each is now
// refused with a SyntaxError at the place the limit is crossed (a located ConfigError in a
// config), and what stays within the limits builds in bounded memory. The hostile texts are
// generated here; the CLI cases run in a child process so that a crash fails one test, not all.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "expression/expression.hpp"
#include "model/activation.hpp"
#include "model/properties.hpp"
#include "support/memory_cap.hpp"
#include "support/temp_dir.hpp"

namespace actbench::expression {
namespace expression_limits_test {

using actbench::testing::address_space_cap;

using actbench::testing::TempDir;

std::string repeat(const std::string& piece, size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// "x+x+...+x" with `terms` terms.
std::string sum_of_x(size_t terms) { return "x" + repeat("+x", terms - 1); }

// The SyntaxError `text` gives; fails the test when it parses.
SyntaxError syntax_error_of(const std::string& text) {
  try {
    Expression::parse(text);
  } catch (const SyntaxError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a SyntaxError for a text of " << text.size() << " characters";
  return SyntaxError(0, "");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ExpressionLimits, DeepParenthesesAreRefusedAtTheFirstParenthesisTooDeep) {
  // 20,000 levels are over the length limit before they are parsed; 2,000 fit in it.
  EXPECT_TRUE(contains(syntax_error_of(repeat("(", 20000) + "x" + repeat(")", 20000)).message(),
                       "characters long"));
  const std::string text = repeat("(", 2000) + "x" + repeat(")", 2000);
  const SyntaxError e = syntax_error_of(text);
  EXPECT_TRUE(contains(e.message(), "nested more than")) << e.message();
  EXPECT_EQ(e.offset(), kMaxNesting);  // the (kMaxNesting + 1)-th '('
  // Exactly at the limit it parses.
  const std::string deepest = repeat("(", kMaxNesting) + "x" + repeat(")", kMaxNesting);
  EXPECT_NO_THROW(Expression::parse(deepest));
}

TEST(ExpressionLimits, AMillionUnaryMinusSignsAreRefused) {
  const SyntaxError e = syntax_error_of(repeat("-", 1000000) + "x");
  // The text is over the length limit before any of it is parsed.
  EXPECT_TRUE(contains(e.message(), "characters long")) << e.message();
  EXPECT_EQ(e.offset(), kMaxTextLength);
  // Within the length limit, the chain of minus signs is a nesting like any other.
  const SyntaxError nested = syntax_error_of(repeat("-", 1000) + "x");
  EXPECT_TRUE(contains(nested.message(), "nested more than")) << nested.message();
  EXPECT_EQ(nested.offset(), kMaxNesting);
  EXPECT_NO_THROW(Expression::parse(repeat("-", kMaxNesting) + "x"));
}

TEST(ExpressionLimits, NestedFunctionsAndAbsoluteBarsCountAsNesting) {
  EXPECT_TRUE(contains(syntax_error_of(repeat("sin(", 500) + "x" + repeat(")", 500)).message(),
                       "nested more than"));
  EXPECT_TRUE(contains(syntax_error_of(repeat("|", 1000) + "x" + repeat("|", 1000)).message(),
                       "nested more than"));
}

TEST(ExpressionLimits, HundredThousandTermSumIsRefusedForItsLength) {
  const SyntaxError e = syntax_error_of(sum_of_x(100000));
  EXPECT_TRUE(contains(e.message(), "characters long")) << e.message();
}

TEST(ExpressionLimits, LongSumWithinTheLengthLimitIsRefusedForItsNodes) {
  // 1,500 terms in 2,999 characters: under the length limit, over the node limit.
  const std::string text = sum_of_x(1500);
  ASSERT_LE(text.size(), kMaxTextLength);
  const SyntaxError e = syntax_error_of(text);
  EXPECT_TRUE(contains(e.message(), "nodes")) << e.message();
  // The error points at the node that crosses the limit: in "x+x+...", the x at offset 2k is node
  // 2k and the '+' before it node 2k + 1, so node kMaxNodes + 1 is the '+' at kMaxNodes - 1.
  EXPECT_EQ(e.offset(), kMaxNodes - 1);
  // A sum that fits parses, evaluates and binds (every pass over the tree is bounded by it).
  const Expression fits = Expression::parse(sum_of_x(kMaxNodes / 2));
  const torch::Tensor y = fits(torch::ones({3}, torch::kFloat64));
  EXPECT_DOUBLE_EQ(y[0].item<double>(), static_cast<double>(kMaxNodes / 2));
  EXPECT_NO_THROW(fits.bind({}));
}

TEST(ExpressionLimits, ExpressionAtTheNodeLimitComputesItsPropertiesInBoundedTime) {
  // A 2 KB, kMaxNodes-node expression: the catalogue's properties (a 400,001-point grid through
  // autograd) once kept every node's grid-sized tensors alive at once, 3.2 MB each.
  core::ComponentSpec spec;
  spec.name = "expr";
  spec.params["expr"].kind = core::ParamKind::Text;
  spec.params["expr"].text = "0.001 * (" + sum_of_x(kMaxNodes / 2 - 1) + ")";
  const model::ResolvedActivation activation = model::resolve_activation(spec);
  const model::ActivationProperties p = model::compute_properties(activation);
  EXPECT_NEAR(p.max_abs_derivative, 0.001 * (kMaxNodes / 2 - 1), 1e-9);
  EXPECT_TRUE(p.monotonic);
}

// ---- Through the CLI: a located ConfigError (exit 2), not a crash
// --------------------------------

struct Outcome {
  int status = 0;  // exit code, or -signal
  std::string output;
};

// `actbench validate c.yaml` under an 8 GiB address-space cap and a 120 s limit.
Outcome validate(const TempDir& dir, const std::string& yaml) {
  const auto config = dir.write("c.yaml", yaml);
  const auto log = dir.path() / "out.log";
  const std::string command = "cd '" + dir.path().string() + "' && " + address_space_cap(8192) +
                              "timeout " + "120 " + std::string(ACTBENCH_CLI) +
                              " validate c.yaml >'" + log.string() + "' 2>&1";
  const int status = std::system(("sh -c \"" + command + "\"").c_str());
  Outcome outcome;
  outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  // sh reports a child killed by signal N as 128 + N.
  if (outcome.status > 128) outcome.status = -(outcome.status - 128);
  std::ifstream in(log);
  outcome.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return outcome;
}

constexpr const char* kActivationPrefix = "model: {hidden: [8], activation: {expr: \"";

std::string activation_config(const std::string& expr) {
  return kActivationPrefix + expr + "\"}}\n";
}

std::string target_config(const std::string& expr) {
  return "task: regression\ndata: {dataset: function, function: {target: {expr: \"" + expr +
         "\"}}}\nmodel: {hidden: [8]}\n";
}

TEST(ExpressionLimits, CliRefusesDeepNestingInAnActivationWithALocatedError) {
  TempDir dir;
  EXPECT_EQ(validate(dir, activation_config(repeat("(", 20000) + "x" + repeat(")", 20000))).status,
            2);
  const Outcome o = validate(dir, activation_config(repeat("(", 2000) + "x" + repeat(")", 2000)));
  EXPECT_EQ(o.status, 2) << o.output.substr(0, 2000);
  // The error points at the first '(' over the limit, a column inside the expression's text.
  const size_t column = std::string(kActivationPrefix).size() + 1 + kMaxNesting;
  EXPECT_TRUE(contains(o.output, "c.yaml:1:" + std::to_string(column) + ": error:"))
      << o.output.substr(0, 2000);
  EXPECT_TRUE(contains(o.output, "nested more than")) << o.output.substr(0, 2000);
}

TEST(ExpressionLimits, CliRefusesLongUnaryChainsAndSumsInAnActivation) {
  TempDir dir;
  Outcome o = validate(dir, activation_config(repeat("-", 200000) + "x"));
  EXPECT_EQ(o.status, 2) << o.output.substr(0, 2000);
  EXPECT_TRUE(contains(o.output, "characters long")) << o.output.substr(0, 2000);
  o = validate(dir, activation_config(sum_of_x(100000)));
  EXPECT_EQ(o.status, 2) << o.output.substr(0, 2000);
  o = validate(dir, activation_config(sum_of_x(1500)));
  EXPECT_EQ(o.status, 2) << o.output.substr(0, 2000);
  EXPECT_TRUE(contains(o.output, "nodes")) << o.output.substr(0, 2000);
}

TEST(ExpressionLimits, CliRefusesHostileFunctionTargets) {
  TempDir dir;
  Outcome o = validate(dir, target_config(repeat("(", 20000) + "x" + repeat(")", 20000)));
  EXPECT_EQ(o.status, 2) << o.output.substr(0, 2000);
  o = validate(dir, target_config(repeat("(", 2000) + "x" + repeat(")", 2000)));
  EXPECT_EQ(o.status, 2) << o.output.substr(0, 2000);
  EXPECT_TRUE(contains(o.output, "data.function.target: the expression is nested more than"))
      << o.output.substr(0, 2000);
  o = validate(dir, target_config(repeat("-", 200000) + "x"));
  EXPECT_EQ(o.status, 2) << o.output.substr(0, 2000);
  o = validate(dir, target_config(sum_of_x(100000)));
  EXPECT_EQ(o.status, 2) << o.output.substr(0, 2000);
}

}  // namespace expression_limits_test
}  // namespace actbench::expression
