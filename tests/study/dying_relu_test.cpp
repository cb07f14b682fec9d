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

// ---- The decide layer, fed made-up numbers. Each claim gets an interval inside its rule's
// agreeing region, one outside every region but "does not agree", one straddling a threshold
// (inconclusive, straddles), and runs that did not train (inconclusive with the reason).

DyingRun run(const std::string& optimiser, const std::string& activation, double lr,
             double final_structural, double accuracy = 0.95, int64_t seed = 0) {
  DyingRun r;
  r.setting = "MNIST MLP";
  r.optimiser = optimiser;
  r.activation = activation;
  r.has_flat_half_line = activation == "relu";
  r.lr = lr;
  r.seed = seed;
  r.status = "completed";
  r.test_accuracy = accuracy;
  r.worst_layer = "fc1";
  r.final_dead = r.final_structural = r.peak_dead = r.peak_structural = final_structural;
  if (activation != "relu") {
    r.final_structural = r.peak_structural = 0.0;  // the others die only numerically
    r.peak_numerical = final_structural;
  }
  return r;
}

const ClaimResult& claim(const std::vector<ClaimResult>& results, const std::string& id) {
  for (const auto& r : results)
    if (r.claim.id == id) return r;
  throw std::runtime_error("no claim " + id);
}

// Three seeds at each arm's dying learning rate with these dead fractions, and a healthy lr.
ClaimResult relu_dies(const std::vector<double>& momentum, const std::vector<double>& adam,
                      double adam_accuracy = 0.95) {
  TrainingMeasurements m;
  for (int64_t seed = 0; seed < 3; ++seed) {
    m.runs.push_back(run("SGD", "relu", 0.1, 0.0, 0.95, seed));
    m.runs.push_back(run("SGD + momentum 0.9", "relu", 0.01, 0.0, 0.95, seed));
    m.runs.push_back(run("SGD + momentum 0.9", "relu", 0.1, momentum[seed], 0.95, seed));
    m.runs.push_back(run("Adam", "relu", 0.001, 0.0, adam_accuracy, seed));
    m.runs.push_back(run("Adam", "relu", 0.01, adam[seed], adam_accuracy, seed));
  }
  return claim(decide_training(m), "dying_relu.relu_dies");
}

