// The search space (src/search/search_space.hpp): composition substitutes whole identifiers and
// parenthesises only what needs it, the space has U^2 B expressions per core unit and enumerates
// them all, and a sample is seeded, distinct and inside the space.
#include "search/search_space.hpp"

#include <gtest/gtest.h>

#include <set>

#include "expression/expression.hpp"

namespace actbench::search::search_space_test {
namespace {

SpaceSpec small_space() {
  SpaceSpec space;
  space.unary = {{"x", "x"}, {"neg", "-x"}, {"sigmoid", "sigmoid(x)"}, {"square", "x^2"}};
  space.binary = {{"mul", "a * b"}, {"max", "max(a, b)"}, {"sigmoid_mul", "sigmoid(a) * b"}};
  return space;
}

TEST(SearchSpace, SubstitutionReplacesWholeIdentifiersOnly) {
  // abs holds an a and a b, 1e-3 an e; neither is an identifier of its own.
  EXPECT_EQ(substitute("abs(a) + b * 1e-3", "a", "x"), "abs(x) + b * 1e-3");
  EXPECT_EQ(substitute("abs(a) + b", "b", "sigmoid(x)"), "abs(a) + sigmoid(x)");
  // A compound argument is parenthesised, so that the operators keep their meaning.
  EXPECT_EQ(substitute("x^2", "x", "-x"), "(-x)^2");
  EXPECT_EQ(substitute("-x", "x", "x + 1"), "-(x + 1)");
  // A call whose parentheses span it all is one atom; two calls side by side are not.
  EXPECT_EQ(substitute("x^2", "x", "sin(x)"), "sin(x)^2");
  EXPECT_EQ(substitute("x^2", "x", "sin(x) * cos(x)"), "(sin(x) * cos(x))^2");
  // A whole argument of a call needs none.
  EXPECT_EQ(substitute("sigmoid(x)", "x", "x^2"), "sigmoid(x^2)");
  EXPECT_EQ(substitute("max(a, b)", "a", "x + 1"), "max(x + 1, b)");
}

TEST(SearchSpace, ACoreUnitComposesIntoAnExpressionTheLanguageParses) {
  const SpaceSpec space = small_space();
  EXPECT_EQ(apply_binary(space.binary[2], apply_unary(space.unary[0], "x"),
                         apply_unary(space.unary[0], "x")),
            "sigmoid(x) * x");
  EXPECT_EQ(apply_binary(space.binary[0], apply_unary(space.unary[1], "x"),
                         apply_unary(space.unary[3], "x")),
            "(-x) * (x^2)");
  for (const Candidate& c : enumerate_space(space))
    EXPECT_NO_THROW(expression::Expression::parse(c.text)) << c.spelling << ": " << c.text;
}

TEST(SearchSpace, OneUnitHoldsUSquaredTimesBExpressionsAndEnumeratesThemAll) {
  SpaceSpec space = small_space();
  EXPECT_EQ(space_size(space), 4 * 4 * 3);
  const std::vector<Candidate> all = enumerate_space(space);
  ASSERT_EQ(all.size(), 48u);
  std::set<std::string> spellings;
  for (const auto& c : all) spellings.insert(c.spelling);
  EXPECT_EQ(spellings.size(), 48u) << "every combination once";
  EXPECT_TRUE(spellings.count("sigmoid_mul(x, x)"));
  space.depth = 2;
  EXPECT_EQ(space_size(space), 48 * 48);
  EXPECT_EQ(enumerate_space(space).size(), 48u * 48u);
}

TEST(SearchSpace, TheBuiltinSetsGiveTheFullModeItsFiveThousandExpressions) {
  SpaceSpec space;
  space.unary = builtin_unaries();
  space.binary = builtin_binaries();
  const auto u = static_cast<int64_t>(space.unary.size());
  const auto b = static_cast<int64_t>(space.binary.size());
  EXPECT_EQ(space_size(space), u * u * b);
  EXPECT_GE(space_size(space), 5000);
  for (const auto& p : space.unary)
    if (uses_input(p.text)) EXPECT_NO_THROW(expression::Expression::parse(p.text)) << p.name;
}

TEST(SearchSpace, ASampleIsSeededDistinctAndInsideTheSpace) {
  SpaceSpec space = small_space();
  space.depth = 2;
  space.sample = 100;
  space.seed = 7;
  const auto first = enumerate_space(space);
  const auto again = enumerate_space(space);
  ASSERT_EQ(first.size(), 100u);
  std::set<std::string> texts, all;
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].text, again[i].text);
    texts.insert(first[i].spelling);
  }
  EXPECT_EQ(texts.size(), 100u);
  space.sample = 0;
  for (const auto& c : enumerate_space(space)) all.insert(c.spelling);
  for (const auto& s : texts) EXPECT_TRUE(all.count(s)) << s;
  space.sample = 100;
  space.seed = 8;
  EXPECT_NE(enumerate_space(space)[0].spelling + enumerate_space(space)[1].spelling,
            first[0].spelling + first[1].spelling);
}

TEST(SearchSpace, ComplexityCountsTokensNotParentheses) {
  EXPECT_EQ(complexity("x * sigmoid(x)"), 4);
  EXPECT_EQ(complexity("(x) * (sigmoid(x))"), 4);
  EXPECT_LT(complexity("x * sigmoid(x)"), complexity("x / (1 + exp(-x))"));
  EXPECT_TRUE(uses_input("max(x, 0)"));
  EXPECT_FALSE(uses_input("exp(1) + 2"));
}

}  // namespace
}  // namespace actbench::search::search_space_test
