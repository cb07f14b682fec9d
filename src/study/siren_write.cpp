// The SIREN study's write layer: tables (Markdown and CSV), SVG figures and the README, from the
// measurements and the decided claims only. Setup values in the prose come from
// SirenMeasurements and the rules' constants; every verdict and its sentence comes from
// siren_decide.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/numbers.hpp"
#include "core/strings.hpp"
#include "plot/svg_plot.hpp"
#include "stats/statistics.hpp"
#include "study/siren.hpp"

namespace actbench::study {
namespace {

using core::kPi;

// A greyscale image as an SVG of rectangles (at most 64 x 64 shown, subsampled), so the README can
// show the fits without an image library.
std::string siren_image_svg(const at::Tensor& image, int pixels) {
  const int64_t size = image.size(0);
  const int64_t shown = std::min<int64_t>(size, 64);
  const int64_t stride = size / shown;
  const double cell = static_cast<double>(pixels) / shown;
  const at::Tensor view = image.slice(0, 0, size, stride).slice(1, 0, size, stride).contiguous();
  const auto acc = view.accessor<float, 2>();
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{0}\" "
      "shape-rendering=\"crispEdges\">\n",
      pixels);
  for (int64_t r = 0; r < shown; ++r)
    for (int64_t c = 0; c < shown; ++c) {
      const int v = static_cast<int>(std::lround(255.0 * std::clamp(acc[r][c], 0.0f, 1.0f)));
      svg += fmt::format(
          "<rect x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" "
          "fill=\"#{:02x}{:02x}{:02x}\"/>\n",
          c * cell, r * cell, cell + 0.05, cell + 0.05, v, v, v);
    }
  return svg + "</svg>\n";
}

// Mean and t interval of one point's seeds (the interval collapses to the mean for one seed).
struct SirenBand {
  double mean = 0, low = 0, high = 0;
};
SirenBand siren_band(const std::vector<double>& values) {
  if (values.empty()) return {std::nan(""), std::nan(""), std::nan("")};
  const stats::Summary s = stats::summarize(values);
  if (values.size() < 2) return {s.mean, s.mean, s.mean};
  return {s.mean, s.ci.low, s.ci.high};
}

// A mean line and its interval's ends as thin dotted lines of the same colour, out of the legend.
void add_banded(plot::Chart& chart, const std::string& label, const std::string& colour,
                const std::vector<double>& x, const std::vector<SirenBand>& bands) {
  plot::Series mean{label, x, {}, colour}, low{"", x, {}, colour}, high{"", x, {}, colour};
  for (const auto& b : bands) {
    mean.y.push_back(b.mean);
    low.y.push_back(b.low);
    high.y.push_back(b.high);
  }
  low.style = high.style = plot::LineStyle::Dotted;
  low.width = high.width = 1.2;
  low.group = high.group = label;
  chart.series.push_back(mean);
  chart.series.push_back(low);
  chart.series.push_back(high);
}

plot::Series siren_hline(const std::string& label, double x0, double x1, double y,
                         plot::LineStyle style) {
  plot::Series s{label, {x0, x1}, {y, y}, "#555555"};
  s.style = style;
  s.width = 1.5;
  return s;
}

std::string write_histograms(const std::filesystem::path& out, const SineVariantResult& v) {
  std::vector<plot::Chart> panels;
  for (size_t i = 0; i < v.shown_layers.size(); ++i) {
    const size_t layer = v.shown_layers[i];
    plot::Chart arg_chart;
    arg_chart.title = fmt::format("layer {}: argument", layer);
    arg_chart.x.label = "w0 * z";
    arg_chart.y.label = "density";
    plot::Series measured{"measured", v.arg_hist[i].centers, v.arg_hist[i].density, ""};
    plot::Series reference{"N(0, 1)", {}, {}, ""};
    reference.style = plot::LineStyle::Dashed;
    for (double x : v.arg_hist[i].centers) {
      reference.x.push_back(x);
      reference.y.push_back(std::exp(-x * x / 2) / std::sqrt(2 * kPi));
    }
    arg_chart.series = {measured, reference};
    plot::Chart post_chart;
    post_chart.title = fmt::format("layer {}: output", layer);
    post_chart.x.label = "sin(w0 * z)";
    post_chart.y.label = "density";
    post_chart.y.min = 0.0;
    post_chart.y.max = 3.0;
    plot::Series post_measured{"measured", v.post_hist[i].centers, v.post_hist[i].density, ""};
    plot::Series arcsine{"arcsine", {}, {}, ""};
    arcsine.style = plot::LineStyle::Dashed;
    for (double y : v.post_hist[i].centers) {
      arcsine.x.push_back(y);
      arcsine.y.push_back(1.0 / (kPi * std::sqrt(1.0 - y * y)));
    }
    post_chart.series = {post_measured, arcsine};
    arg_chart.width = post_chart.width = 360;
    arg_chart.height = post_chart.height = 260;
    panels.push_back(arg_chart);
    panels.push_back(post_chart);
  }
  const std::string file = "histograms_" + v.key + ".svg";
  plot::write_svg(out / file, plot::render_svg(panels, 4, v.label + " (init seed 0)"));
  return file;
}

}  // namespace