TEST(DyingReluDecide, ReluDiesIsDecidedFromTheSeedsInterval) {
  const ClaimResult inside = relu_dies({0.55, 0.6, 0.65}, {0.45, 0.5, 0.55});
  EXPECT_EQ(inside.verdict, Verdict::kAgrees) << inside.reason;
  EXPECT_NEAR(inside.value, 0.5, 1e-12);
  EXPECT_GT(inside.interval.low, 0.2);
  EXPECT_NE(inside.sentence.find("60.0% of fc1 dead at lr 0.1"), std::string::npos)
      << inside.sentence;
  const ClaimResult outside = relu_dies({0.55, 0.6, 0.65}, {0.0, 0.01, 0.02});
  EXPECT_EQ(outside.verdict, Verdict::kDoesNotAgree) << outside.reason;
  EXPECT_NE(outside.sentence.find("not reproduced"), std::string::npos) << outside.sentence;
  const ClaimResult straddling = relu_dies({0.55, 0.6, 0.65}, {0.1, 0.2, 0.3});
  EXPECT_EQ(straddling.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(straddling.straddles);
  EXPECT_NE(straddling.reason.find("straddles 0.2"), std::string::npos) << straddling.reason;
}

TEST(DyingReluDecide, ReluDiesFromRunsThatDidNotTrainIsInconclusive) {
  // Every Adam run at chance: nothing to decide from, whatever the dead fractions.
  const ClaimResult chance = relu_dies({0.55, 0.6, 0.65}, {0.97, 0.98, 0.99}, 0.1009);
  EXPECT_EQ(chance.verdict, Verdict::kInconclusive);
  EXPECT_FALSE(chance.straddles);
  EXPECT_NE(chance.reason.find("trained"), std::string::npos) << chance.reason;
  // One run at chance beside trained ones: left out, and the sentence says so.
  TrainingMeasurements m;
  for (int64_t seed = 0; seed < 3; ++seed) {
    m.runs.push_back(run("SGD + momentum 0.9", "relu", 0.1, 0.5 + 0.05 * seed, 0.95, seed));
    m.runs.push_back(run("Adam", "relu", 0.01, 0.5 + 0.05 * seed, 0.95, seed));
  }
  m.runs.push_back(run("SGD + momentum 0.9", "relu", 0.3, 0.973, 0.1009, 2));
  const ClaimResult r = claim(decide_training(m), "dying_relu.relu_dies");
  EXPECT_EQ(r.verdict, Verdict::kAgrees) << r.reason;
  EXPECT_NE(r.sentence.find("left out, did not train: lr 0.3 seed 2: test accuracy 0.1009"),
            std::string::npos)
      << r.sentence;
  EXPECT_EQ(r.sentence.find("97.3% of fc1 dead at lr 0.3"), std::string::npos) << r.sentence;
}

// `runs` trained SiLU runs, `dying` of them ending with a layer 30% dead (numerically).
ClaimResult others(int64_t runs, int64_t dying, double accuracy = 0.95) {
  TrainingMeasurements m;
  m.runs.push_back(run("Adam", "relu", 0.01, 0.5));
  for (int64_t i = 0; i < runs; ++i)
    m.runs.push_back(run("Adam", "silu", 0.01, i < dying ? 0.3 : 0.0, accuracy, i));
  return claim(decide_training(m), "dying_relu.others_do_not_die");
}

TEST(DyingReluDecide, OthersDoNotDieCountsDeathOfAnyKind) {
  const ClaimResult inside = others(100, 0);
  EXPECT_EQ(inside.verdict, Verdict::kAgrees) << inside.reason;
  const ClaimResult outside = others(100, 50);
  EXPECT_EQ(outside.verdict, Verdict::kDoesNotAgree) << outside.reason;
  // Structural death stays 0 by definition; the sentence quotes the informative number.
  EXPECT_NE(outside.sentence.find("in 50 of the 100 runs that trained"), std::string::npos)
      << outside.sentence;
  EXPECT_NE(outside.measured.find("structurally dead at most 0.0%"), std::string::npos);
  const ClaimResult straddling = others(100, 5);
  EXPECT_EQ(straddling.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(straddling.straddles);
  const ClaimResult chance = others(100, 50, 0.1);
  EXPECT_EQ(chance.verdict, Verdict::kInconclusive);
  EXPECT_NE(chance.reason.find("trained"), std::string::npos) << chance.reason;
}

// Ten ReLU runs with 100 units dead before the end each, `revived[i]` of them alive at the end.
ClaimResult revival(const std::vector<int64_t>& revived, double accuracy = 0.95) {
  TrainingMeasurements m;
  for (size_t i = 0; i < revived.size(); ++i) {
    DyingRun r = run("Adam", "relu", 0.01, 0.5, accuracy, static_cast<int64_t>(i));
    r.ever_dead = 100;
    r.revived = revived[i];
    r.masks_read = true;
    m.runs.push_back(r);
  }
  return claim(decide_training(m), "dying_relu.no_revival");
}

TEST(DyingReluDecide, RevivalIsDecidedFromAnIntervalOverRuns) {
  const ClaimResult inside = revival({0, 1, 2, 1, 0, 2, 1, 0, 1, 2});
  EXPECT_EQ(inside.verdict, Verdict::kAgrees) << inside.reason;
  EXPECT_NE(inside.interval.method.find("over the 10 runs"), std::string::npos);
  const ClaimResult outside = revival({45, 50, 55, 50, 45, 55, 50, 50, 45, 55});
  EXPECT_EQ(outside.verdict, Verdict::kDoesNotAgree) << outside.reason;
  EXPECT_NE(outside.sentence.find("can come back"), std::string::npos) << outside.sentence;
  const ClaimResult straddling = revival({0, 10, 0, 10, 0, 10, 0, 10, 0, 10});
  EXPECT_EQ(straddling.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(straddling.straddles) << straddling.reason;
  const ClaimResult chance = revival({0, 1, 2, 1, 0, 2, 1, 0, 1, 2}, 0.1);
  EXPECT_EQ(chance.verdict, Verdict::kInconclusive);
  EXPECT_NE(chance.reason.find("trained"), std::string::npos) << chance.reason;
  // Masks not on disk: nothing counted, and the reason says why (not "no unit died").
  TrainingMeasurements no_masks;
  no_masks.runs = {run("Adam", "relu", 0.01, 0.5), run("Adam", "relu", 0.01, 0.6, 0.95, 1)};
  const ClaimResult unread = claim(decide_training(no_masks), "dying_relu.no_revival");
  EXPECT_EQ(unread.verdict, Verdict::kInconclusive);
  EXPECT_NE(unread.reason.find("masks"), std::string::npos) << unread.reason;
}

// `settings` dying settings (ReLU 50% dead) in which leaky ReLU wins `wins`, by `gap` (the first
// win by `first_gap`).
ClaimResult cost(int64_t settings, int64_t wins, double leaky_accuracy = 0.95,
                 double first_gap = 0.01) {
  TrainingMeasurements m;
  for (int64_t i = 0; i < settings; ++i) {
    const double lr = 0.01 * static_cast<double>(i + 1);
    const double gap = i < wins ? (i == 0 ? first_gap : 0.01) : -0.01;
    m.runs.push_back(run("Adam", "relu", lr, 0.5, leaky_accuracy - gap));
    m.runs.push_back(run("Adam", "leaky_relu", lr, 0.0, leaky_accuracy));
  }
  return claim(decide_training(m), "dying_relu.cost");
}

TEST(DyingReluDecide, CostIsASignCountWithTheOutlierReported) {
  const ClaimResult inside = cost(20, 20);
  EXPECT_EQ(inside.verdict, Verdict::kAgrees) << inside.reason;
  const ClaimResult outside = cost(20, 0);
  EXPECT_EQ(outside.verdict, Verdict::kDoesNotAgree) << outside.reason;
  // Two wins in seven, one of them a total death: the mean says "costs", the count cannot decide.
  const ClaimResult straddling = cost(7, 2, 0.95, 0.744);
  EXPECT_EQ(straddling.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(straddling.straddles);
  EXPECT_GT(mean_of({0.744, 0.01, -0.01, -0.01, -0.01, -0.01, -0.01}), 0.005);
  EXPECT_NE(straddling.sentence.find("Adam lr 0.01: 50.0% dead, +0.7440"), std::string::npos)
      << straddling.sentence;
  EXPECT_NE(straddling.measured.find("median gap -0.0100"), std::string::npos)
      << straddling.measured;
  // Leaky ReLU at chance too: the comparison says nothing about capacity.
  const ClaimResult chance = cost(20, 20, 0.1);
  EXPECT_EQ(chance.verdict, Verdict::kInconclusive);
  EXPECT_NE(chance.reason.find("did not train"), std::string::npos) << chance.reason;
}

// Five widths of symmetric zero-bias cells (the formula's counts exact, or halved) and a RAI
// cell at width 3 with `rai_constant` of 1,000 constant at depth 30 (symmetric: 900).
std::vector<ClaimResult> born_dead(bool formula_exact, int64_t rai_constant) {
  BornDeadMeasurements m;
  m.widths = {2, 3, 4, 5, 8};
  m.max_depth = 30;
  m.trials = 1000;
  m.inits = {{"symmetric", {}, true, false}, {"rai", {}, false, true}};
  m.cells.resize(2);
  for (int64_t w : m.widths) {
    BornDeadCell sym, rai;
    sym.trials = rai.trials = 1000;
    for (int64_t d = 1; d <= 30; ++d) {
      const double p = born_dead_formula(w, d);
      sym.dead_at_input.push_back(formula_exact ? std::llround(1000 * p) : std::llround(500 * p));
      sym.constant_on_set.push_back(900);
      rai.dead_at_input.push_back(0);
      rai.constant_on_set.push_back(rai_constant);
    }
    m.cells[0].push_back(sym);
    m.cells[1].push_back(rai);
  }
  return decide_born_dead(m);
}

TEST(DyingReluDecide, BornDeadVerdictsComeFromWilsonAndKatzIntervals) {
  const auto good = born_dead(true, 500);
  EXPECT_EQ(good[0].verdict, Verdict::kAgrees) << good[0].reason;
  EXPECT_NE(good[0].interval.method.find("Wilson"), std::string::npos);
  EXPECT_EQ(born_dead(false, 500)[0].verdict, Verdict::kDoesNotAgree);
  EXPECT_EQ(good[1].verdict, Verdict::kAgrees) << good[1].reason;
  EXPECT_NE(good[1].interval.method.find("Katz"), std::string::npos);
  EXPECT_NE(good[1].sentence.find("900 of 1000"), std::string::npos) << good[1].sentence;
  EXPECT_EQ(born_dead(true, 800)[1].verdict, Verdict::kPartly);
  EXPECT_EQ(born_dead(true, 900)[1].verdict, Verdict::kDoesNotAgree);
  const ClaimResult straddling = born_dead(true, 675)[1];  // ratio 0.75, the threshold
  EXPECT_EQ(straddling.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(straddling.straddles);
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

// ---- Collapse of deep narrow nets: the decide layer fed made-up cells.

CollapseCell collapse_cell(const std::string& target, int64_t width, int64_t depth,
                           const std::string& init, int64_t collapsed, int64_t trials) {
  CollapseCell c;
  c.target = target;
  c.width = width;
  c.depth = depth;
  c.init = init;
  c.trials = trials;
  c.collapsed = collapsed;
  c.born_dead = collapsed / 2;
  c.died_in_training = collapsed - c.born_dead;
  return c;
}

// He normal cells on |x| at depth 10 with the given collapsed counts of `trials` for widths 2, 3,
// 5, 10; a RAI cell at width 2 with `rai_w2` collapsed; width 3 on |x| at depths 2 and 20.
CollapseMeasurements collapse_measurements(const std::vector<int64_t>& he, int64_t trials,
                                           int64_t rai_w2, int64_t shallow, int64_t deep) {
  CollapseMeasurements m;
  const std::vector<int64_t> widths{2, 3, 5, 10};
  for (size_t i = 0; i < widths.size(); ++i)
    m.cells.push_back(collapse_cell("abs", widths[i], 10, "kaiming_normal", he[i], trials));
  m.cells.push_back(collapse_cell("abs", 2, 10, "rai", rai_w2, trials));
  m.cells.push_back(collapse_cell("abs", 3, 2, "kaiming_normal", shallow, 200));
  m.cells.push_back(collapse_cell("abs", 3, 20, "kaiming_normal", deep, 200));
  return m;
}

TEST(DyingReluCollapseDecide, WidthFiguresDecidedCellByCellFromWilsonIntervals) {
  // Published: width 2 over 90%, 3 about 60% (50-70%), 5 over 10%, 10 under 1%.
  const auto inside =
      claim(decide_collapse(collapse_measurements({950, 600, 200, 0}, 1000, 300, 20, 180)),
            "dying_relu.collapse_by_width");
  // Inside every range, but the figures were read in secondary sources: capped at "partly".
  EXPECT_EQ(inside.verdict, Verdict::kPartly) << inside.reason;
  EXPECT_NE(inside.reason.find("secondary"), std::string::npos) << inside.reason;
  EXPECT_DOUBLE_EQ(inside.interval.low, 1.0);
  const auto outside =
      claim(decide_collapse(collapse_measurements({100, 950, 0, 500}, 1000, 30, 20, 180)),
            "dying_relu.collapse_by_width");
  EXPECT_EQ(outside.verdict, Verdict::kDoesNotAgree) << outside.reason;
  EXPECT_NE(outside.sentence.find("outside by"), std::string::npos) << outside.sentence;
  // 200 runs cannot tell "under 1%" from 0 of 200: that figure straddles.
  const auto straddling =
      claim(decide_collapse(collapse_measurements({190, 120, 40, 0}, 200, 57, 20, 180)),
            "dying_relu.collapse_by_width");
  EXPECT_EQ(straddling.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(straddling.straddles);
  EXPECT_NE(straddling.sentence.find("width 10: 0 of 200 collapsed"), std::string::npos);
  EXPECT_NE(straddling.sentence.find("straddles its edge"), std::string::npos);
}

TEST(DyingReluCollapseDecide, RaiIsComparedInThePublishedConfigurationOnly) {
  auto rai = [](int64_t rai_w2) {
    CollapseMeasurements m = collapse_measurements({190, 120, 40, 0}, 200, rai_w2, 20, 180);
    // A pooled ratio far from the matched one must not move the verdict.
    m.cells.push_back(collapse_cell("xsin5x", 3, 10, "kaiming_normal", 10, 200));
    m.cells.push_back(collapse_cell("xsin5x", 3, 10, "rai", 200, 200));
    return claim(decide_collapse(m), "dying_relu.collapse_rai");
  };
  const auto inside = rai(57);                                   // 0.30 of He's 95%
  EXPECT_EQ(inside.verdict, Verdict::kPartly) << inside.reason;  // secondary: capped
  EXPECT_NEAR(inside.value, 0.3, 0.001);
  EXPECT_NE(inside.interval.method.find("Katz"), std::string::npos);
  EXPECT_NE(inside.sentence.find("the published ratio 0.32 lies inside"), std::string::npos)
      << inside.sentence;
  EXPECT_NE(inside.sentence.find("Pooled"), std::string::npos);
  EXPECT_EQ(rai(190).verdict, Verdict::kDoesNotAgree);
  const auto straddling = rai(95);  // a ratio of 0.5, the threshold
  EXPECT_EQ(straddling.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(straddling.straddles);
}

TEST(DyingReluCollapseDecide, DepthIsADifferenceOfSharesWithNewcombesInterval) {
  auto depth = [](int64_t shallow, int64_t deep) {
    return claim(decide_collapse(collapse_measurements({190, 120, 40, 0}, 200, 57, shallow, deep)),
                 "dying_relu.collapse_by_depth");
  };
  const auto inside = depth(20, 180);
  EXPECT_EQ(inside.verdict, Verdict::kPartly) << inside.reason;  // secondary: capped
  EXPECT_NEAR(inside.value, 0.8, 1e-12);
  EXPECT_GT(inside.interval.low, 0.3);
  EXPECT_NE(inside.sentence.find("2 layers 10.0%, 10 layers 60.0%, 20 layers 90.0%"),
            std::string::npos)
      << inside.sentence;
  EXPECT_EQ(depth(100, 90).verdict, Verdict::kDoesNotAgree);
  const auto straddling = depth(50, 110);
  EXPECT_EQ(straddling.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(straddling.straddles);
}

TEST(DyingReluCollapseDecide, NothingMeasuredIsInconclusive) {
  for (const auto& r : decide_collapse(CollapseMeasurements{})) {
    EXPECT_EQ(r.verdict, Verdict::kInconclusive) << r.claim.id;
    EXPECT_FALSE(r.straddles) << r.claim.id;
    EXPECT_TRUE(std::isnan(r.value)) << r.claim.id;
  }
}

}  // namespace
}  // namespace actbench::study
