// `actbench activations`: the catalogue's rows in all three formats, --only with aliases, the plot
// files, argument errors before anything is written, and the CLI wiring (default Markdown).
#include "app/activations_command.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.hpp"
#include "core/files.hpp"
#include "support/run_helpers.hpp"
#include "support/temp_dir.hpp"

namespace actbench::app {
namespace {

using actbench::testing::run_cli;
using actbench::testing::TempDir;

// The full catalogue is computed once per format for the whole test program.
const std::string& full_table(const std::string& format) {
  static std::map<std::string, std::string> tables;
  auto it = tables.find(format);
  if (it == tables.end()) {
    ActivationsOptions options;
    options.format = format;
    it = tables.emplace(format, activations_command(options).table).first;
  }
  return it->second;
}

std::string row_of(const std::string& table, const std::string& name) {
  const size_t start = table.find("| " + name + " |");
  if (start == std::string::npos) return "";
  return table.substr(start, table.find('\n', start) - start);
}

// Splits one CSV line, honouring quotes.
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

TEST(ActivationsCommand, MarkdownRowsShowComputedProperties) {
  const std::string& md = full_table("md");
  EXPECT_EQ(md.rfind("| activation | range | max \\|f'\\| | f'(0) |", 0), 0u) << md;
  for (const auto* entry : model::ActivationRegistry::instance().entries())
    EXPECT_NE(row_of(md, entry->name), "") << entry->name;
  EXPECT_EQ(
      row_of(md, "relu"),
      "| relu | [0, ∞) | 1 on [0, ∞) | 0 | yes | no | no, kinks at 0 | left | f = 0 for x ≤ 0 "
      "| 0.3989 | 0.3408 |");
  EXPECT_EQ(row_of(md, "sigmoid").rfind("| sigmoid | (0, 1) | 0.25 at 0 | 0.25 | yes | no |", 0),
            0u)
      << row_of(md, "sigmoid");
  EXPECT_NE(row_of(md, "tanh").find("| tanh | (-1, 1) | 1 at 0 | 1 | yes | odd | yes | both | no "),
            std::string::npos)
      << row_of(md, "tanh");
  EXPECT_NE(row_of(md, "relu6").find("| [0, 6] |"), std::string::npos) << row_of(md, "relu6");
  EXPECT_NE(row_of(md, "sine").find("| [-1, 1] | 30 at 0 |"), std::string::npos)
      << row_of(md, "sine");
  // Maxout's row is marked and explained under the table.
  EXPECT_NE(row_of(md, "maxout").find(" *"), std::string::npos);
  EXPECT_NE(md.find("\\* maxout: not elementwise"), std::string::npos);
  // The descriptions and gains follow in a second table.
  EXPECT_NE(md.find("| activation | aliases | parameters (defaults) | gain | gain from |"),
            std::string::npos);
  EXPECT_NE(md.find("| silu | swish | beta=1, learnable=false |"), std::string::npos);
}

TEST(ActivationsCommand, CsvHasOneRowPerActivationWithEqualColumns) {
  const std::string& csv = full_table("csv");
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < csv.size()) {
    const size_t end = csv.find('\n', start);
    lines.push_back(csv.substr(start, end - start));
    start = end + 1;
  }
  ASSERT_EQ(lines.size(), model::ActivationRegistry::instance().entries().size() + 1);
  const auto header = csv_fields(lines[0]);
  std::map<std::string, std::map<std::string, std::string>> rows;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto fields = csv_fields(lines[i]);
    ASSERT_EQ(fields.size(), header.size()) << lines[i];
    for (size_t j = 0; j < header.size(); ++j) rows[fields[0]][header[j]] = fields[j];
  }
  EXPECT_EQ(rows["relu"]["sparse"], "true");
  EXPECT_EQ(rows["relu"]["upper"], "inf");
  EXPECT_EQ(rows["relu6"]["upper"], "6");
  EXPECT_EQ(rows["leaky_relu"]["lower"], "-inf");
  EXPECT_EQ(rows["relu6"]["kinks"], "0;6");
  EXPECT_EQ(rows["silu"]["aliases"], "swish");
  EXPECT_EQ(rows["sigmoid"]["max_abs_derivative"], "0.25");
}

TEST(ActivationsCommand, JsonCarriesEveryPropertyWithNullForInfinity) {
  const auto rows = nlohmann::json::parse(full_table("json"));
  ASSERT_TRUE(rows.is_array());
  ASSERT_EQ(rows.size(), model::ActivationRegistry::instance().entries().size());
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& row : rows) by_name[row["name"]] = row;
  const auto& relu = by_name["relu"];
  EXPECT_EQ(relu["range"]["lower"]["value"], 0.0);
  EXPECT_EQ(relu["range"]["lower"]["attained"], true);
  EXPECT_EQ(relu["range"]["upper"]["bounded"], false);
  EXPECT_TRUE(relu["range"]["upper"]["value"].is_null());
  EXPECT_TRUE(relu["max_abs_derivative"]["to"].is_null());
  EXPECT_EQ(relu["sparse_region"]["side"], "left");
  EXPECT_NEAR(by_name["selu"]["normal_input"]["variance"].get<double>(), 1.0, 1e-3);
  EXPECT_EQ(by_name["maxout"]["elementwise"], false);
  EXPECT_EQ(by_name["sine"]["monotonic"], false);
  EXPECT_EQ(by_name["gelu"]["description"].get<std::string>().substr(0, 10), "x * Phi(x)");
}

