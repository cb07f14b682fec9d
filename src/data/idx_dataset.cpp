// Checksums are taken over the uncompressed content, so a plain and a gzipped copy of the same file
// verify alike whatever compressor produced the .gz.
#include "data/idx_dataset.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include "data/fetch.hpp"
#include "data/files.hpp"
#include "data/prepare.hpp"

namespace actbench::data {

namespace fs = std::filesystem;

namespace {

IdxExpect expect_for(const IdxDatasetSpec& spec, IdxKind kind) {
  IdxExpect expect;
  expect.kind = kind;
  expect.dataset = spec.name;
  if (kind == IdxKind::kImages) {
    expect.rows = spec.shape.height;
    expect.cols = spec.shape.width;
  } else {
    expect.num_classes = spec.shape.num_classes;
  }
  return expect;
}

Split load_split(const IdxDatasetSpec& spec, const LoadOptions& options, const IdxFileSpec& images,
                 const IdxFileSpec& labels, const std::string& split_name, int64_t subset,
                 std::vector<std::string>& files) {
  const fs::path dir = options.root / spec.name;
  const fs::path images_path = find_plain_or_gz(dir, images.name, spec.name);
  const fs::path labels_path = find_plain_or_gz(dir, labels.name, spec.name);
  const at::Tensor image_data = read_idx(images_path, expect_for(spec, IdxKind::kImages));
  const at::Tensor label_data = read_idx(labels_path, expect_for(spec, IdxKind::kLabels));
  if (image_data.size(0) != label_data.size(0)) {
    throw_data_error(labels_path,
                     fmt::format("holds {} labels but {} holds {} images", label_data.size(0),
                                 images_path.string(), image_data.size(0)),
                     spec.name);
  }
  files.push_back(absolute_string(images_path));
  files.push_back(absolute_string(labels_path));
  PrepareOptions prepare;
  prepare.dataset = spec.name;
  prepare.split_name = split_name;
  prepare.subset = subset;
  prepare.normalize = options.normalize;
  prepare.mean = spec.mean;
  prepare.std = spec.std;
  return prepare_split(image_data, label_data, prepare);
}

}  // namespace

Dataset load_idx_dataset(const IdxDatasetSpec& spec, const LoadOptions& options) {
  Dataset dataset;
  dataset.name = spec.name;
  dataset.shape = spec.shape;
  dataset.train = load_split(spec, options, spec.train_images, spec.train_labels, "train",
                             options.train_subset, dataset.files);
  dataset.test = load_split(spec, options, spec.test_images, spec.test_labels, "test",
                            options.test_subset, dataset.files);
  return dataset;
}

void install_idx_file(const fs::path& from, const fs::path& dir, const std::string& plain_name) {
  const bool gzipped = from.extension() == ".gz";
  const fs::path plain = dir / plain_name;
  const fs::path gz = dir / (plain_name + ".gz");
  atomic_copy(from, gzipped ? gz : plain);
  std::error_code ec;
  fs::remove(gzipped ? plain : gz, ec);
}

std::string verify_idx_dataset(const IdxDatasetSpec& spec, const fs::path& root) {
  return verify_idx_dir(spec, root / spec.name);
}

std::string verify_idx_dir(const IdxDatasetSpec& spec, const fs::path& dir) {
  std::string report;
  for (const IdxFileSpec* file : spec.files()) {
    const fs::path path = find_plain_or_gz(dir, file->name, spec.name);
    IdxExpect expect = expect_for(spec, file->kind);
    expect.count = file->count;
    const IdxSummary summary = check_idx(path, expect, /*compute_sha256=*/true);
    // check_idx already rejects short and long files for the declared count; this guards the
    // constants themselves. The checksum is what catches same-sized corruption.
    if (summary.content_bytes != file->content_bytes) {
      throw_data_error(
          path,
          fmt::format("holds {} bytes{}, expected {}", with_thousands(summary.content_bytes),
                      summary.gzipped ? " once decompressed" : "",
                      with_thousands(file->content_bytes)),
          spec.name);
    }
    if (summary.content_sha256 != file->content_sha256) {
      throw_data_error(path,
                       fmt::format("SHA-256 mismatch{}: expected {}, got {}",
                                   summary.gzipped ? " of the decompressed content" : "",
                                   file->content_sha256, summary.content_sha256),
                       spec.name);
    }
    report += fmt::format("ok  {}  ({} {}, {} bytes{}, sha256 {})\n", path.string(), summary.count,
                          file->kind == IdxKind::kImages ? "images" : "labels",
                          with_thousands(summary.content_bytes),
                          summary.gzipped ? " uncompressed" : "", summary.content_sha256);
  }
  return report;
}

std::optional<std::string> already_fetched(const IdxDatasetSpec& spec,
                                           const FetchOptions& options) {
  if (!options.expected_md5.empty()) {
    throw Error(
        fmt::format("{} is checked by the SHA-256 of each file; expected_md5 applies to "
                    "archives (cifar10) only",
                    spec.name));
  }
  if (options.force) return std::nullopt;
  try {
    const std::string report = verify_idx_dataset(spec, options.root);
    return fmt::format("{}: valid files already in {}; nothing fetched (force to fetch again)\n{}",
                       spec.name, (options.root / spec.name).string(), report);
  } catch (const DataError&) {
    return std::nullopt;  // missing or invalid: fetch
  }
}

}  // namespace actbench::data
