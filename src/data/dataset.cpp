// Lookup of dataset entries by name, and loading through them with a check that the entry returned
// what it declares (a mismatch is a bug in the entry, not in the user's data).
#include "data/dataset.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>

namespace actbench::data {

std::filesystem::path default_root() {
  const char* root = std::getenv("ACTBENCH_DATA");
  return root != nullptr && *root != '\0' ? std::filesystem::path(root)
                                          : std::filesystem::path("data");
}

SourceLocation LoadOptions::location_of(const std::string& key) const {
  for (std::string k = key;;) {
    const auto it = where.find(k);
    if (it != where.end()) return it->second;
    const auto dot = k.rfind('.');
    if (dot == std::string::npos) return config_location;
    k = k.substr(0, dot);
  }
}

const DatasetEntry& dataset_entry(const std::string& name, const SourceLocation& where) {
  return DatasetRegistry::instance().get(name, where);
}

DatasetShape dataset_shape(const DatasetEntry& entry, const LoadOptions& options) {
  return entry.shape_for ? entry.shape_for(options) : entry.shape;
}

Dataset load_dataset(const std::string& name, const LoadOptions& options) {
  const DatasetEntry& entry = dataset_entry(name, SourceLocation::defaulted());
  const DatasetShape shape = dataset_shape(entry, options);
  spdlog::debug("data: loading {} from {}/{}/", entry.name, options.root.string(), entry.name);
  const auto start = std::chrono::steady_clock::now();
  Dataset dataset = entry.load(options);
  dataset.name = entry.name;
  dataset.task = entry.task;
  const bool regression = entry.task == "regression";
  for (const Split* split : {&dataset.train, &dataset.test}) {
    const auto& s = shape;
    const at::Tensor& y = split->labels;
    const bool targets_ok = regression
                                ? y.defined() && y.dim() == 2 && y.size(1) == s.num_classes &&
                                      y.scalar_type() == torch::kFloat32
                                : y.defined() && y.dim() == 1 && y.scalar_type() == torch::kInt64;
    if (!split->images.defined() || split->images.dim() != 4 ||
        split->images.size(0) != split->size() || split->images.size(1) != s.channels ||
        split->images.size(2) != s.height || split->images.size(3) != s.width ||
        split->images.scalar_type() != torch::kFloat32 || !targets_ok) {
      throw std::logic_error(
          fmt::format("dataset {} returned a split that does not match its "
                      "declared shape",
                      entry.name));
    }
  }
  spdlog::debug("data: loaded {}: {} train / {} test samples in {:.2f} s", entry.name,
                dataset.train.size(), dataset.test.size(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return dataset;
}

}  // namespace actbench::data
