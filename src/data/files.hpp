// Shared by every dataset's loader, verifier and fetcher: DataError messages that name the file and
// the command that fetches it again, finding a file stored plain or gzipped, and checksums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
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

// What identifies one version of a file without reading it: a change of content changes the size
// or the modification time, and any write (even one that puts the old mtime back) the change time.
struct FileStamp {
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  bool operator==(const FileStamp& other) const {
    return size == other.size && mtime_ns == other.mtime_ns && ctime_ns == other.ctime_ns;
  }
};

// The file's stamp; nullopt when it cannot be stat'ed.
std::optional<FileStamp> file_stamp(const std::filesystem::path& path);

// <dataset dir>/.verified (JSON): per file name, the SHA-256 its content had when it was last
// checked and the stamp it had then, so that data is hashed once per change of a file, not at every
// load. The record is a cache: unreadable or malformed, it is ignored (everything is hashed);
// unwritable (a read-only data directory), nothing is remembered. It never makes a checksum right:
// the loaders compare the remembered SHA-256 with the one they expect.
class VerifiedRecord {
 public:
  explicit VerifiedRecord(const std::filesystem::path& dir);

  // The SHA-256 remembered for the file of this name, whatever its stamp.
  std::optional<std::string> sha256_of(const std::filesystem::path& file) const;
  // Whether the record holds `sha256` for this file with the stamp it has now.
  bool vouches(const std::filesystem::path& file, const FileStamp& stamp,
               const std::string& sha256) const;
  void remember(const std::filesystem::path& file, const FileStamp& stamp,
                const std::string& sha256);
  // Writes the record (atomically) if anything was remembered; a failure is only logged.
  void save() const;

 private:
  struct Entry {
    FileStamp stamp;
    std::string sha256;
  };
  std::filesystem::path file_;
  std::map<std::string, Entry> entries_;
  bool changed_ = false;
};

// "47,040,016": byte counts in messages are compared against documented sizes by eye.
std::string with_thousands(int64_t value);

}  // namespace actbench::data
