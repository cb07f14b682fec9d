// DataError wording, plain-or-gzip file lookup and OpenSSL digests shared by the dataset entries.
#include "data/files.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"

namespace actbench::data {

namespace fs = std::filesystem;

std::string fetch_command(const std::string& dataset) {
  return fmt::format("`actbench data fetch {}`", dataset);
}

void throw_data_error(const fs::path& path, const std::string& problem,
                      const std::string& dataset) {
  throw DataError(fmt::format("{}: {}; run {} to fetch it again", path.string(), problem,
                              fetch_command(dataset)));
}

void throw_missing_file(const fs::path& path, const std::string& dataset) {
  throw DataError(fmt::format("{} not found; run {}", path.string(), fetch_command(dataset)));
}

fs::path find_plain_or_gz(const fs::path& dir, const std::string& name,
                          const std::string& dataset) {
  const fs::path plain = dir / name;
  std::error_code ec;
  if (fs::exists(plain, ec)) return plain;
  const fs::path gz = dir / (name + ".gz");
  if (fs::exists(gz, ec)) return gz;
  throw_missing_file(plain, dataset);
}

std::string absolute_string(const fs::path& path) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec);
  return (ec ? path : absolute).lexically_normal().string();
}

struct Hasher::Impl {
  EVP_MD_CTX* context = nullptr;
  bool finished = false;
};

Hasher::Hasher(DigestKind kind) : impl_(std::make_unique<Impl>()) {
  impl_->context = EVP_MD_CTX_new();
  const EVP_MD* md = kind == DigestKind::kSha256 ? EVP_sha256() : EVP_md5();
  if (impl_->context == nullptr || md == nullptr ||
      EVP_DigestInit_ex(impl_->context, md, nullptr) != 1) {
    EVP_MD_CTX_free(impl_->context);
    throw Error("OpenSSL could not initialise a digest context");
  }
}

Hasher::~Hasher() { EVP_MD_CTX_free(impl_->context); }

void Hasher::update(const void* data, size_t size) {
  if (impl_->finished) throw std::logic_error("Hasher::update after hex_digest");
  if (size > 0 && EVP_DigestUpdate(impl_->context, data, size) != 1) {
    throw Error("OpenSSL digest update failed");
  }
}

std::string Hasher::hex_digest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (impl_->finished) throw std::logic_error("Hasher::hex_digest called twice");
  impl_->finished = true;
  if (EVP_DigestFinal_ex(impl_->context, digest, &length) != 1) {
    throw Error("OpenSSL digest finalisation failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

std::string file_digest(const fs::path& path, DigestKind kind, const std::string& dataset) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw_missing_file(path, dataset);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw_data_error(path, fmt::format("cannot be opened ({})", std::strerror(errno)), dataset);
  Hasher hasher(kind);
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    hasher.update(buffer.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw_data_error(path, "read error", dataset);
  return hasher.hex_digest();
}

std::optional<FileStamp> file_stamp(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  auto ns = [](const struct timespec& t) { return int64_t{t.tv_sec} * 1000000000 + t.tv_nsec; };
  return FileStamp{static_cast<int64_t>(info.st_size), ns(info.st_mtim), ns(info.st_ctim)};
}

VerifiedRecord::VerifiedRecord(const fs::path& dir) : file_(dir / ".verified") {
  std::error_code ec;
  if (!fs::exists(file_, ec)) return;
  try {
    // A record of a few datasets' files is a few kilobytes; 1 MiB bounds a hostile one.
    const nlohmann::json json = nlohmann::json::parse(core::read_file(file_, size_t{1} << 20));
    for (const auto& [name, entry] : json.at("files").items()) {
      entries_[name] = Entry{{entry.at("size").get<int64_t>(), entry.at("mtime_ns").get<int64_t>(),
                              entry.at("ctime_ns").get<int64_t>()},
                             entry.at("sha256").get<std::string>()};
    }
  } catch (const std::exception& e) {
    spdlog::debug("ignoring {}: {}", file_.string(), e.what());
    entries_.clear();
  }
}

std::optional<std::string> VerifiedRecord::sha256_of(const fs::path& file) const {
  const auto it = entries_.find(file.filename().string());
  if (it == entries_.end()) return std::nullopt;
  return it->second.sha256;
}

bool VerifiedRecord::vouches(const fs::path& file, const FileStamp& stamp,
                             const std::string& sha256) const {
  const auto it = entries_.find(file.filename().string());
  return it != entries_.end() && it->second.stamp == stamp && it->second.sha256 == sha256;
}

void VerifiedRecord::remember(const fs::path& file, const FileStamp& stamp,
                              const std::string& sha256) {
  entries_[file.filename().string()] = Entry{stamp, sha256};
  changed_ = true;
}

void VerifiedRecord::save() const {
  if (!changed_) return;
  nlohmann::json files = nlohmann::json::object();
  for (const auto& [name, e] : entries_) {
    files[name] = {{"size", e.stamp.size},
                   {"mtime_ns", e.stamp.mtime_ns},
                   {"ctime_ns", e.stamp.ctime_ns},
                   {"sha256", e.sha256}};
  }
  const nlohmann::json json = {
      {"about",
       "the SHA-256 of this dataset's files when actbench last checked them, with their size and "
       "times then; a file whose size or times changed is checked again. Safe to delete."},
      {"files", files}};
  try {
    core::write_file_atomic(file_, json.dump(2) + "\n");
  } catch (const std::exception& e) {
    spdlog::debug("cannot remember the verified files in {}: {}", file_.string(), e.what());
  }
}

std::string with_thousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return value < 0 ? "-" + out : out;
}

}  // namespace actbench::data
