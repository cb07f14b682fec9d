// Text for people to read where a value can be long: a deep model.hidden in a sweep plan line, a
// report's group label.
#pragma once

#include <string>

namespace actbench::core {

// A "[...]" list of more than 8 items, all equal, as "[128 x 160]"; other long lists as their
// first three items and a count. Everything else as is.
std::string shorten_lists(const std::string& text);

// What tables, legends and plan lines show of a value: shorten_lists, and an expression
// activation's label "expr(expr=TEXT, learnable=[])" as its TEXT.
std::string readable_value(const std::string& text);

}  // namespace actbench::core
