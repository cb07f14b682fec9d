// The dying-ReLU study's claims at small sizes, its dead-unit masks and its decide layer:
// - the catalogue finds the zero-derivative half-lines from the modules (ReLU's, relu6's and
//   hard_tanh's) and none where f' merely rounds to 0 (tanh in float64, SiLU);
// - a numerically zero SiLU derivative is dead but not structurally dead; the same units under
//   ReLU are structurally dead;
// - a ReLU run on MNIST at a dying setting (Adam, large learning rate) has dead units, and its
//   dead_units.pt names exactly the units whose pre-activation is never positive on the probe set
//   of the saved weights; a leaky ReLU run at the same setting has no structurally dead unit;
// - masks round-trip through the file (numpy.packbits' bit order) and revival is counted per unit;
// - each claim's verdict and sentence follow the numbers fed to it, for every outcome.
#include "study/dying_relu.hpp"

#include <gtest/gtest.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include <cmath>

#include "app/commands.hpp"
#include "core/files.hpp"
#include "data/dataset.hpp"
#include "model/properties.hpp"
#include "probe/probes.hpp"
#include "store/dead_unit_masks.hpp"
#include "study/claims.hpp"
#include "study/study_support.hpp"
#include "support/run_helpers.hpp"

namespace actbench::study {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ZeroDerivativeHalfLines, TheCatalogueFindsThemFromTheModuleNotTheName) {
  struct Expected {
    const char* name;
    double below, above;
  };
  for (const Expected& e :
       {Expected{"relu", 0.0, kInf}, Expected{"relu6", 0.0, 6.0}, Expected{"hard_tanh", -1.0, 1.0},
        Expected{"leaky_relu", -kInf, kInf}, Expected{"prelu", -kInf, kInf},
        Expected{"elu", -kInf, kInf}, Expected{"gelu", -kInf, kInf}, Expected{"silu", -kInf, kInf},
        Expected{"tanh", -kInf, kInf}, Expected{"sigmoid", -kInf, kInf}}) {
    const auto p = model::compute_properties(model::default_activation(e.name));
    for (const auto& [measured, expected] :
         {std::make_pair(p.flat_below, e.below), std::make_pair(p.flat_above, e.above)}) {
      if (std::isinf(expected)) {
        EXPECT_EQ(measured, expected) << e.name;
      } else {
        EXPECT_NEAR(measured, expected, 1e-9) << e.name;
      }
    }
  }
}

// A 4-input MLP with one hidden layer of 8 units, the first three pushed to z ~ -200, where
// SiLU's float32 derivative is exactly 0 and ReLU's is 0 by definition.
std::vector<probe::LayerProbe> probe_with_units_far_left(const std::string& activation) {
  BuiltNetwork built = build_for_shape(
      spec_from_overrides({"model.hidden=[8]", "model.activation=" + activation}), {1, 1, 4, 3});
  {
    torch::NoGradGuard no_grad;
    torch::manual_seed(1);
    for (auto& item : built.network->named_parameters()) {
      if (item.key() == "fc1.bias") {
        item.value().fill_(0.5);
        item.value().narrow(0, 0, 3).fill_(-200.0);
      }
      if (item.key() == "fc1.weight") item.value().copy_(torch::randn({8, 4}) * 0.1);
    }
  }
  const at::Tensor x = torch::rand({64, 4}) * 2 - 1;
  const at::Tensor y = torch::randint(0, 3, {64}, torch::kLong);
  return probe::measure_layers(*built.network, x, y, 0.05);
}

