// The bad-config corpus: every file in tests/config/bad_configs/ is a mistake a user makes. Each
// must be refused as a configuration error (exit code 2) that names the problem at its
// file:line:col, and create nothing: in process, through what `actbench run` calls (prepare_run,
// execute_run), for every file; and through the real CLI for every file in the release build, for
// every fifth under the sanitizers, where each start of the binary costs 2 s of loading LibTorch
// and the code they watch is the same as in process.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "experiment/experiment.hpp"
#include "support/run_helpers.hpp"

namespace actbench::config {
namespace {

// File -> the start of the first line of its error (after the directory), as the user sees it.
const std::map<std::string, std::string>& expected_errors() {
  static const std::map<std::string, std::string> expected{
      {"01_unknown_top_key.yaml",
       "01_unknown_top_key.yaml:1:1: error: unknown key 'optimizer' at the top level"},
      {"02_unknown_data_key.yaml",
       "02_unknown_data_key.yaml:1:8: error: unknown key 'datset' in data"},
      {"03_unknown_model_key.yaml",
       "03_unknown_model_key.yaml:1:9: error: unknown key 'hiden' in model"},
      {"04_unknown_optim_key.yaml",
       "04_unknown_optim_key.yaml:1:9: error: unknown key 'learning_rate' in optim"},
      {"05_unknown_train_key.yaml",
       "05_unknown_train_key.yaml:1:9: error: unknown key 'epoch' in train"},
      {"06_unknown_probe_key.yaml",
       "06_unknown_probe_key.yaml:1:10: error: unknown key 'every_step' in probes"},
      {"07_unknown_output_key.yaml",
       "07_unknown_output_key.yaml:1:10: error: unknown key 'directory' in output"},
      {"08_unknown_schedule_key.yaml",
       "08_unknown_schedule_key.yaml:1:20: error: unknown key 'nme' in optim.schedule"},
      {"09_unknown_conv_key.yaml",
       "09_unknown_conv_key.yaml:1:28: error: unknown key 'out_channel' in model.conv.0"},
      {"10_epochs_not_int.yaml",
       "10_epochs_not_int.yaml:1:17: error: train.epochs must be an integer, got 'three'"},
      {"11_lr_not_number.yaml",
       "11_lr_not_number.yaml:1:13: error: optim.lr must be a finite number, got 'fast'"},
      {"12_hidden_not_list.yaml",
       "12_hidden_not_list.yaml:1:17: error: model.hidden must be a list of integers like [256, "
       "256], got '256'"},
      {"13_hidden_item_not_int.yaml",
       "13_hidden_item_not_int.yaml:1:23: error: model.hidden[1] must be an integer, got 'wide'"},
      {"14_normalize_not_bool.yaml",
       "14_normalize_not_bool.yaml:1:19: error: data.normalize must be true or false, got 'maybe'"},
      {"15_negative_batch.yaml",
       "15_negative_batch.yaml:1:20: error: data.batch_size = -1 is out of range"},
      {"16_negative_width.yaml",
       "16_negative_width.yaml:1:23: error: model.hidden[1] = -3 is out of range"},
      {"17_negative_epochs.yaml",
       "17_negative_epochs.yaml:1:17: error: train.epochs = -1 is out of range"},
      {"18_huge_number.yaml",
       "18_huge_number.yaml:1:17: error: train.epochs = 99999999999999999999999 is too large"},
      {"19_dropout_out_of_range.yaml",
       "19_dropout_out_of_range.yaml:1:18: error: model.dropout = 1.5 is out of range"},
      {"20_negative_lr.yaml", "20_negative_lr.yaml:1:13: error: optim.lr = -0.1 is out of range"},
      {"21_duplicate_key.yaml", "21_duplicate_key.yaml:2:1: error: duplicate key 'seed'"},
      {"22_bad_yaml.yaml",
       "22_bad_yaml.yaml:3:1: error: YAML syntax: end of sequence flow not found"},
      {"23_tab_indent.yaml", "23_tab_indent.yaml:2:8: error: YAML syntax: illegal map value"},
      {"24_empty_name.yaml", "24_empty_name.yaml:1:7: error: name must not be empty"},
      {"25_binary_junk.yaml",
       "25_binary_junk.yaml:1:1: error: this is not a text file (it contains NUL bytes)"},
      {"26_list_at_top.yaml",
       "26_list_at_top.yaml:1:1: error: a config must be a map of keys (name, seed, data, model, "
       "...), got a list"},
      {"27_unknown_dataset.yaml", "27_unknown_dataset.yaml:1:17: error: unknown dataset 'mnits'"},
      {"28_unknown_activation.yaml",
       "28_unknown_activation.yaml:1:21: error: unknown activation 'rellu'"},
      {"29_param_on_wrong_activation.yaml",
       "29_param_on_wrong_activation.yaml:1:34: error: activation 'relu' has no parameter "
       "'negative_slope'"},
      {"30_activation_param_out_of_range.yaml",
       "30_activation_param_out_of_range.yaml:1:34: error: parameter 'omega_0' of activation "
       "'sine' is -1, outside its"},
      {"31_unknown_init.yaml", "31_unknown_init.yaml:1:15: error: unknown initialiser 'xavier'"},
      {"32_siren_without_sine.yaml",
       "32_siren_without_sine.yaml:1:15: error: init 'siren' needs a sine activation to take "
       "omega_0 from, but layer 0"},
      {"33_unknown_optimizer.yaml", "33_unknown_optimizer.yaml:1:15: error: optim.name is 'adamm'"},
      {"34_nesterov_without_momentum.yaml",
       "34_nesterov_without_momentum.yaml:1:19: error: optim.nesterov needs optim.name: sgd with "
       "momentum > 0"},
      {"35_cuda_on_cpu_build.yaml",
       "35_cuda_on_cpu_build.yaml:1:17: error: train.device is cuda, but this LibTorch build sees "
       "no CUDA device"},
      {"36_kernel_too_big.yaml",
       "36_kernel_too_big.yaml:1:58: error: conv block 0: kernel 40 does not fit its 28x28 input "
       "(padding 0)"},
      {"37_conv_on_mlp.yaml",
       "37_conv_on_mlp.yaml:1:15: error: model.conv is set but model.type is 'mlp'"},
      {"38_cnn_without_conv.yaml",
       "38_cnn_without_conv.yaml:1:15: error: a cnn needs at least one conv block"},
      {"39_layer_activation_out_of_range.yaml",
       "39_layer_activation_out_of_range.yaml:1:42: error: model.layer_activations has layer 3, "
       "but the model has 1 hi"},
      {"40_activation_map_without_name.yaml",
       "40_activation_map_without_name.yaml:1:21: error: model.activation needs a 'name' key"},
      {"41_bad_expression.yaml", "41_bad_expression.yaml:1:33: error: unknown function 'sigmod'"},
      {"42_unbalanced_expression.yaml",
       "42_unbalanced_expression.yaml:1:29: error: '(' is never closed: a ')' is missing"},
      {"43_bad_device_name.yaml", "43_bad_device_name.yaml:1:17: error: train.device is 'gpu'"},
      {"44_bad_progress.yaml", "44_bad_progress.yaml:1:19: error: train.progress is 'sometimes'"},
      {"45_threads_zero.yaml",
       "45_threads_zero.yaml:1:18: error: train.threads = 0 is out of range"},
      {"46_probe_samples_zero.yaml",
       "46_probe_samples_zero.yaml:1:25: error: probes.probe_samples = 0 is out of range"},
      {"47_data_is_scalar.yaml",
       "47_data_is_scalar.yaml:1:7: error: data must be a map of keys, got 'mnist'"},
      {"48_component_is_list.yaml",
       "48_component_is_list.yaml:1:21: error: model.activation must be a name or {name: ..., "
       "parameters}, got a list"},
      {"49_regression_on_mnist.yaml",
       "49_regression_on_mnist.yaml:1:7: error: task is regression, but dataset 'mnist' is a "
       "classification dataset"},
      {"50_classification_on_function.yaml",
       "50_classification_on_function.yaml:1:17: error: task is classification (the default), but "
       "dataset 'function' is a regression dataset"},
      {"51_unknown_function_target.yaml",
       "51_unknown_function_target.yaml:2:46: error: unknown function target 'ab' (did you mean "
       "'abs'?)"},
      {"52_sum_abs_one_dim.yaml",
       "52_sum_abs_one_dim.yaml:2:61: error: data.function.dims is 1, but target 'sum_abs' (sum of "
       "|x_i|) needs dims >= 2"},
      {"53_function_section_on_mnist.yaml",
       "53_function_section_on_mnist.yaml:1:34: error: data.function configures the function "
       "dataset, but data.dataset is 'mnist'"},
      {"54_unknown_task.yaml",
       "54_unknown_task.yaml:1:7: error: task is 'regresion' (did you mean 'regression'?)"},
      {"55_alias_cycle.yaml",
       "55_alias_cycle.yaml:1:25: error: this alias refers to the anchor that contains it (a "
       "cycle)"},
      {"56_billion_laughs.yaml",
       "56_billion_laughs.yaml:1:288: error: this alias makes the config larger than 100000 "
       "values"},
      {"57_deep_nesting.yaml",
       "57_deep_nesting.yaml:1:79: error: the config is nested deeper than 64 levels"},
      {"58_second_document.yaml",
       "58_second_document.yaml:2:1: error: a second YAML document (after ---) in one config"},
      {"59_device_index_too_large.yaml",
       "59_device_index_too_large.yaml:1:17: error: train.device 'cuda:99999999999999999999' has "
       "no valid device index"},
      {"60_widths_need_terabytes.yaml",
       "60_widths_need_terabytes.yaml:1:17: error: the model has at least 1e+12 parameters"},
      {"61_threads_beyond_the_machine.yaml",
       "61_threads_beyond_the_machine.yaml:1:18: error: train.threads = 1000 is more than"},
  };
  return expected;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kCliEvery = 5;
#else
constexpr size_t kCliEvery = 1;
#endif

// What `actbench run FILE` does before and while training, in process, from a scratch directory:
// the exit code main() would give the error (0 when nothing was thrown) and its message.
std::pair<int, std::string> run_in_process(const std::filesystem::path& file,
                                           const std::filesystem::path& cwd) {
  const std::filesystem::path previous = std::filesystem::current_path();
  std::filesystem::current_path(cwd);
  std::pair<int, std::string> result{0, ""};
  try {
    experiment::RunOptions options;
    options.console = false;
    experiment::execute_run(experiment::prepare_run(file.string(), {}), options);
  } catch (const std::exception& error) {
    result = {exit_code_for(error), error.what()};
  }
  std::filesystem::current_path(previous);
  return result;
}

TEST(BadConfigCorpus, EveryFileIsALocatedConfigErrorThatCreatesNothing) {
  const std::filesystem::path corpus =
      std::filesystem::path(ACTBENCH_SOURCE_DIR) / "tests/config/bad_configs";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(corpus))
    files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  size_t checked = 0, through_cli = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string name = files[i].filename().string();
    auto it = expected_errors().find(name);
    ASSERT_NE(it, expected_errors().end()) << name << " has no expected error in this test";
    const std::string expected = corpus.string() + "/" + it->second;
    {
      actbench::testing::TempDir cwd;
      const auto [code, message] = run_in_process(files[i], cwd.path());
      EXPECT_EQ(code, 2) << name << ": " << message;
      EXPECT_NE(message.find(expected), std::string::npos) << name << ": " << message;
      EXPECT_TRUE(std::filesystem::is_empty(cwd.path())) << name << " created files";
    }
    if (i % kCliEvery == 0) {
      actbench::testing::TempDir cwd;
      const auto result =
          actbench::testing::run_cli("run " + files[i].string(), cwd.path().string());
      EXPECT_EQ(result.exit_code, 2) << name << ": " << result.output;
      EXPECT_NE(result.output.find(expected), std::string::npos) << name << ": " << result.output;
      EXPECT_NE(result.output.find("error:"), std::string::npos) << name;
      EXPECT_TRUE(std::filesystem::is_empty(cwd.path())) << name << " created files";
      ++through_cli;
    }
    ++checked;
  }
  EXPECT_GE(checked, 40u);
  EXPECT_EQ(checked, expected_errors().size());
  EXPECT_GE(through_cli, checked / kCliEvery);
}

}  // namespace
}  // namespace actbench::config
