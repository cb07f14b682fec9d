// CIFAR-10 end to end: batch files in the official binary format, written by the test with a
// learnable pattern (the label sets the mean brightness of one colour channel), trained with the
// shipped configs/cifar10_cnn.yaml through the CLI, exactly as a user would run it.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/cifar10.hpp"
#include "support/run_helpers.hpp"

namespace actbench::data {
namespace {

using actbench::testing::TempDir;

void write_learnable_cifar(const std::filesystem::path& root, int64_t records) {
  const auto dir = root / "cifar10" / kCifarBatchDir;
  std::filesystem::create_directories(dir);
  auto names = cifar_train_batches();
  names.push_back(kCifarTestBatch);
  torch::manual_seed(11);
  for (const auto& name : names) {
    const torch::Tensor labels = torch::randint(0, 10, {records}, torch::kLong);
    torch::Tensor images = torch::randint(0, 80, {records, 3, 32, 32}, torch::kLong);
    const torch::Tensor channel = labels % 3;
    const torch::Tensor level =
        (torch::div(labels, 3, "floor") + 1) * 40;  // 40..160, on top of noise in [0, 80)
    for (int64_t i = 0; i < records; ++i) images[i][channel[i].item<int64_t>()] += level[i];
    write_cifar_batch(dir / name, images.clamp(0, 255).to(torch::kUInt8), labels);
  }
}

TEST(CifarEndToEnd, ShippedConfigTrainsOnOfficialFormatFiles) {
  TempDir dir;
  write_learnable_cifar(dir.path() / "data", 200);
  const std::string config = std::string(ACTBENCH_SOURCE_DIR) + "/configs/cifar10_cnn.yaml";
  const auto result = actbench::testing::run_cli(
      "run " + config +
          " data.root=data train.epochs=4 data.batch_size=50 output.dir=runs train.progress=never",
      dir.path().string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::filesystem::path run;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "runs"))
    run = entry.path();
  const auto summary = actbench::testing::read_json(run / "summary.json");
  const auto meta = actbench::testing::read_json(run / "meta.json");
  EXPECT_EQ(summary["status"], "completed");
  EXPECT_EQ(meta["dataset"]["train_samples"], 1000);
  EXPECT_EQ(meta["dataset"]["test_samples"], 200);
  EXPECT_EQ(meta["dataset"]["files"].size(), 6u);
  EXPECT_EQ(summary["layers"].size(), 4u);  // 3 conv blocks + 1 hidden layer
  EXPECT_GT(summary["test_accuracy"].get<double>(), 0.5) << result.output;  // chance: 0.1
}

}  // namespace
}  // namespace actbench::data