TEST(DeadUnits, ANumericallyZeroSiluDerivativeIsNotStructuralDeath) {
  const auto silu = probe_with_units_far_left("silu");
  ASSERT_EQ(silu.size(), 1u);
  EXPECT_DOUBLE_EQ(silu[0].dead_fraction, 3.0 / 8.0);  // f' rounded to 0 on every sample
  EXPECT_EQ(silu[0].structural_dead_fraction, 0.0);
  EXPECT_EQ(silu[0].structural_dead_units.sum().item<int64_t>(), 0);
  const at::Tensor expected = torch::tensor({1, 1, 1, 0, 0, 0, 0, 0}).to(torch::kBool);
  EXPECT_TRUE(torch::equal(silu[0].dead_units, expected));

  const auto relu = probe_with_units_far_left("relu");
  EXPECT_DOUBLE_EQ(relu[0].dead_fraction, 3.0 / 8.0);
  EXPECT_DOUBLE_EQ(relu[0].structural_dead_fraction, 3.0 / 8.0);
  EXPECT_TRUE(torch::equal(relu[0].structural_dead_units, expected));
}

TEST(DeadUnitMasks, RoundTripInNumpysBitOrderAndCountRevivals) {
  store::DeadUnitMasks masks;
  masks.epochs = {0, 1, 1};
  masks.steps = {0, 10, 20};
  store::LayerMasks layer;
  layer.name = "fc1";
  layer.units = 11;  // not a multiple of 8
  layer.dead = torch::zeros({3, 11}, torch::kBool);
  layer.dead[0][0] = true;                      // unit 0 dead, then back
  layer.dead[1][0] = layer.dead[1][1] = true;   // unit 1 dead to the end
  layer.dead[2][1] = layer.dead[2][10] = true;  // unit 10 dead only at the end
  layer.structural = layer.dead.clone();
  layer.structural_known = {true, true, true};
  masks.layers.push_back(layer);

  actbench::testing::TempDir dir;
  const auto bytes = store::encode_dead_unit_masks(masks);
  const auto file = dir.write("dead_units.pt", std::string(bytes.begin(), bytes.end()));
  const store::DeadUnitMasks read = store::read_dead_unit_masks(file);
  ASSERT_EQ(read.layers.size(), 1u);
  EXPECT_EQ(read.steps, masks.steps);
  EXPECT_EQ(read.layers[0].units, 11);
  EXPECT_TRUE(torch::equal(read.layers[0].dead, layer.dead));

  // numpy.unpackbits order: unit 0 is the high bit of byte 0, unit 10 bit 5 of byte 1.
  const auto dict = torch::pickle_load(bytes).toGenericDict();
  const at::Tensor packed = dict.at("fc1.dead").toTensor();
  ASSERT_EQ(packed.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(packed[0][0].item<int64_t>(), 0x80);
  EXPECT_EQ(packed[1][0].item<int64_t>(), 0xC0);
  EXPECT_EQ(packed[2][1].item<int64_t>(), 0x20);

  const store::Revival r = store::revival(read.layers[0], true);
  EXPECT_EQ(r.ever_dead, 2);  // units 0 and 1 before the last record
  EXPECT_EQ(r.revived, 1);    // unit 0
  EXPECT_DOUBLE_EQ(r.revived_fraction(), 0.5);
}

const char* const kDyingMnist = R"(name: dying
data: {dataset: mnist, batch_size: 128, train_subset: 6000, test_subset: 500}
model: {hidden: [64, 64], activation: relu, init: xavier_uniform}
optim: {name: adam, lr: 0.05, schedule: {name: constant}}
train: {epochs: 1, divergence_threshold: 0}
probes: {every_steps: 10, probe_samples: 256}
)";

// The units whose pre-activation is never positive on the run's probe set (its first 256
// training images), from the saved weights: independent of the probes and the mask file.
std::vector<at::Tensor> never_positive_units(const std::filesystem::path& run_dir) {
  const app::PreparedRun prepared = app::prepare_run((run_dir / "config.yaml").string(), {});
  model::Network network = model::build_network(prepared.plan, prepared.spec.model, torch::kCPU);
  const std::string bytes = core::read_file(run_dir / "weights.pt");
  const auto weights = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
  torch::NoGradGuard no_grad;
  for (const auto& item : weights.toGenericDict())
    network->named_parameters()[item.key().toStringRef()].copy_(item.value().toTensor());
  data::LoadOptions load;
  load.root = actbench::testing::data_root();
  load.train_subset = 6000;
  load.test_subset = 1;
  const data::Dataset mnist = data::load_dataset("mnist", load);
  LayerRecorder recorder;
  network->eval();
  network->forward(mnist.train.images.slice(0, 0, 256), &recorder);
  std::vector<at::Tensor> out;
  for (const auto& pre : recorder.pre) out.push_back((pre > 0).any(0).logical_not());
  return out;
}

