// CIFAR-10 batch files have no header, so the size is the only structural check: it must be a
// positive whole number of records. Labels are checked one by one because a shifted or foreign
// file usually shows up as a label byte above 9.
#include "data/cifar10.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/error.hpp"
#include "data/files.hpp"

namespace actbench::data {

namespace fs = std::filesystem;

namespace {

int64_t checked_record_count(const fs::path& path, const std::string& dataset) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw_missing_file(path, dataset);
  if (!fs::is_regular_file(path, ec)) throw_data_error(path, "is not a regular file", dataset);
  const auto size = static_cast<int64_t>(fs::file_size(path, ec));
  if (ec) throw_data_error(path, fmt::format("cannot be read ({})", ec.message()), dataset);
  if (size == 0) throw_data_error(path, "is empty", dataset);
  if (size % kCifarRecordBytes != 0) {
    throw_data_error(
        path,
        fmt::format("has {} bytes, not a whole number of {}-byte records (1 label byte + {} pixel "
                    "bytes; an official batch is {} bytes); the file is truncated or not a "
                    "CIFAR-10 batch",
                    with_thousands(size), kCifarRecordBytes, kCifarImageBytes,
                    with_thousands(kCifarRecordBytes * kCifarOfficialRecords)),
        dataset);
  }
  return size / kCifarRecordBytes;
}

void check_label(const fs::path& path, uint8_t label, int64_t record, const std::string& dataset) {
  if (label >= kCifarClasses) {
    throw_data_error(path,
                     fmt::format("record {} has label {}, out of range (CIFAR-10 labels are 0 to "
                                 "9); the file is corrupt or not a CIFAR-10 batch",
                                 record, label),
                     dataset);
  }
}

std::ifstream open_batch(const fs::path& path, const std::string& dataset) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw_data_error(path, fmt::format("cannot be opened ({})", std::strerror(errno)), dataset);
  }
  return in;
}

}  // namespace

const std::vector<std::string>& cifar_train_batches() {
  static const std::vector<std::string> kFiles = {"data_batch_1.bin", "data_batch_2.bin",
                                                  "data_batch_3.bin", "data_batch_4.bin",
                                                  "data_batch_5.bin"};
  return kFiles;
}

CifarBatch read_cifar_batch(const fs::path& path, const std::string& dataset) {
  const int64_t records = checked_record_count(path, dataset);
  at::Tensor raw = torch::empty({records, kCifarRecordBytes}, torch::kUInt8);
  std::ifstream in = open_batch(path, dataset);
  in.read(reinterpret_cast<char*>(raw.data_ptr<uint8_t>()),
          static_cast<std::streamsize>(raw.numel()));
  if (in.gcount() != raw.numel()) {
    throw_data_error(path, "changed size while being read", dataset);
  }
  const uint8_t* bytes = raw.data_ptr<uint8_t>();
  for (int64_t record = 0; record < records; ++record) {
    check_label(path, bytes[record * kCifarRecordBytes], record, dataset);
  }
  CifarBatch batch;
  batch.labels = raw.select(1, 0).contiguous();
  batch.images =
      raw.slice(1, 1).reshape({records, kCifarChannels, kCifarSide, kCifarSide}).contiguous();
  return batch;
}

int64_t check_cifar_batch(const fs::path& path, const std::string& dataset) {
  const int64_t records = checked_record_count(path, dataset);
  std::ifstream in = open_batch(path, dataset);
  std::vector<char> record(kCifarRecordBytes);
  for (int64_t i = 0; i < records; ++i) {
    if (!in.read(record.data(), kCifarRecordBytes)) {
      throw_data_error(path, "changed size while being read", dataset);
    }
    check_label(path, static_cast<uint8_t>(record[0]), i, dataset);
  }
  return records;
}

void write_cifar_batch(const fs::path& path, const at::Tensor& images, const at::Tensor& labels) {
  if (images.scalar_type() != torch::kUInt8 || images.dim() != 4 ||
      images.size(1) != kCifarChannels || images.size(2) != kCifarSide ||
      images.size(3) != kCifarSide || labels.dim() != 1 || labels.size(0) != images.size(0)) {
    throw Error(fmt::format(
        "write_cifar_batch({}): expected uint8 images [N, 3, 32, 32] and labels [N], got {} {} "
        "and {}",
        path.string(), c10::toString(images.scalar_type()), c10::str(images.sizes()),
        c10::str(labels.sizes())));
  }
  const int64_t records = images.size(0);
  at::Tensor raw = torch::empty({records, kCifarRecordBytes}, torch::kUInt8);
  raw.select(1, 0).copy_(labels.to(torch::kUInt8));
  raw.slice(1, 1).copy_(images.reshape({records, kCifarImageBytes}));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(raw.data_ptr<uint8_t>()),
            static_cast<std::streamsize>(raw.numel()));
  out.close();
  if (!out) throw Error(fmt::format("cannot write {}", path.string()));
}

}  // namespace actbench::data
