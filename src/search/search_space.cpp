// The search space: the paper's primitive sets, composition by identifier substitution, and
// enumeration or seeded sampling of the core-unit expressions (search_space.hpp).
#include "search/search_space.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstddef>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>

namespace actbench::search {

const std::vector<Primitive>& builtin_unaries() {
  // Ramachandran et al. 2017, section 3: x, -x, |x|, x^2, x^3, sqrt(x), beta x, x + beta,
  // log(|x| + eps), exp(x), sin, cos, sinh, cosh, tanh, asinh, atan, sinc, max(x, 0), min(x, 0),
  // sigmoid, softplus, exp(-x^2), erf, beta. The language's log is already log(|u| + eps).
  static const std::vector<Primitive> unaries{
      {"x", "x"},
      {"neg", "-x"},
      {"abs", "abs(x)"},
      {"square", "x^2"},
      {"cube", "x^3"},
      {"sqrt", "sqrt(x)"},
      {"two_x", "2 * x"},
      {"x_plus_one", "x + 1"},
      {"log", "log(x)"},
      {"exp", "exp(x)"},
      {"sin", "sin(x)"},
      {"cos", "cos(x)"},
      {"sinh", "sinh(x)"},
      {"cosh", "cosh(x)"},
      {"tanh", "tanh(x)"},
      {"asinh", "asinh(x)"},
      {"atan", "atan(x)"},
      {"sinc", "sinc(x)"},
      {"relu", "max(x, 0)"},
      {"min0", "min(x, 0)"},
      {"sigmoid", "sigmoid(x)"},
      {"softplus", "softplus(x)"},
      {"gauss", "exp(-x^2)"},
      {"erf", "erf(x)"},
      {"one", "1"},
  };
  return unaries;
}

const std::vector<Primitive>& builtin_binaries() {
  // The paper's binary set: x1 + x2, x1 x2, x1 - x2, x1 / (x2 + eps) (the language's guarded
  // division), max, min, sigmoid(x1) x2, exp(-beta (x1 - x2)^2), exp(-beta |x1 - x2|),
  // beta x1 + (1 - beta) x2.
  static const std::vector<Primitive> binaries{
      {"add", "a + b"},
      {"mul", "a * b"},
      {"sub", "a - b"},
      {"div", "a / b"},
      {"max", "max(a, b)"},
      {"min", "min(a, b)"},
      {"sigmoid_mul", "sigmoid(a) * b"},
      {"gauss_diff", "exp(-(a - b)^2)"},
      {"laplace_diff", "exp(-abs(a - b))"},
      {"mean", "0.5 * a + 0.5 * b"},
  };
  return binaries;
}

namespace search_space_internal {

bool identifier_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// The end of the number starting at `i`, as the expression lexer reads it (2, .5, 1e-3).
size_t number_end(const std::string& text, size_t i) {
  size_t end = i;
  while (end < text.size() && digit(text[end])) ++end;
  if (end < text.size() && text[end] == '.') {
    ++end;
    while (end < text.size() && digit(text[end])) ++end;
  }
  if (end < text.size() && (text[end] == 'e' || text[end] == 'E')) {
    size_t k = end + 1;
    if (k < text.size() && (text[k] == '+' || text[k] == '-')) ++k;
    if (k < text.size() && digit(text[k])) {
      end = k;
      while (end < text.size() && digit(text[end])) ++end;
    }
  }
  return end;
}

// One token's extent: a number, an identifier, or a single character.
size_t token_end(const std::string& text, size_t i) {
  if (digit(text[i]) || (text[i] == '.' && i + 1 < text.size() && digit(text[i + 1])))
    return number_end(text, i);
  if (identifier_start(text[i])) {
    size_t end = i;
    while (end < text.size() && identifier_char(text[end])) ++end;
    return end;
  }
  return i + 1;
}

std::string trim(const std::string& text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(begin, end - begin);
}

// A name, a number, or name(...) whose closing parenthesis is the last character: such text
// binds tighter than any operator, so it needs no parentheses of its own.
bool is_atom(const std::string& raw) {
  const std::string text = trim(raw);
  if (text.empty()) return false;
  const size_t first = token_end(text, 0);
  if (first == text.size()) return identifier_start(text[0]) || digit(text[0]) || text[0] == '.';
  if (!identifier_start(text[0]) || text[first] != '(' || text.back() != ')') return false;
  int open = 0;
  for (size_t i = first; i < text.size(); ++i) {
    if (text[i] == '(') ++open;
    if (text[i] == ')' && --open == 0) return i + 1 == text.size();
  }
  return false;
}

int64_t saturating_multiply(int64_t a, int64_t b) {
  int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) return std::numeric_limits<int64_t>::max();
  return out;
}

void check_space(const SpaceSpec& space) {
  if (space.unary.empty()) throw std::invalid_argument("the search space has no unary function");
  if (space.binary.empty()) throw std::invalid_argument("the search space has no binary function");
  if (space.depth != 1 && space.depth != 2)
    throw std::invalid_argument(fmt::format("depth {} (1 or 2 core units)", space.depth));
}

// The candidate at `index` of the fixed order: the unary of the right input varies fastest.
Candidate candidate_at(const SpaceSpec& space, int64_t index) {
  const auto u = static_cast<int64_t>(space.unary.size());
  const auto b = static_cast<int64_t>(space.binary.size());
  auto next = [&index](int64_t n) {
    const int64_t digit_value = index % n;
    index /= n;
    return static_cast<size_t>(digit_value);
  };
  const Primitive& u2 = space.unary[next(u)];
  const Primitive& u1 = space.unary[next(u)];
  const Primitive& b1 = space.binary[next(b)];
  Candidate c;
  c.text = apply_binary(b1, apply_unary(u1, "x"), apply_unary(u2, "x"));
  c.spelling = fmt::format("{}({}, {})", b1.name, u1.name, u2.name);
  if (space.depth == 2) {
    const Primitive& u4 = space.unary[next(u)];
    const Primitive& u3 = space.unary[next(u)];
    const Primitive& b2 = space.binary[next(b)];
    c.text = apply_binary(b2, apply_unary(u3, c.text), apply_unary(u4, "x"));
    c.spelling = fmt::format("{}({}({}), {})", b2.name, u3.name, c.spelling, u4.name);
  }
  return c;
}

}  // namespace search_space_internal
using namespace search_space_internal;

