// Fuzz target body for the activation expression parser, shared by fuzz/expression_fuzzer.cpp and
// the corpus replay test of the regular unit-test build (tests/reliability/fuzz_corpus_test.cpp),
// so CI checks every committed corpus input without clang. Each entry feeds one input through the
// same calls the CLI makes and returns normally when the input is accepted or rejected with the
// documented error type. Anything else escapes: another exception reaches std::terminate (a crash
// for libFuzzer, a failure for the test), and a sanitizer report ends the process.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "expression/expression.hpp"
#include "fuzz/fuzz_support.hpp"

namespace actbench::fuzz {

// An activation expression: parsed, its parameters bound, evaluated with autograd on a few inputs
// (including 0 and large magnitudes, where the guards matter). The corpus holds texts at and past
// the nesting, node and length limits (deep parentheses, chains of unary minus, long sums): past
// them the parse must be a SyntaxError, never a stack overflow.
inline void expression_one_input(const uint8_t* data, size_t size) {
  namespace expr = ::actbench::expression;
  const std::string text(reinterpret_cast<const char*>(data), size);
  expr::Expression parsed;
  try {
    parsed = expr::Expression::parse(text);
  } catch (const expr::SyntaxError& e) {
    if (e.offset() > text.size()) {
      finding("expression", "syntax error offset " + std::to_string(e.offset()) +
                                " is past the end of a " + std::to_string(text.size()) +
                                "-byte text");
    }
    return;
  }
  // What parses is within the limits, so every pass over the tree below recurses a bounded depth.
  if (text.size() > expr::kMaxTextLength) {
    finding("expression", "a text of " + std::to_string(text.size()) +
                              " characters parsed, over the length limit");
  }
  const torch::Tensor x =
      torch::tensor({-1e4, -3.0, -1.0, -1e-7, 0.0, 1e-7, 0.5, 2.0, 1e4}, torch::kFloat64)
          .requires_grad_(true);
  std::vector<torch::Tensor> parameters;
  std::map<std::string, double> values;
  for (const auto& parameter : parsed.parameters()) {
    parameters.push_back(torch::full({}, 0.75, torch::kFloat64).requires_grad_(true));
    values[parameter.name] = 0.75;
  }
  const torch::Tensor y = parsed(x, parameters);
  if (y.sizes() != x.sizes()) finding("expression", "f(x) has another shape than x: " + text);
  y.sum().backward();
  const torch::Tensor bound = parsed.bind(values)(x.detach());
  if (bound.sizes() != x.sizes()) finding("expression", "bound f(x) changes shape: " + text);
}

}  // namespace actbench::fuzz
