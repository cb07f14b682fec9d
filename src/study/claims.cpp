// Verdicts from rules, their JSON records, and the README study table generated from them.
#include "study/claims.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/files.hpp"
#include "study/study.hpp"
#include "study/study_support.hpp"

namespace actbench::study {

std::string verdict_text(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAgrees:
      return "agrees";
    case Verdict::kPartly:
      return "partly agrees";
    case Verdict::kDoesNotAgree:
      return "does not agree";
    case Verdict::kInconclusive:
      return "inconclusive";
  }
  return "?";
}

namespace {

Verdict verdict_from_text(const std::string& text) {
  for (Verdict v :
       {Verdict::kAgrees, Verdict::kPartly, Verdict::kDoesNotAgree, Verdict::kInconclusive})
    if (verdict_text(v) == text) return v;
  throw Error("unknown verdict '" + text + "'");
}

}  // namespace

Measurement Measurement::within(double value, double low, double high, std::string method) {
  Measurement m;
  m.value = value;
  m.interval = {low, high, std::move(method)};
  return m;
}

Measurement Measurement::exact(double value, const std::string& why) {
  Measurement m;
  m.value = value;
  m.interval = {value, value, "exact: " + why};
  return m;
}

Measurement Measurement::undecidable(double value, std::string reason) {
  Measurement m;
  m.value = value;
  m.interval = {std::nan(""), std::nan(""), ""};
  m.cannot_decide = std::move(reason);
  return m;
}

Rule::Decision Rule::apply(const MeasuredInterval& interval) const {
  Decision out;
  if (std::isnan(interval.low) || std::isnan(interval.high)) {
    out.reason = "the quantity has no interval (nothing measured, or too few seeds for one)";
    return out;
  }
  const bool at_least = direction == Direction::kAtLeast;
  // The region a point falls in: 0 agrees, 1 partly, 2 does not agree.
  auto region = [&](double x) {
    auto meets = [&](double threshold) { return at_least ? x >= threshold : x <= threshold; };
    return meets(agrees_at) ? 0 : (meets(partly_at) ? 1 : 2);
  };
  const int low_region = region(interval.low), high_region = region(interval.high);
  if (low_region == high_region) {
    out.verdict = low_region == 0   ? Verdict::kAgrees
                  : low_region == 1 ? Verdict::kPartly
                                    : Verdict::kDoesNotAgree;
    return out;
  }
  out.straddles = true;
  const int near = std::min(low_region, high_region);
  const double threshold = near == 0 ? agrees_at : partly_at;
  out.reason =
      fmt::format("its interval [{:.4g}, {:.4g}] straddles {:g}, the threshold of \"{}\"",
                  interval.low, interval.high, threshold, near == 0 ? "agrees" : "partly agrees");
  if (std::max(low_region, high_region) - near == 2) {
    // A rule without a "partly" band has one threshold for both: name it once.
    out.reason += partly_at == threshold
                      ? std::string(" and of \"partly agrees\"")
                      : fmt::format(" and {:g}, that of \"partly agrees\"", partly_at);
  }
  return out;
}

std::string Rule::describe() const {
  const char* op = direction == Direction::kAtLeast ? ">=" : "<=";
  if (agrees_at == partly_at) return fmt::format("agrees if {} {:g}", op, agrees_at);
  return fmt::format("agrees if {} {:g}, partly if {} {:g}", op, agrees_at, op, partly_at);
}