std::string substitute(const std::string& text, const std::string& name,
                       const std::string& replacement) {
  const std::string bare = trim(replacement);
  const std::string value = is_atom(replacement) ? bare : "(" + bare + ")";
  // The neighbouring characters, spaces skipped: a whole call argument, f(x) or max(x, 0), needs
  // no parentheses of its own.
  auto neighbour = [&text](size_t from, int step) {
    for (auto k = static_cast<std::ptrdiff_t>(from);
         k >= 0 && k < static_cast<std::ptrdiff_t>(text.size()); k += step)
      if (!std::isspace(static_cast<unsigned char>(text[static_cast<size_t>(k)])))
        return text[static_cast<size_t>(k)];
    return '\0';
  };
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t end = token_end(text, i);
    const std::string token = text.substr(i, end - i);
    if (token != name) {
      out += token;
    } else {
      const char before = i == 0 ? '\0' : neighbour(i - 1, -1);
      const char after = neighbour(end, 1);
      const bool argument = (before == '(' || before == ',') && (after == ')' || after == ',');
      out += argument ? bare : value;
    }
    i = end;
  }
  return out;
}

std::string apply_unary(const Primitive& unary, const std::string& inner) {
  return substitute(unary.text, "x", inner);
}

std::string apply_binary(const Primitive& binary, const std::string& left,
                         const std::string& right) {
  // Left first: the result holds no identifier b, as primitives name no parameter (the search
  // file's reader refuses one), so the second substitution touches only the binary's own b.
  return substitute(substitute(binary.text, "a", left), "b", right);
}

int complexity(const std::string& text) {
  int tokens = 0;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const size_t end = token_end(text, i);
    if (!std::isspace(static_cast<unsigned char>(c)) && c != '(' && c != ')' && c != ',') ++tokens;
    i = end;
  }
  return tokens;
}

bool uses_input(const std::string& text) { return input_position(text) != std::string::npos; }

size_t input_position(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t end = token_end(text, i);
    if (end - i == 1 && text[i] == 'x') return i;
    i = end;
  }
  return std::string::npos;
}

int64_t space_size(const SpaceSpec& space) {
  const auto u = static_cast<int64_t>(space.unary.size());
  const auto b = static_cast<int64_t>(space.binary.size());
  const int64_t unit = saturating_multiply(saturating_multiply(u, u), b);
  return space.depth == 2 ? saturating_multiply(unit, unit) : unit;
}

std::vector<Candidate> enumerate_space(const SpaceSpec& space) {
  check_space(space);
  const int64_t size = space_size(space);
  std::vector<Candidate> out;
  if (space.sample <= 0 || space.sample >= size) {
    if (size > kMaxEnumerated)
      throw std::invalid_argument(
          fmt::format("the space holds {} expressions, more than the {} an exhaustive search "
                      "enumerates: sample it",
                      size, kMaxEnumerated));
    out.reserve(static_cast<size_t>(size));
    for (int64_t i = 0; i < size; ++i) out.push_back(candidate_at(space, i));
    return out;
  }
  // Distinct indices drawn uniformly; kept in the order drawn, which the seed fixes.
  std::mt19937_64 generator(space.seed);
  std::uniform_int_distribution<int64_t> draw(0, size - 1);
  std::set<int64_t> seen;
  while (static_cast<int64_t>(out.size()) < space.sample) {
    const int64_t index = draw(generator);
    if (seen.insert(index).second) out.push_back(candidate_at(space, index));
  }
  return out;
}

}  // namespace actbench::search
