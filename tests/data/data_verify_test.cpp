// Data is verified when it is loaded, not only when it is fetched (issue 23, item 13): a file with
// the official count must have the official SHA-256 (same-size corruption of pixels is refused),
// the test files copied over the training files are refused, and a verified file is remembered in
// <dataset>/.verified by size and times, so that it is hashed once, not at every run. Fixture
// datasets (no file official) still load, as the small test fixtures do.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/files.hpp"
#include "data/cifar10.hpp"
#include "data/dataset.hpp"
#include "data/files.hpp"
#include "data/idx_dataset.hpp"
#include "data_test_support.hpp"
#include "support/temp_dir.hpp"

namespace actbench::data {
namespace data_verify_test {

namespace fs = std::filesystem;
using actbench::testing::TempDir;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Flips one pixel byte near the middle of a plain IDX image file or CIFAR batch: same size,
// different content (the middle of a CIFAR batch is a label byte, 7 bytes on a pixel).
void flip_a_pixel(const fs::path& file) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  const auto at = static_cast<std::streamoff>(fs::file_size(file)) / 2 + 7;
  f.seekg(at);
  char byte = 0;
  f.read(&byte, 1);
  byte = static_cast<char>(byte ^ 0x5a);
  f.seekp(at);
  f.write(&byte, 1);
}

// Copies `from` over `to` so that the copy's modification time differs from any remembered one.
void copy_over(const fs::path& from, const fs::path& to) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

// An MNIST-layout dataset whose "official" files are a fixture: counts 40/12 and the fixture's
// own checksums, so the verification can be tested without the 55 MB of real data.
struct FixtureDataset {
  TempDir dir;
  IdxDatasetSpec spec;

