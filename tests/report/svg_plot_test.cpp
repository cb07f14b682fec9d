// The SVG chart writer and the activation figures: documents must be well-formed XML (checked by a
// small parser here, so the tests need no XML library or renderer), carry their titles, axis
// labels and legend entries, and draw f' dashed and broken where it jumps.
#include "plot/svg_plot.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/files.hpp"
#include "model/properties.hpp"
#include "report/activation_plots.hpp"
#include "support/temp_dir.hpp"

namespace actbench::report {
namespace {

struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;  // character data directly inside, entities decoded
};

// A strict little XML checker: balanced and properly nested tags, one root, quoted attributes
// without duplicates, and only the five predefined entities. Fails the test on the first problem.
std::vector<Element> parse_xml(const std::string& xml) {
  std::vector<Element> elements;
  std::vector<size_t> open;  // indices into elements
  size_t roots = 0;
  size_t i = 0;
  auto decode = [&](const std::string& raw) {
    std::string out;
    for (size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] == '<') ADD_FAILURE() << "raw '<' in character data near " << raw;
      if (raw[k] != '&') {
        out += raw[k];
        continue;
      }
      const size_t semi = raw.find(';', k);
      const std::string entity = semi == std::string::npos ? "" : raw.substr(k, semi - k + 1);
      static const std::map<std::string, char> known = {
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
      const auto it = known.find(entity);
      if (it == known.end()) {
        ADD_FAILURE() << "bad entity near '" << raw.substr(k, 10) << "'";
        return out;
      }
      out += it->second;
      k = semi;
    }
    return out;
  };
  auto is_name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' ||
           c == '.';
  };
  while (i < xml.size()) {
    if (xml[i] != '<') {
      const size_t next = xml.find('<', i);
      const std::string text = decode(xml.substr(i, next - i));
      if (!open.empty()) {
        elements[open.back()].text += text;
      } else if (text.find_first_not_of(" \n\r\t") != std::string::npos) {
        ADD_FAILURE() << "text outside the root element: " << text;
      }
      i = next == std::string::npos ? xml.size() : next;
      continue;
    }
    if (xml.compare(i, 5, "<?xml") == 0) {
      i = xml.find("?>", i) + 2;
      continue;
    }
    if (xml.compare(i, 4, "<!--") == 0) {
      i = xml.find("-->", i) + 3;
      continue;
    }
    if (xml.compare(i, 2, "</") == 0) {
      const size_t end = xml.find('>', i);
      const std::string name = xml.substr(i + 2, end - i - 2);
      if (open.empty() || elements[open.back()].name != name) {
        ADD_FAILURE() << "unbalanced </" << name << ">";
        return elements;
      }
      open.pop_back();
      i = end + 1;
      continue;
    }
    Element element;
    size_t k = i + 1;
    while (k < xml.size() && is_name_char(xml[k])) element.name += xml[k++];
    if (element.name.empty()) {
      ADD_FAILURE() << "bad tag at " << i;
      return elements;
    }
    bool self_closing = false;
    while (true) {
      while (k < xml.size() && std::isspace(static_cast<unsigned char>(xml[k]))) ++k;
      if (k >= xml.size()) {
        ADD_FAILURE() << "unterminated tag " << element.name;
        return elements;
      }
      if (xml[k] == '>') {
        ++k;
        break;
      }
      if (xml.compare(k, 2, "/>") == 0) {
        self_closing = true;
        k += 2;
        break;
      }
      std::string attribute;
      while (k < xml.size() && is_name_char(xml[k])) attribute += xml[k++];
      if (attribute.empty() || xml[k] != '=' || (xml[k + 1] != '"' && xml[k + 1] != '\'')) {
        ADD_FAILURE() << "bad attribute in <" << element.name << "> at " << k;
        return elements;
      }
      const char quote = xml[k + 1];
      const size_t close = xml.find(quote, k + 2);
      if (element.attributes.count(attribute)) ADD_FAILURE() << "duplicate " << attribute;
      element.attributes[attribute] = decode(xml.substr(k + 2, close - k - 2));
      k = close + 1;
    }
    if (open.empty()) ++roots;
    elements.push_back(element);
    if (!self_closing) open.push_back(elements.size() - 1);
    i = k;
  }
  EXPECT_TRUE(open.empty()) << "unclosed <" << elements[open.back()].name << ">";
  EXPECT_EQ(roots, 1u);
  return elements;
}

