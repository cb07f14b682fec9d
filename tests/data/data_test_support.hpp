// Helpers shared by the data tests: capturing a DataError's message to check what it names, writing
// fixture datasets in the real on-disk layouts, and locating the real data for the real-data tests.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "data/cifar10.hpp"
#include "data/idx.hpp"

namespace actbench::data::testing {

// The message of the DataError `body` throws; a failure (and "") if it throws nothing.
template <typename Body>
std::string data_error_message(Body&& body) {
  try {
    body();
  } catch (const DataError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a DataError";
  return "";
}

// ACTBENCH_DATA_ROOT, or <source dir>/data where `actbench data fetch` puts the data by default.
inline std::filesystem::path real_data_root() {
  if (const char* root = std::getenv("ACTBENCH_DATA_ROOT"); root != nullptr && *root != '\0') {
    return root;
  }
  return std::filesystem::path(ACTBENCH_SOURCE_DIR) / "data";
}

// Deterministic uint8 images [n, 1, side, side] and labels [n] in [0, classes).
inline at::Tensor fixture_images(int64_t n, int64_t side, int64_t channels = 1, uint64_t seed = 1) {
  torch::manual_seed(seed);
  return torch::randint(0, 256, {n, channels, side, side}, torch::kInt64).to(torch::kUInt8);
}

inline at::Tensor fixture_labels(int64_t n, int64_t classes = 10) {
  return (torch::arange(n, torch::kInt64) * 7 % classes).to(torch::kUInt8);
}

// A small MNIST-layout dataset: <root>/<name>/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].
inline void write_idx_fixture(const std::filesystem::path& root, const std::string& name,
                              int64_t train, int64_t test, bool gzip) {
  const auto dir = root / name;
  std::filesystem::create_directories(dir);
  const std::string suffix = gzip ? ".gz" : "";
  write_idx(dir / ("train-images-idx3-ubyte" + suffix), fixture_images(train, 28, 1, 2), gzip);
  write_idx(dir / ("train-labels-idx1-ubyte" + suffix), fixture_labels(train), gzip);
  write_idx(dir / ("t10k-images-idx3-ubyte" + suffix), fixture_images(test, 28, 1, 3), gzip);
  write_idx(dir / ("t10k-labels-idx1-ubyte" + suffix), fixture_labels(test), gzip);
}

// The six CIFAR-10 batch files with `records` records each, in <dir>/cifar-10-batches-bin/.
inline void write_cifar_fixture(const std::filesystem::path& dir, int64_t records) {
  const auto batches = dir / kCifarBatchDir;
  std::filesystem::create_directories(batches);
  uint64_t seed = 10;
  auto names = cifar_train_batches();
  names.push_back(kCifarTestBatch);
  for (const auto& name : names) {
    write_cifar_batch(batches / name, fixture_images(records, 32, 3, seed++),
                      fixture_labels(records));
  }
}

}  // namespace actbench::data::testing
