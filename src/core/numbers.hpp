// The floating-point constants many files need (NaN for "undefined", infinity, pi), defined once:
// each file defining its own in an anonymous namespace would collide when a unity build compiles
// several files of one namespace as one unit.
#pragma once

#include <limits>

namespace actbench::core {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInfinity = std::numeric_limits<double>::infinity();
inline constexpr double kPi = 3.14159265358979323846;

}  // namespace actbench::core
