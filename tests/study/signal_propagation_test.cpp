// The signal-propagation study at a tiny size: measured q^l and c^l of random tanh and ReLU
// networks follow the mean-field maps, and the decision rules (the verdict, the separating
// constant c of "trainable iff depth < c xi_c") give what their definitions say.
#include "study/signal_propagation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace actbench::study {
namespace {

TEST(SignalPropagation, WideRandomNetworksFollowTheMaps) {
  // tanh in the chaotic phase (c^l falls towards c* < 1) and ReLU at He (q^l constant).
  const PropagationCurves tanh = measure_propagation("tanh", "test", 2.5, 0.05, 800, 6, 2, 0.5);
  ASSERT_EQ(tanh.q_measured.size(), 6u);
  EXPECT_LT(tanh.max_q_deviation, 0.1);
  // c from 800 units fluctuates by ~1/sqrt(800) = 0.035 a layer, and the errors carry over.
  EXPECT_LT(tanh.max_c_deviation, 0.15);
  EXPECT_LT(tanh.c_theory.back(), tanh.c_theory.front() - 0.02);  // chaotic: c falls
  const PropagationCurves relu = measure_propagation("relu", "test", 2.0, 0.0, 800, 6, 2, 0.5);
  EXPECT_NEAR(relu.q_theory.back(), relu.q_theory.front(), 1e-12);
  EXPECT_LT(relu.max_q_deviation, 0.15);
  // A deliberately wrong map (measured at sigma_w2 = 3, compared with the theory of 2.5) fails.
  PropagationCurves wrong = measure_propagation("tanh", "test", 3.0, 0.05, 800, 6, 2, 0.5);
  wrong.q_theory = tanh.q_theory;
  double deviation = 0.0;
  for (size_t l = 0; l < wrong.q_measured.size(); ++l)
    deviation = std::max(deviation, std::abs(wrong.q_measured[l] / wrong.q_theory[l] - 1.0));
  EXPECT_GT(deviation, 0.1);
}

// Cells with xi_c in {2, 5, 10} and depths 5-50, trainable exactly when depth < c_true xi_c,
// sigma_w2 below 1.5 ordered, above chaotic; `flip` cells (from the deepest trainable) wrong.
std::vector<TrainabilityCell> cells_split_at(double c_true, int flip = 0) {
  std::vector<TrainabilityCell> cells;
  const std::vector<std::pair<double, double>> rows = {{1.0, 2.0}, {1.25, 5.0}, {2.0, 10.0}};
  for (const auto& [sigma_w2, xi] : rows)
    for (int depth : {5, 10, 20, 30, 50, 70, 100}) {
      TrainabilityCell cell;
      cell.sigma_w2 = sigma_w2;
      cell.xi_c = xi;
      cell.depth = depth;
      cell.trainable = depth < c_true * xi;
      cells.push_back(cell);
    }
  for (int i = 0; i < flip && i < static_cast<int>(cells.size()); ++i)
    cells[i].trainable = !cells[i].trainable;
  return cells;
}

// A summary where every claim holds; each test below breaks one part of it.
SignalPropagationSummary agreeing_summary() {
  SignalPropagationSummary s;
  s.at_init.resize(4);
  for (auto& r : s.at_init) {
    r.activation = "a";
    r.point = "p";
    r.max_q_deviation = 0.01;
    r.max_c_deviation = 0.01;
  }
  s.steps = {50, 100};
  // Trainable exactly below 6 xi_c, as published, repeated so the Wilson interval is narrow.
  std::vector<TrainabilityCell> cells;
  for (int k = 0; k < 20; ++k) {
    const auto part = cells_split_at(6.0);
    cells.insert(cells.end(), part.begin(), part.end());
  }
  s.cells_by_length = {cells, cells};
  s.critical_sigma_w2 = 1.5;
  s.deepest = 100;
  auto row = [](const std::string& activation, const std::string& init,
                std::vector<double> accuracy) {
    EdgeOfChaosRow r;
    r.activation = activation;
    r.init = init;
    r.depth = 100;
    r.final_accuracy = accuracy;
    r.seeds = {0, 1, 2};
    r.runs = 3;
    r.sigma_w2 = init == "standard" ? 2.0 : 1.5;
    return r;
  };
  s.edge_of_chaos = {row("relu", "He = edge of chaos", {0.5, 0.52, 0.48}),
                     row("silu", "edge of chaos", {0.9, 0.91, 0.89}),
                     row("silu", "standard", {0.6, 0.62, 0.58}),
                     row("elu", "edge of chaos", {0.85, 0.86, 0.84}),
                     row("elu", "standard", {0.8, 0.81, 0.79}),
                     row("tanh", "edge of chaos", {0.85, 0.87, 0.86}),
                     row("tanh", "standard", {0.8, 0.81, 0.8})};
  return s;
}

const ClaimResult& claim_named(const std::vector<ClaimResult>& results, const std::string& id) {
  for (const auto& r : results)
    if (r.claim.id == "signal_propagation." + id) return r;
  throw std::runtime_error("no claim " + id);
}

EdgeOfChaosRow& row_of(SignalPropagationSummary& s, const std::string& activation,
                       const std::string& init) {
  for (auto& r : s.edge_of_chaos)
    if (r.activation == activation && r.init == init) return r;
  throw std::runtime_error("no row");
}

TEST(SignalPropagation, EveryClaimAgreesWhenItsIntervalLiesInTheBand) {
  const auto results = decide_signal_propagation(agreeing_summary());
  ASSERT_EQ(results.size(), 4u);
  for (const auto& r : results) {
    EXPECT_EQ(r.verdict, Verdict::kAgrees) << r.claim.id << ": " << r.reason;
    EXPECT_FALSE(r.claim.where.empty()) << r.claim.id;
  }
  EXPECT_EQ(claim_named(results, "silu_deeper").sentence.find("repels"), std::string::npos);
}

TEST(SignalPropagation, MapsClaimCountsRows) {
  SignalPropagationSummary s = agreeing_summary();
  // One row of four outside the tolerance: partly; two: does not agree.
  s.at_init[0].max_c_deviation = 0.2;
  EXPECT_EQ(claim_named(decide_signal_propagation(s), "maps_predict").verdict, Verdict::kPartly);
  s.at_init[1].max_q_deviation = 0.5;
  const auto results = decide_signal_propagation(s);
  EXPECT_EQ(claim_named(results, "maps_predict").verdict, Verdict::kDoesNotAgree);
  EXPECT_NE(claim_named(results, "maps_predict").sentence.find("2 of 4"), std::string::npos);
}

TEST(SignalPropagation, SixXiCIsTestedAsPublished) {
  SignalPropagationSummary s = agreeing_summary();
  // Trainable below 1 xi_c: c = 6 misclassifies 9 of 21 cells, whatever c fits best.
  std::vector<TrainabilityCell> cells;
  for (int k = 0; k < 20; ++k) {
    const auto part = cells_split_at(1.0);
    cells.insert(cells.end(), part.begin(), part.end());
  }
  s.cells_by_length.back() = cells;
  auto r = claim_named(decide_signal_propagation(s), "six_xi_c");
  EXPECT_EQ(r.verdict, Verdict::kDoesNotAgree) << r.reason << " " << r.sentence;
  EXPECT_GT(r.interval.high, r.interval.low);
  EXPECT_NE(r.interval.method.find("Wilson"), std::string::npos);
  // The fitted constant is reported with its tie range, per phase, beside the published one.
  EXPECT_NE(r.sentence.find("ordered cells"), std::string::npos) << r.sentence;
  EXPECT_NE(r.sentence.find("chaotic cells"), std::string::npos) << r.sentence;
  EXPECT_NE(r.sentence.find("any c from"), std::string::npos) << r.sentence;
  // A few cells only, 19 of 21 right: Wilson [0.71, 0.97] straddles 0.9: inconclusive.
  s.cells_by_length.back() = cells_split_at(6.0, 2);
  r = claim_named(decide_signal_propagation(s), "six_xi_c");
  EXPECT_EQ(r.verdict, Verdict::kInconclusive) << r.reason;
  EXPECT_TRUE(r.straddles);
  // No cell trained: the runs cannot say where the boundary is.
  for (auto& cell : s.cells_by_length.back()) cell.trainable = false;
  r = claim_named(decide_signal_propagation(s), "six_xi_c");
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_NE(r.reason.find("no cell trained"), std::string::npos) << r.reason;
}

TEST(SignalPropagation, SiluClaimNeedsArmsThatTrainedAndDiffer) {
  SignalPropagationSummary s = agreeing_summary();
  // SiLU below ReLU beyond the noise: does not agree; within it: inconclusive.
  row_of(s, "silu", "edge of chaos").final_accuracy = {0.3, 0.31, 0.29};
  EXPECT_EQ(claim_named(decide_signal_propagation(s), "silu_deeper").verdict,
            Verdict::kDoesNotAgree);
  row_of(s, "silu", "edge of chaos").final_accuracy = {0.3, 0.7, 0.55};
  EXPECT_EQ(claim_named(decide_signal_propagation(s), "silu_deeper").verdict,
            Verdict::kInconclusive);
  // Every SiLU run diverged in both arms, whose inits are nearly one point: inconclusive.
  s = agreeing_summary();
  for (const std::string init : {"edge of chaos", "standard"}) {
    row_of(s, "silu", init).final_accuracy = {0.0, 0.0, 0.0};
    row_of(s, "silu", init).failed = 3;
  }
  row_of(s, "silu", "edge of chaos").sigma_w2 = 2.81;
  row_of(s, "silu", "standard").sigma_w2 = 2.82;
  s.silu_edge_length_slope = 1.1;
  const auto r = claim_named(decide_signal_propagation(s), "silu_deeper");
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_NE(r.reason.find("every SiLU arm failed"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("indistinguishable"), std::string::npos) << r.reason;
  EXPECT_NE(r.sentence.find("slope is 1.100 > 1, so q* repels"), std::string::npos);
}

TEST(SignalPropagation, EdgeClaimFollowsItsSeedInterval) {
  SignalPropagationSummary s = agreeing_summary();
  // The edge of chaos below the standard init on every seed: does not agree.
  for (const std::string activation : {"elu", "tanh", "silu"})
    row_of(s, activation, "edge of chaos").final_accuracy = {0.5, 0.52, 0.49};
  EXPECT_EQ(claim_named(decide_signal_propagation(s), "edge_beats_standard").verdict,
            Verdict::kDoesNotAgree);
  // Up on one seed, down on another: inconclusive.
  s = agreeing_summary();
  for (const std::string activation : {"elu", "tanh", "silu"})
    row_of(s, activation, "edge of chaos").final_accuracy = {0.95, 0.5, 0.8};
  const auto straddling = claim_named(decide_signal_propagation(s), "edge_beats_standard");
  EXPECT_EQ(straddling.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(straddling.straddles);
  // Every arm of every activation diverged: inconclusive, not "agrees" on 0 - 0.
  s = agreeing_summary();
  for (auto& r : s.edge_of_chaos) r.final_accuracy = {0.0, 0.0, 0.0};
  const auto none = claim_named(decide_signal_propagation(s), "edge_beats_standard");
  EXPECT_EQ(none.verdict, Verdict::kInconclusive);
  EXPECT_NE(none.reason.find("every arm"), std::string::npos) << none.reason;
  // A missing run decides nothing.
  s = agreeing_summary();
  s.edge_of_chaos.pop_back();
  EXPECT_EQ(claim_named(decide_signal_propagation(s), "edge_beats_standard").verdict,
            Verdict::kInconclusive);
}

TEST(SignalPropagation, BestSeparationFindsTheConstantThatSplitsTheCells) {
  // Trainable exactly when depth < 4 xi_c.
  std::vector<TrainabilityCell> cells;
  for (double xi : {2.0, 5.0, 10.0})
    for (int depth : {5, 10, 20, 30, 50}) {
      TrainabilityCell cell;
      cell.xi_c = xi;
      cell.depth = depth;
      cell.trainable = depth < 4.0 * xi;
      cells.push_back(cell);
    }
  const Separation s = best_separation(cells);
  EXPECT_EQ(s.misclassified, 0);
  EXPECT_EQ(s.cells, 15);
  // Any c in (3, 4] separates these cells (30 < 3 xi_c fails for xi_c = 10, 20 < 4 * 5 fails):
  // the tie range is 3.05 to 4 on the 0.05 grid, and every c in it classifies every cell right.
  EXPECT_NEAR(s.c, 3.05, 1e-9);
  EXPECT_NEAR(s.c_max, 4.0, 1e-9);
  for (const auto& cell : cells) EXPECT_EQ(cell.depth < s.c * cell.xi_c, cell.trainable);
  // 10 < 6 * 2, 20 < 6 * 5 and 50 < 6 * 10 call untrainable cells trainable.
  EXPECT_EQ(classify_with(cells, 6.0).right, 12);
}

}  // namespace
}  // namespace actbench::study
