// Regression tests for the report and figure bugs of issue 22 (items 1 and 3-8) and issue 23
// (item 15): each failed before its fix. Fixtures are tiny: report rows made in the test, results
// databases written with SQL, and the CLI binary where the exit code or the message matters.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <regex>
#include <string>
#include <vector>

#include "catalogue/activation_theory.hpp"
#include "catalogue/mean_field.hpp"
#include "catalogue/phase_diagram.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "model/properties.hpp"
#include "plot/svg_plot.hpp"
#include "report/activation_plots.hpp"
#include "report/sweep_report.hpp"
#include "store/results_db.hpp"
#include "study/study.hpp"
#include "study/vanishing_gradients.hpp"
#include "support/run_helpers.hpp"
#include "support/temp_dir.hpp"

namespace actbench::report {
namespace {

using actbench::testing::run_cli;
using actbench::testing::TempDir;

// ---- SVG helpers: the tests read the documents as a viewer would draw them. ----

std::vector<std::string> all_matches(const std::string& text, const std::string& pattern) {
  std::vector<std::string> out;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it)
    out.push_back((*it)[1].str());
  return out;
}

std::vector<std::string> tick_labels(const std::string& svg, const std::string& axis) {
  return all_matches(svg, "<text class=\"" + axis + "\"[^>]*>([^<]*)</text>");
}

struct Box {
  double x = 0, y = 0, w = 0, h = 0;
  bool contains(double px, double py, double margin) const {
    return px > x + margin && px < x + w - margin && py > y + margin && py < y + h - margin;
  }
};

// The points a path's d attribute draws ("M x,y L x,y ... M x,y ...").
std::vector<std::pair<double, double>> path_points(const std::string& d) {
  std::vector<std::pair<double, double>> out;
  const std::regex re("(-?[0-9.]+),(-?[0-9.]+)");
  for (auto it = std::sregex_iterator(d.begin(), d.end(), re); it != std::sregex_iterator(); ++it)
    out.emplace_back(std::stod((*it)[1].str()), std::stod((*it)[2].str()));
  return out;
}

// d of the series path whose data-series is `name` ("" when none is drawn).
std::string series_path(const std::string& svg, const std::string& name) {
  const std::string key = "<path class=\"series\" data-series=\"" + name + "\" d=\"";
  const auto at = svg.find(key);
  if (at == std::string::npos) return "";
  const auto start = at + key.size();
  return svg.substr(start, svg.find('"', start) - start);
}

// ---- 1. f' of identity is read from a contiguous tensor ----

TEST(ReportBugs, IdentityDerivativeIsOneEverywhereAndThePlotIsReproducible) {
  for (const char* name : {"identity", "relu"}) {
    const auto activation = model::default_activation(name);
    const plot::Chart chart = activation_chart(activation);
    ASSERT_EQ(chart.series.size(), 2u);
    const plot::Series& df = chart.series[1];
    size_t finite = 0;
    for (size_t i = 0; i < df.y.size(); ++i) {
      if (std::isnan(df.y[i])) continue;
      ++finite;
      const double expected = std::string(name) == "identity" ? 1.0 : (df.x[i] > 0 ? 1.0 : 0.0);
      ASSERT_EQ(df.y[i], expected) << name << " f'(" << df.x[i] << ")";
    }
    EXPECT_GE(finite, 2000u) << name;
    // The same file on every run: nothing read from memory outside the tensor.
    EXPECT_EQ(plot::render_svg(activation_chart(activation)), plot::render_svg(chart)) << name;
  }
  const auto identity = model::default_activation("identity");
  EXPECT_EQ(comparison_svg({identity}), comparison_svg({identity}));
}

// ---- 5. An undefined number is an empty cell ----

store::RunRow completed_run(const std::string& activation, int64_t seed, double accuracy) {
  store::RunRow r;
  r.run_id = activation + "-" + std::to_string(seed);
  r.seed = seed;
  r.status = core::RunStatus::kCompleted;
  r.params["model.activation"] = activation;
  r.test_accuracy = accuracy;
  r.test_loss = 1.0 - accuracy;
  return r;
}

TEST(ReportBugs, AGroupOfOneRunHasNoStandardDeviation) {
  const std::vector<store::RunRow> runs{completed_run("relu", 0, 0.90),
                                        completed_run("relu", 1, 0.92),
                                        completed_run("tanh", 0, 0.80)};
  Report r = build_report(runs, {"model.activation"});
  add_statistics(r, {});
  const std::string md = render(r, "md", {}, ColumnChoice{{"all"}});
  EXPECT_EQ(md.find("± 0.0000"), std::string::npos) << md;
  EXPECT_NE(md.find("| tanh | 1 | 0.8000 ± - | - | 0.8000 |"), std::string::npos) << md;
  // The compact table's interval is undefined too, not [0.8, 0.8].
  const std::string compact = render(r, "md");
  EXPECT_NE(compact.find("| tanh | 1 | 0.8000 [-] |"), std::string::npos) << compact;
  const std::string csv = render(r, "csv");
  // tanh: mean 0.8, std empty, interval empty; test loss 0.2 with an empty std.
  EXPECT_NE(csv.find("tanh,1,1,0,0,0.8,,,,0.8,0.8,0.8,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",0.2,\n"), std::string::npos) << csv;
}

// ---- 6 and 7: figures from a results database written by the test ----

void exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "") << "\n"
      << sql;
}

// Two groups of two seeds (3 and 7), three epochs each, dead fractions of fc1 in [0.2, 0.35]
// and of fc2 in [0.05, 0.1].
std::filesystem::path figure_database(const TempDir& dir) {
  const auto file = dir.path() / "results.db";
  { store::ResultsDb create(file); }
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  int position = 0;
  for (const std::string activation : {"relu", "tanh"}) {
    for (int seed : {3, 7}) {
      const std::string id = activation + "-" + std::to_string(seed);
      const double accuracy = activation == "relu" ? 0.9 + 0.01 * seed / 7 : 0.8 + 0.01 * seed / 7;
      exec(db,
           "INSERT INTO runs(run_id, position, status, seed, directory, config_json, "
           "test_accuracy, test_loss) VALUES ('" +
               id + "', " + std::to_string(position++) + ", 'completed', " + std::to_string(seed) +
               ", 'runs/" + id + "', '{}', " + std::to_string(accuracy) + ", 0.3)");
      exec(db, "INSERT INTO run_params VALUES ('" + id + "', 'model.activation', '" + activation +
                   "')");
      for (int layer = 0; layer < 2; ++layer) {
        const std::string name = "fc" + std::to_string(layer + 1);
        exec(db,
             "INSERT INTO layers(run_id, layer_index, name, dead_fraction, grad_norm) VALUES "
             "('" +
                 id + "', " + std::to_string(layer) + ", '" + name + "', 0.3, 0.1)");
        for (int epoch = 0; epoch < 3; ++epoch) {
          const double dead = layer == 0 ? 0.2 + 0.05 * epoch : 0.05 + 0.02 * epoch;
          exec(db, "INSERT INTO metrics VALUES ('" + id + "', " + std::to_string(epoch) + ", " +
                       std::to_string(epoch * 10) + ", '" + name + "', 'dead_fraction', " +
                       std::to_string(dead) + ")");
        }
      }
      for (int epoch = 0; epoch < 3; ++epoch)
        for (const auto& [metric, value] : std::vector<std::pair<std::string, double>>{
                 {"test_loss", 0.5 - 0.1 * epoch}, {"test_accuracy", 0.5 + 0.1 * epoch}})
          exec(db, "INSERT INTO metrics VALUES ('" + id + "', " + std::to_string(epoch) + ", " +
                       std::to_string(epoch * 10) + ", '', '" + metric + "', " +
                       std::to_string(value) + ")");
    }
  }
  exec(db,
       "INSERT INTO sweep VALUES ('name', 'figures'), ('varied_keys', "
       "'[\"model.activation\", \"seed\"]')");
  sqlite3_close(db);
  return file;
}

const Figure& figure_named(const Report& r, const std::string& name) {
  for (const auto& f : r.figures)
    if (f.name == name) return f;
  static const Figure none;
  ADD_FAILURE() << "no figure " << name;
  return none;
}

TEST(ReportBugs, SeedTooltipsNameTheSeed) {
  TempDir dir;
  figure_database(dir);
  const Report r = load_report(dir.path(), {});
  const std::string& svg = figure_named(r, "seeds").svg;
  EXPECT_NE(svg.find("relu, seed 3: "), std::string::npos) << svg;
  EXPECT_NE(svg.find("tanh, seed 7: "), std::string::npos) << svg;
  EXPECT_EQ(svg.find(" of 2"), std::string::npos) << svg;
}

TEST(ReportBugs, DeadFractionPanelsShareTheAxisZeroToOne) {
  TempDir dir;
  figure_database(dir);
  const Report r = load_report(dir.path(), {});
  const Figure& dead = figure_named(r, "dead_fraction");
  ASSERT_EQ(dead.panels.size(), 2u);
  for (const auto& panel : dead.panels) {
    const auto labels = tick_labels(panel, "ytick");
    ASSERT_GE(labels.size(), 2u) << panel;
    EXPECT_EQ(std::stod(labels.front()), 0.0) << panel;
    EXPECT_EQ(std::stod(labels.back()), 1.0) << panel;
  }
}

// ---- 15 (issue 23). Values that are not numbers, and write errors ----

void corrupt(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  exec(db, sql);
  sqlite3_close(db);
}

TEST(ReportBugs, TextOrInfiniteValuesInTheDatabaseAreErrorsNotZero) {
  for (const std::string value : {"'NaN'", "'abc'", "9e999", "'9e999'", "X'00ff'"}) {
    TempDir dir;
    const auto file = figure_database(dir);
    corrupt(file, "UPDATE runs SET test_accuracy = " + value + " WHERE run_id = 'relu-3'");
    store::ResultsDb db(file);
    try {
      db.runs();
      ADD_FAILURE() << value << " was read as a number";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("test_accuracy"), std::string::npos) << message;
      EXPECT_NE(message.find("relu-3"), std::string::npos) << message;
      EXPECT_NE(message.find("results.db"), std::string::npos) << message;
    }
  }
  // An accuracy outside [0, 1] is no accuracy either.
  TempDir dir;
  const auto file = figure_database(dir);
  corrupt(file, "UPDATE runs SET test_accuracy = 3.5 WHERE run_id = 'tanh-7'");
  store::ResultsDb db(file);
  EXPECT_THROW(db.runs(), Error);
}

