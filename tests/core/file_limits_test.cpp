// Files are sized before they are read (issue 23, item 10): a config that is not a regular file
// (/dev/zero) or is larger than any config could be, and an image file larger than the largest
// image the image dataset holds could need (a sparse 20 GB file), are refused at once with the
// file's name, instead of being read whole first.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "core/files.hpp"
#include "data/image.hpp"
#include "support/memory_cap.hpp"
#include "support/temp_dir.hpp"

namespace actbench::core {
namespace {

using actbench::testing::address_space_cap;

namespace fs = std::filesystem;
using actbench::testing::TempDir;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

template <typename Body>
std::string error_of(Body&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an error";
  return "";
}

// A sparse file of `bytes` bytes starting with `head`: no disk space, any apparent size.
fs::path sparse_file(const TempDir& dir, const std::string& name, const std::string& head,
                     off_t bytes) {
  const fs::path file = dir.write(name, head);
  EXPECT_EQ(::truncate(file.c_str(), bytes), 0);
  return file;
}

TEST(FileLimits, ReadingAnEndlessDeviceStopsAtTheLimit) {
  const auto start = std::chrono::steady_clock::now();
  const std::string message = error_of([] { read_file("/dev/zero", kMaxConfigFileBytes); });
  EXPECT_TRUE(contains(message, "/dev/zero")) << message;
  EXPECT_TRUE(contains(message, "larger than 4 MiB")) << message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(FileLimits, ARegularFileOverTheLimitIsRefusedBeforeItIsRead) {
  TempDir dir;
  const fs::path big = sparse_file(dir, "big.yaml", "a: 1\n", off_t{20} << 30);
  const auto start = std::chrono::steady_clock::now();
  const std::string message = error_of([&] { read_file(big, kMaxConfigFileBytes); });
  EXPECT_TRUE(contains(message, big.string())) << message;
  EXPECT_TRUE(contains(message, "21,474,836,480 bytes")) << message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  // At the limit it is read.
  const fs::path fits = dir.write("fits.yaml", std::string(kMaxConfigFileBytes, '#'));
  EXPECT_EQ(read_file(fits, kMaxConfigFileBytes).size(), kMaxConfigFileBytes);
  // A directory is not a file.
  EXPECT_TRUE(contains(error_of([&] { read_file(dir.path(), kMaxConfigFileBytes); }),
                       "not a regular file"));
}

TEST(FileLimits, SparseTwentyGigabyteImageIsRefusedBeforeItIsRead) {
  TempDir dir;
  const fs::path image = sparse_file(dir, "huge.pgm", "P5\n4096 4096\n65535\n", off_t{20} << 30);
  const auto start = std::chrono::steady_clock::now();
  const std::string message = error_of([&] { data::read_grey_image(image); });
  EXPECT_TRUE(contains(message, image.string())) << message;
  EXPECT_TRUE(contains(message, "larger than")) << message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(FileLimits, LargestHoldableImageSizesFitTheImageFileLimit) {
  // A 4096x4096 16-bit PGM (the largest raster the image dataset holds, binary), its ASCII form
  // at up to 8 bytes a sample ("65535\r\n "), and a 16-bit RGB PNG stored without compression
  // (6 bytes a pixel, one filter byte a row) are all within the limit.
  const int64_t pixels = data::kMaxImagePixels;
  EXPECT_LE(pixels * 2 + 64, data::kMaxImageFileBytes);
  EXPECT_LE(pixels * 6 + 64, data::kMaxImageFileBytes);
  EXPECT_LE(pixels * 8 + 4096 * 64, data::kMaxImageFileBytes);
}

TEST(FileLimits, ImageDatasetOnASparseFileIsADataErrorThroughTheCli) {
  TempDir dir;
  sparse_file(dir, "huge.pgm", "P5\n4096 4096\n65535\n", off_t{20} << 30);
  dir.write("c.yaml",
            "task: regression\ndata: {dataset: image, image: {file: huge.pgm}, batch_size: 0}\n"
            "model: {hidden: [8]}\ntrain: {epochs: 1}\noutput: {dir: runs}\n");
  const std::string command = "cd '" + dir.path().string() + "' && " + address_space_cap(8192) +
                              "timeout 120 " + ACTBENCH_CLI + " run c.yaml >out.log 2>&1";
  const int status = std::system(("sh -c \"" + command + "\"").c_str());
  std::ifstream in(dir.path() / "out.log");
  const std::string output{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << output;
  EXPECT_TRUE(contains(output, "huge.pgm")) << output;
  EXPECT_TRUE(contains(output, "larger than")) << output;
}

}  // namespace
}  // namespace actbench::core
