// What the studies share: specs built through the real config loader (so every value is validated
// as a user's would be), sweeps run to completion, metric rows read back from a sweep's results.db,
// and the statistics and table formatting their READMEs need (Wilson intervals, histograms,
// Kolmogorov-Smirnov distances, Markdown tables).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/run_spec.hpp"
#include "data/dataset.hpp"
#include "model/network.hpp"
#include "stats/statistics.hpp"
#include "store/results_db.hpp"
#include "study/study.hpp"

namespace actbench::study {

// Defaults plus `overrides` ("model.hidden=[8, 8]", "model.init={name: rai}"), read strictly.
config::RunSpec spec_from_overrides(const std::vector<std::string>& overrides);

// Plans and builds the spec's network for inputs of `shape` (its num_classes outputs) on the CPU.
struct BuiltNetwork {
  model::ModelPlan plan;
  model::Network network;
};
BuiltNetwork build_for_shape(config::RunSpec spec, const data::DatasetShape& shape);

// Collects each hidden layer's pre- and post-activation of one forward pass.
class LayerRecorder : public model::LayerObserver {
 public:
  void observe(size_t layer, const at::Tensor& pre, const at::Tensor& post) override;
  std::vector<at::Tensor> pre, post;
};

// Runs a sweep file with extra `overrides` (a `key=a,b` override is an axis) in `directory`,
// finishing whatever an earlier, interrupted call left (--resume). Returns the directory.
// `pack` > 1 trains the runs sharing their structure in packs of that size whatever
// options.pack says (0: options.pack decides).
std::filesystem::path run_sweep_file(const StudyOptions& options, const std::string& sweep_file,
                                     const std::vector<std::string>& overrides,
                                     const std::filesystem::path& directory, int64_t pack = 0);

// Every row of one metric in a sweep's results.db, step records included, ordered by run and step.
struct MetricRow {
  std::string run_id;
  int64_t epoch = 0, step = 0;
  std::string layer;
  double value = 0.0;
};
std::vector<MetricRow> read_metric(const std::filesystem::path& sweep_dir,
                                   const std::string& metric);
std::vector<store::RunRow> read_runs(const std::filesystem::path& sweep_dir);

// Wilson score interval for `successes` of `trials` at 95% (stats::wilson_interval).
using Interval = stats::Interval;
Interval wilson_interval(int64_t successes, int64_t trials, double z);

// Density histogram of `values` over [lo, hi] (values outside are counted in no bin, so the
// density integrates to the share inside).
struct Histogram {
  std::vector<double> centers, density;
};
Histogram histogram(const at::Tensor& values, double lo, double hi, int bins);

// sup |F_n(x) - F(x)| of the empirical distribution of `values` against the CDF `cdf`.
double ks_distance(const at::Tensor& values, const std::function<double(double)>& cdf);

// `text` for a Markdown table cell: a '|' in it ("|x|") would end the cell, so it is escaped
// (unless it already is).
std::string markdown_cell(const std::string& text);

class MarkdownTable {
 public:
  explicit MarkdownTable(std::vector<std::string> header);
  void add(std::vector<std::string> row);
  std::string str() const;
  // The same rows as CSV, for the study's data files.
  std::string csv() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Mean of `values`; NaN for none (a table cell then says n/a).
double mean_of(const std::vector<double>& values);

std::string fixed(double value, int digits);
// A fraction as "12.3%"; "n/a" for NaN.
std::string percent(double fraction);
std::string join_numbers(const std::vector<double>& values, int digits, const std::string& sep);

// Writes `text` to `file` atomically, creating its directory.
void write_text(const std::filesystem::path& file, const std::string& text);

// The study's output directory: options.out, or results/<name>.
std::filesystem::path output_dir(const StudyOptions& options, const std::string& name);

}  // namespace actbench::study
