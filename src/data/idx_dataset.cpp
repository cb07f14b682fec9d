// Checksums are taken over the uncompressed content, so a plain and a gzipped copy of the same file
// verify alike whatever compressor produced the .gz. Loading verifies too: a file with the official
// count must have the official checksum, remembered per file in <dataset>/.verified so that a file
// is hashed once per change, not at every run.
#include "data/idx_dataset.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <optional>

#include "core/error.hpp"
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

// The SHA-256 of the uncompressed file read_idx read: read_idx accepts nothing but a header that
// matches the tensor's shape followed by exactly its payload, so the header is rebuilt from the
// shape and hashed with the data already in memory, instead of reading the file again.
std::string content_sha256(const at::Tensor& data, IdxKind kind) {
  const bool images = kind == IdxKind::kImages;
  std::vector<uint32_t> words{images ? kIdxImagesMagic : kIdxLabelsMagic,
                              static_cast<uint32_t>(data.size(0))};
  if (images) {
    words.push_back(static_cast<uint32_t>(data.size(-2)));
    words.push_back(static_cast<uint32_t>(data.size(-1)));
  }
  std::vector<uint8_t> header;
  for (uint32_t w : words) {
    for (int shift = 24; shift >= 0; shift -= 8) header.push_back(static_cast<uint8_t>(w >> shift));
  }
  Hasher hasher(DigestKind::kSha256);
  hasher.update(header.data(), header.size());
  const at::Tensor bytes = data.contiguous();
  hasher.update(bytes.data_ptr<uint8_t>(), static_cast<size_t>(bytes.numel()));
  return hasher.hex_digest();
}

struct LoadedFile {
  const IdxFileSpec* spec;
  fs::path path;
  at::Tensor data;
};

const char* split_of(const IdxDatasetSpec& dataset, const IdxFileSpec* file) {
  return file == &dataset.test_images || file == &dataset.test_labels ? "test" : "training";
}

// The checks a download gets, at every load: once any file has its official count, every file must
// be the official one. A file with its official count but another checksum is corrupt (same-size
// damage); one with another count among official files is a subset, a different file, or another
// split's file under this name (the test files copied over the training files). When no file has
// its official count, the files are not the official data (the small fixtures of the tests, a
// dataset of one's own in this layout) and there is nothing to compare them with.
void verify_loaded(const IdxDatasetSpec& spec, const fs::path& dir,
                   const std::vector<LoadedFile>& files) {
  const bool any_official = std::any_of(files.begin(), files.end(), [](const LoadedFile& f) {
    return f.data.size(0) == f.spec->count;
  });
  if (!any_official) {
    spdlog::debug("{}: no file has its official count; not the official data, not verified",
                  dir.string());
    return;
  }
  VerifiedRecord record(dir);
  for (const LoadedFile& f : files) {
    const int64_t count = f.data.size(0);
    const char* noun = f.spec->kind == IdxKind::kImages ? "images" : "labels";
    if (count != f.spec->count) {
      for (const IdxFileSpec* other : spec.files()) {
        if (other != f.spec && other->kind == f.spec->kind && other->count == count &&
            content_sha256(f.data, f.spec->kind) == other->content_sha256) {
          throw_data_error(
              f.path,
              fmt::format("is a copy of {} (the {} split), not the {} split's {}", other->name,
                          split_of(spec, other), split_of(spec, f.spec), noun),
              spec.name);
        }
      }
      throw_data_error(
          f.path,
          fmt::format("holds {} {} where the official file holds {}, while other "
                      "files of {} are the official ones",
                      with_thousands(count), noun, with_thousands(f.spec->count), spec.name),
          spec.name);
    }
    const std::optional<FileStamp> stamp = file_stamp(f.path);
    if (stamp && record.vouches(f.path, *stamp, f.spec->content_sha256)) continue;
    const std::string sha256 = content_sha256(f.data, f.spec->kind);
    if (sha256 != f.spec->content_sha256) {
      throw_data_error(
          f.path,
          fmt::format("SHA-256 mismatch{}: expected {}, got {}; it holds the "
                      "official number of {} but not the official content",
                      f.path.extension() == ".gz" ? " of the decompressed content" : "",
                      f.spec->content_sha256, sha256, noun),
          spec.name);
    }
    if (stamp) record.remember(f.path, *stamp, sha256);
  }
  record.save();
}

Split prepare_idx_split(const IdxDatasetSpec& spec, const LoadOptions& options,
                        const LoadedFile& images, const LoadedFile& labels,
                        const std::string& split_name, int64_t subset,
                        std::vector<std::string>& files) {
  const fs::path& images_path = images.path;
  const fs::path& labels_path = labels.path;
  const at::Tensor& image_data = images.data;
  const at::Tensor& label_data = labels.data;
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
  const fs::path dir = options.root / spec.name;
  // Every file is found before the first is read, so that a half-fetched directory fails at once.
  std::vector<LoadedFile> files;
  for (const IdxFileSpec* file : spec.files())
    files.push_back({file, find_plain_or_gz(dir, file->name, spec.name), {}});
  for (LoadedFile& f : files) f.data = read_idx(f.path, expect_for(spec, f.spec->kind));
  verify_loaded(spec, dir, files);
  Dataset dataset;
  dataset.name = spec.name;
  dataset.shape = spec.shape;
  dataset.train = prepare_idx_split(spec, options, files[0], files[1], "train",
                                    options.train_subset, dataset.files);
  dataset.test = prepare_idx_split(spec, options, files[2], files[3], "test", options.test_subset,
                                   dataset.files);
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
