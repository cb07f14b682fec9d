// Where the files actbench ships beside its binary (configs/ and experiments/) are found, so that
// a shipped config or sweep file named by its path in a checkout ("experiments/x.yaml") or by its
// name alone works from any working directory: the working directory first (a checkout, or the
// user's own files), then <prefix>/share/actbench beside an installed binary, then the checkout a
// build/ directory's binary was built from.
#pragma once

#include <filesystem>
#include <vector>

namespace actbench::core {

// The folders that may hold configs/ and experiments/, in the order they are searched.
std::vector<std::filesystem::path> shipped_roots();

// `relative` itself when it exists (or is absolute), else the first shipped root holding it, else
// `relative` unchanged (so that the caller's "cannot read" names the path it was given).
std::filesystem::path find_shipped_file(const std::filesystem::path& relative);

}  // namespace actbench::core
