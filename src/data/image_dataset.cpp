// The `image` dataset entry (task: regression): fitting a greyscale image as a function of its
// pixel coordinates, as SIREN does (Sitzmann et al. 2020, sec. 4.1). One sample per pixel: the
// input is the pixel centre (x, y) on [-1, 1]^2 (see pixel_coordinates in image.hpp), the target
// its intensity scaled from [0, 1] to [-1, 1] as in SIREN's code. The image itself is what is
// fitted, so the train and the test split are both every pixel; PSNR is measured with the targets'
// peak-to-peak range of 2.
#include <fmt/format.h>
#include <torch/torch.h>

#include <string>
#include <tuple>

#include "data/dataset.hpp"
#include "data/image.hpp"

namespace actbench::data {

namespace image_dataset_entry {

constexpr const char* kName = "image";
constexpr const char* kBuiltin = "builtin";

bool is_builtin(const LoadOptions& options) { return options.image_file == kBuiltin; }

// Checks the keys against each other without reading the file: a size for a file would be
// silently ignored otherwise.
DatasetShape shape_for(const LoadOptions& options) {
  if (options.image_file.empty()) {
    throw ConfigError(options.location_of("data.image.file"), "data.image.file is empty",
                      "name a PGM or PNG file, or write builtin for the generated test image");
  }
  if (!is_builtin(options) && options.image_size != 0) {
    throw ConfigError(options.location_of("data.image.size"),
                      fmt::format("data.image.size is {}, but it sets the side of the built-in "
                                  "image and data.image.file is '{}' (a file keeps its own size)",
                                  options.image_size, options.image_file),
                      "remove data.image.size, or set data.image.file: builtin");
  }
  return DatasetShape{1, 1, 2, 1};
}

Dataset load(const LoadOptions& options) {
  shape_for(options);
  const GreyImage image =
      is_builtin(options)
          ? builtin_image(options.image_size > 0 ? options.image_size : kBuiltinImageSize)
          : read_grey_image(options.image_file);
  const int64_t pixels = image.width * image.height;
  for (const auto& [split, subset] : {std::make_tuple("train", options.train_subset),
                                      std::make_tuple("test", options.test_subset)}) {
    if (subset > pixels) {
      throw ConfigError(options.location_of(fmt::format("data.{}_subset", split)),
                        fmt::format("data.{}_subset is {}, but the {}x{} image has {} pixels",
                                    split, subset, image.width, image.height, pixels),
                        "use a smaller subset, or 0 for every pixel");
    }
  }
  const at::Tensor inputs = pixel_coordinates(image.height, image.width).reshape({pixels, 1, 1, 2});
  const at::Tensor targets = image_tensor(image).reshape({pixels, 1}) * 2.0 - 1.0;
  auto split = [&](int64_t subset) {
    const int64_t n = subset > 0 ? subset : pixels;
    // Row-major order: a subset keeps the top rows of the image.
    return Split{inputs.slice(0, 0, n).contiguous(), targets.slice(0, 0, n).contiguous()};
  };
  Dataset dataset;
  dataset.name = kName;
  dataset.task = "regression";
  dataset.shape = DatasetShape{1, 1, 2, 1};
  dataset.train = split(options.train_subset);
  dataset.test = split(options.test_subset);
  if (!is_builtin(options)) dataset.files.push_back(options.image_file);
  dataset.psnr_peak = 2.0;
  return dataset;
}

ACTBENCH_REGISTER_DATASET(image) {
  DatasetEntry entry;
  entry.name = kName;
  entry.task = "regression";
  entry.description =
      "regression: a greyscale image's intensity (scaled to [-1, 1]) from its pixel coordinates "
      "(x, y) in [-1, 1]^2, train = test = every pixel; data.image.file: a PGM (P2/P5) or PNG "
      "file, or builtin (a generated test image)";
  entry.shape = DatasetShape{1, 1, 2, 1};
  entry.shape_for = shape_for;
  entry.mean = {0.0};
  entry.std = {1.0};
  entry.normalization_source =
      "none: the inputs are pixel coordinates on [-1, 1] as SIREN's (mean 0 by symmetry), which "
      "data.normalize leaves as they are, so that a sine network's first-layer frequencies mean "
      "the same for every image";
  entry.load = load;
  entry.fetch = [](const FetchOptions&) {
    return std::string("image: the built-in image or data.image.file; nothing to fetch");
  };
  entry.verify = [](const std::filesystem::path&) {
    return std::string("image: the built-in image or data.image.file; nothing to verify");
  };
  return entry;
}

}  // namespace image_dataset_entry
}  // namespace actbench::data
