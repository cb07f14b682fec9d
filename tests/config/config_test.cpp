// Tests of the config stage: strict reading, located errors (file:line:col and <cli>:argN),
// overrides, and the resolved config round trip.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "config/loader.hpp"
#include "config/overrides.hpp"
#include "support/config_errors.hpp"
#include "support/temp_dir.hpp"

namespace actbench::config {
namespace {

using actbench::testing::TempDir;

// Loads `yaml` as a file and returns the ConfigError's text; fails the test if none is thrown.
std::string error_of(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  return actbench::testing::config_error_of(yaml, overrides);
}

TEST(Config, DefaultsWhenEmpty) {
  const RunSpec spec = read_run_spec(*parse_yaml("", "empty.yaml"));
  EXPECT_EQ(spec.model.hidden, (std::vector<int64_t>{256, 256}));
  EXPECT_EQ(spec.model.activation.name, "relu");
  EXPECT_EQ(spec.optim.lr, 0.1);
  EXPECT_EQ(spec.train.epochs, 3);
  EXPECT_EQ(spec.probes.probe_samples, 1024);
}

TEST(Config, ReadsTheIssueExample) {
  TempDir dir;
  const auto file = dir.write("mnist_mlp.yaml", R"(name: mnist_mlp
seed: 0
data:   {dataset: mnist, root: data, batch_size: 128, train_subset: 0, normalize: true}
model:  {type: mlp, hidden: [256, 256], activation: relu, init: xavier_uniform, bias_init: zeros}
optim:  {name: sgd, lr: 0.1, momentum: 0.9, weight_decay: 0.0}
train:  {epochs: 3, threads: 1, device: cpu}
probes: {every_steps: 0, probe_samples: 1024}
output: {dir: results/runs}
)");
  const RunSpec spec = load_run_spec(file.string(), {});
  EXPECT_EQ(spec.name, "mnist_mlp");
  EXPECT_EQ(spec.data.batch_size, 128);
  EXPECT_EQ(spec.model.init.name, "xavier_uniform");
  EXPECT_EQ(spec.where.at("optim.lr").line, 5);
}

TEST(Config, UnknownKeyIsLocatedWithSuggestion) {
  const std::string e = error_of("model:\n  hidden: [10]\n  activaton: relu\n");
  EXPECT_NE(e.find("c.yaml:3:3: error: unknown key 'activaton' in model"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'activation'"), std::string::npos) << e;
}

TEST(Config, UnknownTopLevelKey) {
  const std::string e = error_of("optimizer: {name: sgd}\n");
  EXPECT_NE(e.find("c.yaml:1:1: error: unknown key 'optimizer' at the top level"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("did you mean 'optim'"), std::string::npos) << e;
}

TEST(Config, UnknownActivationSuggestsClosest) {
  const std::string e = error_of("model: {activation: rellu}\n");
  EXPECT_NE(e.find("c.yaml:1:21: error: unknown activation 'rellu'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'relu'"), std::string::npos) << e;
}

TEST(Config, ActivationParameterOnTheWrongActivation) {
  const std::string e = error_of("model:\n  activation: {name: relu, negative_slope: 0.1}\n");
  EXPECT_NE(e.find("c.yaml:2:28: error: activation 'relu' has no parameter 'negative_slope'"),
            std::string::npos)
      << e;
}

TEST(Config, ActivationParameterOutOfRange) {
  const std::string e = error_of("model:\n  activation: {name: sine, omega_0: -1}\n");
  EXPECT_NE(e.find("c.yaml:2:28:"), std::string::npos) << e;
  EXPECT_NE(e.find("omega_0"), std::string::npos) << e;
}

TEST(Config, WrongTypes) {
  EXPECT_NE(error_of("train: {epochs: three}\n")
                .find("c.yaml:1:17: error: train.epochs must be an integer, got 'three'"),
            std::string::npos);
  EXPECT_NE(
      error_of("model: {hidden: 256}\n").find("c.yaml:1:17: error: model.hidden must be a list"),
      std::string::npos);
  EXPECT_NE(error_of("data: {normalize: maybe}\n").find("data.normalize must be true or false"),
            std::string::npos);
  EXPECT_NE(error_of("optim: {lr: .nan}\n").find("optim.lr must be a finite number"),
            std::string::npos);
  EXPECT_NE(error_of("data: 5\n").find("data must be a map of keys"), std::string::npos);
  EXPECT_NE(error_of("- a\n- b\n").find("a config must be a map"), std::string::npos);
}

TEST(Config, OutOfRangeValues) {
  EXPECT_NE(error_of("data: {batch_size: -1}\n")
                .find("c.yaml:1:20: error: data.batch_size = -1 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of("model: {hidden: [256, -3]}\n")
                .find("c.yaml:1:23: error: model.hidden[1] = -3 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of("model: {dropout: 1.5}\n").find("model.dropout = 1.5 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of("train: {epochs: 99999999999999999999999}\n").find("too large"),
            std::string::npos);
}

TEST(Config, BadChoice) {
  const std::string e = error_of("optim: {name: adamm}\n");
  EXPECT_NE(e.find("c.yaml:1:15: error: optim.name is 'adamm' (did you mean 'adam'?)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("choose one of: sgd, adam, adamw, rmsprop"), std::string::npos) << e;
}

TEST(Config, DuplicateKey) {
  const std::string e = error_of("seed: 1\nseed: 2\n");
  EXPECT_NE(e.find("c.yaml:2:1: error: duplicate key 'seed'"), std::string::npos) << e;
}

TEST(Config, SyntaxErrorIsLocated) {
  const std::string e = error_of("model:\n  hidden: [256, 256\n");
  EXPECT_NE(e.find("c.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("YAML syntax"), std::string::npos) << e;
}

TEST(Config, BinaryJunkIsRejected) {
  const std::string e =
      error_of(std::string("\x7f"
                           "ELF\0\0\x01",
                           7));
  EXPECT_NE(e.find("not a text file"), std::string::npos) << e;
}

TEST(Config, MissingFile) {
  try {
    load_run_spec("/nonexistent/x.yaml", {});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/x.yaml: error: cannot read config file"),
              std::string::npos)
        << e.what();
  }
}

TEST(Config, UnknownDataset) {
  const std::string e = error_of("data: {dataset: mnits}\n");
  EXPECT_NE(e.find("c.yaml:1:17: error: unknown dataset 'mnits' (did you mean 'mnist'?)"),
            std::string::npos)
      << e;
}

TEST(Config, ConvOnMlpAndKernelTooBig) {
  EXPECT_NE(error_of("model: {conv: [{out_channels: 8}]}\n")
                .find("model.conv is set but model.type is 'mlp'"),
            std::string::npos);
  const std::string e = error_of(
      "model:\n  type: cnn\n  conv:\n    - {out_channels: 8, kernel_size: 5, pool: 2}\n"
      "    - {out_channels: 8, kernel_size: 5, pool: 2}\n    - {out_channels: 8, kernel_size: "
      "5}\n");
  EXPECT_NE(e.find("c.yaml:6:38: error: conv block 2: kernel 5 does not fit its 4x4 input"),
            std::string::npos)
      << e;
}

TEST(Config, LayerActivationIndexOutOfRange) {
  const std::string e = error_of("model:\n  hidden: [8, 8]\n  layer_activations: {5: tanh}\n");
  EXPECT_NE(e.find("c.yaml:3:23: error: model.layer_activations has layer 5"), std::string::npos)
      << e;
}

TEST(Config, SirenNeedsSine) {
  const std::string e = error_of("model: {activation: relu, init: siren}\n");
  EXPECT_NE(e.find("siren"), std::string::npos) << e;
  EXPECT_NE(e.find("sine"), std::string::npos) << e;
}

TEST(Config, NesterovNeedsMomentum) {
  EXPECT_NE(error_of("optim: {nesterov: true, momentum: 0}\n")
                .find("c.yaml:1:19: error: optim.nesterov needs"),
            std::string::npos);
}

TEST(Config, CudaOnCpuBuildIsAConfigError) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "a CUDA device is present";
  EXPECT_NE(error_of("train: {device: cuda}\n").find("c.yaml:1:17: error: train.device is cuda"),
            std::string::npos);
  EXPECT_NE(error_of("train: {device: gpu}\n").find("train.device is 'gpu'"), std::string::npos);
}

TEST(Overrides, SetAddRemoveAndLists) {
  TempDir dir;
  const auto file =
      dir.write("c.yaml", "model: {hidden: [8], activation: relu}\ntrain: {epochs: 1}\n");
  const RunSpec spec =
      load_run_spec(file.string(), {{"model.hidden=[32,16]", 2},
                                    {"model.activation={name: leaky_relu, negative_slope: 0.2}", 3},
                                    {"~train.epochs", 4},
                                    {"+optim.lr=0.01", 5}});
  EXPECT_EQ(spec.model.hidden, (std::vector<int64_t>{32, 16}));
  EXPECT_EQ(spec.model.activation.name, "leaky_relu");
  EXPECT_EQ(spec.model.activation.params.at("negative_slope").number, 0.2);
  EXPECT_EQ(spec.train.epochs, 3);  // removed: back to the default
  EXPECT_EQ(spec.optim.lr, 0.01);
  EXPECT_EQ(spec.where.at("model.hidden").str(), "<cli>:arg2");
}

TEST(Overrides, ErrorsAreLocatedAtTheArgument) {
  EXPECT_NE(
      error_of("seed: 1\n", {"model.activaton=gelu"})
          .find("<cli>:arg3: error: unknown key 'activaton' in model (did you mean 'activation'?)"),
      std::string::npos);
  EXPECT_NE(error_of("seed: 1\n", {"+seed=3"})
                .find("<cli>:arg3: error: cannot add 'seed': it is already in the config"),
            std::string::npos);
  EXPECT_NE(
      error_of("seed: 1\n", {"~optim.lr"}).find("<cli>:arg3: error: cannot remove 'optim.lr'"),
      std::string::npos);
  EXPECT_NE(error_of("seed: 1\n", {"model.activation=relu,gelu"}).find("that is a sweep"),
            std::string::npos);
  EXPECT_NE(error_of("seed: 1\n", {"train.epochs"})
                .find("<cli>:arg3: error: 'train.epochs' is not an override"),
            std::string::npos);
  EXPECT_NE(error_of("seed: 1\n", {"train.epochs=-1"})
                .find("<cli>:arg3: error: train.epochs = -1 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of("seed: 1\n", {"model.activation=rellu"})
                .find("<cli>:arg3: error: unknown activation 'rellu' (did you mean 'relu'?)"),
            std::string::npos);
}

TEST(Overrides, SweepValuesSplitOnlyAtTopLevel) {
  EXPECT_EQ(split_sweep_values("relu,gelu,tanh").size(), 3u);
  EXPECT_EQ(split_sweep_values("[256,256]").size(), 1u);
  EXPECT_EQ(split_sweep_values("{name: elu, alpha: 1},relu").size(), 2u);
  EXPECT_EQ(split_sweep_values("'a,b'").size(), 1u);
}

TEST(Overrides, ConvListIndex) {
  TempDir dir;
  const auto file =
      dir.write("c.yaml", "model:\n  type: cnn\n  conv: [{out_channels: 8}, {out_channels: 16}]\n");
  const RunSpec spec = load_run_spec(file.string(), {{"model.conv.1.out_channels=64", 2}});
  EXPECT_EQ(spec.model.conv[1].out_channels, 64);
  EXPECT_NE(error_of("model:\n  type: cnn\n  conv: [{out_channels: 8}]\n", {"model.conv.4.pool=2"})
                .find("<cli>:arg3"),
            std::string::npos);
}

TEST(Config, ResolvedConfigRoundTrips) {
  TempDir dir;
  const auto file = dir.write(
      "c.yaml", "model: {activation: leaky_relu, hidden: [16]}\ndata: {dataset: synthetic}\n");
  app::PreparedRun prepared = app::prepare_run(file.string(), {});
  // Resolution wrote the default negative_slope into the spec.
  EXPECT_EQ(prepared.spec.model.activation.params.at("negative_slope").number, 0.01);
  const std::string yaml = to_yaml(prepared.spec);
  const auto again = dir.write("resolved.yaml", yaml);
  app::PreparedRun reloaded = app::prepare_run(again.string(), {});
  EXPECT_EQ(to_json(reloaded.spec).dump(), to_json(prepared.spec).dump()) << yaml;
}

TEST(Config, SchemaDocumentsEveryKey) {
  const auto rows = schema_rows();
  const auto has = [&](const std::string& key) {
    for (const auto& r : rows)
      if (r.key == key) return !r.help.empty();
    return false;
  };
  for (const char* key :
       {"name", "seed", "data.dataset", "data.batch_size", "model.hidden", "model.activation",
        "model.init", "optim.lr", "optim.schedule.name", "train.threads", "probes.every_steps",
        "output.dir", "model.conv[i].kernel_size"})
    EXPECT_TRUE(has(key)) << key;
}

}  // namespace
}  // namespace actbench::config