TEST(DyingReluTraining, AReluRunAtADyingSettingHasDeadUnitsAndItsMaskSaysWhich) {
  actbench::testing::TempDir dir;
  const auto outcome = actbench::testing::run_config(
      dir, kDyingMnist, {"data.root=" + actbench::testing::data_root()});
  ASSERT_EQ(outcome.status, core::RunStatus::kCompleted);
  const store::DeadUnitMasks masks =
      store::read_dead_unit_masks(outcome.directory / store::kDeadUnitsFile);
  ASSERT_EQ(masks.layers.size(), 2u);
  ASSERT_GE(masks.steps.size(), 4u);  // init, every 10 steps, the end
  const auto expected = never_positive_units(outcome.directory);
  int64_t dead_at_end = 0;
  for (size_t i = 0; i < 2; ++i) {
    const auto& layer = masks.layers[i];
    const at::Tensor last = layer.dead[layer.dead.size(0) - 1];
    EXPECT_TRUE(torch::equal(last, expected[i])) << layer.name;
    EXPECT_TRUE(torch::equal(layer.structural[layer.dead.size(0) - 1], last)) << layer.name;
    dead_at_end += last.sum().item<int64_t>();
  }
  EXPECT_GE(dead_at_end, 13) << "at least a tenth of the 128 units should die at Adam lr 0.05";
  const auto summary = actbench::testing::read_json(outcome.directory / "summary.json");
  EXPECT_NEAR(summary["layers"][0]["structural_dead_fraction"].get<double>(),
              masks.layers[0].dead[-1].sum().item<double>() / 64.0, 1e-12);
}

TEST(DyingReluTraining, ALeakyReluRunAtTheSameSettingHasNoStructurallyDeadUnit) {
  actbench::testing::TempDir dir;
  const auto outcome = actbench::testing::run_config(
      dir, kDyingMnist,
      {"data.root=" + actbench::testing::data_root(), "model.activation=leaky_relu"});
  ASSERT_EQ(outcome.status, core::RunStatus::kCompleted);
  const store::DeadUnitMasks masks =
      store::read_dead_unit_masks(outcome.directory / store::kDeadUnitsFile);
  ASSERT_EQ(masks.layers.size(), 2u);
  for (const auto& layer : masks.layers) {
    EXPECT_EQ(layer.structural.sum().item<int64_t>(), 0) << layer.name;
    EXPECT_EQ(layer.dead.sum().item<int64_t>(), 0) << layer.name;  // slope 0.01, never f' = 0
  }
  const std::string csv = core::read_file(outcome.directory / "metrics.csv");
  EXPECT_NE(csv.find(",fc1,structural_dead_fraction,0\n"), std::string::npos);
}

// ---- The decide layer, fed made-up numbers.

DyingRun run(const std::string& optimiser, const std::string& activation, double lr,
             double final_structural, double accuracy = 0.95) {
  DyingRun r;
  r.setting = "MNIST MLP";
  r.optimiser = optimiser;
  r.activation = activation;
  r.has_flat_half_line = activation == "relu";
  r.lr = lr;
  r.status = "completed";
  r.test_accuracy = accuracy;
  r.worst_layer = "fc1";
  r.final_dead = r.final_structural = r.peak_dead = r.peak_structural = final_structural;
  return r;
}

const ClaimResult& claim(const std::vector<ClaimResult>& results, const std::string& id) {
  for (const auto& r : results)
    if (r.claim.id == id) return r;
  throw std::runtime_error("no claim " + id);
}