std::vector<std::string> texts(const std::vector<Element>& elements) {
  std::vector<std::string> out;
  for (const auto& e : elements)
    if (e.name == "text") out.push_back(e.text);
  return out;
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::vector<const Element*> paths(const std::vector<Element>& elements) {
  std::vector<const Element*> out;
  for (const auto& e : elements)
    if (e.name == "path") out.push_back(&e);
  return out;
}

size_t subpaths(const Element& path) {
  const std::string& d = path.attributes.at("d");
  return static_cast<size_t>(std::count(d.begin(), d.end(), 'M'));
}

plot::Chart two_series() {
  plot::Chart chart;
  chart.title = "loss & accuracy <test>";
  chart.x.label = "epoch";
  chart.y.label = "value";
  plot::Series a{"train loss", {}, {}, "", plot::LineStyle::Solid, 2.0};
  plot::Series b{"test loss", {}, {}, "", plot::LineStyle::Dashed, 2.0};
  for (int i = 0; i <= 50; ++i) {
    a.x.push_back(i);
    a.y.push_back(std::exp(-0.1 * i));
    b.x.push_back(i);
    b.y.push_back(std::exp(-0.08 * i) + 0.05);
  }
  chart.series = {a, b};
  return chart;
}

TEST(SvgPlot, WellFormedWithTitleAxisLabelsAndLegend) {
  const std::string svg = plot::render_svg(two_series());
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  const auto elements = parse_xml(svg);
  ASSERT_FALSE(elements.empty());
  EXPECT_EQ(elements[0].name, "svg");
  EXPECT_EQ(elements[0].attributes.at("xmlns"), "http://www.w3.org/2000/svg");
  const auto t = texts(elements);
  EXPECT_TRUE(contains(t, "loss & accuracy <test>"));  // escaped in the file, intact when read
  EXPECT_TRUE(contains(t, "epoch"));
  EXPECT_TRUE(contains(t, "value"));
  EXPECT_TRUE(contains(t, "train loss"));
  EXPECT_TRUE(contains(t, "test loss"));
  // Tick labels on both axes: 0 .. 50 on x.
  EXPECT_TRUE(contains(t, "0"));
  EXPECT_TRUE(contains(t, "50"));
  // The dashed series is dashed in the plot and in its legend sample; palette colours in order.
  const auto p = paths(elements);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0]->attributes.count("stroke-dasharray"), 0u);
  EXPECT_EQ(p[1]->attributes.count("stroke-dasharray"), 1u);
  EXPECT_EQ(p[0]->attributes.at("stroke"), plot::default_palette()[0]);
  EXPECT_EQ(p[1]->attributes.at("stroke"), plot::default_palette()[1]);
  size_t dashed_legend_lines = 0;
  for (const auto& e : elements)
    if (e.name == "line" && e.attributes.count("stroke-dasharray")) ++dashed_legend_lines;
  EXPECT_EQ(dashed_legend_lines, 1u);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST(SvgPlot, NiceTicks) {
  EXPECT_EQ(plot::axis_ticks(-6, 6, false, 6), (std::vector<double>{-6, -4, -2, 0, 2, 4, 6}));
  const auto unit = plot::axis_ticks(0, 1, false, 5);
  ASSERT_EQ(unit.size(), 6u);
  EXPECT_NEAR(unit[1], 0.2, 1e-12);
  EXPECT_EQ(plot::axis_ticks(1e-3, 10, true), (std::vector<double>{1e-3, 1e-2, 1e-1, 1, 10}));
  EXPECT_EQ(plot::axis_ticks(1, 20, true), (std::vector<double>{1, 2, 5, 10, 20}));
  EXPECT_TRUE(plot::axis_ticks(1, 1, false).empty());
  // A span of two ulps ends (it used to loop, allocating, until memory ran out).
  const double third = 1.0 / 3.0;
  EXPECT_LE(plot::axis_ticks(third, std::nextafter(std::nextafter(third, 1.0), 1.0), false).size(),
            2u);
}

TEST(SvgPlot, LogScaleAndNonFiniteValuesBreakTheLine) {
  plot::Chart chart;
  chart.y.log = true;
  chart.y.label = "loss (log)";
  const double nan = std::numeric_limits<double>::quiet_NaN();
  plot::Series loss;
  loss.label = "loss";
  loss.x = {0, 1, 2, 3, 4, 5, 6};
  loss.y = {1, 0.1, nan, 0.01, 0, 1e-3, 1e-4};
  chart.series.push_back(loss);
  const std::string svg = plot::render_svg(chart);
  const auto elements = parse_xml(svg);
  const auto p = paths(elements);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(subpaths(*p[0]), 3u);  // broken at the NaN and at the 0 a log axis cannot show
  const auto t = texts(elements);
  EXPECT_TRUE(contains(t, "0.001"));
  EXPECT_TRUE(contains(t, "1"));
  EXPECT_EQ(svg.find("nan"), std::string::npos);
}

