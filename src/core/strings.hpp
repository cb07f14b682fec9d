// Small string helpers used by error messages: edit distance, did-you-mean suggestions, joining
// names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace actbench::core {

// Edit distance: insertions, deletions, substitutions and swaps of neighbours each cost 1.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name`, if it is close enough to be a plausible typo; "" otherwise.
std::string closest_match(std::string_view name, const std::vector<std::string>& candidates);

// " (did you mean 'relu'?)" or "" — ready to append to a message.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

// `text` as one single-quoted word for bash/sh: whatever it holds (quotes, $, backticks, newlines),
// the shell reads it back as exactly that string and runs nothing from it.
std::string shell_quote(std::string_view text);

// Whether `text` holds a control character (newline, tab, escape, DEL, ...): such a name would end
// a line in a generated script or comment, so names refuse them.
bool has_control_character(std::string_view text);

// `text` made safe for one comment line of a generated file: control characters (newlines above
// all, which would end the comment and make the rest live code) become spaces.
std::string single_line(std::string_view text);

}  // namespace actbench::core