TEST(DyingReluDecide, ReluDiesVerdictFollowsTheDeadFractions) {
  auto measure = [](double momentum_dead, double adam_dead) {
    TrainingMeasurements m;
    m.runs = {run("SGD", "relu", 0.1, 0.0), run("SGD + momentum 0.9", "relu", 0.1, momentum_dead),
              run("Adam", "relu", 0.01, adam_dead)};
    return claim(decide_training(m), "dying_relu.relu_dies");
  };
  const ClaimResult agrees = measure(0.6, 0.45), partly = measure(0.6, 0.1),
                    none = measure(0.01, 0.02);
  EXPECT_EQ(agrees.verdict, Verdict::kAgrees);
  EXPECT_EQ(partly.verdict, Verdict::kPartly);
  EXPECT_EQ(none.verdict, Verdict::kDoesNotAgree);
  EXPECT_DOUBLE_EQ(agrees.value, 0.45);
  EXPECT_NE(agrees.sentence.find("60.0% of fc1 dead at lr 0.1"), std::string::npos)
      << agrees.sentence;
  EXPECT_NE(agrees.sentence, partly.sentence);
  EXPECT_NE(none.sentence.find("not reproduced"), std::string::npos) << none.sentence;
  EXPECT_EQ(agrees.sentence.find("not reproduced"), std::string::npos) << agrees.sentence;
}

TEST(DyingReluDecide, OthersAndRevivalAndCostVerdictsFollowTheNumbers) {
  auto decide_with = [](double leaky_structural, double silu_numerical, int64_t revived,
                        double leaky_accuracy) {
    TrainingMeasurements m;
    DyingRun relu = run("Adam", "relu", 0.01, 0.5, 0.90);
    relu.ever_dead = 100;
    relu.revived = revived;
    DyingRun leaky = run("Adam", "leaky_relu", 0.01, leaky_structural, leaky_accuracy);
    DyingRun silu = run("Adam", "silu", 0.01, 0.0);
    silu.peak_numerical = silu.peak_dead = silu_numerical;
    m.runs = {relu, leaky, silu};
    return decide_training(m);
  };
  const auto good = decide_with(0.0, 0.3, 0, 0.95);
  const auto bad = decide_with(0.05, 0.0, 50, 0.90);
  const auto& others_good = claim(good, "dying_relu.others_do_not_die");
  const auto& others_bad = claim(bad, "dying_relu.others_do_not_die");
  EXPECT_EQ(others_good.verdict, Verdict::kAgrees);
  EXPECT_EQ(others_bad.verdict, Verdict::kDoesNotAgree);
  EXPECT_NE(others_good.sentence.find("30.0%"), std::string::npos) << others_good.sentence;
  EXPECT_NE(others_good.sentence.find("Numerical death"), std::string::npos);
  EXPECT_EQ(others_bad.sentence.find("Numerical death"), std::string::npos);

  EXPECT_EQ(claim(good, "dying_relu.no_revival").verdict, Verdict::kAgrees);
  EXPECT_EQ(claim(decide_with(0, 0, 10, 0.95), "dying_relu.no_revival").verdict, Verdict::kPartly);
  const auto& revived = claim(bad, "dying_relu.no_revival");
  EXPECT_EQ(revived.verdict, Verdict::kDoesNotAgree);
  EXPECT_NE(revived.sentence.find("50 (50.0%)"), std::string::npos) << revived.sentence;
  EXPECT_NE(revived.sentence.find("can come back"), std::string::npos);

  const auto& cost = claim(good, "dying_relu.cost");
  EXPECT_EQ(cost.verdict, Verdict::kAgrees);
  EXPECT_NEAR(cost.value, 0.05, 1e-12);
  EXPECT_EQ(claim(bad, "dying_relu.cost").verdict, Verdict::kDoesNotAgree);
  EXPECT_NE(claim(bad, "dying_relu.cost").sentence.find("cost ReLU no accuracy"),
            std::string::npos);
}

