// The `synthetic` dataset entry: a generated, seeded 10-class problem in 1x8x8 images, for tests
// and smoke runs that must not depend on downloaded files. Each class has a prototype image (half
// its pixels at 0.65, half at 0.35, in a seeded random arrangement); a sample is its class's
// prototype plus Gaussian noise (sigma 0.3), clamped to [0, 1]. Classes are far enough apart to be
// learnable in a few epochs and close enough (about 2% Bayes error) that accuracy is not
// trivially 1.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "data/dataset.hpp"
#include "data/prepare.hpp"

namespace actbench::data {

namespace synthetic_dataset_entry {

constexpr const char* kName = "synthetic";
constexpr int64_t kSide = 8;
constexpr int64_t kPixels = kSide * kSide;
constexpr int64_t kClasses = 10;
constexpr int64_t kTrainSize = 2048;
constexpr int64_t kTestSize = 512;
constexpr double kHigh = 0.65;
constexpr double kLow = 0.35;
constexpr double kNoise = 0.3;
// Exact by construction: the levels and the clamping are symmetric about 0.5, so the mean is 0.5;
// the std is sqrt(E[(clamp(0.35 + 0.3 Z, 0, 1) - 0.5)^2]) for standard normal Z, integrated
// numerically (0.29650).
constexpr double kMean = 0.5;
constexpr double kStd = 0.2965;
constexpr double kTwoPi = 6.283185307179586476925;

// SplitMix64 with our own normal sampler, rather than <random>'s distributions whose output is
// implementation-defined: the same seed gives the same data with any standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  uint64_t below(uint64_t n) { return next() % n; }  // bias < n / 2^64, irrelevant here

  // Box-Muller; both values of a pair are used.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = kTwoPi * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  uint64_t state_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

std::vector<std::vector<float>> make_prototypes(Rng& rng) {
  std::vector<std::vector<float>> prototypes;
  for (int64_t c = 0; c < kClasses; ++c) {
    std::vector<int64_t> order(kPixels);
    std::iota(order.begin(), order.end(), 0);
    for (int64_t i = kPixels - 1; i > 0; --i) {  // Fisher-Yates
      std::swap(order[i], order[rng.below(static_cast<uint64_t>(i + 1))]);
    }
    std::vector<float> prototype(kPixels);
    for (int64_t i = 0; i < kPixels; ++i) {
      prototype[order[i]] = static_cast<float>(i < kPixels / 2 ? kHigh : kLow);
    }
    prototypes.push_back(std::move(prototype));
  }
  return prototypes;
}

// Labels cycle 0..9, so any first-N subset is balanced.
std::pair<at::Tensor, at::Tensor> make_samples(Rng& rng,
                                               const std::vector<std::vector<float>>& prototypes,
                                               int64_t count) {
  at::Tensor images = torch::empty({count, 1, kSide, kSide}, torch::kFloat32);
  at::Tensor labels = torch::empty({count}, torch::kInt64);
  float* pixels = images.data_ptr<float>();
  int64_t* label_data = labels.data_ptr<int64_t>();
  for (int64_t n = 0; n < count; ++n) {
    const int64_t label = n % kClasses;
    label_data[n] = label;
    for (int64_t p = 0; p < kPixels; ++p) {
      const double value = prototypes[label][p] + kNoise * rng.normal();
      pixels[n * kPixels + p] = static_cast<float>(std::clamp(value, 0.0, 1.0));
    }
  }
  return {images, labels};
}

Dataset load(const LoadOptions& options) {
  Rng rng(options.seed);
  const auto prototypes = make_prototypes(rng);
  auto [train_images, train_labels] = make_samples(rng, prototypes, kTrainSize);
  auto [test_images, test_labels] = make_samples(rng, prototypes, kTestSize);

  PrepareOptions prepare;
  prepare.dataset = kName;
  prepare.normalize = options.normalize;
  prepare.mean = {kMean};
  prepare.std = {kStd};
  Dataset dataset;
  dataset.name = kName;
  dataset.shape = DatasetShape{1, kSide, kSide, kClasses};
  prepare.split_name = "train";
  prepare.subset = options.train_subset;
  dataset.train = prepare_split(train_images, train_labels, prepare);
  prepare.split_name = "test";
  prepare.subset = options.test_subset;
  dataset.test = prepare_split(test_images, test_labels, prepare);
  return dataset;
}

ACTBENCH_REGISTER_DATASET(synthetic) {
  DatasetEntry entry;
  entry.name = kName;
  entry.description =
      "generated 10-class problem in 1x8x8 images (noisy class prototypes), 2048 train / 512 "
      "test, deterministic from the seed; no files";
  entry.shape = DatasetShape{1, kSide, kSide, kClasses};
  entry.mean = {kMean};
  entry.std = {kStd};
  entry.normalization_source =
      "exact by construction: pixel levels 0.35/0.65 plus N(0, 0.3^2) noise clamped to [0, 1] "
      "give mean 0.5 by symmetry and std 0.2965 by numerical integration";
  entry.load = load;
  entry.seeded = true;
  entry.fetch = [](const FetchOptions&) {
    return std::string("synthetic: generated in memory from the seed; nothing to fetch");
  };
  entry.verify = [](const std::filesystem::path&) {
    return std::string("synthetic: generated in memory from the seed; nothing to verify");
  };
  return entry;
}

}  // namespace synthetic_dataset_entry
}  // namespace actbench::data
