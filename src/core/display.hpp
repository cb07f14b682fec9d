// Text for people to read where a value can be long: a deep model.hidden in a sweep plan line, a
// report's group label.
#pragma once

#include <string>

namespace actbench::core {

// A "[...]" list of more than 8 items, all equal, as "[128 x 160]"; other long lists as their
// first three items and a count. Everything else as is.
std::string shorten_lists(const std::string& text);

}  // namespace actbench::core
