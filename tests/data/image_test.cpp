// The image dataset (coordinate-to-intensity fitting): the built-in image's shapes, coordinates and
// targets as documented, PGM and PNG files read back exactly, bad files and keys as clear errors,
// PSNR from a known MSE, PSNR recorded per evaluation, in summary.json and in the results database,
// and a sine MLP trained by the real trainer that fits a small image to a PSNR an untrained or a
// ReLU network does not reach.
#include "data/image.hpp"

#include <gtest/gtest.h>
#include <png.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "data/dataset.hpp"
#include "data_test_support.hpp"
#include "store/results_db.hpp"
#include "study/siren.hpp"
#include "support/run_helpers.hpp"
#include "train/task.hpp"
#include "train/trainer.hpp"

namespace actbench::data {
namespace image_test {

using actbench::testing::read_json;
using actbench::testing::TempDir;
using testing::data_error_message;

Dataset load_image(const std::string& file, int64_t size = 0) {
  LoadOptions options;
  options.image_file = file;
  options.image_size = size;
  return load_dataset("image", options);
}

std::string pgm_p5(int width, int height, int maxval, const std::vector<int>& values) {
  std::string bytes = "P5\n# written by image_test\n" + std::to_string(width) + " " +
                      std::to_string(height) + "\n" + std::to_string(maxval) + "\n";
  for (int v : values) {
    if (maxval > 255) bytes += static_cast<char>(v >> 8);
    bytes += static_cast<char>(v & 0xff);
  }
  return bytes;
}

// The dataset's targets [N, 1] against value / maxval scaled to [-1, 1], exactly as float32.
void expect_targets(const Dataset& data, const std::vector<int>& values, int maxval) {
  ASSERT_EQ(data.train.labels.size(0), static_cast<int64_t>(values.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    const float expected =
        static_cast<float>(static_cast<float>(static_cast<double>(values[i]) / maxval) * 2.0 - 1.0);
    EXPECT_EQ(data.train.labels[static_cast<int64_t>(i)][0].item<float>(), expected) << i;
  }
}

TEST(ImageDataset, BuiltinShapesCoordinatesAndTargets) {
  const Dataset data = load_image("builtin", 16);
  EXPECT_EQ(data.task, "regression");
  EXPECT_EQ(data.train.images.sizes(), (std::vector<int64_t>{256, 1, 1, 2}));
  EXPECT_EQ(data.train.labels.sizes(), (std::vector<int64_t>{256, 1}));
  // SIREN fits the image itself: the test split is the same pixels.
  EXPECT_TRUE(torch::equal(data.train.images, data.test.images));
  EXPECT_TRUE(torch::equal(data.train.labels, data.test.labels));
  EXPECT_EQ(data.psnr_peak, 2.0);

  // (x, y) per pixel in row-major order, pixel centres evenly spaced from -1 to +1 exactly.
  const at::Tensor xy = data.train.images.reshape({16, 16, 2});
  for (int64_t r = 0; r < 16; ++r) {
    for (int64_t c = 0; c < 16; ++c) {
      EXPECT_FLOAT_EQ(xy[r][c][0].item<float>(), static_cast<float>(-1.0 + 2.0 * c / 15.0));
      EXPECT_FLOAT_EQ(xy[r][c][1].item<float>(), static_cast<float>(-1.0 + 2.0 * r / 15.0));
    }
  }
  EXPECT_EQ(xy[0][0][0].item<float>(), -1.0f);
  EXPECT_EQ(xy[15][15][1].item<float>(), 1.0f);

  const at::Tensor y = data.train.labels;
  EXPECT_GE(y.min().item<float>(), -1.0f);
  EXPECT_LE(y.max().item<float>(), 1.0f);
  // Smooth parts, edges and detail: a spread of grey levels, not a flat or two-tone image.
  EXPECT_GT(y.std().item<double>(), 0.3);
  EXPECT_GT(std::get<0>(at::_unique(y)).numel(), 40);
  // Deterministic, and 64 pixels a side by default.
  EXPECT_TRUE(torch::equal(y, load_image("builtin", 16).train.labels));
  EXPECT_EQ(load_image("builtin").train.size(), 64 * 64);
}

TEST(ImageDataset, PgmFilesReadBackExactly) {
  TempDir dir;
  // P5 8-bit, 3 x 2.
  const std::vector<int> bytes8{0, 255, 17, 128, 64, 200};
  Dataset data = load_image(dir.write("a.pgm", pgm_p5(3, 2, 255, bytes8)).string());
  EXPECT_EQ(data.train.images.sizes(), (std::vector<int64_t>{6, 1, 1, 2}));
  expect_targets(data, bytes8, 255);
  EXPECT_EQ(data.train.images[5][0][0][0].item<float>(), 1.0f);   // last column: x = +1
  EXPECT_EQ(data.train.images[5][0][0][1].item<float>(), 1.0f);   // last row: y = +1
  EXPECT_EQ(data.train.images[1][0][0][0].item<float>(), 0.0f);   // middle of 3 columns
  EXPECT_EQ(data.train.images[1][0][0][1].item<float>(), -1.0f);  // first row
  ASSERT_EQ(data.files.size(), 1u);
  // P5 16-bit (big-endian samples) with maxval 1000.
  const std::vector<int> words{0, 1000, 999, 1, 500, 256};
  expect_targets(load_image(dir.write("b.pgm", pgm_p5(2, 3, 1000, words)).string()), words, 1000);
  // P2 with comments between the header fields, values on several lines.
  const std::vector<int> ascii{0, 7, 15, 3};
  expect_targets(
      load_image(dir.write("c.pgm", "P2 # ascii\n2 # width\n2\n15\n0 7\n15 3\n").string()), ascii,
      15);
}

TEST(ImageDataset, BadPgmFilesAreClearLocatedErrors) {
  TempDir dir;
  auto error_of = [&](const std::string& name, const std::string& bytes) {
    const std::string file = dir.write(name, bytes).string();
    const std::string message = data_error_message([&] { load_image(file); });
    EXPECT_NE(message.find(file), std::string::npos) << message;
    return message;
  };
  std::string truncated = pgm_p5(4, 4, 255, std::vector<int>(16, 9));
  truncated.resize(truncated.size() - 3);
  EXPECT_NE(error_of("t.pgm", truncated)
                .find("truncated: the raster of 4x4 pixels at 1 byte each "
                      "needs 16 bytes, the file has 13"),
            std::string::npos);
  EXPECT_NE(
      error_of("m.pgm", "P7\n1 1\n255\n\x01").find("neither a PGM (magic P2 or P5) nor a PNG"),
      std::string::npos);
  EXPECT_NE(error_of("c.ppm", "P6\n1 1\n255\nabc").find("PPM, colour"), std::string::npos);
  EXPECT_NE(error_of("z.pgm", "P2\n1 1\n0\n0\n").find("maxval is 0; a PGM's maxval is 1 to 65535"),
            std::string::npos);
  EXPECT_NE(error_of("big.pgm", "P5\n1 1\n70000\n\x01\x02")
                .find("byte 7: maxval is 70000; a PGM's maxval is 1 to 65535"),
            std::string::npos);
  EXPECT_NE(error_of("over.pgm", "P2\n2 1\n10\n3 11\n")
                .find("byte 12: pixel 2 is 11, above the maxval 10"),
            std::string::npos);
  EXPECT_NE(error_of("short.pgm", "P2\n2 2\n10\n1 2 3\n")
                .find("truncated: the file ends before the pixel 4 of 4"),
            std::string::npos);
  EXPECT_NE(error_of("word.pgm", "P2\nwide 2\n10\n").find("expected the width"), std::string::npos);
  EXPECT_NE(data_error_message([&] {
              load_image((dir.path() / "none.pgm").string());
            }).find("no such image file"),
            std::string::npos);
}

TEST(ImageDataset, PngFilesReadAsGrey) {
  TempDir dir;
  auto write_png = [&](const std::string& name, png_uint_32 format,
                       const std::vector<unsigned char>& pixels) {
    png_image png;
    std::memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    png.width = 3;
    png.height = 2;
    png.format = format;
    const std::string file = (dir.path() / name).string();
    EXPECT_TRUE(png_image_write_to_file(&png, file.c_str(), 0, pixels.data(), 0, nullptr))
        << png.message;
    return file;
  };
  const std::vector<int> grey{0, 255, 17, 128, 64, 200};
  const std::vector<unsigned char> grey_bytes(grey.begin(), grey.end());
  expect_targets(load_image(write_png("g.png", PNG_FORMAT_GRAY, grey_bytes)), grey, 255);
  // Colour: equal channels keep their grey level.
  std::vector<unsigned char> rgb;
  for (int v : grey) rgb.insert(rgb.end(), 3, static_cast<unsigned char>(v));
  expect_targets(load_image(write_png("c.png", PNG_FORMAT_RGB, rgb)), grey, 255);
  // Transparency is refused rather than composited on a guessed background.
  const std::string alpha = write_png("a.png", PNG_FORMAT_GA, std::vector<unsigned char>(12, 100));
  EXPECT_NE(data_error_message([&] { load_image(alpha); }).find("alpha channel"),
            std::string::npos);
  const std::string broken = dir.write("b.png", "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR").string();
  EXPECT_NE(data_error_message([&] { load_image(broken); }).find("not a readable PNG file"),
            std::string::npos);
}

TEST(ImageDataset, KeysAreCheckedAndSubsetsApply) {
  LoadOptions options;
  options.image_file = "photo.pgm";
  options.image_size = 32;
  options.where["data.image.size"] = SourceLocation::in_file("run.yaml", 4, 9);
  try {
    load_dataset("image", options);
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("run.yaml:4:9"), std::string::npos) << message;
    EXPECT_NE(message.find("a file keeps its own size"), std::string::npos) << message;
  }
  LoadOptions subset;
  subset.image_size = 8;
  subset.train_subset = 16;  // the top two rows
  const Dataset data = load_dataset("image", subset);
  EXPECT_EQ(data.train.size(), 16);
  EXPECT_EQ(data.test.size(), 64);
  EXPECT_TRUE(torch::equal(data.train.labels, data.test.labels.slice(0, 0, 16)));
  subset.train_subset = 65;
  EXPECT_THROW(load_dataset("image", subset), ConfigError);
}

TEST(ImagePsnr, FromAKnownMse) {
  // 10 log10(peak^2 / mse): an MSE of 0.01 on [-1, 1] targets (peak 2) is 26.02 dB, the same as
  // an MSE of 0.0025 on [0, 1] (peak 1).
  EXPECT_NEAR(train::psnr(0.01, 2.0), 26.0206, 1e-4);
  EXPECT_NEAR(train::psnr(0.0025, 1.0), 26.0206, 1e-4);
  EXPECT_NEAR(train::psnr(4.0, 2.0), 0.0, 1e-12);
  EXPECT_NEAR(train::psnr(1e-4, 2.0), 20 * std::log10(2.0) + 40.0, 1e-9);
  train::Record record;
  record.train_loss = 0.04;
  record.test_loss = std::nan("");
  train::set_psnr(record, 2.0);
  EXPECT_NEAR(record.train_psnr, 20.0, 1e-9);
  EXPECT_TRUE(std::isnan(record.test_psnr));
  train::set_psnr(record, 0.0);  // not image data: no PSNR
  EXPECT_TRUE(std::isnan(record.train_psnr));
}

const char* kImageRun = R"(name: img
task: regression
data: {dataset: image, image: {size: 16}, batch_size: 0}
model: {hidden: [32], activation: {name: sine, omega_0: 30}, init: siren}
optim: {name: adam, lr: 0.0001}
train: {epochs: 20, eval_every: 10}
probes: {enabled: false}
)";

TEST(ImagePsnr, RecordedInMetricsSummaryAndResultsDb) {
  TempDir dir;
  dir.write("img.yaml", kImageRun);
  const auto result =
      actbench::testing::run_cli("sweep img.yaml --workers 1 --dir out", dir.path().string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  store::ResultsDb db(dir.path() / "out" / "results.db");
  const auto rows = db.runs();
  ASSERT_EQ(rows.size(), 1u);
  const auto run_dir = dir.path() / "out" / rows[0].directory;
  const auto summary = read_json(run_dir / "summary.json");
  const double psnr = summary["psnr"].get<double>();
  EXPECT_NEAR(psnr, train::psnr(summary["test_mse"].get<double>(), 2.0), 1e-9);
  ASSERT_TRUE(rows[0].psnr.has_value());
  EXPECT_EQ(*rows[0].psnr, psnr);
  // test_psnr at epochs 0, 10, 20; train_psnr where there is a training loss (10, 20).
  const auto test_psnr = db.epoch_values("test_psnr");
  ASSERT_EQ(test_psnr.size(), 3u);
  EXPECT_NEAR(test_psnr.back().value, psnr, 1e-6);
  EXPECT_EQ(db.epoch_values("train_psnr").size(), 2u);
  const std::string csv = core::read_file(run_dir / "metrics.csv");
  EXPECT_NE(csv.find("20,20,,test_psnr,"), std::string::npos) << csv;
}

// A small SIREN fits a 32x32 image to well above 25 dB in 500 full-batch steps; at initialisation
// and for a ReLU net of the same size the PSNR stays far below (broken coordinates or targets, or a
// trainer that does not train, would fail this).
TEST(ImageFit, SineMlpReachesAPsnrThroughTheTrainer) {
  const std::vector<std::string> sine{"model.activation={name: sine, omega_0: 30}",
                                      "model.init=siren", "model.hidden=[64, 64]",
                                      "model.bias_init=uniform"};
  const study::ImageFit fit = study::fit_image(sine, 32, 500, 100, 0);
  ASSERT_EQ(fit.steps, (std::vector<double>{0, 100, 200, 300, 400, 500}));
  EXPECT_LT(fit.psnr.front(), 15.0);
  EXPECT_GE(fit.psnr.back(), 25.0);
  EXPECT_EQ(fit.reconstruction.sizes(), (std::vector<int64_t>{32, 32}));
  const study::ImageFit relu = study::fit_image(
      {"model.activation=relu", "model.init=xavier_uniform", "model.hidden=[64, 64]"}, 32, 500, 100,
      0);
  EXPECT_LT(relu.psnr.back(), 25.0);
  std::printf("image fit PSNR (dB): sine %.2f -> %.2f, relu %.2f\n", fit.psnr.front(),
              fit.psnr.back(), relu.psnr.back());
}

}  // namespace image_test
}  // namespace actbench::data
