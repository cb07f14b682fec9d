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

TEST(SignalPropagation, VerdictCountsTheRowsWithinTolerance) {
  std::vector<PropagationCurves> rows(4);
  for (auto& r : rows) {
    r.activation = "a";
    r.point = "p";
    r.max_q_deviation = 0.01;
    r.max_c_deviation = 0.01;
  }
  EXPECT_EQ(decide_propagation(rows, 0.1, 0.05).verdict, "agrees");
  rows[0].max_c_deviation = 0.2;
  EXPECT_EQ(decide_propagation(rows, 0.1, 0.05).verdict, "partly");
  rows[1].max_q_deviation = 0.5;
  EXPECT_EQ(decide_propagation(rows, 0.1, 0.05).verdict, "does not agree");
  EXPECT_NE(decide_propagation(rows, 0.1, 0.05).reason.find("2 of 4"), std::string::npos);
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
