// De-duplication of search candidates (src/search/deduplicate.hpp): the spellings of
// x * sigmoid(x) become one function named by the simplest, functions that differ (by as little
// as GELU from its sigmoid approximation) stay apart, and each kind of degenerate candidate is
// dropped with its reason.
#include "search/deduplicate.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace actbench::search::deduplicate_test {
namespace {

Candidate candidate(const std::string& text) { return {text, "written: " + text}; }

const UniqueFunction* function_named(const Deduplication& d, const std::string& name) {
  for (const auto& u : d.unique)
    if (u.name == name) return &u;
  return nullptr;
}

const DroppedCandidate* dropped(const Deduplication& d, const std::string& text) {
  for (const auto& c : d.dropped)
    if (c.candidate.text == text) return &c;
  return nullptr;
}

TEST(Deduplication, SpellingsOfXSigmoidXAreOneFunctionNamedByTheSimplest) {
  const std::vector<std::string> swish = {
      "x / (1 + exp(-x))",           "sigmoid(x) * x",      "x * sigmoid(x)",
      "0.5 * x * (1 + tanh(x / 2))", "x - x * sigmoid(-x)", "x * (1 - sigmoid(-x))",
  };
  std::vector<Candidate> candidates;
  for (const auto& text : swish) candidates.push_back(candidate(text));
  // The same text twice (two routes through the space to it) counts twice.
  candidates.push_back(candidate("x * sigmoid(x)"));
  const Deduplication d = deduplicate(candidates, DedupOptions{});
  ASSERT_EQ(d.unique.size(), 1u);
  EXPECT_TRUE(d.dropped.empty());
  const UniqueFunction& f = d.unique.front();
  EXPECT_EQ(f.name, "x * sigmoid(x)");
  EXPECT_EQ(f.spellings, 7);
  EXPECT_EQ(f.aliases.size(), 5u);
  EXPECT_EQ(d.merged, 6);
  for (const auto& text : swish)
    if (text != f.name)
      EXPECT_NE(std::find(f.aliases.begin(), f.aliases.end(), text), f.aliases.end()) << text;
}

TEST(Deduplication, DistinctFunctionsStayApartEvenWhenClose) {
  const std::vector<std::string> distinct = {
      "x * sigmoid(x)",
      "x * sigmoid(2 * x)",
      // GELU and its sigmoid approximation differ by about 0.02 at most.
      "0.5 * x * (1 + erf(x / 1.4142135623730951))",
      "x * sigmoid(1.702 * x)",
      "x * tanh(softplus(x))",
      "max(x, 0)",
      "softplus(x)",
      "x",
      // The same value, another derivative at no grid point: relu and |x| differ for x < 0.
      "abs(x)",
  };
  std::vector<Candidate> candidates;
  for (const auto& text : distinct) candidates.push_back(candidate(text));
  const Deduplication d = deduplicate(candidates, DedupOptions{});
  EXPECT_EQ(d.unique.size(), distinct.size());
  EXPECT_EQ(d.merged, 0);
  for (const auto& text : distinct) EXPECT_NE(function_named(d, text), nullptr) << text;
}

TEST(Deduplication, TwoSpellingsOfReluMergeButReluAndItsHalfDoNot) {
  const Deduplication d = deduplicate(
      {candidate("max(x, 0)"), candidate("0.5 * (x + abs(x))"), candidate("0.5 * max(x, 0)")},
      DedupOptions{});
  ASSERT_EQ(d.unique.size(), 2u);
  const UniqueFunction* relu = function_named(d, "max(x, 0)");
  ASSERT_NE(relu, nullptr);
  EXPECT_EQ(relu->aliases, std::vector<std::string>{"0.5 * (x + abs(x))"});
}

TEST(Deduplication, DegenerateCandidatesAreDroppedWithTheirReason) {
  const Deduplication d =
      deduplicate({candidate("x - x"), candidate("sigmoid(x) * 0 + 3"), candidate("exp(1) + 2"),
                   candidate("sqrt(x)"), candidate("exp(exp(x))"), candidate("abs(x) / x"),
                   candidate("x * sigmoid(x)")},
                  DedupOptions{});
  ASSERT_EQ(d.unique.size(), 1u);
  EXPECT_EQ(d.unique.front().name, "x * sigmoid(x)");
  ASSERT_EQ(d.dropped.size(), 6u);
  struct Expected {
    const char* text;
    Degeneracy kind;
    const char* reason_part;
  };
  for (const Expected& e : {Expected{"x - x", Degeneracy::kConstant, "on the whole grid"},
                            Expected{"sigmoid(x) * 0 + 3", Degeneracy::kConstant, "f = 3"},
                            Expected{"exp(1) + 2", Degeneracy::kConstant, "does not use x"},
                            Expected{"sqrt(x)", Degeneracy::kNonFinite, "NaN at x = -"},
                            Expected{"exp(exp(x))", Degeneracy::kNonFinite, "infinite"},
                            Expected{"abs(x) / x", Degeneracy::kFlat, "f' = 0 on"}}) {
    const DroppedCandidate* c = dropped(d, e.text);
    ASSERT_NE(c, nullptr) << e.text;
    EXPECT_EQ(degeneracy_name(c->kind), degeneracy_name(e.kind)) << e.text;
    EXPECT_NE(c->reason.find(e.reason_part), std::string::npos) << e.text << ": " << c->reason;
  }
}

TEST(Deduplication, TheToleranceDecides) {
  // 1e-4 apart everywhere: distinct at the default tolerance, one function at a loose one.
  const std::vector<Candidate> candidates{candidate("tanh(x)"), candidate("tanh(x) + 0.0001")};
  EXPECT_EQ(deduplicate(candidates, DedupOptions{}).unique.size(), 2u);
  DedupOptions loose;
  loose.atol = 1e-3;
  EXPECT_EQ(deduplicate(candidates, loose).unique.size(), 1u);
}

}  // namespace
}  // namespace actbench::search::deduplicate_test

namespace actbench::search::deduplicate_test {
namespace {

double swish_error(const std::string& text) {
  const std::vector<double> grid = dedup_grid(DedupOptions{});
  return fit_swish(evaluate_curve(text, grid).f, grid).relative_error;
}

TEST(Deduplication, SwishFitFindsBetaAndTellsSwishLikeFromRelu) {
  const std::vector<double> grid = dedup_grid(DedupOptions{});
  const SwishFit two = fit_swish(evaluate_curve("x * sigmoid(2 * x)", grid).f, grid);
  EXPECT_NEAR(two.beta, 2.0, 0.02);
  EXPECT_LT(two.relative_error, 1e-3);
  EXPECT_LT(swish_error("0.5 * x * (1 + erf(x / 1.4142135623730951))"), 0.02) << "GELU";
  EXPECT_GT(swish_error("max(x, 0)"), 0.02) << "ReLU";
  EXPECT_GT(swish_error("tanh(x)"), 0.2);
}

}  // namespace
}  // namespace actbench::search::deduplicate_test
