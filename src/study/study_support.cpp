// The studies' shared plumbing: spec building through the config loader, sweeps, reading a sweep's
// database, and the small statistics their tables report.
#include "study/study_support.hpp"

#include <fmt/format.h>
#include <sqlite3.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "config/loader.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/shipped_files.hpp"
#include "study/claims.hpp"
#include "sweep/sweep_plan.hpp"
#include "sweep/sweep_runner.hpp"

namespace actbench::study {

config::RunSpec spec_from_overrides(const std::vector<std::string>& overrides) {
  std::vector<config::CliOverride> located;
  for (const auto& text : overrides) located.push_back({text, 0});
  return config::load_run_spec("", located);
}

BuiltNetwork build_for_shape(config::RunSpec spec, const data::DatasetShape& shape) {
  BuiltNetwork built;
  built.plan = model::plan_model(spec, shape);
  built.network = model::build_network(built.plan, spec.model, torch::kCPU);
  return built;
}

void LayerRecorder::observe(size_t layer, const at::Tensor& pre_activation,
                            const at::Tensor& post_activation) {
  if (pre.size() <= layer) {
    pre.resize(layer + 1);
    post.resize(layer + 1);
  }
  pre[layer] = pre_activation;
  post[layer] = post_activation;
}

std::filesystem::path run_sweep_file(const StudyOptions& options, const std::string& sweep_file,
                                     const std::vector<std::string>& overrides,
                                     const std::filesystem::path& directory, int64_t pack) {
  std::vector<config::CliOverride> located;
  for (const auto& text : overrides) located.push_back({text, 0});
  // A shipped sweep file, found from any working directory (core/shipped_files.hpp).
  const std::string file = core::find_shipped_file(sweep_file).string();
  sweep::SweepPlan plan = sweep::plan_sweep(file, located);
  // --until-decided: the seed axis grows by added_seeds new seeds after its largest; the runs of
  // the old seeds keep their ids, so the sweep resumes them as finished.
  const bool varies_seed =
      std::find(plan.varied_keys.begin(), plan.varied_keys.end(), "seed") != plan.varied_keys.end();
  if (options.added_seeds > 0 && varies_seed) {
    std::vector<int64_t> seeds;
    for (const sweep::SweepRun& run : plan.runs)
      if (std::find(seeds.begin(), seeds.end(), run.prepared.spec.seed) == seeds.end())
        seeds.push_back(run.prepared.spec.seed);
    const int64_t largest = *std::max_element(seeds.begin(), seeds.end());
    for (int i = 1; i <= options.added_seeds; ++i) seeds.push_back(largest + i);
    std::string list;
    for (size_t i = 0; i < seeds.size(); ++i) list += (i ? "," : "") + std::to_string(seeds[i]);
    located.push_back({"seed=" + list, 0});
    plan = sweep::plan_sweep(file, located);
  }
  plan.directory = directory;
  fmt::print(options.log, "{}", sweep::describe_plan(plan));
  sweep::SweepOptions sweep_options;
  sweep_options.workers = options.workers;
  sweep_options.pack = pack > 1 ? pack : options.pack;
  // A rerun of the study continues the sweep instead of refusing its existing directory.
  sweep_options.resume = std::filesystem::exists(directory / "results.db");
  sweep_options.executable = options.executable;
  sweep_options.out = options.log;
  const sweep::SweepOutcome outcome = sweep::run_sweep(plan, sweep_options);
  if (outcome.interrupted) throw Error("study interrupted; run the same command again to resume");
  return directory;
}

namespace {

struct Database {
  explicit Database(const std::filesystem::path& file) {
    if (!std::filesystem::exists(file)) throw Error("no results database at " + file.string());
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      throw Error(fmt::format("cannot open {}: {}", file.string(), sqlite3_errmsg(db)));
  }
  ~Database() { sqlite3_close(db); }
  sqlite3* db = nullptr;
};

}  // namespace

std::vector<MetricRow> read_metric(const std::filesystem::path& sweep_dir,
                                   const std::string& metric) {
  Database database(sweep_dir / "results.db");
  sqlite3_stmt* statement = nullptr;
  const char* sql =
      "SELECT run_id, epoch, step, layer, value FROM metrics WHERE metric = ? "
      "ORDER BY run_id, step, epoch";
  if (sqlite3_prepare_v2(database.db, sql, -1, &statement, nullptr) != SQLITE_OK)
    throw Error(fmt::format("results database: {}", sqlite3_errmsg(database.db)));
  sqlite3_bind_text(statement, 1, metric.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<MetricRow> rows;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    MetricRow row;
    row.run_id = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    row.epoch = sqlite3_column_int64(statement, 1);
    row.step = sqlite3_column_int64(statement, 2);
    const unsigned char* layer = sqlite3_column_text(statement, 3);
    row.layer = layer == nullptr ? "" : reinterpret_cast<const char*>(layer);
    row.value = sqlite3_column_double(statement, 4);
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(statement);
  return rows;
}

std::vector<store::RunRow> read_runs(const std::filesystem::path& sweep_dir) {
  return store::ResultsDb(sweep_dir / "results.db").runs();
}

Interval wilson_interval(int64_t successes, int64_t trials, double z) {
  // The callers pass the 95% quantile; the level is what stats takes.
  return stats::wilson_interval(successes, trials, std::erf(z / std::sqrt(2.0)));
}

Histogram histogram(const at::Tensor& values, double lo, double hi, int bins) {
  const at::Tensor flat = values.detach().to(torch::kDouble).flatten().cpu();
  const at::Tensor counts = torch::histc(flat, bins, lo, hi);
  const double width = (hi - lo) / bins;
  const double total = static_cast<double>(flat.numel());
  Histogram out;
  for (int i = 0; i < bins; ++i) {
    out.centers.push_back(lo + (i + 0.5) * width);
    out.density.push_back(counts[i].item<double>() / (total * width));
  }
  return out;
}

double ks_distance(const at::Tensor& values, const std::function<double(double)>& cdf) {
  const at::Tensor sorted = std::get<0>(values.detach().to(torch::kDouble).flatten().cpu().sort());
  const auto n = sorted.numel();
  const double* x = sorted.data_ptr<double>();
  double worst = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double f = cdf(x[i]);
    worst = std::max({worst, std::abs(f - static_cast<double>(i) / n),
                      std::abs(static_cast<double>(i + 1) / n - f)});
  }
  return worst;
}

MarkdownTable::MarkdownTable(std::vector<std::string> header) : header_(std::move(header)) {}

void MarkdownTable::add(std::vector<std::string> row) {
  // A row with more or fewer cells than the header renders as a table whose columns are shifted.
  if (row.size() != header_.size()) {
    throw std::logic_error(fmt::format("table row has {} cells for {} columns (first cell: {})",
                                       row.size(), header_.size(),
                                       row.empty() ? std::string("none") : row.front()));
  }
  rows_.push_back(std::move(row));
}

std::string markdown_cell(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '|' && (i == 0 || text[i - 1] != '\\')) out += '\\';
    out += text[i];
  }
  return out;
}

