// Google Benchmark: what the probes add to one training step of the MNIST MLP
// (configs/mnist_mlp.yaml: 784-256-256-10, ReLU, batch 128, SGD with momentum), in one process so
// that the ratios hold on a shared machine. Variants (the benchmark's argument):
//   0  the step alone (probes.enabled: false)
//   1  + the weight-gradient meter, as every run with probes on (per-epoch probes)
//   2  + every-step records from the training batch (probes.every_steps: 1, step_source:
//      train_batch): the batch meter watches the forward pass and is read after every step
//   3  + every-step records on a 128-sample probe set (step_source: probe_set)
// Run: build/actbench_probe_bench --benchmark_repetitions=20 --benchmark_enable_random_interleaving
//      --benchmark_report_aggregates_only=true   (interleaving spreads the machine's drift evenly)
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "core/runtime.hpp"
#include "experiment/experiment.hpp"
#include "probe/probes.hpp"
#include "train/trainer.hpp"

namespace {

using namespace actbench;

void TrainingStep(benchmark::State& state) {
  const int64_t variant = state.range(0);
  core::set_compute_threads(1);
  const experiment::PreparedRun prepared =
      experiment::prepare_run(ACTBENCH_SOURCE_DIR "/configs/mnist_mlp.yaml", {});
  torch::manual_seed(0);
  model::Network network = model::build_network(prepared.plan, prepared.spec.model, torch::kCPU);
  network->train();
  const std::vector<torch::Tensor> parameters = network->parameters();
  auto optimizer = train::make_optimizer(prepared.spec.optim, parameters);
  const torch::Tensor x = torch::randn({128, 1, 28, 28});
  const torch::Tensor y = torch::randint(0, 10, {128}, torch::kLong);
  const double threshold = prepared.spec.probes.saturation_threshold;
  probe::GradNormMeter grad_meter(network->num_hidden());
  probe::BatchProbeMeter batch_meter(*network, threshold);
  core::retain_freed_memory();

  for (auto _ : state) {
    for (const auto& parameter : parameters) parameter.mutable_grad().reset();
    const torch::Tensor logits = network->forward(x, variant == 2 ? &batch_meter : nullptr);
    const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
    benchmark::DoNotOptimize(loss.item<double>());
    loss.backward();
    if (variant >= 1) grad_meter.add(*network);
    optimizer->step();
    if (variant == 2) benchmark::DoNotOptimize(batch_meter.read_and_reset());
    if (variant == 3) benchmark::DoNotOptimize(probe::measure_layers(*network, x, y, threshold));
    if (variant >= 2) benchmark::DoNotOptimize(grad_meter.read_and_reset());
  }
  state.SetItemsProcessed(state.iterations() * 128);
}
BENCHMARK(TrainingStep)->Arg(0)->Arg(1)->Arg(2)->Arg(3)->Unit(benchmark::kMicrosecond);

// One hidden layer's share of the batch meter: observe() on a 128 x 256 ReLU layer and a read
// every step, against making the layer's pre-activation alone (argument 0).
void BatchMeterLayer(benchmark::State& state) {
  core::set_compute_threads(1);
  const experiment::PreparedRun prepared =
      experiment::prepare_run(ACTBENCH_SOURCE_DIR "/configs/mnist_mlp.yaml", {});
  torch::manual_seed(0);
  model::Network network = model::build_network(prepared.plan, prepared.spec.model, torch::kCPU);
  probe::BatchProbeMeter meter(*network, prepared.spec.probes.saturation_threshold);
  const torch::Tensor source = torch::randn({128, 256}).requires_grad_(true);
  for (auto _ : state) {
    const torch::Tensor pre = source * 1.0f;
    if (state.range(0) == 1) {
      meter.observe(1, pre, torch::relu(pre));
      benchmark::DoNotOptimize(meter.read_and_reset());
    }
  }
}
BENCHMARK(BatchMeterLayer)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
