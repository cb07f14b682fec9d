// Subsetting happens before the float conversion, so a small subset of a large split never
// materialises the whole split as float32.
#include "data/prepare.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/error.hpp"

namespace actbench::data {

Split prepare_split(const at::Tensor& images, const at::Tensor& labels,
                    const PrepareOptions& options) {
  if (images.dim() != 4 || labels.dim() != 1 || images.size(0) != labels.size(0)) {
    throw std::logic_error(fmt::format("prepare_split({} {}): images {} and labels {} disagree",
                                       options.dataset, options.split_name,
                                       c10::str(images.sizes()), c10::str(labels.sizes())));
  }
  const int64_t available = labels.size(0);
  if (options.subset < 0) {
    throw Error(fmt::format("{}_subset must be >= 0 (0 keeps all samples), got {}",
                            options.split_name, options.subset));
  }
  if (options.subset > available) {
    throw Error(fmt::format("{}_subset {} is larger than the {} {} samples of {}",
                            options.split_name, options.subset, available, options.split_name,
                            options.dataset));
  }
  const int64_t keep = options.subset > 0 ? options.subset : available;

  Split split;
  at::Tensor kept = images.slice(0, 0, keep);
  if (kept.scalar_type() == torch::kUInt8) {
    split.images = kept.to(torch::kFloat32).div_(255.0);
  } else {
    // A copy, so that normalising in place never writes into the caller's tensor.
    split.images = kept.to(torch::kFloat32, /*non_blocking=*/false, /*copy=*/true).contiguous();
  }
  if (options.normalize) {
    const int64_t channels = split.images.size(1);
    if (static_cast<int64_t>(options.mean.size()) != channels ||
        static_cast<int64_t>(options.std.size()) != channels) {
      throw std::logic_error(fmt::format("{}: {} channels but {} means and {} stds",
                                         options.dataset, channels, options.mean.size(),
                                         options.std.size()));
    }
    const auto mean = torch::tensor(options.mean, torch::kFloat64).to(torch::kFloat32);
    const auto std = torch::tensor(options.std, torch::kFloat64).to(torch::kFloat32);
    split.images.sub_(mean.view({1, channels, 1, 1})).div_(std.view({1, channels, 1, 1}));
  }
  split.labels = labels.slice(0, 0, keep).to(torch::kInt64).contiguous();
  return split;
}

}  // namespace actbench::data
