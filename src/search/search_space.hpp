// The space an activation search explores (Ramachandran, Zoph and Le 2017, "Searching for
// Activation Functions"): expressions b(u1(x), u2(x)) over a set of unary functions u and binary
// functions b, the paper's "core unit", optionally two units deep, b2(u3(b1(u1(x), u2(x))), u4(x)).
// A primitive is text in the expression language (expression/expression.hpp): a unary is an
// expression of x, a binary one of a and b; composing substitutes whole identifiers, so a
// candidate is itself an expression the `expr` activation trains. Enumerated exhaustively, or
// sampled with a seed when the space is large. Pure string work: no LibTorch here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace actbench::search {

// A named building block: `text` is an expression of x (unary) or of a and b (binary).
struct Primitive {
  std::string name;
  std::string text;
};

// The paper's unary and binary sets, with its trainable beta fixed (beta x -> 2 * x, x + beta ->
// x + 1, the constant beta -> 1, the binaries' beta -> 1 or 0.5): a pack trains members whose
// activations have no parameters.
const std::vector<Primitive>& builtin_unaries();
const std::vector<Primitive>& builtin_binaries();

struct SpaceSpec {
  std::vector<Primitive> unary, binary;
  int depth = 1;       // core units: 1 or 2
  int64_t sample = 0;  // 0: every expression of the space; > 0: this many, drawn with `seed`
  uint64_t seed = 0;
};

// An expression of the space and how it was built.
struct Candidate {
  std::string text;      // "x * sigmoid(x)"
  std::string spelling;  // "mul(x, sigmoid)"; two units: "add(square(mul(x, sigmoid)), x)"
};

// Expressions in the space (U^2 B for one unit, U^4 B^2 for two); saturates at INT64_MAX.
int64_t space_size(const SpaceSpec& space);

// Largest exhaustive enumeration: beyond it the space must be sampled.
inline constexpr int64_t kMaxEnumerated = 2'000'000;

// Every candidate in a fixed order (sample = 0), or `sample` distinct ones drawn uniformly with
// `seed` (all of them, in the fixed order, when sample >= the space's size). Throws
// std::invalid_argument for an empty set, a depth other than 1 or 2, or an exhaustive space over
// kMaxEnumerated.
std::vector<Candidate> enumerate_space(const SpaceSpec& space);

// `text` with every whole identifier `name` replaced by `replacement`, parenthesised unless it is
// one atom (a name, a number, or a call whose parentheses span it all). Numbers (2e-3) and longer
// identifiers (abs) are left alone.
std::string substitute(const std::string& text, const std::string& name,
                       const std::string& replacement);

std::string apply_unary(const Primitive& unary, const std::string& inner);
std::string apply_binary(const Primitive& binary, const std::string& left,
                         const std::string& right);

// How simple an expression is, for choosing a name among equivalent spellings: its tokens, with
// parentheses and commas not counted (x * sigmoid(x): 4).
int complexity(const std::string& text);

// Whether the text uses the input x at all (a candidate without x is a constant).
bool uses_input(const std::string& text);
// The offset of the first x in the text (std::string::npos without one): of two equally simple
// spellings, the one that reads from x first names the function (x * sigmoid(x)).
size_t input_position(const std::string& text);

}  // namespace actbench::search
