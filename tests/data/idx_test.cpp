// IDX reader tests on fixtures written here: good plain and gzipped files read back exactly, and
// each kind of damage a download can suffer is a DataError naming the file and the fetch command.
#include "data/idx.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <fstream>

#include "data/dataset.hpp"
#include "data/fetch.hpp"
#include "data/files.hpp"
#include "data_test_support.hpp"

namespace actbench::data {
namespace idx_test {

namespace fs = std::filesystem;
using testing::data_error_message;
using testing::fixture_images;
using testing::fixture_labels;

IdxExpect images_expect() {
  IdxExpect expect;
  expect.kind = IdxKind::kImages;
  expect.dataset = "mnist";
  expect.rows = 28;
  expect.cols = 28;
  return expect;
}

IdxExpect labels_expect() {
  IdxExpect expect;
  expect.kind = IdxKind::kLabels;
  expect.dataset = "mnist";
  expect.num_classes = 10;
  return expect;
}

void append_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << bytes;
}

void overwrite_bytes(const fs::path& path, std::streamoff offset, const std::string& bytes) {
  std::fstream out(path, std::ios::binary | std::ios::in | std::ios::out);
  out.seekp(offset);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Every IDX DataError names the file, what is wrong and the command that fetches it again.
void expect_names_file(const std::string& message, const fs::path& path, const std::string& what) {
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find(what), std::string::npos) << message;
  EXPECT_NE(message.find("`actbench data fetch mnist`"), std::string::npos) << message;
}

class DataIdxTest : public ::testing::Test {
 protected:
  TempDir dir_{fs::temp_directory_path(), "actbench-idx-test-"};
  fs::path path(const std::string& name) const { return dir_.path() / name; }
};

TEST_F(DataIdxTest, PlainImagesAndLabelsReadBackExactly) {
  const at::Tensor images = fixture_images(5, 28);
  const at::Tensor labels = fixture_labels(5);
  write_idx(path("images"), images, /*gzip=*/false);
  write_idx(path("labels"), labels, /*gzip=*/false);
  EXPECT_EQ(fs::file_size(path("images")), 16u + 5u * 28u * 28u);
  EXPECT_EQ(fs::file_size(path("labels")), 8u + 5u);

  const at::Tensor read_images = read_idx(path("images"), images_expect());
  const at::Tensor read_labels = read_idx(path("labels"), labels_expect());
  EXPECT_EQ(read_images.sizes(), (std::vector<int64_t>{5, 1, 28, 28}));
  EXPECT_EQ(read_images.scalar_type(), torch::kUInt8);
  EXPECT_TRUE(torch::equal(read_images, images));
  EXPECT_TRUE(torch::equal(read_labels, labels));

  const IdxSummary summary = check_idx(path("images"), images_expect(), /*compute_sha256=*/true);
  EXPECT_FALSE(summary.gzipped);
  EXPECT_EQ(summary.count, 5);
  EXPECT_EQ(summary.content_bytes, 16 + 5 * 28 * 28);
  EXPECT_EQ(summary.content_sha256, file_digest(path("images"), DigestKind::kSha256, "mnist"));
}

TEST_F(DataIdxTest, HeaderIsBigEndian) {
  write_idx(path("images"), fixture_images(3, 28), /*gzip=*/false);
  std::ifstream in(path("images"), std::ios::binary);
  unsigned char header[16];
  in.read(reinterpret_cast<char*>(header), 16);
  const unsigned char expected[16] = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28};
  for (int i = 0; i < 16; ++i) EXPECT_EQ(header[i], expected[i]) << "byte " << i;
}

TEST_F(DataIdxTest, GzippedFileReadsLikeThePlainOne) {
  const at::Tensor images = fixture_images(7, 28);
  write_idx(path("images"), images, /*gzip=*/false);
  write_idx(path("images.gz"), images, /*gzip=*/true);
  write_idx(path("labels.gz"), fixture_labels(7), /*gzip=*/true);
  EXPECT_TRUE(torch::equal(read_idx(path("images.gz"), images_expect()), images));
  EXPECT_TRUE(torch::equal(read_idx(path("labels.gz"), labels_expect()), fixture_labels(7)));

  const IdxSummary summary = check_idx(path("images.gz"), images_expect(), true);
  EXPECT_TRUE(summary.gzipped);
  EXPECT_EQ(summary.content_bytes, 16 + 7 * 28 * 28);
  // The checksum is of the content, so it matches the plain file's.
  EXPECT_EQ(summary.content_sha256, file_digest(path("images"), DigestKind::kSha256, "mnist"));
}

