// IDX parsing through zlib's gz* API, which reads plain and gzipped files alike, so one code path
// checks both and a gzipped copy is held to exactly the same rules as the plain file.
#include "data/idx.hpp"

#include <fmt/format.h>
#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "core/error.hpp"
#include "data/files.hpp"

namespace actbench::data {

namespace fs = std::filesystem;

namespace {

// No real IDX file comes near these; a corrupt header must not make us allocate terabytes.
constexpr int64_t kMaxSide = 1 << 14;
constexpr int64_t kMaxPayloadBytes = int64_t{1} << 34;
// gzread takes an unsigned int length; reading in bounded chunks also keeps hashing cache-friendly.
constexpr size_t kChunkBytes = size_t{1} << 20;

uint32_t big_endian_u32(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

void put_big_endian_u32(uint32_t value, uint8_t* bytes) {
  bytes[0] = static_cast<uint8_t>(value >> 24);
  bytes[1] = static_cast<uint8_t>(value >> 16);
  bytes[2] = static_cast<uint8_t>(value >> 8);
  bytes[3] = static_cast<uint8_t>(value);
}

const char* noun(IdxKind kind) { return kind == IdxKind::kImages ? "images" : "labels"; }

std::string describe_magic(uint32_t magic) {
  if (magic == kIdxImagesMagic) return "an IDX image file";
  if (magic == kIdxLabelsMagic) return "an IDX label file";
  if ((magic >> 16) != 0) return "not an IDX file at all";
  return fmt::format("an IDX file of element type 0x{:02X} with {} dimensions", (magic >> 8) & 0xff,
                     magic & 0xff);
}

// One open IDX file: header, payload and end-of-file checks, in that order.
class IdxFile {
 public:
  IdxFile(const fs::path& path, const IdxExpect& expect) : path_(path), expect_(expect) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw_missing_file(path, expect.dataset);
    if (!fs::is_regular_file(path, ec)) fail("is not a regular file");
    errno = 0;
    file_ = gzopen(path.string().c_str(), "rb");
    if (file_ == nullptr) {
      fail(fmt::format("cannot be opened ({})",
                       errno != 0 ? std::strerror(errno) : "out of memory"));
    }
    gzbuffer(file_, 1 << 17);
  }
  ~IdxFile() {
    if (file_ != nullptr) gzclose(file_);
  }
  IdxFile(const IdxFile&) = delete;
  IdxFile& operator=(const IdxFile&) = delete;

  const IdxSummary& read_header(Hasher* hasher) {
    std::array<uint8_t, 4> magic_bytes{};
    const size_t got = read(magic_bytes.data(), magic_bytes.size());
    summary_.gzipped = gzdirect(file_) == 0;
    if (got == 0) fail("is empty");
    if (got < magic_bytes.size()) {
      fail(fmt::format("is too short for an IDX header ({} bytes)", consumed_));
    }
    const uint32_t magic = big_endian_u32(magic_bytes.data());
    const bool images = expect_.kind == IdxKind::kImages;
    const uint32_t wanted = images ? kIdxImagesMagic : kIdxLabelsMagic;
    if (magic != wanted) {
      fail(fmt::format("bad magic number 0x{:08X}, expected 0x{:08X} ({}); this looks like {}",
                       magic, wanted, describe_magic(wanted), describe_magic(magic)));
    }
    const size_t num_dims = images ? 3 : 1;
    std::array<uint8_t, 12> dim_bytes{};
    if (read(dim_bytes.data(), 4 * num_dims) < 4 * num_dims) {
      fail(fmt::format("is truncated inside its header ({} bytes, the header has {})", consumed_,
                       4 + 4 * num_dims));
    }
    if (hasher != nullptr) {
      hasher->update(magic_bytes.data(), magic_bytes.size());
      hasher->update(dim_bytes.data(), 4 * num_dims);
    }
    summary_.kind = expect_.kind;
    summary_.count = big_endian_u32(dim_bytes.data());
    if (images) {
      summary_.rows = big_endian_u32(dim_bytes.data() + 4);
      summary_.cols = big_endian_u32(dim_bytes.data() + 8);
    }
    header_bytes_ = static_cast<int64_t>(4 + 4 * num_dims);
    check_dims();
    payload_bytes_ = summary_.count * (images ? summary_.rows * summary_.cols : 1);
    summary_.content_bytes = header_bytes_ + payload_bytes_;
    return summary_;
  }

  // Reads the payload into `growing`, which grows chunk by chunk with the data actually there, or
  // through a scratch buffer when it is null.
  void read_payload(Hasher* hasher, std::vector<uint8_t>* growing = nullptr) {
    std::vector<uint8_t> scratch;
    if (growing == nullptr) scratch.resize(kChunkBytes);
    int64_t done = 0;
    while (done < payload_bytes_) {
      const size_t want = static_cast<size_t>(
          std::min<int64_t>(payload_bytes_ - done, static_cast<int64_t>(kChunkBytes)));
      if (growing != nullptr) growing->resize(static_cast<size_t>(done) + want);
      uint8_t* chunk = growing != nullptr ? growing->data() + done : scratch.data();
      const size_t got = read(chunk, want);
      if (hasher != nullptr) hasher->update(chunk, got);
      if (expect_.kind == IdxKind::kLabels) check_labels(chunk, got, done);
      done += static_cast<int64_t>(got);
      if (got < want) {
        fail(fmt::format(
            "is truncated: its header declares {} {}{} ({} bytes after the {}-byte header) but "
            "only {} bytes follow{}",
            summary_.count, noun(summary_.kind), shape_text(), with_thousands(payload_bytes_),
            header_bytes_, with_thousands(done), summary_.gzipped ? " once decompressed" : ""));
      }
    }
  }

  // The file must end exactly where the header says; anything after it means a different file.
  void finish() {
    std::array<uint8_t, 1 << 14> scratch{};
    int64_t trailing = 0;
    for (;;) {
      const size_t got = read(scratch.data(), scratch.size());
      trailing += static_cast<int64_t>(got);
      if (got < scratch.size()) break;
    }
    if (trailing > 0) {
      fail(
          fmt::format("has {} trailing byte{}: its header declares {} {}{}, which is {} bytes{} in "
                      "all, but the "
                      "file holds {}",
                      with_thousands(trailing), trailing == 1 ? "" : "s", summary_.count,
                      noun(summary_.kind), shape_text(), with_thousands(summary_.content_bytes),
                      summary_.gzipped ? " uncompressed" : "",
                      with_thousands(summary_.content_bytes + trailing)));
    }
    // Bytes after the end of a gzip stream that are not another gzip member are skipped by zlib
    // (gzip itself only warns about them) and cannot be seen through the gz* API; they do not
    // change the content, which is what the checks above and the checksums cover.
  }

  [[noreturn]] void fail(const std::string& problem) const {
    throw_data_error(path_, problem, expect_.dataset);
  }

 private:
  // Reads up to `size` bytes; fewer only at the end of the data. zlib errors (a gzip stream cut
  // off, corrupt deflate data, a failed read) are DataErrors.
  size_t read(void* dest, size_t size) {
    const int got = gzread(file_, dest, static_cast<unsigned>(size));
    int errnum = Z_OK;
    const char* message = gzerror(file_, &errnum);
    if (got > 0) consumed_ += got;
    if (got < 0 || errnum != Z_OK) {
      // zlib reads ahead, so it may report a cut-off stream before we have consumed the data
      // that precedes the cut: no byte offset in these messages.
      if (errnum == Z_BUF_ERROR) {
        fail(fmt::format("the gzip stream is cut off (zlib: {}); the file is truncated",
                         zlib_message(message)));
      }
      if (errnum == Z_ERRNO) fail(fmt::format("read error ({})", std::strerror(errno)));
      fail(fmt::format("corrupt gzip data (zlib: {})", zlib_message(message)));
    }
    return static_cast<size_t>(got);
  }

  // gzerror prefixes its message with the path, which our messages already start with.
  std::string zlib_message(const char* message) const {
    const std::string text = message != nullptr ? message : "unknown error";
    const std::string prefix = path_.string() + ": ";
    return text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : text;
  }

  void check_dims() const {
    const bool images = summary_.kind == IdxKind::kImages;
    if (summary_.count == 0) fail(fmt::format("its header declares 0 {}", noun(summary_.kind)));
    if (images && (summary_.rows == 0 || summary_.cols == 0 || summary_.rows > kMaxSide ||
                   summary_.cols > kMaxSide)) {
      fail(fmt::format("its header declares implausible {}x{} images", summary_.rows,
                       summary_.cols));
    }
    const int64_t payload = summary_.count * (images ? summary_.rows * summary_.cols : 1);
    if (payload > kMaxPayloadBytes) {
      fail(fmt::format("its header declares an implausible {} bytes of {}", with_thousands(payload),
                       noun(summary_.kind)));
    }
    if (expect_.count > 0 && summary_.count != expect_.count) {
      fail(fmt::format("its header declares {} {}, expected {}", summary_.count,
                       noun(summary_.kind), expect_.count));
    }
    if (images && ((expect_.rows > 0 && summary_.rows != expect_.rows) ||
                   (expect_.cols > 0 && summary_.cols != expect_.cols))) {
      fail(fmt::format("its header declares {}x{} images, expected {}x{}", summary_.rows,
                       summary_.cols, expect_.rows, expect_.cols));
    }
  }

  void check_labels(const uint8_t* labels, size_t size, int64_t offset) const {
    if (expect_.num_classes <= 0) return;
    for (size_t i = 0; i < size; ++i) {
      if (labels[i] >= expect_.num_classes) {
        fail(fmt::format("label {} at index {} is out of range: {} has {} classes (0 to {})",
                         labels[i], offset + static_cast<int64_t>(i), expect_.dataset,
                         expect_.num_classes, expect_.num_classes - 1));
      }
    }
  }

  std::string shape_text() const {
    return summary_.kind == IdxKind::kImages
               ? fmt::format(" of {}x{}", summary_.rows, summary_.cols)
               : "";
  }

  fs::path path_;
  IdxExpect expect_;
  gzFile file_ = nullptr;
  IdxSummary summary_;
  int64_t header_bytes_ = 0;
  int64_t payload_bytes_ = 0;
  int64_t consumed_ = 0;  // uncompressed bytes read so far, for messages
};

}  // namespace

at::Tensor read_idx(const fs::path& path, const IdxExpect& expect) {
  IdxFile file(path, expect);
  const IdxSummary& header = file.read_header(nullptr);
  // The payload is read into a buffer that grows with the data actually there, and only then
  // copied into the tensor: allocating what the header declares up front let a corrupt header
  // (found by fuzz/idx_fuzzer) make us allocate gigabytes for a file of a few bytes.
  std::vector<uint8_t> payload;
  file.read_payload(nullptr, &payload);
  file.finish();
  at::Tensor out = header.kind == IdxKind::kImages
                       ? torch::empty({header.count, 1, header.rows, header.cols}, torch::kUInt8)
                       : torch::empty({header.count}, torch::kUInt8);
  std::memcpy(out.data_ptr<uint8_t>(), payload.data(), payload.size());
  return out;
}

IdxSummary check_idx(const fs::path& path, const IdxExpect& expect, bool compute_sha256) {
  IdxFile file(path, expect);
  std::unique_ptr<Hasher> hasher;
  if (compute_sha256) hasher = std::make_unique<Hasher>(DigestKind::kSha256);
  IdxSummary summary = file.read_header(hasher.get());
  file.read_payload(hasher.get());
  file.finish();
  if (hasher) summary.content_sha256 = hasher->hex_digest();
  return summary;
}

void write_idx(const fs::path& path, const at::Tensor& tensor, bool gzip) {
  if (tensor.scalar_type() != torch::kUInt8) {
    throw Error(fmt::format("write_idx({}): expected a uint8 tensor, got {}", path.string(),
                            c10::toString(tensor.scalar_type())));
  }
  std::vector<uint8_t> header(4);
  std::vector<int64_t> dims;
  if (tensor.dim() == 1) {
    put_big_endian_u32(kIdxLabelsMagic, header.data());
    dims = {tensor.size(0)};
  } else if (tensor.dim() == 3 || (tensor.dim() == 4 && tensor.size(1) == 1)) {
    put_big_endian_u32(kIdxImagesMagic, header.data());
    dims = {tensor.size(0), tensor.size(tensor.dim() - 2), tensor.size(tensor.dim() - 1)};
  } else {
    throw Error(fmt::format("write_idx({}): expected [N], [N, H, W] or [N, 1, H, W], got {}",
                            path.string(), c10::str(tensor.sizes())));
  }
  for (int64_t dim : dims) {
    header.resize(header.size() + 4);
    put_big_endian_u32(static_cast<uint32_t>(dim), header.data() + header.size() - 4);
  }
  const at::Tensor data = tensor.contiguous();
  const auto* bytes = data.data_ptr<uint8_t>();
  const auto size = static_cast<size_t>(data.numel());
  if (gzip) {
    gzFile file = gzopen(path.string().c_str(), "wb");
    if (file == nullptr) throw Error(fmt::format("cannot write {}", path.string()));
    bool ok = gzwrite(file, header.data(), static_cast<unsigned>(header.size())) ==
              static_cast<int>(header.size());
    for (size_t done = 0; ok && done < size; done += kChunkBytes) {
      const auto want = static_cast<unsigned>(std::min(kChunkBytes, size - done));
      ok = gzwrite(file, bytes + done, want) == static_cast<int>(want);
    }
    if (gzclose(file) != Z_OK || !ok) throw Error(fmt::format("cannot write {}", path.string()));
    return;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(header.data()),
            static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(bytes), static_cast<std::streamsize>(size));
  out.close();
  if (!out) throw Error(fmt::format("cannot write {}", path.string()));
}

}  // namespace actbench::data
