// Crash-safe file output: every result file is written to a temporary file beside it, flushed to
// disk, then renamed over the target, so a crash leaves the old file or the new one, never half of
// either.
#pragma once

#include <filesystem>
#include <string>

namespace actbench::core {

void write_file_atomic(const std::filesystem::path& path, const std::string& content);
std::string read_file(const std::filesystem::path& path);

// The largest config file (YAML) read: 4 MiB is about 2,000 times the largest config or sweep file
// in configs/ and experiments/, and a config's size bounds the time and memory of parsing it
// (config/tree.hpp reads files with this cap; docs/reliability.md).
constexpr size_t kMaxConfigFileBytes = size_t{4} << 20;

// The whole file, refused (Error naming the file and both sizes) when it holds more than
// `max_bytes`: a regular file is sized before anything is read; anything else that is not a
// directory (a pipe, a device such as /dev/zero) is read up to one byte past the limit.
std::string read_file(const std::filesystem::path& path, size_t max_bytes);

// A short stable hex digest (FNV-1a 64) of a text, for run ids derived from resolved configs.
std::string short_hash(const std::string& text, size_t hex_digits = 8);

// UTC time now as ISO 8601 ("2026-11-24T08:55:03Z").
std::string utc_now_iso8601();

}  // namespace actbench::core
