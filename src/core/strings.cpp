// Edit distance and suggestions for typo'd names in configs and on the command line.
#include "core/strings.hpp"

#include <algorithm>
#include <cctype>

namespace actbench::core {

size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: a swap of two neighbours ("mnsit") is one typo, not two.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string closest_match(std::string_view name, const std::vector<std::string>& candidates) {
  // A name that extends or shortens a known one ("optimizer" for "optim") is a likely mistake even
  // when many letters differ.
  for (const auto& candidate : candidates) {
    if (candidate.size() >= 3 && name.size() >= 3 &&
        (name.rfind(candidate, 0) == 0 || candidate.rfind(name, 0) == 0))
      return candidate;
  }
  std::string best;
  size_t best_distance = std::string::npos;
  for (const auto& candidate : candidates) {
    const size_t distance = edit_distance(name, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  // Accept roughly one typo per three characters; "rellu" -> "relu", but "foo" suggests nothing.
  const size_t allowed = std::max<size_t>(1, name.size() / 3);
  if (best_distance == std::string::npos || best_distance > allowed) return "";
  return best;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  const std::string match = closest_match(name, candidates);
  return match.empty() ? "" : " (did you mean '" + match + "'?)";
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    // A single quote cannot appear inside '...': close, add an escaped quote, reopen.
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool has_control_character(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

std::string single_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return out;
}

}  // namespace actbench::core
