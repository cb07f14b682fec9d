// Shared by every dataset's loader, verifier and fetcher: DataError messages that name the file and
// the command that fetches it again, finding a file stored plain or gzipped, and checksums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace actbench::data {

// "`actbench data fetch mnist`": the remedy every DataError about a dataset's files ends with.
std::string fetch_command(const std::string& dataset);

// Throws DataError "<path>: <problem>; run `actbench data fetch <dataset>` to fetch it again".
[[noreturn]] void throw_data_error(const std::filesystem::path& path, const std::string& problem,
                                   const std::string& dataset);

// Throws DataError "<path> not found; run `actbench data fetch <dataset>`".
[[noreturn]] void throw_missing_file(const std::filesystem::path& path, const std::string& dataset);

// <dir>/<name> if it exists, else <dir>/<name>.gz if that exists; otherwise throws the missing-file
// DataError naming the plain path, which is what `fetch` writes.
std::filesystem::path find_plain_or_gz(const std::filesystem::path& dir, const std::string& name,
                                       const std::string& dataset);

// Absolute, normalised path as text, for Dataset::files (run metadata outlives the working
// directory).
std::string absolute_string(const std::filesystem::path& path);

enum class DigestKind { kSha256, kMd5 };

// Incremental OpenSSL EVP digest, so a file can be hashed while it is being parsed (one pass over a
// 47 MB file instead of two). The OpenSSL context stays in the .cpp.
class Hasher {
 public:
  explicit Hasher(DigestKind kind);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void update(const void* data, size_t size);
  // Lowercase hex; the hasher cannot be updated afterwards.
  std::string hex_digest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Hex digest of a whole file's bytes (not decompressed). Throws DataError naming the file when it
// cannot be read.
std::string file_digest(const std::filesystem::path& path, DigestKind kind,
                        const std::string& dataset);

// "47,040,016": byte counts in messages are compared against documented sizes by eye.
std::string with_thousands(int64_t value);

}  // namespace actbench::data
