// Datasets held in memory: each split is one float tensor of normalised images [N, C, H, W] and one
// int64 tensor of labels [N]. Each dataset (mnist, fashion_mnist, cifar10, synthetic) is one
// registry entry in its own .cpp that knows its shape, its normalisation constants, how to load its
// files (checking every one), and how to fetch them.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/registry.hpp"

namespace actbench::data {

struct DatasetShape {
  int64_t channels = 1;
  int64_t height = 28;
  int64_t width = 28;
  int64_t num_classes = 10;
  int64_t features() const { return channels * height * width; }
};

struct Split {
  at::Tensor images;  // float32 [N, C, H, W], normalised if asked
  at::Tensor labels;  // int64 [N], in [0, num_classes)
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

// Where datasets live unless a config (data.root) or --root says otherwise: $ACTBENCH_DATA when
// set, else "data" in the working directory.
std::filesystem::path default_root();

struct LoadOptions {
  std::filesystem::path root = "data";  // datasets live in <root>/<dataset name>/
  bool normalize = true;                // subtract the per-channel mean, divide by the std
  int64_t train_subset = 0;             // keep the first N training samples (0: all)
  int64_t test_subset = 0;              // keep the first N test samples (0: all)
  uint64_t seed = 0;                    // for generated datasets
};

struct Dataset {
  std::string name;
  DatasetShape shape;
  Split train;
  Split test;
  std::vector<std::string> files;  // the files it was read from, for the run's meta
};

struct FetchOptions {
  std::filesystem::path root = "data";
  std::string source;  // override of the download source (a URL or a local file); "" = default
  std::string
      expected_md5;    // override of the archive checksum, for tests and mirrors; "" = default
  bool force = false;  // fetch again even if valid files are present
};

struct DatasetEntry {
  static constexpr const char* kKind = "dataset";

  std::string name;
  std::vector<std::string> aliases;
  std::string description;
  DatasetShape shape;
  std::vector<double> mean;          // per channel, of the training pixels scaled to [0, 1]
  std::vector<double> std;           // per channel
  std::string normalization_source;  // where mean/std come from
  // The data depends on LoadOptions::seed (generated from the run's seed): members of a pack then
  // each get their own copy instead of sharing one.
  bool seeded = false;
  std::function<Dataset(const LoadOptions&)> load;
  // Brings the files into <root>/<name>/ and verifies them; returns a short human-readable report.
  std::function<std::string(const FetchOptions&)> fetch;
  // Checks the files without keeping them in memory; returns a report, throws DataError.
  std::function<std::string(const std::filesystem::path& root)> verify;
};

using DatasetRegistry = core::Registry<DatasetEntry>;

const DatasetEntry& dataset_entry(const std::string& name, const SourceLocation& where);

// Loads a dataset by name; missing or corrupt files throw DataError naming the file and the fetch
// command.
Dataset load_dataset(const std::string& name, const LoadOptions& options);

}  // namespace actbench::data

#define ACTBENCH_REGISTER_DATASET(id)                                                   \
  static ::actbench::data::DatasetEntry actbench_dataset_entry_##id();                  \
  [[maybe_unused]] static const bool actbench_dataset_registered_##id =                 \
      ::actbench::data::DatasetRegistry::instance().add(actbench_dataset_entry_##id()); \
  static ::actbench::data::DatasetEntry actbench_dataset_entry_##id()