std::string MarkdownTable::str() const {
  auto line = [](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const auto& c : cells) out += " " + markdown_cell(c) + " |";
    return out + "\n";
  };
  std::string out = line(header_) + "|";
  for (size_t i = 0; i < header_.size(); ++i) out += i == 0 ? "---|" : "---:|";
  out += "\n";
  for (const auto& row : rows_) out += line(row);
  return out;
}

std::string MarkdownTable::csv() const {
  // Markdown emphasis (**bold**) is for the README; the CSV cells carry the values alone.
  auto line = [](std::vector<std::string> cells) {
    for (auto& cell : cells) cell.erase(std::remove(cell.begin(), cell.end(), '*'), cell.end());
    return core::csv_row(cells);
  };
  std::string out = line(header_);
  for (const auto& row : rows_) out += line(row);
  return out;
}

double mean_of(const std::vector<double>& values) {
  if (values.empty()) return std::nan("");
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

std::string fixed(double value, int digits) {
  if (std::isnan(value)) return "n/a";
  return fmt::format("{:.{}f}", value, digits);
}

std::string percent(double fraction) {
  return std::isnan(fraction) ? "n/a" : fmt::format("{:.1f}%", 100.0 * fraction);
}

std::string join_numbers(const std::vector<double>& values, int digits, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) out += (i ? sep : "") + fixed(values[i], digits);
  return out;
}

void write_text(const std::filesystem::path& file, const std::string& text) {
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  core::write_file_atomic(file, text);
}

std::filesystem::path output_dir(const StudyOptions& options, const std::string& name) {
  return options.out.empty() ? std::filesystem::path("results") / name : options.out;
}

int next_added_seeds(int added, int cap) {
  if (added >= cap) return -1;
  return std::min(cap, std::max(2, 2 * added));
}

std::filesystem::path run_until_decided(
    StudyOptions options, const std::function<std::filesystem::path(const StudyOptions&)>& run) {
  for (;;) {
    const std::filesystem::path readme = run(options);
    if (options.until_decided_cap <= 0) return readme;
    std::vector<std::string> straddling;
    for (const ClaimResult& r : read_verdicts(options.out / "verdicts.json").results)
      if (r.straddles) straddling.push_back(r.claim.id);
    std::string ids;
    for (size_t i = 0; i < straddling.size(); ++i) ids += (i ? ", " : "") + straddling[i];
    if (straddling.empty()) {
      fmt::print(options.log, "until-decided: no claim straddles its rule with {} added seeds\n",
                 options.added_seeds);
      return readme;
    }
    const int next = next_added_seeds(options.added_seeds, options.until_decided_cap);
    if (next < 0) {
      fmt::print(options.log, "until-decided: at the cap of {} added seeds, still straddling: {}\n",
                 options.until_decided_cap, ids);
      return readme;
    }
    fmt::print(options.log,
               "until-decided: {} straddle their rule; running again with {} added seeds\n", ids,
               next);
    std::fflush(options.log);
    options.added_seeds = next;
  }
}

std::filesystem::path run_study(const std::string& name, StudyOptions options) {
  const StudyEntry& entry = StudyRegistry::instance().get(name, SourceLocation::cli_arg(2));
  if (options.until_decided_cap > 0 && !entry.grows_seeds)
    throw Error(
        fmt::format("study {}: --until-decided needs a study whose experiments take added "
                    "seeds; {} does not yet",
                    entry.name, entry.name));
  if (options.out.empty()) options.out = std::filesystem::path("results") / entry.name;
  std::filesystem::create_directories(options.out);
  return run_until_decided(options, entry.run);
}

}  // namespace actbench::study
