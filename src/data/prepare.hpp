// Turns raw images and labels as read from disk (or generated) into a Split: keep the first N
// samples, scale uint8 pixels to [0, 1], normalise per channel. Shared so that every dataset obeys
// LoadOptions the same way.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace actbench::data {

struct PrepareOptions {
  std::string dataset;     // for messages
  std::string split_name;  // "train" or "test", for messages
  int64_t subset = 0;      // keep the first N samples (0: all); N above the split size is an Error
  bool normalize = true;
  std::vector<double> mean;  // per channel
  std::vector<double> std;   // per channel
};

// `images`: [N, C, H, W], uint8 (scaled by 1/255) or float32 already in [0, 1]; `labels`: [N] of
// any integer type. Returns float32 images and int64 labels, both contiguous.
Split prepare_split(const at::Tensor& images, const at::Tensor& labels,
                    const PrepareOptions& options);

}  // namespace actbench::data
