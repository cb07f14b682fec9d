// The activation zoo's decide layer, public so that the tests can feed it made-up numbers: the
// claim that differences between activations grow with depth, measured as the interquartile
// range of the activations' mean test accuracies on the deep narrow MLP against the shallow one.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "study/claims.hpp"

namespace actbench::study {

// Quartile q of `values` with linear interpolation; NaN for none.
double zoo_quantile(std::vector<double> values, double q);

// `means`: sweep key ("mnist", "deep_narrow", ...) -> each activation's mean test accuracy.
std::vector<ClaimResult> decide_zoo(const std::map<std::string, std::vector<double>>& means);

}  // namespace actbench::study
