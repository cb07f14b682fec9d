// SQLite implementation of the results database (see results_db.hpp).
#include "store/results_db.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/files.hpp"

namespace actbench::store {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sweep (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  position INTEGER NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  seed INTEGER NOT NULL,
  directory TEXT NOT NULL,
  config_json TEXT NOT NULL,
  started TEXT,
  finished TEXT,
  seconds REAL,
  epochs INTEGER,
  test_accuracy REAL,
  test_loss REAL,
  train_loss REAL,
  train_accuracy REAL,
  diverged_step INTEGER,
  train_mse REAL,
  test_mse REAL,
  collapsed INTEGER,
  psnr REAL
);
CREATE TABLE IF NOT EXISTS run_params (
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE TABLE IF NOT EXISTS layers (
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  layer_index INTEGER NOT NULL,
  name TEXT NOT NULL,
  units INTEGER,
  activation TEXT,
  dead_fraction REAL,
  saturated_fraction REAL,
  grad_norm REAL,
  grad_norm_max REAL,
  backprop_grad_norm REAL,
  post_mean REAL,
  post_std REAL,
  PRIMARY KEY (run_id, layer_index)
);
CREATE TABLE IF NOT EXISTS metrics (
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  epoch INTEGER NOT NULL,
  step INTEGER NOT NULL,
  layer TEXT NOT NULL,
  metric TEXT NOT NULL,
  value REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS metrics_by_run ON metrics(run_id, metric);
)sql";

// Columns added to `runs` after databases were first written: a database from before gains them
// when a sweep writes to it again (reading one leaves the file as it is).
const std::vector<std::pair<const char*, const char*>> kLaterRunColumns{
    {"train_mse", "REAL"}, {"test_mse", "REAL"}, {"collapsed", "INTEGER"}, {"psnr", "REAL"}};

// "results database <file>: <SQLite's message>", so that a full or read-only disk names the file.
std::string database_error(sqlite3* db, const std::string& detail = "") {
  const char* file = sqlite3_db_filename(db, "main");
  return fmt::format("results database {}: {}{}", file != nullptr ? file : "?", sqlite3_errmsg(db),
                     detail);
}

// A prepared statement with positional binding, finalised on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
      throw Error(database_error(db, " (" + sql + ")"));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.c_str(), -1, SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  Statement& bind_json(int i, const nlohmann::json& v) {
    if (v.is_number()) return bind(i, v.get<double>());
    if (v.is_boolean()) return bind(i, static_cast<int64_t>(v.get<bool>()));
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // Runs to completion (for statements without results).
  void run() {
    const int rc = sqlite3_step(stmt_);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) throw Error(database_error(db_));
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  bool next() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) throw Error(database_error(db_));
    return false;
  }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  // A number, or none for NULL. Text or a blob where a number belongs (a damaged or hand-edited
  // database) is an error naming the file, the column and `where`: sqlite3_column_double would
  // read 'NaN' and 'abc' as 0.0, which a report then averages as an accuracy.
  std::optional<double> real(int col, const std::string& where = "") const {
    const int type = sqlite3_column_type(stmt_, col);
    if (type == SQLITE_NULL) return std::nullopt;
    if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) return sqlite3_column_double(stmt_, col);
    std::string shown;
    if (type == SQLITE_BLOB) {
      shown = fmt::format("a blob of {} bytes", sqlite3_column_bytes(stmt_, col));
    } else {
      std::string text = this->text(col);
      if (text.size() > 40) text = text.substr(0, 40) + "...";
      for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
      shown = "the text '" + text + "'";
    }
    throw Error(bad_value(col, where, shown + ", not a number"));
  }
  // real() for a value that must be finite (and within [lo, hi]): a summary's accuracy or loss.
  std::optional<double> finite(int col, const std::string& where, double lo = -kHuge,
                               double hi = kHuge) const {
    const auto value = real(col, where);
    if (value && !(std::isfinite(*value) && *value >= lo && *value <= hi))
      throw Error(bad_value(col, where,
                            std::isfinite(*value)
                                ? fmt::format("{:g}, outside [{:g}, {:g}]", *value, lo, hi)
                                : fmt::format("{}, not a finite number", *value)));
    return value;
  }

 private:
  static constexpr double kHuge = std::numeric_limits<double>::max();

  std::string bad_value(int col, const std::string& where, const std::string& what) const {
    const char* file = sqlite3_db_filename(db_, "main");
    const char* column = sqlite3_column_name(stmt_, col);
    return fmt::format("results database {}: {}{} is {} (a damaged or edited database?)",
                       file != nullptr ? file : "?", column != nullptr ? column : "?",
                       where.empty() ? "" : " of " + where, what);
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

ResultsDb::ResultsDb(const std::filesystem::path& file) : file_(file) {
  if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw Error(fmt::format("cannot open results database {}: {}", file.string(), message));
  }
  // Another process (a second sweep, `actbench report`) may hold the database briefly.
  sqlite3_busy_timeout(db_, 10000);
  exec("PRAGMA foreign_keys = ON");
  exec(kSchema);
  Statement columns(db_, "PRAGMA table_info(runs)");
  std::set<std::string> present;
  while (columns.next()) present.insert(columns.text(1));
  for (const auto& [name, type] : kLaterRunColumns)
    if (present.count(name) == 0) missing_columns_.push_back(std::string(name) + " " + type);
}