TEST_F(DataIdxTest, MissingFile) {
  const std::string message = data_error_message([&] { read_idx(path("nope"), images_expect()); });
  EXPECT_EQ(message, path("nope").string() + " not found; run `actbench data fetch mnist`");
}

TEST_F(DataIdxTest, EmptyFile) {
  std::ofstream(path("images")).close();
  const std::string message =
      data_error_message([&] { read_idx(path("images"), images_expect()); });
  expect_names_file(message, path("images"), "is empty");
}

TEST_F(DataIdxTest, TruncatedPlainFile) {
  write_idx(path("images"), fixture_images(5, 28), /*gzip=*/false);
  fs::resize_file(path("images"), fs::file_size(path("images")) - 100);
  const std::string message =
      data_error_message([&] { read_idx(path("images"), images_expect()); });
  expect_names_file(message, path("images"), "is truncated");
  EXPECT_NE(message.find("5 images of 28x28"), std::string::npos) << message;
  EXPECT_NE(message.find("3,820 bytes follow"), std::string::npos) << message;
  // The streaming check agrees.
  EXPECT_NE(data_error_message([&] {
              check_idx(path("images"), images_expect(), true);
            }).find("is truncated"),
            std::string::npos);
}

TEST_F(DataIdxTest, TruncatedInsideHeader) {
  write_idx(path("images"), fixture_images(5, 28), /*gzip=*/false);
  fs::resize_file(path("images"), 10);
  expect_names_file(data_error_message([&] { read_idx(path("images"), images_expect()); }),
                    path("images"), "truncated inside its header");
}

TEST_F(DataIdxTest, TrailingBytes) {
  write_idx(path("labels"), fixture_labels(5), /*gzip=*/false);
  append_bytes(path("labels"), "junk");
  const std::string message =
      data_error_message([&] { read_idx(path("labels"), labels_expect()); });
  expect_names_file(message, path("labels"), "has 4 trailing bytes");
}

TEST_F(DataIdxTest, WrongMagic) {
  // A labels file where images are expected.
  write_idx(path("labels"), fixture_labels(5), /*gzip=*/false);
  std::string message = data_error_message([&] { read_idx(path("labels"), images_expect()); });
  expect_names_file(message, path("labels"), "bad magic number 0x00000801, expected 0x00000803");
  EXPECT_NE(message.find("looks like an IDX label file"), std::string::npos) << message;

  // Something that is not IDX at all, e.g. an HTML error page saved under the file's name.
  std::ofstream(path("html")) << "<!DOCTYPE html><html>404</html>";
  message = data_error_message([&] { read_idx(path("html"), images_expect()); });
  expect_names_file(message, path("html"), "not an IDX file at all");
}

TEST_F(DataIdxTest, CountInHeaderDisagreesWithData) {
  write_idx(path("images"), fixture_images(5, 28), /*gzip=*/false);
  overwrite_bytes(path("images"), 4, std::string("\0\0\0\6", 4));  // says 6, holds 5
  expect_names_file(data_error_message([&] { read_idx(path("images"), images_expect()); }),
                    path("images"), "header declares 6 images of 28x28");
  overwrite_bytes(path("images"), 4, std::string("\0\0\0\4", 4));  // says 4, holds 5
  expect_names_file(data_error_message([&] { read_idx(path("images"), images_expect()); }),
                    path("images"), "has 784 trailing bytes");
}

TEST_F(DataIdxTest, ImplausibleOrUnexpectedDims) {
  write_idx(path("images"), fixture_images(2, 28), /*gzip=*/false);
  overwrite_bytes(path("images"), 4, std::string("\0\0\0\0", 4));
  expect_names_file(data_error_message([&] { read_idx(path("images"), images_expect()); }),
                    path("images"), "header declares 0 images");
  overwrite_bytes(path("images"), 4, std::string("\xff\xff\xff\xff", 4));
  expect_names_file(data_error_message([&] { read_idx(path("images"), images_expect()); }),
                    path("images"), "implausible");

  write_idx(path("small"), fixture_images(2, 8), /*gzip=*/false);
  expect_names_file(data_error_message([&] { read_idx(path("small"), images_expect()); }),
                    path("small"), "8x8 images, expected 28x28");

  IdxExpect expect = images_expect();
  expect.count = 60000;
  expect_names_file(data_error_message([&] { check_idx(path("small"), expect, false); }),
                    path("small"), "header declares 2 images, expected 60000");
}

