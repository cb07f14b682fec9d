// DataError wording, plain-or-gzip file lookup and OpenSSL digests shared by the dataset entries.
#include "data/files.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "core/error.hpp"

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