std::filesystem::path write_siren(const std::filesystem::path& out, const SirenMeasurements& m,
                                  const std::vector<ClaimResult>& claims) {
  // ---- Part 1: tables and figures.
  MarkdownTable table({"init", "layer", "argument mean", "argument std", "KS vs N(0,1)",
                       "output mean", "output std", "KS vs arcsine"});
  MarkdownTable seeds_table(
      {"init", "layer", "argument std, mean over init seeds", "95% t interval"});
  for (const auto& v : m.variants) {
    for (size_t l = 0; l < v.layers.size(); ++l) {
      const SineLayerStats& s = v.layers[l];
      table.add({v.label, std::to_string(l + 1), fmt::format("{:.3g}", s.arg_mean),
                 fmt::format("{:.3g}", s.arg_std), fixed(s.arg_ks, 3),
                 fmt::format("{:.3g}", s.post_mean), fixed(s.post_std, 3), fixed(s.post_ks, 3)});
      const SirenBand b = siren_band(v.arg_std[l]);
      seeds_table.add({v.label, std::to_string(l + 1), fmt::format("{:.4g}", b.mean),
                       fmt::format("[{:.4g}, {:.4g}]", b.low, b.high)});
    }
  }
  write_text(out / "distributions.csv", table.csv());
  write_text(out / "argument_std.csv", seeds_table.csv());
  std::vector<std::string> histogram_files;
  for (const auto& v : m.variants) histogram_files.push_back(write_histograms(out, v));
  {
    plot::Chart chart;
    chart.title = fmt::format("Argument std per layer: mean and 95% t interval over {} init seeds",
                              m.init_seeds.size());
    chart.x.label = "layer";
    chart.x.integer = true;
    chart.y.label = "std of w0 * z";
    chart.y.log = true;
    chart.width = 760;
    chart.height = 480;
    std::vector<double> layers;
    for (int64_t l = 1; l <= m.depth; ++l) layers.push_back(static_cast<double>(l));
    const auto& palette = plot::default_palette();
    for (size_t i = 0; i < m.variants.size(); ++i) {
      std::vector<SirenBand> bands;
      for (const auto& seeds : m.variants[i].arg_std) bands.push_back(siren_band(seeds));
      add_banded(chart, m.variants[i].key, palette[i % palette.size()], layers, bands);
    }
    const auto d = static_cast<double>(m.depth);
    chart.series.push_back(siren_hline("paper: std 1", 1, d, 1.0, plot::LineStyle::Dashed));
    chart.series.push_back(siren_hline(
        fmt::format("naive-init band [{:g}, {:g}]", kSirenHealthyLow, kSirenHealthyHigh), 1, d,
        kSirenHealthyLow, plot::LineStyle::Dotted));
    chart.series.push_back(siren_hline("", 1, d, kSirenHealthyHigh, plot::LineStyle::Dotted));
    chart.legend_position = plot::LegendPosition::BottomLeft;
    plot::write_svg(out / "argument_std.svg", plot::render_svg(chart));
  }

  // ---- Part 2: image fits.
  write_text(out / "image_target.svg", siren_image_svg(m.target, 256));
  for (const auto& arm : m.arms)
    for (const auto& fit : arm.fits)
      if (!fit.diverged) {
        write_text(out / ("image_" + arm.key + ".svg"), siren_image_svg(fit.reconstruction, 256));
        break;
      }
  const ImageFit* reference = nullptr;
  for (const auto& arm : m.arms)
    for (const auto& fit : arm.fits)
      if (!fit.diverged && !reference) reference = &fit;
  std::vector<std::string> header{"model", "seeds", "diverged"};
  std::vector<size_t> columns;
  if (reference) {
    for (size_t i = 0; i < reference->steps.size(); ++i) {
      const auto s = static_cast<int64_t>(reference->steps[i]);
      if (s == 0 || s == m.steps / 10 || s == m.steps / 4 || s == m.steps / 2 || s == m.steps) {
        header.push_back(fmt::format("PSNR at step {} (mean ± std)", s));
        columns.push_back(i);
      }
    }
  }
  header.push_back("final PSNR per seed");
  header.push_back("seconds per fit");
  MarkdownTable psnr_table(header);
  plot::Chart psnr_chart;
  psnr_chart.title = fmt::format(
      "Fitting a {0}x{0} image: PSNR against Adam steps, mean and 95% t interval over {1} seeds",
      m.size, m.fit_seeds.size());
  psnr_chart.x.label = "step";
  psnr_chart.y.label = "PSNR (dB)";
  psnr_chart.width = 760;
  psnr_chart.height = 460;
  const auto& palette = plot::default_palette();
  double constant_psnr = std::nan("");
  for (size_t a = 0; a < m.arms.size(); ++a) {
    const ImageFitArm& arm = m.arms[a];
    std::vector<const ImageFit*> kept;
    int64_t diverged = 0;
    double seconds = 0;
    for (const auto& fit : arm.fits) {
      constant_psnr = fit.constant_psnr;
      if (fit.diverged) {
        ++diverged;
        continue;
      }
      kept.push_back(&fit);
      seconds += fit.seconds;
    }
    std::vector<std::string> row{arm.label, std::to_string(arm.fits.size()),
                                 std::to_string(diverged)};
    std::vector<double> finals;
    for (const ImageFit* f : kept) finals.push_back(f->psnr.back());
    for (size_t i : columns) {
      std::vector<double> at;
      for (const ImageFit* f : kept)
        if (i < f->psnr.size()) at.push_back(f->psnr[i]);
      if (at.empty()) {
        row.push_back("n/a");
        continue;
      }
      const stats::Summary s = stats::summarize(at);
      row.push_back(at.size() < 2 ? fixed(s.mean, 2) + " ± -"
                                  : fmt::format("{:.2f} ± {:.2f}", s.mean, s.std));
    }
    row.push_back(finals.empty() ? "n/a" : join_numbers(finals, 2, ", "));
    row.push_back(kept.empty() ? "n/a" : fixed(seconds / static_cast<double>(kept.size()), 1));
    psnr_table.add(row);
    if (kept.empty()) continue;
    std::vector<SirenBand> bands;
    for (size_t i = 0; i < kept.front()->steps.size(); ++i) {
      std::vector<double> at;
      for (const ImageFit* f : kept)
        if (i < f->psnr.size()) at.push_back(f->psnr[i]);
      bands.push_back(siren_band(at));
    }
    add_banded(psnr_chart, arm.label, palette[a % palette.size()], kept.front()->steps, bands);
  }
  psnr_chart.series.push_back(siren_hline(fmt::format("constant output ({:.1f} dB)", constant_psnr),
                                          0, static_cast<double>(m.steps), constant_psnr,
                                          plot::LineStyle::Dashed));
  psnr_chart.legend_position = plot::LegendPosition::BottomRight;
  plot::write_svg(out / "psnr.svg", plot::render_svg(psnr_chart));
  write_text(out / "psnr.csv", psnr_table.csv());

  // ---- README.
  auto joined_seeds = [](const std::vector<uint64_t>& seeds) {
    std::vector<double> v(seeds.begin(), seeds.end());
    return join_numbers(v, 0, ", ");
  };
  std::string md;
  md += "# SIREN: sine networks need their initialisation\n\n";
  md += fmt::format(
      "Generated by `actbench study siren{}`; rerun it to regenerate this file, the CSV files, "
      "the figures and `verdicts.json`; every verdict and its sentence is computed from the "
      "measured numbers, each from an interval over seeds. Paper: Sitzmann, Martel, Bergman, "
      "Lindell and Wetzstein (2020), \"Implicit Neural Representations with Periodic Activation "
      "Functions\"; recipes checked against its official code (github.com/vsitzmann/siren, "
      "`modules.py`, `experiment_scripts/train_img.py`).\n\n",
      m.full ? " --full" : "");
  md += "## 1. Activation distributions at initialisation\n\n";
  md +=
      "**The paper's claim** (sec. 3.2 and supplement sec. 1): with the SIREN init (first layer "
      "U(-1/n, 1/n), every later layer, the output layer included, U(-sqrt(6/n)/w0, +), each "
      "sine computing sin(w0 z) with w0 = 30, as in the official code's `first_layer_sine_init`, "
      "`sine_init` and `Sine`), the sine's argument w0*z is close to N(0, 1) in every layer after "
      "the first and the sine's output follows the arcsine distribution on [-1, 1] (std "
      "1/sqrt(2) = 0.707), independently of depth; without it the distributions collapse or blow "
      "up.\n\n";
  md += fmt::format(
      "**Setup.** A sine MLP with **{} hidden layers of {} units**, one input, {} inputs evenly "
      "spread over [-1, 1], built by actbench (`model.activation: sine`, `model.init: siren`), "
      "init seeds {}. The table is init seed 0; KS: Kolmogorov-Smirnov distance between the "
      "layer's {} x {} values and the reference distribution. `argument_std.csv` has every "
      "layer's argument std with its 95% t interval over the init seeds.\n\n",
      m.depth, m.width, m.points, joined_seeds(m.init_seeds), m.points, m.width);
  md += "| init | recipe |\n|---|---|\n";
  for (const auto& v : m.variants)
    md += fmt::format("| {} | `{}` |\n", markdown_cell(v.label), markdown_cell(v.recipe));
  md += "\n" + table.str() + "\n";
  for (size_t i = 0; i < 3 && i < claims.size(); ++i) md += verdict_paragraph(claims[i]);
  md +=
      "![argument std per layer with its interval over init seeds, the paper's std 1 and the band "
      "the naive-init claim uses](argument_std.svg)\n\n";
  for (size_t i = 0; i < m.variants.size(); ++i)
    md += fmt::format("![{}]({})\n\n", m.variants[i].label, histogram_files[i]);
  md += "## 2. Fitting an image\n\n";
  md += fmt::format(
      "**The paper's claim** (sec. 4.1, Fig. 1): fitting an image as a function of its pixel "
      "coordinates, SIREN converges much faster and to a far higher PSNR than ReLU and tanh "
      "MLPs.\n\n"
      "**Setup.** A {0}x{0} greyscale test image the study generates (a ramp, a disk and a square "
      "with sharp edges, a chirp, bars), 2 inputs (x, y in [-1, 1]) to 1 output (grey level "
      "scaled to [-1, 1]), MLPs with hidden layers {1} and PyTorch's default uniform biases, "
      "full-batch Adam at lr {2:g} for {3} steps, training seeds {4}. Inits as the official "
      "code's: SIREN's above, ReLU Kaiming normal (fan_in, gain sqrt 2), tanh Xavier normal "
      "(gain 1), each on every layer. A fit whose final PSNR is not {5:g} dB above a constant "
      "output's ({6:.2f} dB) did not train.\n\n",
      m.size, m.hidden, m.lr, m.steps, joined_seeds(m.fit_seeds), kSirenTrainedMarginDb,
      constant_psnr);
  md += psnr_table.str();
  if (claims.size() > 3) md += "\n" + verdict_paragraph(claims[3]);
  md +=
      "![PSNR against steps, mean and 95% t interval over seeds, and a constant output's "
      "PSNR](psnr.svg)\n\n";
  md += "Seed 0's fits:\n\n";
  md += "| target |";
  for (const auto& arm : m.arms) md += " " + arm.label + " |";
  md += "\n|---|";
  for (size_t i = 0; i < m.arms.size(); ++i) md += "---|";
  md += "\n| ![target](image_target.svg) |";
  for (const auto& arm : m.arms) md += fmt::format(" ![{}](image_{}.svg) |", arm.key, arm.key);
  md += "\n";
  write_text(out / "README.md", md);
  return out / "README.md";
}

}  // namespace actbench::study
