// Which units were dead at each probe record: a run's `dead_units.pt`, so that a study can tell
// whether the units dead at one record are the same ones at the next, and whether any come back
// (a dead fraction alone cannot say). The file is a dict of tensors written with
// torch::pickle_save; Python reads it with torch.load:
//   epoch, step              int64 [R]      the R records that measured masks, in order
//   <layer>.index            int64 []       the hidden layer's position (0 = first)
//   <layer>.units            int64 []       units (channels for conv) in the layer
//   <layer>.dead             uint8 [R, B]   bit j of row r: unit j dead at record r
//   <layer>.structural       uint8 [R, B]   the same for structural death (all-zero rows where a
//                                           record could not tell, see LayerProbe)
//   <layer>.structural_known uint8 [R]      1 where the structural row was measured
// with B = ceil(units / 8) and the bits packed as numpy.packbits packs them (bit order "big":
// unit j is bit 7 - j % 8 of byte j / 8), so that
//   numpy.unpackbits(d["fc1.dead"].numpy(), axis=1, count=int(d["fc1.units"]))
// gives the [R, units] 0/1 matrix.
#pragma once

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/run_directory.hpp"
#include "train/trainer.hpp"

namespace actbench::store {

inline constexpr const char* kDeadUnitsFile = "dead_units.pt";

// One layer's masks, unpacked: bool [records, units].
struct LayerMasks {
  std::string name;
  int64_t units = 0;
  at::Tensor dead, structural;
  std::vector<bool> structural_known;
};

struct DeadUnitMasks {
  std::vector<int64_t> epochs, steps;  // one per record
  std::vector<LayerMasks> layers;      // in layer order
};

// The masks of every record that measured them (records without masks are left out).
DeadUnitMasks collect_dead_unit_masks(const std::vector<train::Record>& records,
                                      const std::vector<std::string>& layer_names);

// The file's bytes, and back. read_dead_unit_masks throws an Error naming the file when it is not
// a mask file.
std::vector<char> encode_dead_unit_masks(const DeadUnitMasks& masks);
DeadUnitMasks read_dead_unit_masks(const std::filesystem::path& file);

// Writes dead_units.pt into the run directory when any record measured masks.
void write_dead_unit_masks(const RunDirectory& directory, const std::vector<train::Record>& records,
                           const std::vector<std::string>& layer_names);

// Permanence of death, from one layer's masks: of the units dead at some record before the last,
// how many are alive at the last record. `structural` picks the structural masks (records that
// could not tell are skipped).
struct Revival {
  int64_t ever_dead = 0;  // units dead at some record before the last
  int64_t revived = 0;    // of those, alive at the last record
  // revived / ever_dead; NaN when no unit was dead before the last record.
  double revived_fraction() const;
};
Revival revival(const LayerMasks& layer, bool structural);

}  // namespace actbench::store