TEST(ReportBugs, AReportThatCannotBeWrittenFails) {
  TempDir dir;
  figure_database(dir);
  // stdout to the full device, stderr (the reason) to the pipe; run_cli would send both to one.
  const std::string command =
      std::string(ACTBENCH_CLI) + " report " + dir.path().string() + " 2>&1 >/dev/full";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  const int status = ::pclose(pipe);
  EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 1) << output;
  EXPECT_NE(output.find("No space left on device"), std::string::npos) << output;
  // The same report to a file that can be written is complete.
  const auto ok = run_cli("report " + dir.path().string());
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("| relu | 2 |"), std::string::npos) << ok.output;
}

// ---- 4. A config path that is a directory or missing says so, with the reason ----

TEST(ReportBugs, AConfigThatIsADirectoryOrMissingSaysWhy) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "configs");
  dir.write("configs/a.yaml", "model: {hidden: [4]}\n");
  for (const char* command : {"run", "validate", "sweep"}) {
    const auto directory = run_cli(std::string(command) + " configs", dir.path().string());
    EXPECT_EQ(directory.exit_code, 2) << directory.output;
    EXPECT_NE(directory.output.find("is a directory"), std::string::npos) << directory.output;
    EXPECT_NE(directory.output.find("configs/a.yaml"), std::string::npos) << directory.output;
    EXPECT_EQ(directory.output.find("empty"), std::string::npos) << directory.output;
    const auto missing = run_cli(std::string(command) + " nothere.yaml", dir.path().string());
    EXPECT_EQ(missing.exit_code, 2) << missing.output;
    EXPECT_NE(missing.output.find("nothere.yaml"), std::string::npos) << missing.output;
    EXPECT_NE(missing.output.find("No such file or directory"), std::string::npos)
        << missing.output;
  }
}

