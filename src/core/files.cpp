// Atomic file writes, small digests and timestamps.
#include "core/files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace actbench::core {

void write_file_atomic(const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path temporary =
      path.parent_path() / fmt::format(".{}.tmp-{}", path.filename().string(), ::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Error(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
  }
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::close(fd);
      ::unlink(temporary.c_str());
      throw Error(fmt::format("cannot write {}: {}", path.string(), std::strerror(saved)));
    }
    written += static_cast<size_t>(n);
  }
  // fsync before rename: otherwise a power cut can leave the new name pointing at empty data.
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    throw Error(fmt::format("cannot write {}: {}", path.string(), std::strerror(saved)));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    throw Error(fmt::format("cannot write {}: {}", path.string(), std::strerror(saved)));
  }
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

namespace {

// "1 MiB" for the limits, "1,234,567 bytes" for sizes: compared by eye with `ls -l`.
std::string size_text(uintmax_t bytes, bool limit = false) {
  if (limit && bytes >= (uintmax_t{1} << 20) && bytes % (uintmax_t{1} << 20) == 0)
    return fmt::format("{} MiB", bytes >> 20);
  std::string digits = std::to_string(bytes), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out + " bytes";
}

}  // namespace

std::string read_file(const std::filesystem::path& path, size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0)
    throw Error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  if (S_ISDIR(info.st_mode))
    throw Error(
        fmt::format("cannot read {}: it is a directory, not a regular file", path.string()));
  const bool regular = S_ISREG(info.st_mode);
  // A regular file is sized before anything is read; a pipe or a device only says by running out.
  if (regular && static_cast<uintmax_t>(info.st_size) > max_bytes) {
    throw Error(fmt::format("{} is {}, larger than {}: not a file actbench reads", path.string(),
                            size_text(static_cast<uintmax_t>(info.st_size)),
                            size_text(max_bytes, true)));
  }
  std::string content;
  if (regular) content.reserve(static_cast<size_t>(info.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > max_bytes) {
      throw Error(
          fmt::format("{} is larger than {} (reading stopped there): not a file actbench "
                      "reads",
                      path.string(), size_text(max_bytes, true)));
    }
  }
  return content;
}

std::string short_hash(const std::string& text, size_t hex_digits) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return fmt::format("{:016x}", hash).substr(0, hex_digits);
}

std::string utc_now_iso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace actbench::core
