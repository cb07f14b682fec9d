// The HTML page of a report (see html_page in sweep_report.hpp): one file with its styles, its
// charts as inline SVG and a few lines of script, so it works offline and can be mailed. Hover
// values are SVG <title> tooltips that the charts carry; toggling hides the elements whose
// data-series names the clicked group. Both are small enough that no chart library is needed.
// The layout uses the window's width: the table with the per-seed chart beside it (the same groups,
// their means and intervals drawn), then the figures two to a row, a figure of several panels
// across the whole row; on a narrow window everything stacks.
#include <fmt/format.h>

#include "report/sweep_report.hpp"

namespace actbench::report {

namespace {

constexpr const char* kStyle = R"(<style>
body{font-family:sans-serif;margin:2em;color:#222;max-width:100%}
h1{font-size:1.6em}
.summary{display:flex;flex-wrap:wrap;gap:16px 32px;align-items:flex-start}
.tables{width:min-content;max-width:100%}
.table{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid #ddd;white-space:nowrap}
th{background:#f3f3f3;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:bold;padding:4px 0}
p.notes{font-size:13px;color:#444;max-width:70em}
.key{margin:1em 0}
.key button{font-size:13px;margin:2px 8px 2px 0;padding:2px 8px;border:1px solid #ccc;
  background:#fff;border-radius:3px;cursor:pointer}
.key button i{display:inline-block;width:22px;height:4px;margin-right:6px;vertical-align:middle}
.key button.off,.legend-entry.off{opacity:0.35}
.legend-entry{cursor:pointer}
figure{margin:1.5em 0;min-width:0}
.summary figure{flex:1 1 380px;max-width:760px;margin:0}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,480px),1fr));
  gap:0 40px}
figure.wide{grid-column:1/-1}
.panels{display:flex;flex-wrap:wrap;gap:8px}
.panels svg{max-width:100%;height:auto}
figure.wide .panels{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,360px),1fr));
  justify-items:start}
figcaption{font-size:13px;color:#444;max-width:70em}
.hidden-series{display:none}
</style>
)";

// Clicking a key button or a legend entry toggles that group everywhere on the page.
constexpr const char* kScript = R"(<script>
function toggleSeries(name){
  const off=!document.querySelector('.key button[data-series="'+CSS.escape(name)+'"]')
    ?.classList.contains('off');
  document.querySelectorAll('[data-series]').forEach(function(e){
    if(e.dataset.series!==name)return;
    if(e.matches('.key button,.legend-entry'))e.classList.toggle('off',off);
    else e.classList.toggle('hidden-series',off);
  });
}
document.querySelectorAll('.key button,.legend-entry').forEach(function(e){
  e.addEventListener('click',function(){toggleSeries(e.dataset.series);});
});
</script>
)";

}  // namespace

namespace {

std::string figure_html(const Figure& figure) {
  // A figure of several panels takes a whole row, its panels side by side.
  std::string out = "<figure id=\"" + html_escape(figure.name) + "\"" +
                    (figure.panels.size() > 1 ? " class=\"wide\"" : "") +
                    ">\n<div class=\"panels\">\n";
  if (figure.panels.empty())
    out += figure.svg + "\n";
  else
    for (const auto& panel : figure.panels) out += panel + "\n";
  return out + "</div>\n<figcaption>" + html_escape(figure.caption) + "</figcaption></figure>\n";
}

}  // namespace

std::string html_page(const std::string& title, const std::string& tables,
                      const std::vector<std::string>& key_labels,
                      const std::vector<Figure>& figures) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + html_escape(title) + " — actbench report</title>\n";
  out += kStyle;
  out += "</head><body>\n<h1>" + html_escape(title) + "</h1>\n";
  // The per-seed chart beside the table it draws; the table's width sets the notes' width.
  out += "<div class=\"summary\">\n<div class=\"tables\">\n" + tables + "</div>\n";
  for (const auto& figure : figures)
    if (figure.name == "seeds") out += figure_html(figure);
  out += "</div>\n";
  if (!figures.empty() && !key_labels.empty()) {
    const auto& palette = plot::default_palette();
    out +=
        "<div class=\"key\">Groups (click to hide or show in every chart; hover a point for "
        "its values):<br>";
    for (size_t g = 0; g < key_labels.size(); ++g)
      out += "<button type=\"button\" data-series=\"" + html_escape(key_labels[g]) +
             "\"><i style=\"background:" + palette[g % palette.size()] + "\"></i>" +
             html_escape(key_labels[g]) + "</button>";
    out += "</div>\n";
  }
  out += "<div class=\"figures\">\n";
  for (const auto& figure : figures)
    if (figure.name != "seeds") out += figure_html(figure);
  out += "</div>\n";
  out += kScript;
  out += "</body></html>\n";
  return out;
}

}  // namespace actbench::report