TEST_F(DataIdxTest, GzipCutOffMidway) {
  // Random pixels do not compress, so the cut lands well inside the deflate stream.
  write_idx(path("images.gz"), fixture_images(20, 28), /*gzip=*/true);
  fs::resize_file(path("images.gz"), fs::file_size(path("images.gz")) / 2);
  std::string message = data_error_message([&] { read_idx(path("images.gz"), images_expect()); });
  expect_names_file(message, path("images.gz"), "gzip stream is cut off");
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;

  // Cut inside the 8-byte gzip trailer: all the data decompresses, the stream is still incomplete.
  write_idx(path("labels.gz"), fixture_labels(20), /*gzip=*/true);
  fs::resize_file(path("labels.gz"), fs::file_size(path("labels.gz")) - 3);
  message = data_error_message([&] { read_idx(path("labels.gz"), labels_expect()); });
  expect_names_file(message, path("labels.gz"), "gzip stream is cut off");
}

TEST_F(DataIdxTest, ConcatenatedGzipMembersAreOneStream) {
  // gzip allows a file to be several members back to back (as `cat a.gz b.gz` makes); that is
  // not garbage, and reads as the concatenated content.
  const at::Tensor labels = fixture_labels(6);
  write_idx(path("whole"), labels, /*gzip=*/false);
  const std::string command =
      "head -c 10 " + path("whole").string() + " | gzip -c > " + path("labels.gz").string() +
      " && tail -c +11 " + path("whole").string() + " | gzip -c >> " + path("labels.gz").string();
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_TRUE(torch::equal(read_idx(path("labels.gz"), labels_expect()), labels));
}

TEST_F(DataIdxTest, CorruptGzipData) {
  write_idx(path("images.gz"), fixture_images(20, 28), /*gzip=*/true);
  const auto size = static_cast<std::streamoff>(fs::file_size(path("images.gz")));
  overwrite_bytes(path("images.gz"), size / 2, std::string(64, '\x55'));
  const std::string message =
      data_error_message([&] { read_idx(path("images.gz"), images_expect()); });
  expect_names_file(message, path("images.gz"), "gzip");
}

TEST_F(DataIdxTest, LabelOutOfRange) {
  at::Tensor labels = fixture_labels(6);
  labels[4] = 10;
  write_idx(path("labels"), labels, /*gzip=*/false);
  expect_names_file(data_error_message([&] { read_idx(path("labels"), labels_expect()); }),
                    path("labels"), "label 10 at index 4 is out of range");
  write_idx(path("labels.gz"), labels, /*gzip=*/true);
  expect_names_file(
      data_error_message([&] { check_idx(path("labels.gz"), labels_expect(), true); }),
      path("labels.gz"), "label 10 at index 4 is out of range");
}

TEST_F(DataIdxTest, ImageAndLabelCountsMustAgree) {
  testing::write_idx_fixture(dir_.path(), "mnist", 5, 3, /*gzip=*/false);
  const fs::path labels = dir_.path() / "mnist" / "train-labels-idx1-ubyte";
  write_idx(labels, fixture_labels(4), /*gzip=*/false);
  LoadOptions options;
  options.root = dir_.path();
  const std::string message = data_error_message([&] { load_dataset("mnist", options); });
  expect_names_file(message, labels, "holds 4 labels but");
  EXPECT_NE(message.find("holds 5 images"), std::string::npos) << message;
}

TEST_F(DataIdxTest, WriterRejectsWrongTypes) {
  EXPECT_THROW(write_idx(path("x"), torch::zeros({2, 28, 28}, torch::kFloat32), false), Error);
  EXPECT_THROW(write_idx(path("x"), torch::zeros({2, 3, 28, 28}, torch::kUInt8), false), Error);
}

}  // namespace idx_test
}  // namespace actbench::data