  FixtureDataset() {
    testing::write_idx_fixture(dir.path(), "fixture_mnist", 40, 12, false);
    spec.name = "fixture_mnist";
    spec.shape = DatasetShape{1, 28, 28, 10};
    spec.mean = {0.5};
    spec.std = {0.25};
    const fs::path d = dir.path() / spec.name;
    auto file = [&](const char* name, IdxKind kind, int64_t count) {
      IdxFileSpec f{name, kind, count, static_cast<int64_t>(fs::file_size(d / name)),
                    file_digest(d / name, DigestKind::kSha256, spec.name)};
      return f;
    };
    spec.train_images = file(kIdxTrainImages, IdxKind::kImages, 40);
    spec.train_labels = file(kIdxTrainLabels, IdxKind::kLabels, 40);
    spec.test_images = file(kIdxTestImages, IdxKind::kImages, 12);
    spec.test_labels = file(kIdxTestLabels, IdxKind::kLabels, 12);
  }
  fs::path path(const char* name) const { return dir.path() / spec.name / name; }
  Dataset load() const {
    LoadOptions options;
    options.root = dir.path();
    return load_idx_dataset(spec, options);
  }
};

TEST(DataVerify, OfficialFilesLoadAndAreRememberedAsVerified) {
  FixtureDataset fixture;
  const Dataset dataset = fixture.load();
  EXPECT_EQ(dataset.train.size(), 40);
  EXPECT_EQ(dataset.test.size(), 12);
  const fs::path record = fixture.dir.path() / fixture.spec.name / ".verified";
  ASSERT_TRUE(fs::exists(record));
  const nlohmann::json json = nlohmann::json::parse(core::read_file(record));
  const nlohmann::json& entry = json.at("files").at(kIdxTrainImages);
  EXPECT_EQ(entry.at("sha256").get<std::string>(), fixture.spec.train_images.content_sha256);
  EXPECT_EQ(entry.at("size").get<int64_t>(), fixture.spec.train_images.content_bytes);
  // A second load trusts the record (same size and times) and gives the same data.
  EXPECT_TRUE(torch::equal(fixture.load().train.images, dataset.train.images));
}

TEST(DataVerify, FlippedPixelIsRefusedWithTheFileAndTheFetchCommand) {
  FixtureDataset fixture;
  fixture.load();  // verified and remembered first: the record must not hide a later change
  flip_a_pixel(fixture.path(kIdxTrainImages));
  const std::string message = testing::data_error_message([&] { fixture.load(); });
  EXPECT_TRUE(contains(message, fixture.path(kIdxTrainImages).string())) << message;
  EXPECT_TRUE(contains(message, "SHA-256")) << message;
  EXPECT_TRUE(contains(message, "`actbench data fetch fixture_mnist`")) << message;
}

TEST(DataVerify, TestFilesCopiedOverTheTrainingFilesAreRefused) {
  FixtureDataset fixture;
  copy_over(fixture.path(kIdxTestImages), fixture.path(kIdxTrainImages));
  copy_over(fixture.path(kIdxTestLabels), fixture.path(kIdxTrainLabels));
  const std::string message = testing::data_error_message([&] { fixture.load(); });
  EXPECT_TRUE(contains(message, fixture.path(kIdxTrainImages).string())) << message;
  EXPECT_TRUE(contains(message, "a copy of " + std::string(kIdxTestImages))) << message;
}

TEST(DataVerify, OneFileWithAnUnofficialCountAmongOfficialOnesIsRefused) {
  FixtureDataset fixture;
  // 39 of the 40 training labels: not the official count, while the other files are official.
  write_idx(fixture.path(kIdxTrainLabels), testing::fixture_labels(39), false);
  write_idx(fixture.path(kIdxTrainImages), testing::fixture_images(39, 28, 1, 2), false);
  const std::string message = testing::data_error_message([&] { fixture.load(); });
  EXPECT_TRUE(contains(message, "holds 39 images")) << message;
  EXPECT_TRUE(contains(message, "official")) << message;
}

TEST(DataVerify, TamperedRecordDoesNotVouchForAChangedFile) {
  FixtureDataset fixture;
  fixture.load();
  flip_a_pixel(fixture.path(kIdxTestImages));
  // Restore the modification time the record holds: the change time still differs.
  const fs::path file = fixture.path(kIdxTestImages);
  const nlohmann::json json =
      nlohmann::json::parse(core::read_file(fixture.dir.path() / fixture.spec.name / ".verified"));
  const int64_t mtime_ns = json.at("files").at(kIdxTestImages).at("mtime_ns").get<int64_t>();
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = mtime_ns / 1000000000;
  times[0].tv_nsec = times[1].tv_nsec = mtime_ns % 1000000000;
  ASSERT_EQ(::utimensat(AT_FDCWD, file.c_str(), times, 0), 0);
  EXPECT_TRUE(contains(testing::data_error_message([&] { fixture.load(); }), "SHA-256"));
}

TEST(DataVerify, FixtureWithNoOfficialFileStillLoads) {
  // The registered mnist entry on a 12/5 fixture: no file has an official count, so there is
  // nothing to check a checksum against (the small fixtures of the other tests).
  TempDir dir;
  testing::write_idx_fixture(dir.path(), "mnist", 12, 5, false);
  LoadOptions options;
  options.root = dir.path();
  EXPECT_EQ(load_dataset("mnist", options).train.size(), 12);
}

// ---- CIFAR-10: no per-file checksums are published; the fetch (or first load) remembers them ----

class DataVerifyCifar : public ::testing::Test {
 protected:
  // Six official-size batches (10000 records), each different: one written, five copies of it with
  // one pixel changed each.
  void SetUp() override {
    batches_ = dir_.path() / "cifar10" / kCifarBatchDir;
    fs::create_directories(batches_);
    std::vector<std::string> names = cifar_train_batches();
    names.push_back(kCifarTestBatch);
    write_cifar_batch(batches_ / names[0],
                      testing::fixture_images(kCifarOfficialRecords, 32, 3, 10),
                      testing::fixture_labels(kCifarOfficialRecords));
    for (size_t k = 1; k < names.size(); ++k) {
      fs::copy_file(batches_ / names[0], batches_ / names[k]);
      std::fstream f(batches_ / names[k], std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(1 + k));
      const char byte = static_cast<char>(k);
      f.write(&byte, 1);
    }
  }
  std::string load_error() const {
    LoadOptions options;
    options.root = dir_.path();
    return testing::data_error_message([&] { load_dataset("cifar10", options); });
  }
  void load() const {
    LoadOptions options;
    options.root = dir_.path();
    EXPECT_EQ(load_dataset("cifar10", options).train.size(), 5 * kCifarOfficialRecords);
  }
  TempDir dir_;
  fs::path batches_;
};

TEST_F(DataVerifyCifar, TestBatchCopiedOverATrainingBatchIsRefused) {
  copy_over(batches_ / kCifarTestBatch, batches_ / "data_batch_3.bin");
  const std::string message = load_error();
  EXPECT_TRUE(contains(message, "a copy of data_batch_3.bin")) << message;
  EXPECT_TRUE(contains(message, "`actbench data fetch cifar10`")) << message;
}

TEST_F(DataVerifyCifar, BatchChangedAfterItWasFirstCheckedIsRefused) {
  load();
  ASSERT_TRUE(fs::exists(batches_ / ".verified"));
  flip_a_pixel(batches_ / "data_batch_2.bin");
  const std::string message = load_error();
  EXPECT_TRUE(contains(message, (batches_ / "data_batch_2.bin").string())) << message;
  EXPECT_TRUE(contains(message, "SHA-256 mismatch")) << message;
}

// ---- The real MNIST files, when present ---------------------------------------------------------

class DataVerifyReal : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path real = testing::real_data_root() / "mnist";
    try {
      dataset_entry("mnist", SourceLocation::defaulted()).verify(testing::real_data_root());
    } catch (const DataError& e) {
      GTEST_SKIP() << "real MNIST not under " << real.string() << ": " << e.what();
    }
    fs::create_directories(dir_.path() / "mnist");
    for (const char* name : {kIdxTrainImages, kIdxTrainLabels, kIdxTestImages, kIdxTestLabels}) {
      const fs::path from = find_plain_or_gz(real, name, "mnist");
      fs::copy_file(from, dir_.path() / "mnist" / from.filename());
    }
  }
  fs::path file(const char* name) const {
    return find_plain_or_gz(dir_.path() / "mnist", name, "");
  }
  std::string load_error() const {
    LoadOptions options;
    options.root = dir_.path();
    return testing::data_error_message([&] { load_dataset("mnist", options); });
  }
  TempDir dir_;
};

TEST_F(DataVerifyReal, FlippedPixelInRealMnistIsRefused) {
  const fs::path images = file(kIdxTrainImages);
  if (images.extension() == ".gz") GTEST_SKIP() << "the real files are gzipped";
  flip_a_pixel(images);
  const std::string message = load_error();
  EXPECT_TRUE(contains(message, images.string())) << message;
  EXPECT_TRUE(contains(message, "SHA-256")) << message;
  EXPECT_TRUE(contains(message, "`actbench data fetch mnist`")) << message;
}

TEST_F(DataVerifyReal, RealTestSplitCopiedOverTheTrainingSplitIsRefused) {
  copy_over(file(kIdxTestImages), file(kIdxTrainImages));
  copy_over(file(kIdxTestLabels), file(kIdxTrainLabels));
  const std::string message = load_error();
  EXPECT_TRUE(contains(message, "a copy of")) << message;
}

}  // namespace data_verify_test
}  // namespace actbench::data
