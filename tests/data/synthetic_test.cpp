// The synthetic dataset: deterministic from the seed, balanced, with the statistics its entry
// declares, and learnable (a nearest-centroid classifier separates it).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/dataset.hpp"

namespace actbench::data {
namespace synthetic_test {

Dataset load_synthetic(uint64_t seed, bool normalize = true) {
  LoadOptions options;
  options.seed = seed;
  options.normalize = normalize;
  options.root = "/nonexistent";  // generated: no files are read
  return load_dataset("synthetic", options);
}

TEST(DataSyntheticTest, ShapesAndTypes) {
  const Dataset data = load_synthetic(0);
  EXPECT_EQ(data.name, "synthetic");
  EXPECT_EQ(data.train.images.sizes(), (std::vector<int64_t>{2048, 1, 8, 8}));
  EXPECT_EQ(data.test.images.sizes(), (std::vector<int64_t>{512, 1, 8, 8}));
  EXPECT_EQ(data.train.images.scalar_type(), torch::kFloat32);
  EXPECT_EQ(data.train.labels.scalar_type(), torch::kInt64);
  EXPECT_TRUE(data.files.empty());
  EXPECT_EQ(data.shape.features(), 64);
  // Balanced classes.
  const at::Tensor counts = torch::bincount(data.train.labels);
  EXPECT_EQ(counts.size(0), 10);
  EXPECT_LE((counts.max() - counts.min()).item<int64_t>(), 1);
}

TEST(DataSyntheticTest, DeterministicFromTheSeed) {
  const Dataset a = load_synthetic(42);
  const Dataset b = load_synthetic(42);
  const Dataset c = load_synthetic(43);
  EXPECT_TRUE(torch::equal(a.train.images, b.train.images));
  EXPECT_TRUE(torch::equal(a.test.images, b.test.images));
  EXPECT_TRUE(torch::equal(a.train.labels, b.train.labels));
  EXPECT_FALSE(torch::equal(a.train.images, c.train.images));
  EXPECT_FALSE(torch::equal(a.test.images, c.test.images));
}

TEST(DataSyntheticTest, SubsetIsAPrefixOfTheFullSplit) {
  LoadOptions options;
  options.seed = 7;
  options.train_subset = 100;
  options.test_subset = 10;
  const Dataset subset = load_dataset("synthetic", options);
  const Dataset full = load_synthetic(7);
  EXPECT_EQ(subset.train.size(), 100);
  EXPECT_EQ(subset.test.size(), 10);
  EXPECT_TRUE(torch::equal(subset.train.images, full.train.images.slice(0, 0, 100)));
  EXPECT_TRUE(torch::equal(subset.test.images, full.test.images.slice(0, 0, 10)));
}

TEST(DataSyntheticTest, StatisticsMatchTheEntry) {
  const DatasetEntry& entry = dataset_entry("synthetic", SourceLocation::defaulted());
  for (uint64_t seed : {0, 1, 2}) {
    const Dataset raw = load_synthetic(seed, /*normalize=*/false);
    EXPECT_GE(raw.train.images.min().item<float>(), 0.0f);
    EXPECT_LE(raw.train.images.max().item<float>(), 1.0f);
    EXPECT_NEAR(raw.train.images.mean().item<double>(), entry.mean[0], 0.005);
    EXPECT_NEAR(raw.train.images.std().item<double>(), entry.std[0], 0.005);
    const Dataset normalised = load_synthetic(seed);
    EXPECT_NEAR(normalised.train.images.mean().item<double>(), 0.0, 0.02);
    EXPECT_NEAR(normalised.train.images.std().item<double>(), 1.0, 0.02);
  }
}

TEST(DataSyntheticTest, LearnableButNotTrivial) {
  const Dataset data = load_synthetic(3);
  const at::Tensor train = data.train.images.flatten(1);
  const at::Tensor test = data.test.images.flatten(1);
  std::vector<at::Tensor> centroids;
  for (int64_t c = 0; c < 10; ++c) {
    centroids.push_back(train.index({data.train.labels == c}).mean(0));
  }
  const at::Tensor predicted = torch::cdist(test, torch::stack(centroids)).argmin(1);
  const double accuracy = (predicted == data.test.labels).to(torch::kFloat64).mean().item<double>();
  EXPECT_GT(accuracy, 0.9);
  EXPECT_LT(accuracy, 1.0);
}

TEST(DataSyntheticTest, NothingToFetchOrVerify) {
  const DatasetEntry& entry = dataset_entry("synthetic", SourceLocation::defaulted());
  EXPECT_NE(entry.fetch(FetchOptions{}).find("nothing to fetch"), std::string::npos);
  EXPECT_NE(entry.verify("data").find("nothing to verify"), std::string::npos);
}

}  // namespace synthetic_test
}  // namespace actbench::data