TEST(DyingReluDecide, BornDeadVerdictsFollowTheCounts) {
  auto measure = [](bool formula_exact, int64_t rai_constant) {
    BornDeadMeasurements m;
    m.widths = {3};
    m.max_depth = 30;
    m.trials = 1000;
    m.inits = {{"symmetric", {}, true, false}, {"rai", {}, false, true}};
    BornDeadCell sym, rai;
    sym.trials = rai.trials = 1000;
    for (int64_t d = 1; d <= 30; ++d) {
      const double p = born_dead_formula(3, d);
      sym.dead_at_input.push_back(formula_exact ? std::llround(1000 * p) : std::llround(500 * p));
      sym.constant_on_set.push_back(900);
      rai.dead_at_input.push_back(0);
      rai.constant_on_set.push_back(rai_constant);
    }
    m.cells = {{sym}, {rai}};
    return decide_born_dead(m);
  };
  const auto good = measure(true, 500);
  const auto bad = measure(false, 900);
  EXPECT_EQ(good[0].verdict, Verdict::kAgrees);
  EXPECT_EQ(bad[0].verdict, Verdict::kDoesNotAgree);
  EXPECT_NE(good[0].sentence, bad[0].sentence);
  EXPECT_EQ(good[1].verdict, Verdict::kAgrees);
  EXPECT_EQ(measure(true, 800)[1].verdict, Verdict::kPartly);
  EXPECT_EQ(bad[1].verdict, Verdict::kDoesNotAgree);
  EXPECT_NE(good[1].sentence.find("90.0%"), std::string::npos) << good[1].sentence;
  EXPECT_NE(bad[1].sentence.find("not born dead less often"), std::string::npos);
}

TEST(StudyReadmeTable, TheCommittedTableIsTheOneTheVerdictsGenerate) {
  const std::filesystem::path root = ACTBENCH_SOURCE_DIR;
  const std::string readme = core::read_file(root / "README.md");
  EXPECT_EQ(readme_table_block(readme), "\n" + readme_study_table(root / "results"))
      << "regenerate it: ./build/actbench study --readme-table";
}

TEST(StudyReadmeTable, ReplacingNeedsBothMarkersInOrder) {
  const std::string text =
      std::string("a\n") + kReadmeTableBegin + "\nold\n" + kReadmeTableEnd + "\nb\n";
  EXPECT_EQ(replace_readme_table(text, "new\n"),
            std::string("a\n") + kReadmeTableBegin + "\nnew\n" + kReadmeTableEnd + "\nb\n");
  EXPECT_THROW(replace_readme_table("no markers", "x"), Error);
  EXPECT_THROW(replace_readme_table(std::string(kReadmeTableEnd) + kReadmeTableBegin, "x"), Error);
}

TEST(Claims, RulesGiveEachVerdict) {
  const Rule at_least{Rule::Direction::kAtLeast, 0.2, 0.05};
  EXPECT_EQ(at_least.apply(0.3), Verdict::kAgrees);
  EXPECT_EQ(at_least.apply(0.1), Verdict::kPartly);
  EXPECT_EQ(at_least.apply(0.01), Verdict::kDoesNotAgree);
  EXPECT_EQ(at_least.apply(std::nan("")), Verdict::kDoesNotAgree);
  const Rule at_most{Rule::Direction::kAtMost, 0.0, 0.01};
  EXPECT_EQ(at_most.apply(0.0), Verdict::kAgrees);
  EXPECT_EQ(at_most.apply(0.005), Verdict::kPartly);
  EXPECT_EQ(at_most.apply(0.5), Verdict::kDoesNotAgree);
}

// ---- Collapse of deep narrow nets: the decide layer fed made-up cells.

CollapseCell collapse_cell(const std::string& target, int64_t width, int64_t depth,
                           const std::string& init, int64_t collapsed, int64_t trials = 200) {
  CollapseCell c;
  c.target = target;
  c.width = width;
  c.depth = depth;
  c.init = init;
  c.trials = trials;
  c.collapsed = collapsed;
  c.born_dead = collapsed / 2;
  c.collapsed_not_born_dead = collapsed - c.born_dead;
  return c;
}

