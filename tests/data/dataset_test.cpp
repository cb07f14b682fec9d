// Dataset registry and load_dataset tests on fixtures: every entry is registered with consistent
// constants, unknown names are located errors with a suggestion, and MNIST-layout directories
// (plain or gzipped) load with the options applied.
#include "data/dataset.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/fetch.hpp"
#include "data_test_support.hpp"

namespace actbench::data {
namespace dataset_test {

namespace fs = std::filesystem;
using testing::data_error_message;

TEST(DataRegistryTest, AllDatasetsAreRegisteredWithConsistentConstants) {
  const auto names = DatasetRegistry::instance().names();
  for (const char* name : {"cifar10", "fashion_mnist", "mnist", "synthetic"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  for (const DatasetEntry* entry : DatasetRegistry::instance().entries()) {
    SCOPED_TRACE(entry->name);
    EXPECT_FALSE(entry->description.empty());
    EXPECT_FALSE(entry->normalization_source.empty());
    EXPECT_EQ(static_cast<int64_t>(entry->mean.size()), entry->shape.channels);
    EXPECT_EQ(static_cast<int64_t>(entry->std.size()), entry->shape.channels);
    for (double s : entry->std) EXPECT_GT(s, 0.0);
    EXPECT_TRUE(entry->load);
    EXPECT_TRUE(entry->fetch);
    EXPECT_TRUE(entry->verify);
  }
  const DatasetEntry& mnist = dataset_entry("mnist", SourceLocation::defaulted());
  EXPECT_DOUBLE_EQ(mnist.mean[0], 0.1307);
  EXPECT_DOUBLE_EQ(mnist.std[0], 0.3081);
  EXPECT_EQ(mnist.shape.features(), 784);
  EXPECT_EQ(dataset_entry("cifar10", SourceLocation::defaulted()).shape.features(), 3072);
  EXPECT_EQ(dataset_entry("fashion-mnist", SourceLocation::defaulted()).name, "fashion_mnist");
}

TEST(DataRegistryTest, UnknownNameIsALocatedConfigErrorWithASuggestion) {
  try {
    dataset_entry("fashon_mnist", SourceLocation::in_file("run.yaml", 3, 9));
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("run.yaml:3:9"), std::string::npos) << message;
    EXPECT_NE(message.find("unknown dataset 'fashon_mnist'"), std::string::npos) << message;
    EXPECT_NE(message.find("did you mean 'fashion_mnist'"), std::string::npos) << message;
    EXPECT_NE(
        message.find("known datasets: cifar10, fashion_mnist, function, image, mnist, synthetic"),
        std::string::npos)
        << message;
  }
}

class DataLoadTest : public ::testing::TestWithParam<bool> {
 protected:
  TempDir dir_{fs::temp_directory_path(), "actbench-load-test-"};
};

TEST_P(DataLoadTest, MnistLayoutLoadsPlainOrGzipped) {
  const bool gzip = GetParam();
  testing::write_idx_fixture(dir_.path(), "mnist", 12, 5, gzip);
  LoadOptions options;
  options.root = dir_.path();
  options.normalize = false;
  const Dataset raw = load_dataset("mnist", options);
  EXPECT_EQ(raw.name, "mnist");
  EXPECT_EQ(raw.train.images.sizes(), (std::vector<int64_t>{12, 1, 28, 28}));
  EXPECT_EQ(raw.test.images.sizes(), (std::vector<int64_t>{5, 1, 28, 28}));
  EXPECT_EQ(raw.train.images.scalar_type(), torch::kFloat32);
  EXPECT_EQ(raw.train.labels.scalar_type(), torch::kInt64);
  EXPECT_TRUE(torch::allclose(raw.train.images,
                              testing::fixture_images(12, 28, 1, 2).to(torch::kFloat32) / 255.0));
  EXPECT_TRUE(torch::equal(raw.train.labels, testing::fixture_labels(12).to(torch::kInt64)));
  EXPECT_GE(raw.train.images.min().item<float>(), 0.0f);
  EXPECT_LE(raw.train.images.max().item<float>(), 1.0f);
  ASSERT_EQ(raw.files.size(), 4u);
  EXPECT_EQ(fs::path(raw.files[0]).filename().string(),
            std::string("train-images-idx3-ubyte") + (gzip ? ".gz" : ""));

  options.normalize = true;
  options.train_subset = 10;
  const Dataset normalised = load_dataset("mnist", options);
  EXPECT_EQ(normalised.train.size(), 10);
  EXPECT_EQ(normalised.test.size(), 5);
  EXPECT_TRUE(torch::allclose(normalised.train.images,
                              (raw.train.images.slice(0, 0, 10) - 0.1307) / 0.3081, 1e-5, 1e-5));
}

TEST_P(DataLoadTest, FashionMnistLayoutLoads) {
  testing::write_idx_fixture(dir_.path(), "fashion_mnist", 6, 4, GetParam());
  LoadOptions options;
  options.root = dir_.path();
  const Dataset dataset = load_dataset("fashion_mnist", options);
  EXPECT_EQ(dataset.name, "fashion_mnist");
  EXPECT_EQ(dataset.train.size(), 6);
  EXPECT_EQ(dataset.test.size(), 4);
  const at::Tensor raw = testing::fixture_images(6, 28, 1, 2).to(torch::kFloat32) / 255.0;
  EXPECT_TRUE(torch::allclose(dataset.train.images, (raw - 0.2860) / 0.3530, 1e-5, 1e-5));
}

INSTANTIATE_TEST_SUITE_P(PlainAndGzip, DataLoadTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Gzip" : "Plain"; });

TEST(DataLoadErrorsTest, MissingMnistNamesThePathAndTheFetchCommand) {
  TempDir dir(fs::temp_directory_path(), "actbench-load-test-");
  LoadOptions options;
  options.root = dir.path();
  EXPECT_EQ(data_error_message([&] { load_dataset("mnist", options); }),
            (dir.path() / "mnist" / "train-images-idx3-ubyte").string() +
                " not found; run `actbench data fetch mnist`");
  EXPECT_EQ(data_error_message([&] { load_dataset("fashion_mnist", options); }),
            (dir.path() / "fashion_mnist" / "train-images-idx3-ubyte").string() +
                " not found; run `actbench data fetch fashion_mnist`");
}

TEST(DataLoadErrorsTest, SubsetLargerThanTheSplitOrNegativeIsAnError) {
  TempDir dir(fs::temp_directory_path(), "actbench-load-test-");
  testing::write_idx_fixture(dir.path(), "mnist", 6, 4, false);
  LoadOptions options;
  options.root = dir.path();
  options.test_subset = 5;
  EXPECT_THROW(load_dataset("mnist", options), Error);
  options.test_subset = -1;
  EXPECT_THROW(load_dataset("mnist", options), Error);
}

TEST(DataLoadErrorsTest, WrongImageSizeForTheDatasetIsADataError) {
  TempDir dir(fs::temp_directory_path(), "actbench-load-test-");
  testing::write_idx_fixture(dir.path(), "mnist", 6, 4, false);
  const fs::path images = dir.path() / "mnist" / "t10k-images-idx3-ubyte";
  write_idx(images, testing::fixture_images(4, 32), false);
  LoadOptions options;
  options.root = dir.path();
  const std::string message = data_error_message([&] { load_dataset("mnist", options); });
  EXPECT_NE(message.find(images.string()), std::string::npos) << message;
  EXPECT_NE(message.find("32x32 images, expected 28x28"), std::string::npos) << message;
}

}  // namespace dataset_test
}  // namespace actbench::data
