// CIFAR-10 batch format tests on fixtures written here, and a CIFAR-format dataset end to end
// through load_dataset("cifar10"), normalisation included.
#include "data/cifar10.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "data/dataset.hpp"
#include "data/fetch.hpp"
#include "data_test_support.hpp"

namespace actbench::data {
namespace cifar10_test {

namespace fs = std::filesystem;
using testing::data_error_message;
using testing::fixture_images;
using testing::fixture_labels;

void expect_names_file(const std::string& message, const fs::path& path, const std::string& what) {
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find(what), std::string::npos) << message;
  EXPECT_NE(message.find("`actbench data fetch cifar10`"), std::string::npos) << message;
}

class DataCifar10Test : public ::testing::Test {
 protected:
  TempDir dir_{fs::temp_directory_path(), "actbench-cifar-test-"};
  fs::path path(const std::string& name) const { return dir_.path() / name; }
};

TEST_F(DataCifar10Test, BatchReadsBackExactly) {
  const at::Tensor images = fixture_images(3, 32, 3);
  const at::Tensor labels = fixture_labels(3);
  write_cifar_batch(path("batch.bin"), images, labels);
  EXPECT_EQ(fs::file_size(path("batch.bin")), 3u * 3073u);
  const CifarBatch batch = read_cifar_batch(path("batch.bin"));
  EXPECT_EQ(batch.images.sizes(), (std::vector<int64_t>{3, 3, 32, 32}));
  EXPECT_TRUE(torch::equal(batch.images, images));
  EXPECT_TRUE(torch::equal(batch.labels, labels));
  EXPECT_EQ(check_cifar_batch(path("batch.bin")), 3);
}

TEST_F(DataCifar10Test, RecordLayoutIsLabelThenRedGreenBluePlanes) {
  // Record bytes: label, then pixel k of the red plane at offset 1 + k, green at 1 + 1024 + k, ...
  std::string record(3073, '\0');
  record[0] = 7;
  record[1] = 11;                // red (0, 0)
  record[2] = 12;                // red (0, 1)
  record[1 + 32] = 13;           // red (1, 0)
  record[1 + 1024] = 21;         // green (0, 0)
  record[1 + 2048 + 1023] = 31;  // blue (31, 31)
  std::ofstream(path("batch.bin"), std::ios::binary) << record;
  const CifarBatch batch = read_cifar_batch(path("batch.bin"));
  EXPECT_EQ(batch.labels[0].item<int>(), 7);
  EXPECT_EQ(batch.images[0][0][0][0].item<int>(), 11);
  EXPECT_EQ(batch.images[0][0][0][1].item<int>(), 12);
  EXPECT_EQ(batch.images[0][0][1][0].item<int>(), 13);
  EXPECT_EQ(batch.images[0][1][0][0].item<int>(), 21);
  EXPECT_EQ(batch.images[0][2][31][31].item<int>(), 31);
}

TEST_F(DataCifar10Test, WrongSizeIsRejected) {
  write_cifar_batch(path("batch.bin"), fixture_images(2, 32, 3), fixture_labels(2));
  fs::resize_file(path("batch.bin"), 2 * 3073 - 1);
  expect_names_file(data_error_message([&] { read_cifar_batch(path("batch.bin")); }),
                    path("batch.bin"), "has 6,145 bytes, not a whole number of 3073-byte records");
  expect_names_file(data_error_message([&] { check_cifar_batch(path("batch.bin")); }),
                    path("batch.bin"), "not a whole number");

  std::ofstream(path("empty.bin")).close();
  expect_names_file(data_error_message([&] { read_cifar_batch(path("empty.bin")); }),
                    path("empty.bin"), "is empty");

  const std::string message = data_error_message([&] { read_cifar_batch(path("missing.bin")); });
  EXPECT_EQ(message,
            path("missing.bin").string() + " not found; run `actbench data fetch cifar10`");
}

TEST_F(DataCifar10Test, BadLabelIsRejected) {
  at::Tensor labels = fixture_labels(4);
  labels[2] = 10;
  write_cifar_batch(path("batch.bin"), fixture_images(4, 32, 3), labels);
  expect_names_file(data_error_message([&] { read_cifar_batch(path("batch.bin")); }),
                    path("batch.bin"), "record 2 has label 10");
  expect_names_file(data_error_message([&] { check_cifar_batch(path("batch.bin")); }),
                    path("batch.bin"), "record 2 has label 10");
}

TEST_F(DataCifar10Test, LoadsEndToEndWithPerChannelNormalisation) {
  testing::write_cifar_fixture(dir_.path() / "cifar10", 4);
  LoadOptions options;
  options.root = dir_.path();
  options.normalize = false;
  const Dataset raw = load_dataset("cifar10", options);
  EXPECT_EQ(raw.name, "cifar10");
  EXPECT_EQ(raw.train.size(), 20);
  EXPECT_EQ(raw.test.size(), 4);
  EXPECT_EQ(raw.train.images.sizes(), (std::vector<int64_t>{20, 3, 32, 32}));
  EXPECT_EQ(raw.files.size(), 6u);
  EXPECT_TRUE(fs::path(raw.files.front()).is_absolute());
  // The first batch's records come first, scaled to [0, 1].
  const fs::path first = dir_.path() / "cifar10" / kCifarBatchDir / "data_batch_1.bin";
  const CifarBatch batch = read_cifar_batch(first);
  EXPECT_TRUE(
      torch::allclose(raw.train.images.slice(0, 0, 4), batch.images.to(torch::kFloat32) / 255.0));
  EXPECT_TRUE(torch::equal(raw.train.labels.slice(0, 0, 4), batch.labels.to(torch::kInt64)));

  options.normalize = true;
  const Dataset normalised = load_dataset("cifar10", options);
  const DatasetEntry& entry = dataset_entry("cifar10", SourceLocation::defaulted());
  ASSERT_EQ(entry.mean.size(), 3u);
  for (int64_t c = 0; c < 3; ++c) {
    const at::Tensor expected = (raw.train.images.select(1, c) - entry.mean[c]) / entry.std[c];
    EXPECT_TRUE(torch::allclose(normalised.train.images.select(1, c), expected, 1e-5, 1e-5))
        << "channel " << c;
  }
  EXPECT_EQ(normalised.train.images.scalar_type(), torch::kFloat32);
  EXPECT_EQ(normalised.train.labels.scalar_type(), torch::kInt64);
}

TEST_F(DataCifar10Test, SubsetsKeepTheFirstSamples) {
  testing::write_cifar_fixture(dir_.path() / "cifar10", 4);
  LoadOptions options;
  options.root = dir_.path();
  options.train_subset = 7;
  options.test_subset = 2;
  const Dataset subset = load_dataset("cifar10", options);
  EXPECT_EQ(subset.train.size(), 7);
  EXPECT_EQ(subset.test.size(), 2);
  EXPECT_EQ(subset.train.images.size(0), 7);

  options.train_subset = 21;
  try {
    load_dataset("cifar10", options);
    ADD_FAILURE() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("train_subset 21 is larger than the 20 train samples"),
              std::string::npos)
        << error.what();
  }
}

TEST_F(DataCifar10Test, MissingBatchNamesTheFileAndTheFetchCommand) {
  testing::write_cifar_fixture(dir_.path() / "cifar10", 2);
  const fs::path missing = dir_.path() / "cifar10" / kCifarBatchDir / "data_batch_3.bin";
  fs::remove(missing);
  LoadOptions options;
  options.root = dir_.path();
  EXPECT_EQ(data_error_message([&] { load_dataset("cifar10", options); }),
            missing.string() + " not found; run `actbench data fetch cifar10`");
}

}  // namespace cifar10_test
}  // namespace actbench::data
