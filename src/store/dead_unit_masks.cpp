// Packing, writing and reading a run's dead-unit masks (see dead_unit_masks.hpp for the format).
#include "store/dead_unit_masks.hpp"

#include <fmt/format.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <map>

#include "core/error.hpp"
#include "core/files.hpp"

namespace actbench::store {

namespace {

// bool [R, U] -> uint8 [R, ceil(U / 8)], numpy.packbits' "big" bit order.
at::Tensor pack_bits(const at::Tensor& mask) {
  const int64_t rows = mask.size(0), units = mask.size(1);
  const int64_t bytes = (units + 7) / 8;
  at::Tensor padded = torch::zeros({rows, bytes * 8}, torch::kUInt8);
  padded.narrow(1, 0, units).copy_(mask.to(torch::kUInt8));
  const at::Tensor weights = torch::tensor({128, 64, 32, 16, 8, 4, 2, 1}, torch::kInt32);
  return (padded.view({rows, bytes, 8}).to(torch::kInt32) * weights).sum(2).to(torch::kUInt8);
}

at::Tensor unpack_bits(const at::Tensor& packed, int64_t units) {
  const int64_t rows = packed.size(0);
  const at::Tensor shifts = torch::tensor({7, 6, 5, 4, 3, 2, 1, 0}, torch::kInt32);
  const at::Tensor bits =
      packed.to(torch::kInt32).unsqueeze(2).bitwise_right_shift(shifts).bitwise_and(1);
  return bits.reshape({rows, -1}).narrow(1, 0, units).to(torch::kBool);
}

at::Tensor int64_vector(const std::vector<int64_t>& values) {
  return torch::tensor(values, torch::kInt64).reshape({static_cast<int64_t>(values.size())});
}

}  // namespace

DeadUnitMasks collect_dead_unit_masks(const std::vector<train::Record>& records,
                                      const std::vector<std::string>& layer_names) {
  DeadUnitMasks masks;
  std::vector<std::vector<at::Tensor>> dead(layer_names.size()), structural(layer_names.size());
  masks.layers.resize(layer_names.size());
  for (size_t i = 0; i < layer_names.size(); ++i) masks.layers[i].name = layer_names[i];
  for (const auto& record : records) {
    if (record.layers.size() != layer_names.size() || record.layers.empty() ||
        !record.layers.front().probe.dead_units.defined())
      continue;
    masks.epochs.push_back(record.epoch);
    masks.steps.push_back(record.step);
    for (size_t i = 0; i < layer_names.size(); ++i) {
      const probe::LayerProbe& p = record.layers[i].probe;
      dead[i].push_back(p.dead_units.to(torch::kBool));
      const bool known = p.structural_dead_units.defined();
      structural[i].push_back(known ? p.structural_dead_units.to(torch::kBool)
                                    : torch::zeros_like(dead[i].back()));
      masks.layers[i].structural_known.push_back(known);
    }
  }
  for (size_t i = 0; i < layer_names.size(); ++i) {
    LayerMasks& layer = masks.layers[i];
    if (dead[i].empty()) continue;
    layer.units = dead[i].front().numel();
    layer.dead = torch::stack(dead[i]);
    layer.structural = torch::stack(structural[i]);
  }
  return masks;
}

std::vector<char> encode_dead_unit_masks(const DeadUnitMasks& masks) {
  c10::Dict<std::string, at::Tensor> dict;
  dict.insert("epoch", int64_vector(masks.epochs));
  dict.insert("step", int64_vector(masks.steps));
  for (size_t i = 0; i < masks.layers.size(); ++i) {
    const LayerMasks& layer = masks.layers[i];
    if (!layer.dead.defined()) continue;
    dict.insert(layer.name + ".index", torch::tensor(static_cast<int64_t>(i)));
    dict.insert(layer.name + ".units", torch::tensor(layer.units));
    dict.insert(layer.name + ".dead", pack_bits(layer.dead));
    dict.insert(layer.name + ".structural", pack_bits(layer.structural));
    std::vector<int64_t> known(layer.structural_known.begin(), layer.structural_known.end());
    dict.insert(layer.name + ".structural_known", int64_vector(known).to(torch::kUInt8));
  }
  return torch::pickle_save(dict);
}

DeadUnitMasks read_dead_unit_masks(const std::filesystem::path& file) {
  const std::string bytes = core::read_file(file);
  DeadUnitMasks masks;
  try {
    const c10::IValue value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
    const auto dict = value.toGenericDict();
    auto tensor = [&](const std::string& key) { return dict.at(key).toTensor(); };
    const at::Tensor epochs = tensor("epoch"), steps = tensor("step");
    for (int64_t r = 0; r < epochs.numel(); ++r) {
      masks.epochs.push_back(epochs[r].item<int64_t>());
      masks.steps.push_back(steps[r].item<int64_t>());
    }
    std::map<int64_t, std::string> names;
    const std::string suffix = ".index";
    for (const auto& item : dict) {
      const std::string key = item.key().toStringRef();
      if (key.size() > suffix.size() &&
          key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0)
        names[item.value().toTensor().item<int64_t>()] = key.substr(0, key.size() - suffix.size());
    }
    for (const auto& [index, name] : names) {
      LayerMasks layer;
      layer.name = name;
      layer.units = tensor(name + ".units").item<int64_t>();
      layer.dead = unpack_bits(tensor(name + ".dead"), layer.units);
      layer.structural = unpack_bits(tensor(name + ".structural"), layer.units);
      const at::Tensor known = tensor(name + ".structural_known");
      for (int64_t r = 0; r < known.numel(); ++r)
        layer.structural_known.push_back(known[r].item<int64_t>() != 0);
      masks.layers.push_back(std::move(layer));
    }
  } catch (const c10::Error& e) {
    throw Error(fmt::format("{}: not a dead-unit mask file: {}", file.string(),
                            e.what_without_backtrace()));
  }
  return masks;
}

void write_dead_unit_masks(const RunDirectory& directory, const std::vector<train::Record>& records,
                           const std::vector<std::string>& layer_names) {
  const DeadUnitMasks masks = collect_dead_unit_masks(records, layer_names);
  if (masks.epochs.empty()) return;
  const std::vector<char> bytes = encode_dead_unit_masks(masks);
  directory.write_text(kDeadUnitsFile, std::string(bytes.begin(), bytes.end()));
}

double Revival::revived_fraction() const {
  if (ever_dead == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(revived) / static_cast<double>(ever_dead);
}

Revival revival(const LayerMasks& layer, bool structural) {
  Revival out;
  if (!layer.dead.defined() || layer.dead.size(0) < 2) return out;
  const at::Tensor& masks = structural ? layer.structural : layer.dead;
  const int64_t last = masks.size(0) - 1;
  at::Tensor ever = torch::zeros({layer.units}, torch::kBool);
  for (int64_t r = 0; r < last; ++r) {
    if (structural && !layer.structural_known[r]) continue;
    ever.logical_or_(masks[r]);
  }
  // Alive at the end: f' != 0 somewhere, whatever the kind of death it left.
  const at::Tensor alive_at_end = layer.dead[last].logical_not();
  out.ever_dead = ever.sum().item<int64_t>();
  out.revived = ever.logical_and(alive_at_end).sum().item<int64_t>();
  return out;
}

}  // namespace actbench::store