ClaimResult decide(const Claim& claim, const Measurement& measurement) {
  ClaimResult result;
  result.claim = claim;
  result.value = measurement.value;
  result.interval = measurement.interval;
  if (!measurement.cannot_decide.empty()) {
    result.verdict = Verdict::kInconclusive;
    result.reason = measurement.cannot_decide;
    return result;
  }
  const Rule::Decision decision = claim.rule.apply(measurement.interval);
  result.verdict = decision.verdict;
  result.straddles = decision.straddles;
  result.reason = decision.reason;
  if (result.verdict != Verdict::kAgrees) return result;
  // A verdict cannot be surer than the figure it is compared with.
  std::vector<std::string> caps;
  if (claim.reading == Reading::kSecondary)
    caps.push_back("the published figure was read in a secondary source");
  if (!claim.configuration_differs.empty()) caps.push_back(claim.configuration_differs);
  if (!caps.empty()) {
    result.verdict = Verdict::kPartly;
    result.reason = "capped at \"partly\": ";
    for (size_t i = 0; i < caps.size(); ++i) result.reason += (i ? "; " : "") + caps[i];
  }
  return result;
}

std::string interval_text(const MeasuredInterval& interval) {
  if (interval.method.rfind("exact", 0) == 0) return interval.method;
  if (std::isnan(interval.low) || std::isnan(interval.high)) return "no interval";
  return fmt::format("[{:.4g}, {:.4g}] ({})", interval.low, interval.high, interval.method);
}

std::string verdict_paragraph(const ClaimResult& r) {
  std::string source = r.claim.source;
  if (!r.claim.where.empty()) source += ", " + r.claim.where;
  if (r.claim.reading == Reading::kSecondary) source += "; figure read in a secondary source";
  return fmt::format(
      "**Claim ({}).** {}\n\n**Measured.** {}: {}, interval {}. {}\n\n**Verdict: {}** (rule: "
      "{}, decided on the interval{}).\n\n",
      source, r.claim.statement, r.claim.quantity,
      std::isnan(r.value) ? std::string("not measured") : fmt::format("{:.4g}", r.value),
      interval_text(r.interval), r.sentence, verdict_text(r.verdict), r.claim.rule.describe(),
      r.reason.empty() ? "" : "; " + r.reason);
}

namespace {

nlohmann::ordered_json number_or_null(double x) {
  return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
}

double number_or_nan(const nlohmann::json& x) {
  return x.is_null() ? std::nan("") : x.get<double>();
}

}  // namespace

void write_verdicts(const std::filesystem::path& file, const std::string& study,
                    const std::string& mode, const std::vector<ClaimResult>& results) {
  nlohmann::ordered_json out;
  out["study"] = study;
  out["mode"] = mode;
  out["claims"] = nlohmann::ordered_json::array();
  for (const auto& r : results) {
    out["claims"].push_back({
        {"id", r.claim.id},
        {"source", r.claim.source},
        {"statement", r.claim.statement},
        {"quantity", r.claim.quantity},
        {"rule",
         {{"direction",
           r.claim.rule.direction == Rule::Direction::kAtLeast ? "at_least" : "at_most"},
          {"agrees_at", r.claim.rule.agrees_at},
          {"partly_at", r.claim.rule.partly_at}}},
        {"where", r.claim.where},
        {"reading", r.claim.reading == Reading::kSecondary ? "secondary" : "primary"},
        {"configuration_differs", r.claim.configuration_differs},
        {"value", number_or_null(r.value)},
        {"interval",
         {{"low", number_or_null(r.interval.low)},
          {"high", number_or_null(r.interval.high)},
          {"method", r.interval.method}}},
        {"verdict", verdict_text(r.verdict)},
        {"straddles", r.straddles},
        {"reason", r.reason},
        {"measured", r.measured},
        {"sentence", r.sentence},
    });
  }
  write_text(file, out.dump(2) + "\n");
}

