// The network a RunSpec describes: an MLP, or a CNN (conv blocks then hidden linear layers), with a
// resolved activation per hidden layer, optional batch norm and dropout, re-initialised by the
// configured initialiser. Its forward hands every hidden layer's (pre-activation, post-activation)
// to an optional observer: LibTorch's C++ modules have no forward hooks, and probes need exactly
// these two tensors.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "config/run_spec.hpp"
#include "core/dataset_shape.hpp"
#include "model/activation.hpp"
#include "model/init.hpp"

namespace actbench::model {

// Receives each hidden layer's tensors during a forward pass.
class LayerObserver {
 public:
  virtual ~LayerObserver() = default;
  virtual void observe(size_t layer, const torch::Tensor& pre, const torch::Tensor& post) = 0;
};

// Everything about one hidden layer that reports and probes need.
struct HiddenLayerInfo {
  std::string name;  // "conv1", "fc2"
  bool is_conv = false;
  int64_t units = 0;  // output features (channels for conv)
  int64_t fan_in = 0;
  std::string activation;       // label with parameters, e.g. "leaky_relu(negative_slope=0.01)"
  double max_derivative = 0.0;  // largest |f'| of its activation, measured on a grid with autograd
  // The catalogue's half-lines where f' = 0 by definition (ActivationProperties::flat_below and
  // flat_above; -inf / +inf when none): a unit with every pre-activation there is structurally
  // dead, one whose f' is 0 elsewhere only numerically (an underflow).
  double flat_below = -std::numeric_limits<double>::infinity();
  double flat_above = std::numeric_limits<double>::infinity();
};

// One layer as planned from the spec, before any tensor exists: resolved, validated, shapes
// inferred.
struct LayerPlan {
  HiddenLayerInfo info;
  ResolvedActivation activation;
  int64_t in_features = 0;                                     // linear; for conv: in_channels
  int64_t kernel_size = 0, stride = 1, padding = 0, pool = 0;  // conv only
  int64_t out_height = 0, out_width = 0;                       // conv only, after pooling
};

struct ModelPlan {
  std::vector<LayerPlan> hidden;
  int64_t output_in_features = 0;
  int64_t num_classes = 10;
  ResolvedInit init;
  ResolvedBiasInit bias_init;
  std::string summary;  // "784-256-256-10" or "conv32-conv64-128-10"
};

// Resolves and validates every component and shape against the dataset's shape. Throws a
// ConfigError at the offending key. Also writes the resolved parameters (defaults included) back
// into `spec`, so that the run's resolved config says exactly what ran.
ModelPlan plan_model(config::RunSpec& spec, const core::DatasetShape& shape);

class NetworkImpl : public torch::nn::Module {
 public:
  NetworkImpl(const ModelPlan& plan, const config::ModelSpec& spec);

  torch::Tensor forward(const torch::Tensor& x, LayerObserver* observer = nullptr);

  size_t num_hidden() const { return layers_.size(); }
  const HiddenLayerInfo& info(size_t layer) const { return layers_[layer].info; }
  Activation& activation(size_t layer) { return *layers_[layer].activation; }
  // Weight of each hidden layer, for gradient norms.
  torch::Tensor hidden_weight(size_t layer) const;
  // Re-initialises every weight and bias with the plan's initialisers (LibTorch's constructors have
  // already initialised them their own way); returns one line per layer saying what was used.
  std::vector<std::string> reinitialize(const ModelPlan& plan);

 private:
  struct Layer {
    HiddenLayerInfo info;
    torch::nn::Linear linear{nullptr};
    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm1d norm1d{nullptr};
    torch::nn::BatchNorm2d norm2d{nullptr};
    std::shared_ptr<Activation> activation;
    torch::nn::Dropout dropout{nullptr};
    int64_t pool = 0;
  };
  std::vector<Layer> layers_;
  torch::nn::Linear output_{nullptr};
  bool is_cnn_ = false;
};

using Network = std::shared_ptr<NetworkImpl>;

// Plans (if not given) and builds the network, re-initialised, on `device`. `init_report` receives
// the per-layer initialisation lines for the run's meta.
Network build_network(const ModelPlan& plan, const config::ModelSpec& spec,
                      const torch::Device& device, std::vector<std::string>* init_report = nullptr);

}  // namespace actbench::model
