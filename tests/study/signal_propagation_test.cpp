// The signal-propagation study at a tiny size: measured q^l and c^l of random tanh and ReLU
// networks follow the mean-field maps, and the decision rules (the verdict, the separating
// constant c of "trainable iff depth < c xi_c") give what their definitions say.
#include "study/signal_propagation.hpp"

#include <gtest/gtest.h>

#include <cmath>

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
  s.separations = {{4.0, 3, 20}, {5.5, 1, 20}};
  s.deepest = 100;
  auto row = [](const std::string& activation, const std::string& init, double accuracy) {
    EdgeOfChaosRow r;
    r.activation = activation;
    r.init = init;
    r.depth = 100;
    r.final_accuracy = {accuracy, accuracy};
    r.runs = 2;
    return r;
  };
  s.edge_of_chaos = {row("relu", "He = edge of chaos", 0.5),
                     row("silu", "edge of chaos", 0.9),
                     row("silu", "He", 0.6),
                     row("elu", "edge of chaos", 0.8),
                     row("elu", "He", 0.8),
                     row("tanh", "edge of chaos", 0.85),
                     row("tanh", "Xavier", 0.8)};
  return s;
}

Verdict verdict_of(const std::vector<ClaimResult>& results, const std::string& id) {
  for (const auto& r : results)
    if (r.claim.id == id) return r.verdict;
  ADD_FAILURE() << "no claim " << id;
  return Verdict::kDoesNotAgree;
}

TEST(SignalPropagation, EachVerdictFollowsTheNumbers) {
  SignalPropagationSummary s = agreeing_summary();
  auto results = decide_signal_propagation(s);
  ASSERT_EQ(results.size(), 5u);
  for (const auto& r : results) EXPECT_EQ(r.verdict, Verdict::kAgrees) << r.claim.id;
  EXPECT_NE(results[2].sentence.find("c = 5.5 after 100 steps"), std::string::npos);
  EXPECT_NE(results[2].sentence.find("so c grows with training length"), std::string::npos)
      << results[2].sentence;
  EXPECT_EQ(results[3].sentence.find("repels"), std::string::npos);

  // One row of four outside the tolerance: partly; two: does not agree.
  s.at_init[0].max_c_deviation = 0.2;
  EXPECT_EQ(verdict_of(decide_signal_propagation(s), "signal_propagation.maps_predict"),
            Verdict::kPartly);
  s.at_init[1].max_q_deviation = 0.5;
  results = decide_signal_propagation(s);
  EXPECT_EQ(verdict_of(results, "signal_propagation.maps_predict"), Verdict::kDoesNotAgree);
  EXPECT_NE(results[0].sentence.find("2 of 4"), std::string::npos);

  // The separation: 4 of 20 cells wrong is 80% (partly); c = 2.5 is a factor 2.4 below 6.
  s = agreeing_summary();
  s.separations.back() = {2.5, 4, 20};
  results = decide_signal_propagation(s);
  EXPECT_EQ(verdict_of(results, "signal_propagation.xi_c_separates"), Verdict::kPartly);
  EXPECT_EQ(verdict_of(results, "signal_propagation.six_xi_c"), Verdict::kPartly);
  s.separations.back() = {1.5, 8, 20};
  results = decide_signal_propagation(s);
  EXPECT_EQ(verdict_of(results, "signal_propagation.xi_c_separates"), Verdict::kDoesNotAgree);
  EXPECT_EQ(verdict_of(results, "signal_propagation.six_xi_c"), Verdict::kDoesNotAgree);

  // SiLU no better than ReLU; the edge of chaos below the standard init.
  s = agreeing_summary();
  s.edge_of_chaos[1].final_accuracy = {0.4, 0.4};
  s.edge_of_chaos[1].failed = 1;
  s.silu_edge_length_slope = 1.1;
  results = decide_signal_propagation(s);
  EXPECT_NE(results[3].sentence.find("1 of SiLU's 2 runs there diverged"), std::string::npos)
      << results[3].sentence;
  EXPECT_NE(results[3].sentence.find("slope is 1.100 > 1, so q* repels"), std::string::npos);
  EXPECT_EQ(verdict_of(results, "signal_propagation.silu_deeper"), Verdict::kDoesNotAgree);
  EXPECT_EQ(verdict_of(results, "signal_propagation.edge_beats_standard"), Verdict::kDoesNotAgree);
  // A missing run never agrees.
  s = agreeing_summary();
  s.edge_of_chaos.pop_back();
  EXPECT_EQ(verdict_of(decide_signal_propagation(s), "signal_propagation.edge_beats_standard"),
            Verdict::kDoesNotAgree);
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
  // Any c in (3, 4] separates these cells (30 < 3 xi_c fails for xi_c = 10, 20 < 4 * 5 fails);
  // the rule returns the smallest on its 0.05 grid, and it classifies every cell right.
  EXPECT_NEAR(s.c, 3.05, 1e-9);
  for (const auto& cell : cells) EXPECT_EQ(cell.depth < s.c * cell.xi_c, cell.trainable);
}

}  // namespace
}  // namespace actbench::study
