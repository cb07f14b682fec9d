// Activation functions written as text ("x * sigmoid(beta * x)"): a small language over the unary
// and binary building blocks of Ramachandran et al. 2017, "Searching for Activation Functions",
// parsed once into an AST whose evaluation is made of LibTorch ops, so autograd gives the
// derivative and a forward pass never looks at the text again. Used by the `expr` activation
// (model/) and the `function` dataset's target (data/): a stage of its own below both.
//
// Grammar, loosest binding first; binary operators are left-associative:
//   expr    := term (('+' | '-') term)*
//   term    := unary (('*' | '/') unary)*
//   unary   := '-' unary | power                    so -x^2 is -(x^2), and 2 * -x is allowed
//   power   := primary ['^' ['-'] number]           the exponent is a number: x^2, x^0.5, x^-1
//   primary := number | 'x' | parameter | function '(' expr {',' expr} ')' | '(' expr ')'
//            | '|' expr '|'                          |u| is abs(u)
// Numbers: 2, 0.5, .5, 1e-3. Any other identifier is a named parameter whose value the config
// gives. Functions: abs sqrt exp log sin cos sinh cosh tanh asinh atan sinc sigmoid softplus erf
// (one argument), max min (two). Guards, so that no input gives infinity or NaN by accident:
//   a / b    divides by b moved away from 0 to |b| >= kDivisionEps (sign kept, 0 counts as
//            positive; the gradient through b is 0 inside that band)
//   log(u)   is log(|u| + kLogEps), the paper's log(|x| + eps)
//   sinc(u)  is sin(u)/u with sinc(0) = 1 (unnormalised, as in the paper; numpy's has pi in it)
// sqrt of a negative number and a fractional power of one are NaN, as in LibTorch.
#pragma once

#include <torch/types.h>

#include <cstddef>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace actbench::expression {

constexpr double kDivisionEps = 1e-6;
constexpr double kLogEps = 1e-6;

// Limits, so that no text can exhaust the stack or the memory (issue 23). The parser, the passes
// over the tree (evaluation, folding) and its destruction recurse, so the tree's depth must be
// bounded; every node costs a grid-sized tensor when the catalogue's properties are computed, so
// the node count must be bounded too. Each is far above what an activation needs: the largest in
// Ramachandran et al. 2017 has about 10 nodes and 3 levels of nesting.
//   kMaxTextLength  characters of text, checked before anything else is done with it
//   kMaxNesting     '(' '|' function calls and unary '-' open at once
//   kMaxNodes       nodes of the tree (numbers, x, parameters, operators and calls), which also
//                   bounds its depth: a left-deep x+x+...+x is as deep as it has terms
constexpr size_t kMaxTextLength = 4096;
constexpr size_t kMaxNesting = 64;
constexpr size_t kMaxNodes = 256;

// A mistake in an expression's text, at a 0-based offset into it; the caller turns the offset into
// a column of the config (see activations/expr.cpp).
class SyntaxError : public std::runtime_error {
 public:
  SyntaxError(size_t offset, std::string message, std::string hint = "");
  size_t offset() const { return offset_; }
  const std::string& message() const { return message_; }
  const std::string& hint() const { return hint_; }

 private:
  size_t offset_;
  std::string message_;
  std::string hint_;
};

// A named parameter and where the expression first uses it.
struct Parameter {
  std::string name;
  size_t offset = 0;
};

struct Node;

// The names the language reserves: the input and the functions, for messages and docs.
const std::vector<std::string>& function_names();
constexpr const char* kInput = "x";

// A parsed expression. Immutable and cheap to copy (the tree is shared).
class Expression {
 public:
  // Throws SyntaxError at the offending offset; an expression must use x.
  static Expression parse(const std::string& text);

  const std::string& text() const { return text_; }
  // Parameters not yet bound, in order of first use.
  const std::vector<Parameter>& parameters() const { return parameters_; }
  bool uses(const std::string& parameter) const;

  // A copy with these parameters replaced by fixed values and every constant subexpression
  // computed once, so that `x * sigmoid(2 * beta * x)` with beta fixed costs three ops per call.
  // Names it does not use are ignored.
  Expression bind(const std::map<std::string, double>& values) const;

  // f(x); `parameters` holds one tensor per parameters() entry, in that order, of x's dtype
  // (scalars broadcast). Autograd flows to x and to the parameter tensors.
  torch::Tensor operator()(const torch::Tensor& x,
                           const std::vector<torch::Tensor>& parameters = {}) const;

 private:
  std::string text_;
  std::shared_ptr<const Node> root_;
  std::vector<Parameter> parameters_;
};

}  // namespace actbench::expression