// ---- 8. The vanishing-gradients figure: integer layer ticks and a caption that matches ----

TEST(ReportBugs, VanishingGradientFigureHasIntegerLayersAndATrueCaption) {
  TempDir dir;
  study::VanishingMeasurements m;
  m.width = 256;
  m.seeds = 2;
  m.activations = {"sigmoid", "tanh", "softsign", "relu"};
  m.inits = {{"standard", "model.init=standard", "standard"},
             {"Xavier", "model.init=xavier_uniform", "xavier_uniform"}};
  for (const auto& a : m.activations)
    for (const auto& init : m.inits) {
      study::GradientsAtInit g;
      for (int l = 0; l < 5; ++l) {
        g.backprop.push_back(0.01 * (l + 1));
        g.weight_grad.push_back(0.02);
        g.post_std.push_back(0.5);
        g.saturated.push_back(0.0);
      }
      m.at_init[{a, init.label}] = g;
    }
  study::StudyOptions options;
  options.out = dir.path();
  study::write_vanishing(options, m, {});
  const std::string svg = core::read_file(dir.path() / "gradients_at_init.svg");
  const auto ticks = tick_labels(svg, "xtick");
  ASSERT_FALSE(ticks.empty());
  for (const auto& t : ticks) EXPECT_EQ(t.find('.'), std::string::npos) << t;
  const std::string md = core::read_file(dir.path() / "README.md");
  const auto caption_at = md.find("](gradients_at_init.svg)");
  ASSERT_NE(caption_at, std::string::npos);
  const std::string caption = md.substr(md.rfind('\n', caption_at) + 1, caption_at);
  for (const char* word : {"sigmoid", "tanh", "softsign", "relu", "standard", "Xavier", "256"})
    EXPECT_NE(caption.find(word), std::string::npos) << word << " missing from: " << caption;
}

