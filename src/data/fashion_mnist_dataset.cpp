// The `fashion_mnist` dataset entry: Zalando's Fashion-MNIST, a drop-in replacement for MNIST with
// clothing images, as four gzipped IDX files in <root>/fashion_mnist/, copied from the Debian
// package dataset-fashion-mnist (no download needed where the package is installed).
#include <fmt/format.h>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/fetch.hpp"
#include "data/files.hpp"
#include "data/idx_dataset.hpp"

namespace actbench::data {

namespace fashion_mnist_dataset_entry {

namespace fs = std::filesystem;

constexpr const char* kName = "fashion_mnist";
constexpr const char* kDebianDir = "/usr/share/datasets/fashion-mnist";
constexpr const char* kDebianHint =
    "install the Debian package: apt-get install dataset-fashion-mnist";

// Sizes and SHA-256 of the uncompressed content, obtained with
// `zcat /usr/share/datasets/fashion-mnist/<file>.gz | wc -c` and `... | sha256sum`
// (Debian dataset-fashion-mnist 0.0~git20200523.55506a9-1).
const IdxDatasetSpec& spec() {
  static const IdxDatasetSpec kSpec = [] {
    IdxDatasetSpec s;
    s.name = kName;
    s.shape = DatasetShape{1, 28, 28, 10};
    s.mean = {0.2860};
    s.std = {0.3530};
    s.train_images = {kIdxTrainImages, IdxKind::kImages, 60000, 47040016,
                      "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"};
    s.train_labels = {kIdxTrainLabels, IdxKind::kLabels, 60000, 60008,
                      "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"};
    s.test_images = {kIdxTestImages, IdxKind::kImages, 10000, 7840016,
                     "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"};
    s.test_labels = {kIdxTestLabels, IdxKind::kLabels, 10000, 10008,
                     "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"};
    return s;
  }();
  return kSpec;
}

struct PackagedFile {
  const char* name;  // in kDebianDir
  int64_t bytes;
  const char* sha256;
};

// The package's .gz files themselves, obtained with `ls -l` and `sha256sum` on
// /usr/share/datasets/fashion-mnist/*.gz (same package version). Debian recompressed them, so they
// differ from the upstream .gz files although their content is identical.
constexpr PackagedFile kPackagedFiles[] = {
    {"train-images-idx3-ubyte.gz", 26421856,
     "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"},
    {"train-labels-idx1-ubyte.gz", 29491,
     "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"},
    {"t10k-images-idx3-ubyte.gz", 4422079,
     "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"},
    {"t10k-labels-idx1-ubyte.gz", 5125,
     "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"},
};

void check_packaged_file(const fs::path& path, const PackagedFile& expected) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw DataError(
        fmt::format("cannot fetch fashion_mnist: {} not found; the package is "
                    "incomplete, reinstall it: apt-get install --reinstall "
                    "dataset-fashion-mnist",
                    path.string()));
  }
  const auto bytes = static_cast<int64_t>(fs::file_size(path, ec));
  const std::string sha256 = file_digest(path, DigestKind::kSha256, kName);
  if (bytes != expected.bytes || sha256 != expected.sha256) {
    throw DataError(fmt::format(
        "cannot fetch fashion_mnist: {} is not the file this version of actbench was checked "
        "against: expected {} bytes with SHA-256 {}, got {} bytes with SHA-256 {}; reinstall the "
        "package (apt-get install --reinstall dataset-fashion-mnist) or pass another source",
        path.string(), with_thousands(expected.bytes), expected.sha256, with_thousands(bytes),
        sha256));
  }
}

std::string verify(const fs::path& root) { return verify_idx_dataset(spec(), root); }

// FetchOptions::source may name another directory holding the four files (plain or .gz), e.g.
// upstream's downloads; they are then checked by their decompressed content only.
std::string fetch(const FetchOptions& options) {
  if (auto report = already_fetched(spec(), options)) return *report;
  const fs::path dir = options.root / kName;
  const bool from_package = options.source.empty();
  std::string source = from_package ? kDebianDir : options.source;
  if (source.rfind("file://", 0) == 0) source = source.substr(7);
  const fs::path source_dir = source;
  std::error_code ec;
  if (!fs::is_directory(source_dir, ec)) {
    throw DataError(fmt::format("cannot fetch fashion_mnist: {} not found; {}", source_dir.string(),
                                from_package ? kDebianHint : "pass a directory holding the files"));
  }
  std::vector<fs::path> sources;
  if (from_package) {
    for (const PackagedFile& file : kPackagedFiles) {
      check_packaged_file(source_dir / file.name, file);
      sources.push_back(source_dir / file.name);
    }
  } else {
    verify_idx_dir(spec(), source_dir);
    for (const IdxFileSpec* file : spec().files()) {
      sources.push_back(find_plain_or_gz(source_dir, file->name, kName));
    }
  }
  fs::create_directories(dir, ec);
  if (ec) throw DataError(fmt::format("cannot create {} ({})", dir.string(), ec.message()));
  const auto files = spec().files();
  for (size_t i = 0; i < files.size(); ++i) install_idx_file(sources[i], dir, files[i]->name);
  return fmt::format("fashion_mnist: copied {} into {}\n{}",
                     from_package ? "the Debian package's files" : source_dir.string(),
                     dir.string(), verify(options.root));
}

ACTBENCH_REGISTER_DATASET(fashion_mnist) {
  DatasetEntry entry;
  entry.name = kName;
  entry.aliases = {"fashion-mnist"};
  entry.description =
      "Fashion-MNIST clothing images, 28x28 grey, 10 classes, 60000 train / 10000 test";
  entry.shape = spec().shape;
  entry.mean = spec().mean;
  entry.std = spec().std;
  entry.normalization_source =
      "the commonly quoted Fashion-MNIST training-set figures (mean 0.2860, std 0.3530 of all "
      "training pixels scaled to [0, 1]); re-measured on the Debian package's files by "
      "tests/data/real_data_test.cpp";
  entry.load = [](const LoadOptions& options) { return load_idx_dataset(spec(), options); };
  entry.fetch = fetch;
  entry.verify = verify;
  return entry;
}

}  // namespace fashion_mnist_dataset_entry
}  // namespace actbench::data
