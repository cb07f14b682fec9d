// Shortening long values for display (display.hpp).
#include "core/display.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace actbench::core {

std::string shorten_lists(const std::string& label) {
  constexpr size_t kLongList = 8;
  std::string out;
  size_t i = 0;
  while (i < label.size()) {
    if (label[i] != '[') {
      out += label[i++];
      continue;
    }
    const size_t close = label.find(']', i);
    const std::string inner = close == std::string::npos ? "" : label.substr(i + 1, close - i - 1);
    if (close == std::string::npos || inner.find('[') != std::string::npos) {
      out += label[i++];
      continue;
    }
    std::vector<std::string> items;
    std::string item;
    for (char c : inner + ",") {
      if (c == ',') {
        const size_t first = item.find_first_not_of(' ');
        items.push_back(first == std::string::npos
                            ? std::string()
                            : item.substr(first, item.find_last_not_of(' ') - first + 1));
        item.clear();
      } else {
        item += c;
      }
    }
    if (items.size() <= kLongList) {
      out += label.substr(i, close - i + 1);
    } else if (std::all_of(items.begin(), items.end(),
                           [&](const std::string& x) { return x == items.front(); })) {
      out += fmt::format("[{} x {}]", items.front(), items.size());
    } else {
      out +=
          fmt::format("[{}, {}, {}, ... ({} items)]", items[0], items[1], items[2], items.size());
    }
    i = close + 1;
  }
  return out;
}

namespace {

// "expr(expr=TEXT, learnable=[])", how the expression activation's label spells a candidate, as
// TEXT: the activation search's tables and legends listed every function inside that wrapper.
std::string unwrap_expressions(const std::string& label) {
  static const std::string kOpen = "expr(expr=", kTail = ", learnable=[]";
  std::string out;
  size_t i = 0;
  while (i < label.size()) {
    const size_t at = label.find(kOpen, i);
    if (at == std::string::npos) break;
    // The wrapper's closing parenthesis: the first one back at depth 0.
    size_t close = std::string::npos;
    int depth = 1;
    for (size_t j = at + kOpen.size(); j < label.size(); ++j) {
      if (label[j] == '(') ++depth;
      if (label[j] == ')' && --depth == 0) {
        close = j;
        break;
      }
    }
    const size_t body = at + kOpen.size();
    if (close == std::string::npos || close < body + kTail.size() ||
        label.compare(close - kTail.size(), kTail.size(), kTail) != 0) {
      out += label.substr(i, body - i);
      i = body;
      continue;
    }
    out += label.substr(i, at - i) + label.substr(body, close - kTail.size() - body);
    i = close + 1;
  }
  return out + label.substr(std::min(i, label.size()));
}

}  // namespace

std::string readable_value(const std::string& text) {
  return shorten_lists(unwrap_expressions(text));
}

}  // namespace actbench::core