StudyVerdicts read_verdicts(const std::filesystem::path& file) {
  StudyVerdicts out;
  try {
    const auto json = nlohmann::json::parse(core::read_file(file));
    out.study = json.at("study").get<std::string>();
    out.mode = json.at("mode").get<std::string>();
    for (const auto& c : json.at("claims")) {
      ClaimResult r;
      r.claim.id = c.at("id").get<std::string>();
      r.claim.source = c.at("source").get<std::string>();
      r.claim.statement = c.at("statement").get<std::string>();
      r.claim.quantity = c.at("quantity").get<std::string>();
      const auto& rule = c.at("rule");
      r.claim.rule.direction = rule.at("direction").get<std::string>() == "at_least"
                                   ? Rule::Direction::kAtLeast
                                   : Rule::Direction::kAtMost;
      r.claim.rule.agrees_at = rule.at("agrees_at").get<double>();
      r.claim.rule.partly_at = rule.at("partly_at").get<double>();
      r.claim.where = c.value("where", "");
      r.claim.reading =
          c.value("reading", "primary") == "secondary" ? Reading::kSecondary : Reading::kPrimary;
      r.claim.configuration_differs = c.value("configuration_differs", "");
      r.value = number_or_nan(c.at("value"));
      // Records written before verdicts were decided on intervals have none.
      if (c.contains("interval")) {
        const auto& interval = c.at("interval");
        r.interval = {number_or_nan(interval.at("low")), number_or_nan(interval.at("high")),
                      interval.at("method").get<std::string>()};
      } else {
        r.interval = {std::nan(""), std::nan(""), "not recorded"};
      }
      r.verdict = verdict_from_text(c.at("verdict").get<std::string>());
      r.straddles = c.value("straddles", false);
      r.reason = c.value("reason", "");
      r.measured = c.at("measured").get<std::string>();
      r.sentence = c.at("sentence").get<std::string>();
      out.results.push_back(std::move(r));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("{}: not a verdicts file: {}", file.string(), e.what()));
  }
  return out;
}

std::string readme_study_table(const std::filesystem::path& results_root) {
  // Left-aligned text columns (MarkdownTable right-aligns all but the first, for numbers).
  std::string out =
      "| study | claim (literature) | what we measured | verdict |\n|---|---|---|---|\n";
  auto row = [&](const std::vector<std::string>& cells) {
    out += "|";
    for (const auto& cell : cells) out += " " + markdown_cell(cell) + " |";
    out += "\n";
  };
  for (const std::string& name : StudyRegistry::instance().names()) {
    const auto file = results_root / name / "verdicts.json";
    const std::string link = fmt::format("[{}](results/{}/README.md)", name, name);
    if (!std::filesystem::exists(file)) {
      row({link, "-",
           fmt::format("no verdicts.json yet: run `actbench study {}` to record its verdicts",
                       name),
           "-"});
      continue;
    }
    const StudyVerdicts verdicts = read_verdicts(file);
    for (const auto& r : verdicts.results)
      row({link, fmt::format("{}: {}", r.claim.source, r.claim.statement),
           // Without an interval the verdict's reason says why; "interval no interval" said
           // nothing.
           std::isnan(r.interval.low) || std::isnan(r.interval.high)
               ? r.measured
               : r.measured + "; interval " + interval_text(r.interval),
           r.reason.empty() ? verdict_text(r.verdict)
                            : fmt::format("{} ({})", verdict_text(r.verdict), r.reason)});
  }
  return out;
}

namespace {

std::pair<size_t, size_t> marker_positions(const std::string& readme) {
  const size_t begin = readme.find(kReadmeTableBegin);
  const size_t end = readme.find(kReadmeTableEnd);
  if (begin == std::string::npos || end == std::string::npos || end < begin) {
    throw Error(fmt::format("README: the study table needs the markers {} and {}, in that order",
                            kReadmeTableBegin, kReadmeTableEnd));
  }
  return {begin + std::string(kReadmeTableBegin).size(), end};
}

}  // namespace

std::string replace_readme_table(const std::string& readme, const std::string& table) {
  const auto [begin, end] = marker_positions(readme);
  return readme.substr(0, begin) + "\n" + table + readme.substr(end);
}

std::string readme_table_block(const std::string& readme) {
  const auto [begin, end] = marker_positions(readme);
  return readme.substr(begin, end - begin);
}

void update_readme_table(const std::filesystem::path& readme,
                         const std::filesystem::path& results_root) {
  const std::string text = core::read_file(readme);
  write_text(readme, replace_readme_table(text, readme_study_table(results_root)));
}

}  // namespace actbench::study