TEST(ActivationsCommand, OnlyListsTheNamedActivationsAndAcceptsAliases) {
  ActivationsOptions options;
  options.only = {"swish,tanh", "relu"};
  const std::string md = activations_command(options).table;
  EXPECT_NE(row_of(md, "silu"), "");
  EXPECT_NE(row_of(md, "tanh"), "");
  EXPECT_NE(row_of(md, "relu"), "");
  EXPECT_EQ(row_of(md, "gelu"), "");
  EXPECT_LT(md.find("| silu |"), md.find("| tanh |"));  // in the order asked for
}

TEST(ActivationsCommand, PlotsAreWrittenPerActivationAndForTheComparison) {
  TempDir dir;
  ActivationsOptions options;
  options.only = {"relu", "sigmoid"};
  options.plot_dir = (dir.path() / "figures").string();
  options.range = "-3:3";
  options.compare = {"relu", "gelu", "silu"};
  const auto output = activations_command(options);
  ASSERT_EQ(output.written.size(), 3u);
  EXPECT_EQ(output.written[0].filename(), "relu.svg");
  EXPECT_EQ(output.written[1].filename(), "sigmoid.svg");
  EXPECT_EQ(output.written[2].filename(), "compare_relu_gelu_silu.svg");
  for (const auto& file : output.written) {
    const std::string svg = core::read_file(file);
    EXPECT_NE(svg.find("</svg>"), std::string::npos) << file;
    EXPECT_NE(svg.find(">-3</text>"), std::string::npos) << file;  // the range is used
    EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos) << file;
  }
}

TEST(ActivationsCommand, ArgumentErrorsAreConfigErrorsAndWriteNothing) {
  TempDir dir;
  auto error_of = [&](ActivationsOptions options) -> std::string {
    options.plot_dir = options.plot_dir.empty() ? "" : (dir.path() / options.plot_dir).string();
    try {
      activations_command(options);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  };
  ActivationsOptions typo;
  typo.only = {"relu", "gelux"};
  typo.plot_dir = "out";
  EXPECT_NE(error_of(typo).find("unknown activation 'gelux' (did you mean 'gelu'?)"),
            std::string::npos)
      << error_of(typo);
  ActivationsOptions compare_only;
  compare_only.compare = {"relu", "tanh"};
  EXPECT_NE(error_of(compare_only).find("--compare needs"), std::string::npos);
  ActivationsOptions bad_range;
  bad_range.only = {"relu"};
  bad_range.plot_dir = "out";
  bad_range.range = "6:-6";
  EXPECT_NE(error_of(bad_range).find("--range '6:-6'"), std::string::npos);
  ActivationsOptions bad_format;
  bad_format.format = "xml";
  EXPECT_NE(error_of(bad_format).find("unknown table format 'xml'"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "out"));
}

TEST(ActivationsCommand, ParseRange) {
  EXPECT_EQ(parse_range("-6:6"), std::make_pair(-6.0, 6.0));
  EXPECT_EQ(parse_range("-0.5:1e1"), std::make_pair(-0.5, 10.0));
  for (const char* bad : {"6", "a:b", "1:1", "-inf:1", "1:2:3", ":", "-6:6x"})
    EXPECT_THROW(parse_range(bad), ConfigError) << bad;
}

TEST(ActivationsCommand, CliDefaultsToMarkdownAndWiresEveryOption) {
  const auto md = run_cli("activations --only relu,tanh");
  EXPECT_EQ(md.exit_code, 0) << md.output;
  EXPECT_EQ(md.output.rfind("| activation | range |", 0), 0u) << md.output;
  EXPECT_NE(md.output.find("| tanh | (-1, 1) |"), std::string::npos) << md.output;

  TempDir dir;
  const auto plots = run_cli(
      "activations --only relu --format csv --plot figs --range -2:2 "
      "--compare relu,tanh",
      dir.path().string());
  EXPECT_EQ(plots.exit_code, 0) << plots.output;
  EXPECT_NE(plots.output.find("name,parameters,"), std::string::npos) << plots.output;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "figs" / "relu.svg"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "figs" / "compare_relu_tanh.svg"));
  EXPECT_NE(plots.output.find("wrote figs/relu.svg"), std::string::npos) << plots.output;

  const auto typo = run_cli("activations --only rellu");
  EXPECT_EQ(typo.exit_code, 2) << typo.output;
  EXPECT_NE(typo.output.find("did you mean 'relu'"), std::string::npos) << typo.output;
}

}  // namespace
}  // namespace actbench::app