// He normal cells on |x| at depth 10 with the given collapsed counts of 200 for widths 2, 3, 5,
// 10; RAI cells with `rai_factor` times as many; width 3 on |x| at depths 2 and 20.
CollapseMeasurements collapse_measurements(const std::vector<int64_t>& he, double rai_factor,
                                           int64_t shallow, int64_t deep) {
  CollapseMeasurements m;
  const std::vector<int64_t> widths{2, 3, 5, 10};
  for (size_t i = 0; i < widths.size(); ++i) {
    m.cells.push_back(collapse_cell("abs", widths[i], 10, "kaiming_normal", he[i]));
    m.cells.push_back(collapse_cell("abs", widths[i], 10, "rai",
                                    std::llround(rai_factor * static_cast<double>(he[i]))));
  }
  m.cells.push_back(collapse_cell("abs", 3, 2, "kaiming_normal", shallow));
  m.cells.push_back(collapse_cell("abs", 3, 20, "kaiming_normal", deep));
  return m;
}

TEST(DyingReluCollapseDecide, EachVerdictFollowsTheCounts) {
  // The published figures: width 2 over 90%, 3 about 60%, 5 over 10%, 10 under 1%.
  const auto paper_like = decide_collapse(collapse_measurements({190, 120, 40, 0}, 0.3, 20, 180));
  const auto half = decide_collapse(collapse_measurements({190, 120, 2, 20}, 0.8, 50, 90));
  const auto none = decide_collapse(collapse_measurements({20, 10, 2, 20}, 1.0, 100, 100));

  const auto& width_good = claim(paper_like, "dying_relu.collapse_by_width");
  EXPECT_EQ(width_good.verdict, Verdict::kAgrees);
  EXPECT_DOUBLE_EQ(width_good.value, 1.0);
  EXPECT_NE(width_good.sentence.find("width 2: 190 of 200 collapsed, 95.0%"), std::string::npos)
      << width_good.sentence;
  const auto& width_half = claim(half, "dying_relu.collapse_by_width");
  EXPECT_EQ(width_half.verdict, Verdict::kPartly);
  EXPECT_DOUBLE_EQ(width_half.value, 0.5);
  EXPECT_NE(width_half.sentence.find("outside by"), std::string::npos) << width_half.sentence;
  EXPECT_EQ(claim(none, "dying_relu.collapse_by_width").verdict, Verdict::kDoesNotAgree);

  const auto& rai_good = claim(paper_like, "dying_relu.collapse_rai");
  EXPECT_EQ(rai_good.verdict, Verdict::kAgrees);
  EXPECT_NEAR(rai_good.value, 0.3, 0.01);
  EXPECT_NE(rai_good.sentence.find("against the paper's 91.9% and 29.2%"), std::string::npos)
      << rai_good.sentence;
  EXPECT_EQ(claim(half, "dying_relu.collapse_rai").verdict, Verdict::kPartly);
  EXPECT_EQ(claim(none, "dying_relu.collapse_rai").verdict, Verdict::kDoesNotAgree);

  const auto& depth_good = claim(paper_like, "dying_relu.collapse_by_depth");
  EXPECT_EQ(depth_good.verdict, Verdict::kAgrees);
  EXPECT_NEAR(depth_good.value, 0.8, 1e-12);
  EXPECT_NE(depth_good.sentence.find("2 layers 10.0%, 10 layers 60.0%, 20 layers 90.0%"),
            std::string::npos)
      << depth_good.sentence;
  EXPECT_EQ(claim(half, "dying_relu.collapse_by_depth").verdict, Verdict::kPartly);
  EXPECT_EQ(claim(none, "dying_relu.collapse_by_depth").verdict, Verdict::kDoesNotAgree);
  EXPECT_NE(width_good.sentence, width_half.sentence);
}

TEST(DyingReluCollapseDecide, NothingMeasuredNeverAgrees) {
  for (const auto& r : decide_collapse(CollapseMeasurements{})) {
    EXPECT_EQ(r.verdict, Verdict::kDoesNotAgree) << r.claim.id;
    EXPECT_TRUE(std::isnan(r.value)) << r.claim.id;
  }
}

}  // namespace
}  // namespace actbench::study
