// Claims as data: each study states what the literature claims, which number it measures for it,
// with the interval its noise gives, and the rule that turns that interval into a verdict (agrees /
// partly / does not agree / inconclusive when the interval straddles a threshold or the runs
// cannot decide). The
// study's decide layer fills in the measured value and generates the sentence from the numbers; its
// write layer prints the results; the same records go to results/<study>/verdicts.json, from which
// the top-level README's study table is generated (`actbench study --readme-table`). No verdict or
// measured figure is typed by hand anywhere on that path.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace actbench::study {

// kInconclusive: the runs cannot decide (they did not train, every arm diverged, the quantity's
// interval straddles a threshold of the rule); ClaimResult::reason says which.
enum class Verdict { kAgrees, kPartly, kDoesNotAgree, kInconclusive };

// "agrees", "partly agrees", "does not agree", "inconclusive".
std::string verdict_text(Verdict verdict);

// Where the claim's interval may lie: [low, high] at the level `method` states ("Wilson 95%",
// "t 95% over 5 seeds", "exact": a computed number with no sampling noise).
struct MeasuredInterval {
  double low = 0.0, high = 0.0;
  std::string method;
};

// What a decide layer measured for one claim. A verdict is decided from the interval, never
// from the point: the value is what the sentence quotes. A non-empty `cannot_decide` (e.g. "the
// runs did not train: test accuracy 0.101, chance 0.1") makes the verdict inconclusive whatever
// the numbers say.
struct Measurement {
  double value = 0.0;
  MeasuredInterval interval;
  std::string cannot_decide;

  // A value with its interval.
  static Measurement within(double value, double low, double high, std::string method);
  // A quantity with no sampling noise (a theory computation, a count over a fixed grid): its
  // interval is the point itself, and `why` says why there is no noise.
  static Measurement exact(double value, const std::string& why);
  // Nothing can be decided: the value is quoted, the verdict is inconclusive with `reason`.
  static Measurement undecidable(double value, std::string reason);
};

// How the measured quantity decides. The line is cut in three by the thresholds: for kAtLeast,
// x >= agrees_at agrees, partly_at <= x < agrees_at partly agrees, x < partly_at does not agree
// (the comparisons reversed for kAtMost). An interval decides when it lies in one region; one that
// straddles a threshold is inconclusive (Decision::straddles), as is a NaN end.
struct Rule {
  enum class Direction { kAtLeast, kAtMost };
  Direction direction = Direction::kAtLeast;
  double agrees_at = 0.0;
  double partly_at = 0.0;
  struct Decision {
    Verdict verdict = Verdict::kInconclusive;
    bool straddles = false;  // inconclusive only because the interval crosses a threshold
    std::string reason;      // empty when decided
  };
  Decision apply(const MeasuredInterval& interval) const;
  // "agrees if >= 0.2, partly if >= 0.05"
  std::string describe() const;
};

// Where the published figure was read: in the paper itself, or quoted by another text (a survey,
// a course's notes). A secondary figure caps the verdict at "partly".
enum class Reading { kPrimary, kSecondary };

struct Claim {
  std::string id;         // stable key, "dying_relu.relu_dies"
  std::string source;     // "Lu et al. 2019", "CS231n"
  std::string statement;  // what the literature claims, one sentence
  std::string quantity;   // what we measure for it, with its unit
  Rule rule;
  std::string where;  // the place in the source: "fig. 5 and section 5", "Table 1"
  Reading reading = Reading::kPrimary;
  // Empty when the measured configuration is the published one; otherwise how it differs (or
  // that the published configuration is unknown), which caps the verdict at "partly".
  std::string configuration_differs = {};
};

struct ClaimResult {
  Claim claim;
  double value = 0.0;  // the measured quantity
  MeasuredInterval interval;
  Verdict verdict = Verdict::kInconclusive;
  bool straddles = false;  // inconclusive only because the interval crosses a threshold: more
                           // seeds may decide it (`actbench study NAME --until-decided`)
  std::string reason;      // why inconclusive, or why the verdict was capped at "partly"
  std::string measured;    // the figures behind the verdict, short (the README table's cell)
  std::string sentence;    // the results README's sentence, generated from the numbers
};

// Applies the claim's rule to the measurement's interval, then the caps of the claim's reading
// and configuration; the caller then writes `measured` and `sentence`.
ClaimResult decide(const Claim& claim, const Measurement& measurement);

// "[0.61, 0.74] (Wilson 95%)" or "exact: ...".
std::string interval_text(const MeasuredInterval& interval);

// "**Verdict: agrees.** <sentence>" with the interval, the rule and the reason, for a results
// README.
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
