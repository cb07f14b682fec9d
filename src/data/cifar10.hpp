// The CIFAR-10 binary format (https://www.cs.toronto.edu/~kriz/cifar.html): each batch file is a
// run of 3073-byte records, one label byte (0-9) then 3072 pixel bytes (1024 red, 1024 green,
// 1024 blue, each a row-major 32x32 plane). Official batches hold 10000 records; any positive whole
// number is accepted so that tests can write small ones.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace actbench::data {

constexpr int64_t kCifarChannels = 3;
constexpr int64_t kCifarSide = 32;
constexpr int64_t kCifarClasses = 10;
constexpr int64_t kCifarImageBytes = kCifarChannels * kCifarSide * kCifarSide;  // 3072
constexpr int64_t kCifarRecordBytes = 1 + kCifarImageBytes;                     // 3073
constexpr int64_t kCifarOfficialRecords = 10000;

// The directory the official archive unpacks to, under <root>/cifar10/.
constexpr const char* kCifarBatchDir = "cifar-10-batches-bin";

// data_batch_1.bin .. data_batch_5.bin, in training order.
const std::vector<std::string>& cifar_train_batches();
constexpr const char* kCifarTestBatch = "test_batch.bin";

struct CifarBatch {
  at::Tensor images;  // uint8 [N, 3, 32, 32]
  at::Tensor labels;  // uint8 [N]
};

// Reads one batch file; a missing, empty or wrongly sized file or a label above 9 is a DataError
// naming the file and `actbench data fetch <dataset>`.
CifarBatch read_cifar_batch(const std::filesystem::path& path,
                            const std::string& dataset = "cifar10");

// The same checks without keeping the file in memory; returns the number of records.
int64_t check_cifar_batch(const std::filesystem::path& path,
                          const std::string& dataset = "cifar10");

// Writes images (uint8 [N, 3, 32, 32]) and labels (any integer type, [N]) as one batch file; for
// test fixtures. Throws actbench::Error on failure.
void write_cifar_batch(const std::filesystem::path& path, const at::Tensor& images,
                       const at::Tensor& labels);

}  // namespace actbench::data