void ResultsDb::add_missing_columns() {
  for (const auto& column : missing_columns_) exec("ALTER TABLE runs ADD COLUMN " + column);
  missing_columns_.clear();
}

ResultsDb::~ResultsDb() { sqlite3_close(db_); }

void ResultsDb::exec(const std::string& sql) const {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw Error(fmt::format("results database {}: {}", file_.string(), message));
  }
}

void ResultsDb::rollback() const {
  // SQLite has already rolled back after some errors (SQLITE_FULL, SQLITE_IOERR): a ROLLBACK then
  // fails with "no transaction is active" and would replace the error that says what went wrong.
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void ResultsDb::set_info(const std::string& key, const std::string& value) {
  Statement(db_, "INSERT OR REPLACE INTO sweep(key, value) VALUES (?, ?)")
      .bind(1, key)
      .bind(2, value)
      .run();
}

std::optional<std::string> ResultsDb::info(const std::string& key) const {
  Statement select(db_, "SELECT value FROM sweep WHERE key = ?");
  select.bind(1, key);
  if (select.next()) return select.text(0);
  return std::nullopt;
}

void ResultsDb::plan(const std::vector<PlannedRun>& runs) {
  add_missing_columns();
  exec("BEGIN IMMEDIATE");
  try {
    Statement insert(db_,
                     "INSERT OR IGNORE INTO runs(run_id, position, status, seed, directory, "
                     "config_json) VALUES (?, ?, 'pending', ?, ?, ?)");
    Statement param(db_, "INSERT OR IGNORE INTO run_params(run_id, key, value) VALUES (?, ?, ?)");
    for (const auto& run : runs) {
      insert.bind(1, run.run_id)
          .bind(2, run.position)
          .bind(3, run.seed)
          .bind(4, run.directory)
          .bind(5, run.config_json)
          .run();
      for (const auto& [key, value] : run.params)
        param.bind(1, run.run_id).bind(2, key).bind(3, value).run();
    }
    exec("COMMIT");
  } catch (...) {
    rollback();
    throw;
  }
}

void ResultsDb::mark_running(const std::string& run_id) {
  Statement(db_, "UPDATE runs SET status = 'running', started = ? WHERE run_id = ?")
      .bind(1, core::utc_now_iso8601())
      .bind(2, run_id)
      .run();
}

void ResultsDb::record_finished(const std::string& run_id, const std::filesystem::path& run_dir,
                                const std::string& failure) {
  nlohmann::json summary = nlohmann::json::object();
  const auto summary_file = run_dir / "summary.json";
  const bool has_summary = std::filesystem::exists(summary_file);
  if (has_summary) summary = nlohmann::json::parse(core::read_file(summary_file));
  // Read back as the enum: a summary with a status nobody writes is an error, not a new status.
  const core::RunStatus status =
      has_summary ? core::parse_run_status(summary.value("status", "failed"), summary_file.string())
                  : core::RunStatus::kFailed;
  std::string reason = has_summary ? summary.value("reason", "") : failure;
  if (!has_summary && reason.empty()) reason = "the run left no summary.json";

  add_missing_columns();
  exec("BEGIN IMMEDIATE");
  try {
    // A rerun replaces whatever an earlier attempt recorded.
    Statement(db_, "DELETE FROM metrics WHERE run_id = ?").bind(1, run_id).run();
    Statement(db_, "DELETE FROM layers WHERE run_id = ?").bind(1, run_id).run();
    Statement update(
        db_,
        "UPDATE runs SET status = ?, reason = ?, finished = ?, seconds = ?, epochs = ?, "
        "test_accuracy = ?, test_loss = ?, train_loss = ?, train_accuracy = ?, "
        "diverged_step = ?, train_mse = ?, test_mse = ?, collapsed = ?, psnr = ? WHERE run_id = "
        "?");
    update.bind(1, std::string(core::to_string(status)))
        .bind(2, reason)
        .bind(3, core::utc_now_iso8601());
    update.bind_json(4, summary.value("seconds", nlohmann::json()));
    update.bind_json(5, summary.value("epochs", nlohmann::json()));
    update.bind_json(6, summary.value("test_accuracy", nlohmann::json()));
    update.bind_json(7, summary.value("test_loss", nlohmann::json()));
    update.bind_json(8, summary.value("train_loss", nlohmann::json()));
    update.bind_json(9, summary.value("train_accuracy", nlohmann::json()));
    update.bind_json(10, summary.value("diverged_step", nlohmann::json()));
    update.bind_json(11, summary.value("train_mse", nlohmann::json()));
    update.bind_json(12, summary.value("test_mse", nlohmann::json()));
    update.bind_json(13, summary.value("collapsed", nlohmann::json()));
    update.bind_json(14, summary.value("psnr", nlohmann::json()));
    update.bind(15, run_id).run();

    if (has_summary) {
      Statement layer(db_,
                      "INSERT INTO layers(run_id, layer_index, name, units, activation, "
                      "dead_fraction, saturated_fraction, grad_norm, grad_norm_max, "
                      "backprop_grad_norm, post_mean, post_std) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
      int64_t index = 0;
      for (const auto& l : summary["layers"]) {
        layer.bind(1, run_id).bind(2, index++).bind(3, l.value("name", ""));
        layer.bind_json(4, l.value("units", nlohmann::json())).bind(5, l.value("activation", ""));
        layer.bind_json(6, l.value("dead_fraction", nlohmann::json()));
        layer.bind_json(7, l.value("saturated_fraction", nlohmann::json()));
        layer.bind_json(8, l.value("grad_norm", nlohmann::json()));
        layer.bind_json(9, l.value("grad_norm_max", nlohmann::json()));
        layer.bind_json(10, l.value("backprop_grad_norm", nlohmann::json()));
        layer.bind_json(11, l.value("post_mean", nlohmann::json()));
        layer.bind_json(12, l.value("post_std", nlohmann::json()));
        layer.run();
      }
    }
    const auto metrics_file = run_dir / "metrics.csv";
    if (std::filesystem::exists(metrics_file)) {
      Statement metric(db_,
                       "INSERT INTO metrics(run_id, epoch, step, layer, metric, value) VALUES "
                       "(?,?,?,?,?,?)");
      std::istringstream lines(core::read_file(metrics_file));
      std::string line;
      std::getline(lines, line);  // header
      while (std::getline(lines, line)) {
        std::vector<std::string> cells;
        std::stringstream row(line);
        std::string cell;
        while (std::getline(row, cell, ',')) cells.push_back(cell);
        if (line.back() == ',') cells.push_back("");
        if (cells.size() != 5) continue;
        metric.bind(1, run_id)
            .bind(2, static_cast<int64_t>(std::stoll(cells[0])))
            .bind(3, static_cast<int64_t>(std::stoll(cells[1])))
            .bind(4, cells[2])
            .bind(5, cells[3])
            .bind(6, std::stod(cells[4]))
            .run();
      }
    }
    exec("COMMIT");
  } catch (...) {
    rollback();
    throw;
  }
}

std::vector<RunRow> ResultsDb::runs() const {
  std::vector<RunRow> rows;
  const std::string later = missing_columns_.empty()
                                ? "train_mse, test_mse, collapsed, psnr"
                                : "NULL, NULL, NULL, NULL";  // a database from before them
  Statement select(db_,
                   "SELECT run_id, position, status, COALESCE(reason, ''), seed, directory, "
                   "config_json, COALESCE(seconds, 0), test_accuracy, test_loss, train_loss, " +
                       later + " FROM runs ORDER BY position");
  while (select.next()) {
    RunRow row;
    row.run_id = select.text(0);
    row.position = select.integer(1);
    row.status = core::parse_run_status(select.text(2), "results.db runs.status");
    row.reason = select.text(3);
    row.seed = select.integer(4);
    row.directory = select.text(5);
    row.config_json = select.text(6);
    const std::string run = "run '" + row.run_id + "'";
    row.seconds = select.finite(7, run).value_or(0.0);
    row.test_accuracy = select.finite(8, run, 0.0, 1.0);
    row.test_loss = select.finite(9, run);
    row.train_loss = select.finite(10, run);
    row.train_mse = select.finite(11, run);
    row.test_mse = select.finite(12, run);
    if (const auto collapsed = select.finite(13, run)) row.collapsed = *collapsed != 0.0;
    row.psnr = select.finite(14, run);
    rows.push_back(std::move(row));
  }
  for (auto& row : rows) {
    Statement params(db_, "SELECT key, value FROM run_params WHERE run_id = ?");
    params.bind(1, row.run_id);
    while (params.next()) row.params[params.text(0)] = params.text(1);
    Statement layers(
        db_,
        "SELECT name, dead_fraction, saturated_fraction, grad_norm, backprop_grad_norm "
        "FROM layers WHERE run_id = ? ORDER BY layer_index");
    layers.bind(1, row.run_id);
    while (layers.next()) {
      // A run with probes off has its layers listed with no values: it measured nothing there,
      // and a report must say "-", not 0% dead and a zero gradient.
      const std::string where = "run '" + row.run_id + "' layer " + layers.text(0);
      const auto dead = layers.real(1, where), saturated = layers.real(2, where);
      const auto grad = layers.real(3, where), backprop = layers.real(4, where);
      if (!dead && !saturated && !grad && !backprop) continue;
      RunRow::Layer layer;
      layer.name = layers.text(0);
      layer.dead_fraction = dead.value_or(0.0);
      layer.saturated_fraction = saturated.value_or(0.0);
      layer.grad_norm = grad.value_or(0.0);
      layer.backprop_grad_norm = backprop.value_or(0.0);
      row.layers.push_back(layer);
    }
  }
  return rows;
}

std::vector<ResultsDb::EpochValue> ResultsDb::epoch_values(const std::string& metric) const {
  // Step records share epochs with end-of-epoch records; only the latter carry a test loss (and,
  // for classification, a test accuracy).
  Statement select(db_,
                   "SELECT m.run_id, m.epoch, m.layer, m.value FROM metrics m JOIN metrics t ON "
                   "t.run_id = m.run_id AND t.epoch = m.epoch AND t.step = m.step AND t.metric = "
                   "'test_loss' WHERE m.metric = ? ORDER BY m.run_id, m.epoch");
  select.bind(1, metric);
  std::vector<EpochValue> values;
  while (select.next())
    values.push_back({select.text(0), select.integer(1), select.text(2),
                      select.real(3, "run '" + select.text(0) + "'").value_or(0.0)});
  return values;
}

std::map<core::RunStatus, int64_t> ResultsDb::status_counts() const {
  std::map<core::RunStatus, int64_t> counts;
  Statement select(db_, "SELECT status, COUNT(*) FROM runs GROUP BY status");
  while (select.next())
    counts[core::parse_run_status(select.text(0), "results.db runs.status")] = select.integer(1);
  return counts;
}

std::string ResultsDb::integrity_check() const {
  Statement check(db_, "PRAGMA integrity_check");
  std::string result;
  while (check.next()) result += (result.empty() ? "" : "; ") + check.text(0);
  return result;
}

}  // namespace actbench::store