// ---- 3. Phase diagrams: a legend lists only what is drawn and covers no data ----

catalogue::GaussianExpectations expectations(const std::string& name) {
  return catalogue::GaussianExpectations(catalogue::functions_of(model::default_activation(name)),
                                         true);
}

std::string legend_of(const std::string& svg) {
  const auto at = svg.find("<g class=\"legend\"");
  if (at == std::string::npos) return "";
  return svg.substr(at, svg.find("</g>\n</g>", at) - at);
}

Box legend_box(const std::string& legend) {
  const std::regex re(
      "<rect x=\"([-0-9.]+)\" y=\"([-0-9.]+)\" width=\"([-0-9.]+)\" height=\"([-0-9.]+)\"");
  std::smatch m;
  if (!std::regex_search(legend, m, re)) return {};
  return {std::stod(m[1]), std::stod(m[2]), std::stod(m[3]), std::stod(m[4])};
}

// Each legend entry is drawn: a line with some extent, or a marker.
void expect_legend_entries_drawn(const std::string& svg) {
  const auto entries =
      all_matches(legend_of(svg), "<g class=\"legend-entry\" data-series=\"([^\"]*)\"");
  ASSERT_FALSE(entries.empty());
  for (const auto& name : entries) {
    const bool marker =
        svg.find("<g class=\"series\" data-series=\"" + name + "\"") != std::string::npos;
    const auto points = path_points(series_path(svg, name));
    double extent = 0.0;
    for (const auto& p : points)
      extent = std::max(
          extent, std::hypot(p.first - points.front().first, p.second - points.front().second));
    EXPECT_TRUE(marker || extent > 3.0)
        << "legend lists '" << name << "', drawn over " << extent << " px";
  }
}

void expect_legend_covers_no_line(const std::string& svg) {
  const Box box = legend_box(legend_of(svg));
  ASSERT_GT(box.w, 0.0);
  const std::regex re("<path class=\"series\" data-series=\"([^\"]*)\" d=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), re); it != std::sregex_iterator();
       ++it) {
    const auto points = path_points((*it)[2].str());
    for (size_t i = 0; i < points.size(); ++i)
      EXPECT_FALSE(box.contains(points[i].first, points[i].second, 1.0))
          << (*it)[1].str() << " at " << points[i].first << "," << points[i].second
          << " under the legend";
  }
}

TEST(ReportBugs, ReluPhaseDiagramMarksItsEdgeOfChaosPointAndListsOnlyWhatIsDrawn) {
  const auto diagram = catalogue::compute_phase_diagram(expectations("relu"));
  const std::string svg = catalogue::phase_diagram_svg(diagram, "relu");
  expect_legend_entries_drawn(svg);
  EXPECT_NE(svg.find("edge of chaos (2, 0)"), std::string::npos) << svg;
  expect_legend_covers_no_line(svg);
}

TEST(ReportBugs, TanhPhaseDiagramHasConnectedSmoothContoursAndALegendOffTheData) {
  const auto diagram = catalogue::compute_phase_diagram(expectations("tanh"));
  const std::string svg = catalogue::phase_diagram_svg(diagram, "tanh");
  expect_legend_entries_drawn(svg);
  expect_legend_covers_no_line(svg);
  for (const char* level : {"xi_c = 20", "xi_c = 50"}) {
    const std::string d = series_path(svg, level);
    ASSERT_FALSE(d.empty()) << level;
    // One line on each side of the critical line, not a chain of little pieces.
    const auto pieces = std::count(d.begin(), d.end(), 'M');
    EXPECT_LE(pieces, 2) << level << ": " << d;
    EXPECT_GE(path_points(d).size(), 12u) << level;
  }
}

}  // namespace
}  // namespace actbench::report
