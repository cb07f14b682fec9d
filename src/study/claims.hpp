// Claims as data: each study states what the literature claims, which number it measures for it,
// and the rule that turns that number into a verdict (agrees / partly / does not agree). The
// study's decide layer fills in the measured value and generates the sentence from the numbers; its
// write layer prints the results; the same records go to results/<study>/verdicts.json, from which
// the top-level README's study table is generated (`actbench study --readme-table`). No verdict or
// measured figure is typed by hand anywhere on that path.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace actbench::study {

enum class Verdict { kAgrees, kPartly, kDoesNotAgree };

// "agrees", "partly agrees", "does not agree".
std::string verdict_text(Verdict verdict);

// How the measured quantity decides: value >= agrees_at gives kAgrees, else value >= partly_at
// gives kPartly, else kDoesNotAgree (kAtLeast); the comparisons reversed for kAtMost. A NaN value
// (nothing measured) never agrees.
struct Rule {
  enum class Direction { kAtLeast, kAtMost };
  Direction direction = Direction::kAtLeast;
  double agrees_at = 0.0;
  double partly_at = 0.0;
  Verdict apply(double value) const;
  // "agrees if >= 0.2, partly if >= 0.05"
  std::string describe() const;
};

struct Claim {
  std::string id;         // stable key, "dying_relu.relu_dies"
  std::string source;     // "Lu et al. 2019", "CS231n"
  std::string statement;  // what the literature claims, one sentence
  std::string quantity;   // what we measure for it, with its unit
  Rule rule;
};

struct ClaimResult {
  Claim claim;
  double value = 0.0;  // the measured quantity
  Verdict verdict = Verdict::kDoesNotAgree;
  std::string measured;  // the figures behind the verdict, short (the README table's cell)
  std::string sentence;  // the results README's sentence, generated from the numbers
};

// Applies the claim's rule to `value`; the caller then writes `measured` and `sentence`.
ClaimResult decide(const Claim& claim, double value);

// "**Verdict: agrees.** <sentence>" with the rule, for a results README.
std::string verdict_paragraph(const ClaimResult& result);

// results/<study>/verdicts.json and back.
void write_verdicts(const std::filesystem::path& file, const std::string& study,
                    const std::string& mode, const std::vector<ClaimResult>& results);
struct StudyVerdicts {
  std::string study, mode;
  std::vector<ClaimResult> results;
};
StudyVerdicts read_verdicts(const std::filesystem::path& file);

// The README's study table (between kReadmeTableBegin and kReadmeTableEnd): one row per claim of
// every study that has results_root/<study>/verdicts.json, in the studies' registry order; a study
// without one gets a row that says so.
inline constexpr const char* kReadmeTableBegin = "<!-- studies:begin -->";
inline constexpr const char* kReadmeTableEnd = "<!-- studies:end -->";
std::string readme_study_table(const std::filesystem::path& results_root);
// `readme` with the text between the markers replaced by `table`; throws an Error when the
// markers are missing or out of order.
std::string replace_readme_table(const std::string& readme, const std::string& table);
// The text between the markers (without them).
std::string readme_table_block(const std::string& readme);
// Rewrites the table block of `readme` (atomically) from `results_root`'s verdicts.
void update_readme_table(const std::filesystem::path& readme,
                         const std::filesystem::path& results_root);

}  // namespace actbench::study
