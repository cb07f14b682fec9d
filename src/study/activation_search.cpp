// The activation search study's measuring layer: the search of src/search/ run from the study's
// search file (quick or full) into results/activation_search/search/, the final round's runs read
// back per member and setting, each member's Swish fit, and the baselines' curves on the search's
// grid (to say which candidate spells each of them).
#include "study/activation_search.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>

#include "model/activation.hpp"
#include "model/properties.hpp"
#include "search/deduplicate.hpp"
#include "search/search_file.hpp"
#include "study/study.hpp"
#include "study/study_support.hpp"

namespace actbench::study {
namespace activation_search_internal {

constexpr const char* kQuickFile = "experiments/activation_search_quick.yaml";
constexpr const char* kFullFile = "experiments/activation_search_full.yaml";

search::Curve baseline_curve(const std::string& name, const std::vector<double>& grid) {
  core::ComponentSpec spec;
  spec.name = name;
  const model::ResolvedActivation activation = model::resolve_activation(spec);
  const model::ActivationCurve curve = model::evaluate_activation(
      activation, torch::tensor(grid, torch::TensorOptions().dtype(torch::kFloat64)));
  const torch::Tensor f = curve.f.to(torch::kFloat64).contiguous();
  const torch::Tensor df = curve.df.to(torch::kFloat64).contiguous();
  search::Curve out;
  out.f.assign(f.data_ptr<double>(), f.data_ptr<double>() + f.numel());
  out.df.assign(df.data_ptr<double>(), df.data_ptr<double>() + df.numel());
  return out;
}

FinalSetting read_final(const std::string& title, const std::filesystem::path& directory,
                        int64_t classes, const SearchStudyMeasurements& m) {
  FinalSetting s;
  s.title = title;
  s.directory = directory;
  s.chance = 1.0 / static_cast<double>(classes);
  const search::RoundScores scores = search::read_round_scores(directory);
  const std::vector<double> grid = search::dedup_grid(m.outcome.spec.dedup);
  auto add = [&](const std::string& name, bool baseline, const std::vector<double>& f) {
    FinalMember member;
    member.name = name;
    member.baseline = baseline;
    const search::SwishFit fit = search::fit_swish(f, grid);
    member.swish_beta = fit.beta;
    member.swish_error = fit.relative_error;
    member.swish_like = fit.relative_error <= kSwishLikeTolerance;
    const auto found = scores.accuracies.find(name);
    if (found != scores.accuracies.end()) member.accuracies = found->second;
    const auto failed = scores.failed.find(name);
    if (failed != scores.failed.end()) member.failed = failed->second;
    s.members.push_back(std::move(member));
  };
  for (size_t i : m.outcome.finalists) {
    const auto& c = m.outcome.candidates[i];
    add(c.function.name, false, c.function.curve.f);
  }
  for (const auto& name : m.outcome.spec.baselines) add(name, true, m.baseline_curves.at(name).f);
  return s;
}

std::filesystem::path run_activation_search(const StudyOptions& options) {
  const auto out = output_dir(options, "activation_search");
  SearchStudyMeasurements m;
  m.full = options.full;
  m.search_file = options.full ? kFullFile : kQuickFile;
  search::SearchSpec spec = search::read_search_file(m.search_file);
  // --pack K: the search's packs hold at most K members (1: every run alone) instead of the
  // search file's `pack`.
  if (options.pack > 0) spec.pack = options.pack;
  search::SearchRunOptions run;
  run.out = out / "search";
  run.workers = options.workers;
  run.executable = options.executable;
  run.log = options.log;
  const auto start = std::chrono::steady_clock::now();
  m.outcome = search::run_search(spec, run);
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::vector<double> grid = search::dedup_grid(spec.dedup);
  for (const auto& name : spec.baselines) m.baseline_curves[name] = baseline_curve(name, grid);
  m.final_round.proxy =
      read_final(spec.proxy.title, m.outcome.final_proxy_directory, spec.proxy.classes, m);
  m.final_round.has_second = spec.has_second;
  if (spec.has_second)
    m.final_round.second =
        read_final(spec.second.title, m.outcome.final_second_directory, spec.second.classes, m);
  const std::vector<ClaimResult> claims = decide_search(m.final_round);
  write_verdicts(out / "verdicts.json", "activation_search", options.full ? "full" : "quick",
                 claims);
  return write_search_study(out, m, claims);
}

}  // namespace activation_search_internal
using namespace activation_search_internal;

ACTBENCH_REGISTER_STUDY(activation_search) {
  StudyEntry entry;
  entry.name = "activation_search";
  entry.aliases = {"search"};
  entry.description =
      "Ramachandran et al. 2017: an activation search (space, de-duplication, theory screen, "
      "successive halving on a proxy) and its best functions against relu, gelu and silu";
  entry.command = "actbench study activation_search";
  entry.run = run_activation_search;
  entry.grows_seeds = false;
  return entry;
}

}  // namespace actbench::study
