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

}  // namespace actbench::core
