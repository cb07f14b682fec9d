// RunSpec: one run, fully described by plain structs with documented defaults. The loader fills it
// from YAML (strictly: unknown keys, wrong types and bad values are located errors) and writes it
// back as the resolved config that every run directory holds. The same field list drives reading,
// writing and the schema documentation (see schema.cpp), so the three cannot drift apart.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/params.hpp"

namespace actbench::config {

using core::ComponentSpec;

ComponentSpec component(std::string name);

// data.function: points x uniform in [-sqrt 3, sqrt 3]^dims (mean 0, std 1 per input) and a target
// y = f(x). Its own seed, not the run's, draws the points: runs that differ only in their seed
// (the members of a pack) fit the same points.
struct FunctionDataSpec {
  ComponentSpec target = component("abs");  // abs | xsin5x | step_sine | sum_abs | {expr: "..."}
  int64_t dims = 1;
  int64_t n_train = 1000;
  int64_t n_test = 1000;
  int64_t seed = 0;
};

// data.image: a greyscale image fitted as intensity = f(pixel coordinates in [-1, 1]^2).
struct ImageDataSpec {
  std::string file = "builtin";  // a PGM (P2/P5) or PNG file, or the built-in test image
  int64_t size = 0;              // side of the built-in image; 0: 64. A file keeps its own size
};

struct DataSpec {
  std::string dataset = "mnist";
  std::string root = "data";
  int64_t batch_size = 128;
  int64_t eval_batch_size = 1000;
  int64_t train_subset = 0;
  int64_t test_subset = 0;
  bool normalize = true;
  // Every input multiplied by this after normalisation: the edge-of-chaos runs put the inputs'
  // second moment at the fixed point q* (sqrt(q*)), as Hayou et al.'s training script does.
  double input_scale = 1.0;
  bool shuffle = true;
  FunctionDataSpec function;
  ImageDataSpec image;
};

struct ConvBlockSpec {
  int64_t out_channels = 32;
  int64_t kernel_size = 3;
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t pool = 0;  // max-pool window and stride after the activation; 0: none
  std::optional<ComponentSpec> activation;  // overrides model.activation for this block
};

struct ModelSpec {
  std::string type = "mlp";
  std::vector<int64_t> hidden{256, 256};
  std::vector<ConvBlockSpec> conv;
  ComponentSpec activation = component("relu");
  // Per hidden layer (0-based over conv blocks then hidden linear layers): an activation override.
  std::map<int64_t, ComponentSpec> layer_activations;
  ComponentSpec init = component("xavier_uniform");
  ComponentSpec bias_init = component("zeros");
  double dropout = 0.0;
  std::string norm = "none";
};

struct ScheduleSpec {
  std::string name = "constant";
  int64_t warmup_steps = 0;
  int64_t step_size = 1;  // epochs between decays, for `step`
  double gamma = 0.1;     // decay factor, for `step`
  double min_lr = 0.0;    // floor of `cosine`
};

struct OptimSpec {
  std::string name = "sgd";
  double lr = 0.1;
  double momentum = 0.9;
  bool nesterov = false;
  double weight_decay = 0.0;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double alpha = 0.99;  // RMSprop smoothing
  double clip_grad_norm = 0.0;
  ScheduleSpec schedule;
};

struct TrainSpec {
  int64_t epochs = 3;
  int64_t threads = 1;
  std::string device = "cpu";
  std::string progress = "auto";
  double divergence_threshold = 1000.0;  // a training loss above this also counts as diverged
  int64_t eval_every = 1;  // epochs between epoch records (evaluation, probes); the last one always
};

struct ProbeSpec {
  bool enabled = true;
  int64_t every_steps = 0;
  std::string step_source = "probe_set";  // what step records measure: probe_set | train_batch
  int64_t probe_samples = 1024;
  double saturation_threshold = 0.05;
};

struct OutputSpec {
  std::string dir = "results/runs";
  bool save_weights = true;
};

struct RunSpec {
  std::string name = "run";
  int64_t seed = 0;
  std::string task = "classification";  // classification | regression; the dataset must agree
  DataSpec data;
  ModelSpec model;
  OptimSpec optim;
  TrainSpec train;
  ProbeSpec probes;
  OutputSpec output;

  // Provenance, not part of the schema.
  std::string config_file;
  std::vector<std::string> overrides;
  // Where each value was written, by dotted path ("model.hidden", "model.conv.1.kernel_size").
  std::map<std::string, SourceLocation> where;

  // The location of `path`, or of its nearest written ancestor, or "<default>".
  SourceLocation location_of(const std::string& path) const;
};

}  // namespace actbench::config
