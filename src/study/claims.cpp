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
  }
  return "?";
}

namespace {

Verdict verdict_from_text(const std::string& text) {
  for (Verdict v : {Verdict::kAgrees, Verdict::kPartly, Verdict::kDoesNotAgree})
    if (verdict_text(v) == text) return v;
  throw Error("unknown verdict '" + text + "'");
}

}  // namespace

Verdict Rule::apply(double value) const {
  if (std::isnan(value)) return Verdict::kDoesNotAgree;
  const bool at_least = direction == Direction::kAtLeast;
  auto meets = [&](double threshold) { return at_least ? value >= threshold : value <= threshold; };
  if (meets(agrees_at)) return Verdict::kAgrees;
  if (meets(partly_at)) return Verdict::kPartly;
  return Verdict::kDoesNotAgree;
}

std::string Rule::describe() const {
  const char* op = direction == Direction::kAtLeast ? ">=" : "<=";
  if (agrees_at == partly_at) return fmt::format("agrees if {} {:g}", op, agrees_at);
  return fmt::format("agrees if {} {:g}, partly if {} {:g}", op, agrees_at, op, partly_at);
}

ClaimResult decide(const Claim& claim, double value) {
  ClaimResult result;
  result.claim = claim;
  result.value = value;
  result.verdict = claim.rule.apply(value);
  return result;
}

std::string verdict_paragraph(const ClaimResult& r) {
  return fmt::format(
      "**Claim ({}).** {}\n\n**Measured.** {}: {}. {}\n\n**Verdict: {}** (rule: {}).\n\n",
      r.claim.source, r.claim.statement, r.claim.quantity,
      std::isnan(r.value) ? std::string("not measured") : fmt::format("{:.4g}", r.value),
      r.sentence, verdict_text(r.verdict), r.claim.rule.describe());
}

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
        {"value", std::isfinite(r.value) ? nlohmann::ordered_json(r.value)
                                         : nlohmann::ordered_json(nullptr)},
        {"verdict", verdict_text(r.verdict)},
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
      r.value = c.at("value").is_null() ? std::nan("") : c.at("value").get<double>();
      r.verdict = verdict_from_text(c.at("verdict").get<std::string>());
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
      row({link, fmt::format("{}: {}", r.claim.source, r.claim.statement), r.measured,
           verdict_text(r.verdict)});
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
