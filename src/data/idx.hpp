// Reader and writer for IDX files, the format of MNIST and Fashion-MNIST (uint8 image stacks and
// label vectors with a big-endian header), plain or gzipped. Every defect a download can have
// (truncation, trailing bytes, a cut-off gzip stream, a wrong file in the wrong place) is a
// DataError naming the file and how to fetch it again.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace actbench::data {

enum class IdxKind {
  kImages,  // magic 0x00000803: uint8, 3 dims [count, rows, cols]
  kLabels,  // magic 0x00000801: uint8, 1 dim [count]
};

constexpr uint32_t kIdxImagesMagic = 0x00000803;
constexpr uint32_t kIdxLabelsMagic = 0x00000801;

// What the caller expects of a file; 0 means "any".
struct IdxExpect {
  IdxKind kind = IdxKind::kImages;
  std::string dataset;      // named in the fetch hint of every error
  int64_t count = 0;        // exact number of images or labels
  int64_t rows = 0;         // images only
  int64_t cols = 0;         // images only
  int64_t num_classes = 0;  // labels only: every label must be < num_classes
};

struct IdxSummary {
  IdxKind kind = IdxKind::kImages;
  int64_t count = 0;
  int64_t rows = 0;           // 0 for labels
  int64_t cols = 0;           // 0 for labels
  int64_t content_bytes = 0;  // header + payload, i.e. the size of the uncompressed file
  bool gzipped = false;
  std::string content_sha256;  // of the uncompressed bytes; "" unless asked for
};

// Reads a whole file: images as uint8 [N, 1, rows, cols], labels as uint8 [N].
at::Tensor read_idx(const std::filesystem::path& path, const IdxExpect& expect);

// The same checks as read_idx while streaming, keeping nothing in memory; optionally hashes the
// uncompressed content, so a gzipped copy verifies against the checksum of the plain file.
IdxSummary check_idx(const std::filesystem::path& path, const IdxExpect& expect,
                     bool compute_sha256);

// Writes uint8 images ([N, rows, cols] or [N, 1, rows, cols]) or labels ([N]) as IDX, gzipped when
// asked. Made for test fixtures and conversions; throws actbench::Error on failure.
void write_idx(const std::filesystem::path& path, const at::Tensor& tensor, bool gzip);

}  // namespace actbench::data
