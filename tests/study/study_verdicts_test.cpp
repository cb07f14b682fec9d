// The decide layers of the SIREN and activation-zoo studies, fed made-up numbers: for each claim,
// numbers that should agree, partly agree and not agree, and a check that the verdict and its
// generated sentence change with them (dying ReLU's: dying_relu_test.cpp; vanishing gradients':
// vanishing_gradients_test.cpp).
#include <gtest/gtest.h>

#include <cmath>

#include "study/claims.hpp"

namespace actbench::study {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace
}  // namespace actbench::study
