// Datasets held in memory: each split is one float tensor of inputs [N, C, H, W] and one tensor of
// targets. Each dataset (mnist, fashion_mnist, cifar10, synthetic, function, image) is one registry
// entry in its own .cpp that knows its task, its shape, its normalisation constants, how to load
// its files (checking every one), and how to fetch them.
//
// Classification datasets: `Split::images` holds normalised images, `Split::labels` int64 class
// indices [N], and `DatasetShape::num_classes` the number of classes.
// Regression datasets: `Split::images` holds the inputs as float [N, C, H, W] (function data: C =
// 1, H = 1, W = d, so that `DatasetShape::features()` is the input dimension d; image data: d = 2
// pixel coordinates), `Split::labels` float targets [N, O], and `DatasetShape::num_classes` is the
// number of network outputs O.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/dataset_shape.hpp"
#include "core/params.hpp"
#include "core/registry.hpp"

namespace actbench::data {

// Defined in core/ so that model/ can plan a network for it without including data/.
using core::DatasetShape;

struct Split {
  at::Tensor images;  // float32 [N, C, H, W], normalised if asked
  at::Tensor labels;  // classification: int64 [N] in [0, num_classes); regression: float32 [N, O]
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
  uint64_t seed = 0;                    // for generated datasets (the run's seed)
  // The `function` dataset (see FunctionDataSpec in config/run_spec.hpp for the meaning).
  core::ComponentSpec function_target;  // its `where` locates errors about the name
  int64_t function_dims = 1;
  int64_t function_train_points = 1000;
  int64_t function_test_points = 1000;
  uint64_t function_seed = 0;
  // The `image` dataset: a PGM or PNG file, or "builtin" for the generated test image.
  std::string image_file = "builtin";
  int64_t image_size = 0;  // side of the built-in image; 0: its default
  // Where the config wrote each key ("data.function.dims"), for located errors; a key not here is
  // reported at `config_location`.
  std::map<std::string, SourceLocation> where;
  SourceLocation config_location = SourceLocation::defaulted();
  SourceLocation location_of(const std::string& key) const;
};

struct Dataset {
  std::string name;
  std::string task = "classification";  // classification | regression
  DatasetShape shape;
  Split train;
  Split test;
  std::vector<std::string> files;  // the files it was read from, for the run's meta
  // Image data: the peak-to-peak range of the targets, the peak value of their PSNR; 0: no PSNR.
  double psnr_peak = 0.0;
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
  std::string task = "classification";  // classification | regression
  DatasetShape shape;                   // of the default options; see shape_for
  // Datasets whose shape depends on their options (a function's input dimension): the shape for
  // `options`, checking them (located ConfigErrors) without generating any data. Unset: `shape`.
  std::function<DatasetShape(const LoadOptions&)> shape_for;
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

// The shape a dataset has with these options (validating them).
DatasetShape dataset_shape(const DatasetEntry& entry, const LoadOptions& options);

// Loads a dataset by name; missing or corrupt files throw DataError naming the file and the fetch
// command.
Dataset load_dataset(const std::string& name, const LoadOptions& options);

}  // namespace actbench::data

#define ACTBENCH_REGISTER_DATASET(id)                                                   \
  static ::actbench::data::DatasetEntry actbench_dataset_entry_##id();                  \
  [[maybe_unused]] static const bool actbench_dataset_registered_##id =                 \
      ::actbench::data::DatasetRegistry::instance().add(actbench_dataset_entry_##id()); \
  static ::actbench::data::DatasetEntry actbench_dataset_entry_##id()
