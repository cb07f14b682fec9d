// The `cifar10` dataset entry: Krizhevsky's CIFAR-10 in its official binary form, six batch files
// under <root>/cifar10/cifar-10-batches-bin/, fetched as the official archive and checked against
// its published MD5 before anything is unpacked. Only the archive's checksum is published, so the
// fetch remembers each batch's SHA-256 (in cifar-10-batches-bin/.verified) and every load checks
// the batches against it, and that no batch is a copy of another (the test batch copied over a
// training batch has the same size).
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "core/error.hpp"
#include "data/cifar10.hpp"
#include "data/dataset.hpp"
#include "data/fetch.hpp"
#include "data/files.hpp"
#include "data/prepare.hpp"

namespace actbench::data {

namespace cifar10_dataset_entry {

namespace fs = std::filesystem;

constexpr const char* kName = "cifar10";
constexpr const char* kArchiveUrl = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
// Published on https://www.cs.toronto.edu/~kriz/cifar.html next to the download link.
constexpr const char* kArchiveMd5 = "c32a1d4ab5d03f1284b67883e8d87530";

const DatasetShape kShape{kCifarChannels, kCifarSide, kCifarSide, kCifarClasses};
const std::vector<double> kMean = {0.4914, 0.4822, 0.4465};
const std::vector<double> kStd = {0.2470, 0.2435, 0.2616};

fs::path batch_dir(const fs::path& root) { return root / kName / kCifarBatchDir; }

std::vector<std::string> all_batches() {
  std::vector<std::string> files = cifar_train_batches();
  files.push_back(kCifarTestBatch);
  return files;
}

// The SHA-256 of the batch file read_cifar_batch read: its records, label byte then pixels, are
// put back together from the tensors instead of reading the file again.
std::string batch_sha256(const CifarBatch& batch) {
  const at::Tensor records =
      torch::cat({batch.labels.reshape({-1, 1}), batch.images.reshape({batch.labels.size(0), -1})},
                 1)
          .contiguous();
  Hasher hasher(DigestKind::kSha256);
  hasher.update(records.data_ptr<uint8_t>(), static_cast<size_t>(records.numel()));
  return hasher.hex_digest();
}

// Once any batch has the official 10000 records, all must: the rest is then a damaged or foreign
// file. Each batch must match the SHA-256 remembered at the fetch (or at its first load, for
// batches installed by hand), and no two batches may be the same file. Batches of other sizes
// throughout are not the official data (test fixtures) and have nothing to be compared with.
void verify_batches(const fs::path& dir, const std::vector<fs::path>& paths,
                    const std::vector<CifarBatch>& batches) {
  const bool any_official = std::any_of(batches.begin(), batches.end(), [](const CifarBatch& b) {
    return b.labels.size(0) == kCifarOfficialRecords;
  });
  if (!any_official) return;
  VerifiedRecord record(dir);
  std::map<std::string, fs::path> seen;  // SHA-256 -> the batch that has it
  for (size_t i = 0; i < paths.size(); ++i) {
    const fs::path& path = paths[i];
    const int64_t records = batches[i].labels.size(0);
    if (records != kCifarOfficialRecords) {
      throw_data_error(path,
                       fmt::format("holds {} records where an official batch holds {}, while "
                                   "other batches are official",
                                   with_thousands(records), with_thousands(kCifarOfficialRecords)),
                       kName);
    }
    const std::optional<FileStamp> stamp = file_stamp(path);
    const std::optional<std::string> remembered = record.sha256_of(path);
    std::string sha256;
    if (remembered && stamp && record.vouches(path, *stamp, *remembered)) {
      sha256 = *remembered;
    } else {
      sha256 = batch_sha256(batches[i]);
      if (remembered && *remembered != sha256) {
        throw_data_error(path,
                         fmt::format("SHA-256 mismatch: expected {} (as fetched), got {}; the "
                                     "batch changed since it was fetched",
                                     *remembered, sha256),
                         kName);
      }
      if (stamp) record.remember(path, *stamp, sha256);
    }
    const auto [it, fresh] = seen.emplace(sha256, path);
    if (!fresh) {
      throw_data_error(path,
                       fmt::format("is a copy of {}: every official batch holds other images",
                                   it->second.filename().string()),
                       kName);
    }
  }
  record.save();
}

Split make_split(std::vector<CifarBatch> batches, const LoadOptions& options,
                 const std::string& split_name, int64_t subset) {
  std::vector<at::Tensor> images;
  std::vector<at::Tensor> labels;
  for (CifarBatch& batch : batches) {
    images.push_back(std::move(batch.images));
    labels.push_back(std::move(batch.labels));
  }
  PrepareOptions prepare;
  prepare.dataset = kName;
  prepare.split_name = split_name;
  prepare.subset = subset;
  prepare.normalize = options.normalize;
  prepare.mean = kMean;
  prepare.std = kStd;
  return prepare_split(torch::cat(images), torch::cat(labels), prepare);
}

Dataset load(const LoadOptions& options) {
  const fs::path dir = batch_dir(options.root);
  std::vector<fs::path> train_paths;
  for (const auto& name : cifar_train_batches()) train_paths.push_back(dir / name);
  const std::vector<fs::path> test_paths = {dir / kCifarTestBatch};
  // Every file is checked to exist before the first one is read, so that a half-fetched directory
  // fails at once rather than after reading 150 MB.
  for (const auto& paths : {train_paths, test_paths}) {
    for (const auto& path : paths) {
      std::error_code ec;
      if (!fs::exists(path, ec)) throw_missing_file(path, kName);
    }
  }
  std::vector<fs::path> all_paths = train_paths;
  all_paths.insert(all_paths.end(), test_paths.begin(), test_paths.end());
  std::vector<CifarBatch> batches;
  for (const fs::path& path : all_paths) batches.push_back(read_cifar_batch(path, kName));
  verify_batches(dir, all_paths, batches);
  std::vector<CifarBatch> test_batches;
  test_batches.push_back(std::move(batches.back()));
  batches.pop_back();
  Dataset dataset;
  dataset.name = kName;
  dataset.shape = kShape;
  dataset.train = make_split(std::move(batches), options, "train", options.train_subset);
  dataset.test = make_split(std::move(test_batches), options, "test", options.test_subset);
  for (const auto& paths : {train_paths, test_paths}) {
    for (const auto& path : paths) dataset.files.push_back(absolute_string(path));
  }
  return dataset;
}

std::string verify_dir(const fs::path& dir) {
  std::string report;
  for (const auto& name : all_batches()) {
    const fs::path path = dir / name;
    const int64_t records = check_cifar_batch(path, kName);
    report += fmt::format("ok  {}  ({} records{})\n", path.string(), records,
                          records == kCifarOfficialRecords ? "" : ", not the official 10000");
  }
  return report;
}

std::string verify(const fs::path& root) { return verify_dir(batch_dir(root)); }

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string fetch(const FetchOptions& options) {
  const fs::path dataset_dir = options.root / kName;
  const fs::path final_dir = batch_dir(options.root);
  if (!options.force) {
    try {
      const std::string report = verify(options.root);
      return fmt::format(
          "cifar10: valid files already in {}; nothing fetched (force to fetch "
          "again)\n{}",
          final_dir.string(), report);
    } catch (const DataError&) {
      // Missing or invalid: fetch below.
    }
  }
  std::error_code ec;
  fs::create_directories(dataset_dir, ec);
  if (ec) throw DataError(fmt::format("cannot create {} ({})", dataset_dir.string(), ec.message()));

  // Scratch space inside the dataset directory, so the final move is a rename on one file system.
  TempDir scratch(dataset_dir, ".fetch-");
  const std::string source = options.source.empty() ? kArchiveUrl : options.source;
  const fs::path archive = scratch.path() / "cifar-10-binary.tar.gz";
  download_or_copy(source, archive, kName);

  const std::string expected =
      lowercase(options.expected_md5.empty() ? kArchiveMd5 : options.expected_md5);
  const std::string got = file_digest(archive, DigestKind::kMd5, kName);
  if (got != expected) {
    fs::remove(archive, ec);
    throw DataError(fmt::format(
        "checksum mismatch for the CIFAR-10 archive from {}: expected MD5 {}, got {}; the "
        "download is corrupt or not the official archive, and has been removed; run {} to try "
        "again",
        source, expected, got, fetch_command(kName)));
  }

  const fs::path unpacked = scratch.path() / "unpacked";
  fs::create_directories(unpacked);
  run_checked({"tar", "-xzf", archive.string(), "-C", unpacked.string()}, scratch.path(),
              scratch.path() / "tar.log", "unpacking the CIFAR-10 archive", kName);
  const fs::path unpacked_batches = unpacked / kCifarBatchDir;
  if (!fs::is_directory(unpacked_batches, ec)) {
    throw DataError(
        fmt::format("the CIFAR-10 archive from {} holds no {}/ directory; run {} to try "
                    "again",
                    source, kCifarBatchDir, fetch_command(kName)));
  }
  // Checked before anything is installed, so a bad archive never replaces good files.
  verify_dir(unpacked_batches);

  // Swap directories: the old one (if any) moves aside, the new one moves in, the old one goes
  // with the scratch directory. Readers see either the complete old or the complete new set.
  const fs::path previous = scratch.path() / "previous";
  const bool had_previous = fs::exists(final_dir, ec);
  if (had_previous) fs::rename(final_dir, previous, ec);
  if (!ec) {
    fs::rename(unpacked_batches, final_dir, ec);
    std::error_code ignored;
    if (ec && had_previous) fs::rename(previous, final_dir, ignored);
  }
  if (ec) {
    throw DataError(fmt::format("cannot install {} ({})", final_dir.string(), ec.message()));
  }
  // The batches came from an archive with the published MD5: their checksums are the reference
  // every load compares with.
  VerifiedRecord record(final_dir);
  for (const auto& name : all_batches()) {
    const fs::path path = final_dir / name;
    if (const auto stamp = file_stamp(path))
      record.remember(path, *stamp, file_digest(path, DigestKind::kSha256, kName));
  }
  record.save();
  return fmt::format("cifar10: fetched {} (MD5 {} ok) into {}\n{}", source, got, final_dir.string(),
                     verify(options.root));
}

ACTBENCH_REGISTER_DATASET(cifar10) {
  DatasetEntry entry;
  entry.name = kName;
  entry.aliases = {"cifar-10"};
  entry.description = "CIFAR-10 natural images, 32x32 RGB, 10 classes, 50000 train / 10000 test";
  entry.shape = kShape;
  entry.mean = kMean;
  entry.std = kStd;
  entry.normalization_source =
      "the per-channel mean and standard deviation of all 50000 training images scaled to [0, 1], "
      "as commonly quoted (not the mean of per-image stds, 0.2023 0.1994 0.2010, that some code "
      "uses); not re-measured here, as no machine here holds CIFAR-10";
  entry.load = load;
  entry.fetch = fetch;
  entry.verify = verify;
  return entry;
}

}  // namespace cifar10_dataset_entry
}  // namespace actbench::data
