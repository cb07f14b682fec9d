// MNIST and Fashion-MNIST share a layout (four IDX files named alike in <root>/<name>/, plain or
// gzipped), so they share the loader and the verifier; each entry supplies its constants.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "data/dataset.hpp"
#include "data/idx.hpp"

namespace actbench::data {

struct IdxFileSpec {
  std::string name;  // plain file name, e.g. "train-images-idx3-ubyte"
  IdxKind kind = IdxKind::kImages;
  int64_t count = 0;           // images or labels in the official file
  int64_t content_bytes = 0;   // size of the uncompressed file
  std::string content_sha256;  // of the uncompressed file
};

struct IdxDatasetSpec {
  std::string name;  // also the directory under the data root
  DatasetShape shape;
  std::vector<double> mean;
  std::vector<double> std;
  IdxFileSpec train_images;
  IdxFileSpec train_labels;
  IdxFileSpec test_images;
  IdxFileSpec test_labels;

  std::vector<const IdxFileSpec*> files() const {
    return {&train_images, &train_labels, &test_images, &test_labels};
  }
};

// The four official file names shared by MNIST and Fashion-MNIST.
constexpr const char* kIdxTrainImages = "train-images-idx3-ubyte";
constexpr const char* kIdxTrainLabels = "train-labels-idx1-ubyte";
constexpr const char* kIdxTestImages = "t10k-images-idx3-ubyte";
constexpr const char* kIdxTestLabels = "t10k-labels-idx1-ubyte";

// Reads <root>/<name>/ (each file plain or .gz); structure is checked, counts need not be official
// so that small fixtures load too, but images and labels must agree.
Dataset load_idx_dataset(const IdxDatasetSpec& spec, const LoadOptions& options);

// Installs `from` (plain, or gzipped when its name ends in .gz) as <dir>/<plain_name>[.gz] through
// atomic_copy, and removes the other variant so that the loader cannot pick up a stale copy.
void install_idx_file(const std::filesystem::path& from, const std::filesystem::path& dir,
                      const std::string& plain_name);

// verify_idx_dataset on the four files in `dir` itself (e.g. an unpacked package before install).
std::string verify_idx_dir(const IdxDatasetSpec& spec, const std::filesystem::path& dir);

// Checks the official counts, sizes and SHA-256 of the uncompressed content of all four files,
// streaming; returns one line per file, throws DataError at the first defect.
std::string verify_idx_dataset(const IdxDatasetSpec& spec, const std::filesystem::path& root);

// The start of both IDX datasets' fetch: an MD5 is refused (each file is checked by SHA-256), and
// when valid files are already in place and no force was asked, the report saying so is returned.
std::optional<std::string> already_fetched(const IdxDatasetSpec& spec, const FetchOptions& options);

}  // namespace actbench::data
