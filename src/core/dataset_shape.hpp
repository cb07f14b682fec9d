// The shape of a dataset as the network sees it: input channels, height, width and the number of
// outputs. Here, below both, because data/ produces it and model/ plans a network for it, and
// neither of those sibling stages may include the other (src/stages.txt).
// Classification: `num_classes` is the number of classes. Regression: the inputs are
// [N, C, H, W] (function data: C = 1, H = 1, W = d, so that `features()` is the input dimension d;
// image data: d = 2 pixel coordinates), and `num_classes` is the number of network outputs O.
#pragma once

#include <cstdint>

namespace actbench::core {

struct DatasetShape {
  int64_t channels = 1;
  int64_t height = 28;
  int64_t width = 28;
  int64_t num_classes = 10;
  int64_t features() const { return channels * height * width; }
};

}  // namespace actbench::core