TEST(SvgPlot, StraightStretchesBecomeOneSegment) {
  plot::Chart chart;
  plot::Series line{"", {}, {}, "#000000", plot::LineStyle::Dotted, 1.0};
  for (int i = 0; i <= 1000; ++i) {
    line.x.push_back(i);
    line.y.push_back(i < 500 ? 0.0 : i - 500.0);  // ReLU's shape
  }
  chart.series = {line};
  const auto elements = parse_xml(plot::render_svg(chart));
  const auto p = paths(elements);
  ASSERT_EQ(p.size(), 1u);
  const std::string& d = p[0]->attributes.at("d");
  EXPECT_EQ(std::count(d.begin(), d.end(), 'L'), 2) << d;  // M, the kink, the end
  EXPECT_EQ(p[0]->attributes.at("stroke-linecap"), "round");
  // An unlabelled series has no legend.
  for (const auto& e : elements)
    EXPECT_NE(e.attributes.count("class") ? e.attributes.at("class") : "", "legend");
}

TEST(SvgPlot, PanelsGetDistinctClipPaths) {
  const std::string svg = plot::render_svg({two_series(), two_series(), two_series()}, 2, "figure");
  const auto elements = parse_xml(svg);
  std::vector<std::string> ids;
  for (const auto& e : elements)
    if (e.name == "clipPath") ids.push_back(e.attributes.at("id"));
  EXPECT_EQ(ids, (std::vector<std::string>{"plot0", "plot1", "plot2"}));
  EXPECT_EQ(elements[0].attributes.at("width"), "1280");  // two columns of 640
  EXPECT_TRUE(contains(texts(elements), "figure"));
}

TEST(SvgPlot, WriteCreatesTheDirectory) {
  actbench::testing::TempDir dir;
  const auto file = dir.path() / "a" / "b" / "chart.svg";
  plot::write_svg(file, plot::render_svg(two_series()));
  EXPECT_EQ(core::read_file(file), plot::render_svg(two_series()));
}

TEST(SvgPlot, ActivationChartHasSolidFunctionAndDashedDerivative) {
  const auto relu = model::default_activation("relu");
  const std::string svg = plot::render_svg(activation_chart(relu));
  const auto elements = parse_xml(svg);
  const auto t = texts(elements);
  EXPECT_TRUE(contains(t, "relu"));
  EXPECT_TRUE(contains(t, "x"));
  EXPECT_TRUE(contains(t, "f(x) and f'(x)"));
  EXPECT_TRUE(contains(t, "f(x)"));
  EXPECT_TRUE(contains(t, "f'(x)"));
  EXPECT_TRUE(contains(t, "-6"));
  EXPECT_TRUE(contains(t, "6"));
  const auto p = paths(elements);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0]->attributes.count("stroke-dasharray"), 0u);
  EXPECT_EQ(p[1]->attributes.count("stroke-dasharray"), 1u);
  EXPECT_EQ(subpaths(*p[0]), 1u);  // f is continuous
  EXPECT_EQ(subpaths(*p[1]), 2u);  // f' steps at 0
  EXPECT_LT(svg.size(), 20000u);   // straight stretches simplified

  ActivationPlotOptions narrow;
  narrow.x_min = -2;
  narrow.x_max = 3;
  const auto sine =
      parse_xml(plot::render_svg(activation_chart(model::default_activation("sine"), narrow)));
  EXPECT_TRUE(contains(texts(sine), "sine (omega_0=30)"));
  EXPECT_EQ(subpaths(*paths(sine)[1]), 1u);  // smooth: no break
}

TEST(SvgPlot, ComparisonHasOneEntryPerActivationInEachPanel) {
  std::vector<model::ResolvedActivation> list;
  for (const char* name : {"relu", "gelu", "silu"}) list.push_back(model::default_activation(name));
  const auto elements = parse_xml(comparison_svg(list));
  const auto t = texts(elements);
  EXPECT_TRUE(contains(t, "activations: relu, gelu, silu"));
  // One legend, in the f panel: the f' panel uses the same colours.
  EXPECT_EQ(std::count(t.begin(), t.end(), "gelu (approximate=none)"), 1);
  EXPECT_EQ(std::count(t.begin(), t.end(), "silu (beta=1, learnable=false)"), 1);
  size_t dashed = 0;
  for (const auto* p : paths(elements)) dashed += p->attributes.count("stroke-dasharray");
  EXPECT_EQ(dashed, 3u);  // the f' panel
}

}  // namespace
}  // namespace actbench::report
