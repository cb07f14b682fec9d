// What the fetchers share: scratch directories that clean up after themselves, running external
// tools (npm, tar, curl, wget) with quoted arguments and checked exit status, copies that never
// leave a half-written file under its final name, and downloads.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace actbench::data {

// A fresh directory (mkdtemp) under `parent`, removed with its contents on destruction. Creating it
// next to the destination keeps the final rename on one file system, hence atomic.
class TempDir {
 public:
  TempDir(const std::filesystem::path& parent, const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Wraps an argument in single quotes for /bin/sh, so paths with spaces or quotes stay one word.
std::string shell_quote(const std::string& argument);

// The executable `name` found on PATH, if any.
std::optional<std::filesystem::path> find_program(const std::string& name);

// Runs `arguments` (quoted here) through /bin/sh in `directory`, with stdout and stderr going to
// `log`. Throws DataError naming `what`, the exit status and the end of the log when it fails.
void run_checked(const std::vector<std::string>& arguments, const std::filesystem::path& directory,
                 const std::filesystem::path& log, const std::string& what,
                 const std::string& dataset);

// Copies `from` to `<to>.partial` then renames it to `to`: an interrupted copy leaves no file
// under the final name, and readers never see a half-written one.
void atomic_copy(const std::filesystem::path& from, const std::filesystem::path& to);

// Brings `source` to `destination`: an http(s)/ftp URL is downloaded with curl (or wget), a
// file:// URL or a plain path is copied. Throws DataError on failure.
void download_or_copy(const std::string& source, const std::filesystem::path& destination,
                      const std::string& dataset);

}  // namespace actbench::data
