// Planning (resolution, validation, shape inference) and construction of MLP and CNN networks.
#include "model/network.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <map>
#include <mutex>
#include <tuple>

#include "core/strings.hpp"
#include "model/properties.hpp"

namespace actbench::model {

namespace {

std::string component_label(const std::string& name, const core::ParamValues& params) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : params.all())
    parts.push_back(key + "=" + core::param_value_string(value));
  return parts.empty() ? name : name + "(" + core::join(parts) + ")";
}

// The largest |f'(z)| over z in [-10, 10], measured with autograd on the module itself, so that the
// saturation threshold follows the activation's real parameters (sine's omega_0, PReLU's slope,
// ...).
double measure_max_derivative(Activation& activation, int64_t features, bool is_conv) {
  torch::AutoGradMode enable_grad(true);
  const bool was_training = activation.is_training();
  activation.eval();  // RReLU draws random slopes in training mode
  const int64_t width = features * activation.pieces();
  const int64_t points = std::clamp<int64_t>(4'000'000 / std::max<int64_t>(width, 1), 101, 2001);
  torch::Tensor grid = torch::linspace(-10.0, 10.0, points);
  torch::Tensor z = grid.unsqueeze(1).expand({points, width}).contiguous();
  if (is_conv) z = z.view({points, width, 1, 1});
  z.requires_grad_(true);
  torch::Tensor y = activation.forward(z);
  torch::Tensor dz = torch::autograd::grad({y.sum()}, {z})[0];
  activation.train(was_training);
  return dz.abs().max().item<double>();
}

// The catalogue's zero-derivative half-lines, computed once per activation and parameters: the
// properties take tens of milliseconds, and deep narrow studies build networks by the thousand.
std::pair<double, double> flat_half_lines(const ResolvedActivation& activation,
                                          const std::string& label) {
  static std::mutex mutex;
  static std::map<std::string, std::pair<double, double>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto found = cache.find(label);
  if (found == cache.end()) {
    const ActivationProperties properties = compute_properties(activation);
    found =
        cache.emplace(label, std::make_pair(properties.flat_below, properties.flat_above)).first;
  }
  return found->second;
}

}  // namespace

ModelPlan plan_model(config::RunSpec& spec, const core::DatasetShape& shape) {
  config::ModelSpec& m = spec.model;
  ModelPlan plan;
  plan.num_classes = shape.num_classes;

  const bool is_cnn = m.type == "cnn";
  if (!is_cnn && !m.conv.empty()) {
    throw ConfigError(spec.location_of("model.conv"), "model.conv is set but model.type is 'mlp'",
                      "set model.type: cnn to use conv blocks, or remove model.conv");
  }
  if (is_cnn && m.conv.empty()) {
    throw ConfigError(spec.location_of("model.type"), "a cnn needs at least one conv block",
                      "add model.conv: [{out_channels: 32, kernel_size: 3, padding: 1, pool: 2}]");
  }

  // Resolve the default activation once and write its parameters back for the resolved config.
  const ResolvedActivation default_activation = resolve_activation(m.activation);
  m.activation.params = default_activation.params.all();

  const int64_t num_hidden = static_cast<int64_t>(m.conv.size() + m.hidden.size());
  for (const auto& [index, activation_spec] : m.layer_activations) {
    if (index >= num_hidden) {
      throw ConfigError(spec.location_of(fmt::format("model.layer_activations.{}", index)),
                        fmt::format("model.layer_activations has layer {}, but the model has {} "
                                    "hidden layers (0 to {})",
                                    index, num_hidden, num_hidden - 1),
                        "layers are counted from 0 over conv blocks, then hidden layers");
    }
  }

  auto activation_for =
      [&](int64_t index,
          std::optional<core::ComponentSpec>* block_activation) -> ResolvedActivation {
    auto it = m.layer_activations.find(index);
    if (it != m.layer_activations.end()) {
      if (block_activation != nullptr && block_activation->has_value()) {
        throw ConfigError(
            it->second.where,
            fmt::format("layer {} has an activation both here and in its conv block", index),
            "keep one of them");
      }
      ResolvedActivation resolved = resolve_activation(it->second);
      it->second.params = resolved.params.all();
      return resolved;
    }
    if (block_activation != nullptr && block_activation->has_value()) {
      ResolvedActivation resolved = resolve_activation(**block_activation);
      (*block_activation)->params = resolved.params.all();
      return resolved;
    }
    return default_activation;
  };

  int64_t channels = shape.channels, height = shape.height, width = shape.width;
  int64_t index = 0;
  for (size_t i = 0; i < m.conv.size(); ++i, ++index) {
    config::ConvBlockSpec& block = m.conv[i];
    const std::string path = fmt::format("model.conv.{}", i);
    LayerPlan layer;
    layer.activation = activation_for(index, &block.activation);
    layer.info.name = fmt::format("conv{}", i + 1);
    layer.info.is_conv = true;
    layer.info.units = block.out_channels;
    layer.info.fan_in = channels * block.kernel_size * block.kernel_size;
    layer.info.activation = component_label(layer.activation.entry->name, layer.activation.params);
    layer.in_features = channels;
    layer.kernel_size = block.kernel_size;
    layer.stride = block.stride;
    layer.padding = block.padding;
    layer.pool = block.pool;
    const int64_t out_h = (height + 2 * block.padding - block.kernel_size) / block.stride + 1;
    const int64_t out_w = (width + 2 * block.padding - block.kernel_size) / block.stride + 1;
    if (height + 2 * block.padding < block.kernel_size || out_h < 1 || out_w < 1) {
      throw ConfigError(
          spec.location_of(path + ".kernel_size"),
          fmt::format("conv block {}: kernel {} does not fit its {}x{} input (padding "
                      "{})",
                      i, block.kernel_size, height, width, block.padding),
          "use a smaller kernel, more padding, or fewer pooling blocks before it");
    }
    height = out_h;
    width = out_w;
    if (block.pool > 0) {
      if (height < block.pool || width < block.pool) {
        throw ConfigError(spec.location_of(path + ".pool"),
                          fmt::format("conv block {}: pool {} does not fit its {}x{} output", i,
                                      block.pool, height, width),
                          "use a smaller pool or fewer blocks");
      }
      height /= block.pool;
      width /= block.pool;
    }
    layer.out_height = height;
    layer.out_width = width;
    channels = block.out_channels;
    plan.hidden.push_back(layer);
  }

  int64_t features = is_cnn ? channels * height * width : shape.features();
  for (size_t i = 0; i < m.hidden.size(); ++i, ++index) {
    LayerPlan layer;
    layer.activation = activation_for(index, nullptr);
    layer.info.name = fmt::format("fc{}", i + 1);
    layer.info.units = m.hidden[i];
    layer.info.fan_in = features;
    layer.info.activation = component_label(layer.activation.entry->name, layer.activation.params);
    layer.in_features = features;
    features = m.hidden[i];
    plan.hidden.push_back(layer);
  }
  plan.output_in_features = features;

  plan.init = resolve_init(m.init);
  m.init.params = plan.init.params.all();
  plan.bias_init = resolve_bias_init(m.bias_init);
  m.bias_init.params = plan.bias_init.params.all();
  if (plan.init.entry->sets_bias && spec.where.count("model.bias_init") > 0) {
    throw ConfigError(spec.location_of("model.bias_init"),
                      "init '" + plan.init.entry->name +
                          "' draws the biases together with the weights, so model.bias_init "
                          "would be ignored",
                      "remove model.bias_init, or pick another init");
  }

  std::vector<std::string> parts;
  if (!is_cnn) parts.push_back(std::to_string(shape.features()));
  for (const auto& layer : plan.hidden)
    parts.push_back((layer.info.is_conv ? "conv" : "") + std::to_string(layer.info.units));
  parts.push_back(std::to_string(shape.num_classes));
  plan.summary = core::join(parts, "-");
  return plan;
}

NetworkImpl::NetworkImpl(const ModelPlan& plan, const config::ModelSpec& spec)
    : is_cnn_(spec.type == "cnn") {
  for (size_t i = 0; i < plan.hidden.size(); ++i) {
    const LayerPlan& p = plan.hidden[i];
    Layer layer;
    layer.info = p.info;
    ActivationContext context;
    context.num_features = p.info.units;
    context.is_conv = p.info.is_conv;
    layer.activation = p.activation.make(context);
    const int64_t pre_units = p.info.units * layer.activation->pieces();
    if (p.info.is_conv) {
      layer.conv = register_module(
          p.info.name,
          torch::nn::Conv2d(torch::nn::Conv2dOptions(p.in_features, pre_units, p.kernel_size)
                                .stride(p.stride)
                                .padding(p.padding)));
      if (spec.norm == "batch")
        layer.norm2d = register_module(p.info.name + "_norm", torch::nn::BatchNorm2d(pre_units));
    } else {
      layer.linear = register_module(p.info.name, torch::nn::Linear(p.in_features, pre_units));
      if (spec.norm == "batch")
        layer.norm1d = register_module(p.info.name + "_norm", torch::nn::BatchNorm1d(pre_units));
    }
    register_module(p.info.name + "_act", layer.activation);
    if (spec.dropout > 0.0)
      layer.dropout = register_module(p.info.name + "_dropout", torch::nn::Dropout(spec.dropout));
    layer.pool = p.pool;
    layer.info.max_derivative =
        measure_max_derivative(*layer.activation, p.info.units, p.info.is_conv);
    std::tie(layer.info.flat_below, layer.info.flat_above) =
        flat_half_lines(p.activation, p.info.activation);
    layers_.push_back(std::move(layer));
  }
  output_ = register_module("out", torch::nn::Linear(plan.output_in_features, plan.num_classes));
}

torch::Tensor NetworkImpl::forward(const torch::Tensor& input, LayerObserver* observer) {
  torch::Tensor x = is_cnn_ ? input : input.flatten(1);
  for (size_t i = 0; i < layers_.size(); ++i) {
    Layer& layer = layers_[i];
    if (layer.conv) {
      x = layer.conv->forward(x);
      if (layer.norm2d) x = layer.norm2d->forward(x);
    } else {
      if (x.dim() > 2) x = x.flatten(1);
      x = layer.linear->forward(x);
      if (layer.norm1d) x = layer.norm1d->forward(x);
    }
    torch::Tensor post = layer.activation->forward(x);
    if (observer != nullptr) observer->observe(i, x, post);
    x = post;
    if (layer.pool > 0) x = torch::max_pool2d(x, layer.pool);
    if (layer.dropout) x = layer.dropout->forward(x);
  }
  if (x.dim() > 2) x = x.flatten(1);
  return output_->forward(x);
}

torch::Tensor NetworkImpl::hidden_weight(size_t layer) const {
  const Layer& l = layers_[layer];
  return l.conv ? l.conv->weight : l.linear->weight;
}

std::vector<std::string> NetworkImpl::reinitialize(const ModelPlan& plan) {
  torch::NoGradGuard no_grad;
  std::vector<std::string> report;
  const int64_t num_layers = static_cast<int64_t>(layers_.size()) + 1;
  const std::string init_label = component_label(plan.init.entry->name, plan.init.params);
  const std::string bias_label = component_label(plan.bias_init.entry->name, plan.bias_init.params);
  auto init_one = [&](torch::Tensor weight, torch::Tensor bias, int64_t index,
                      const ResolvedActivation* activation, const std::string& name) {
    InitContext context;
    context.layer_index = index;
    context.num_layers = num_layers;
    const int64_t receptive = weight.dim() > 2 ? weight[0][0].numel() : 1;
    context.fan_in = weight.size(1) * receptive;
    context.fan_out = weight.size(0) * receptive;
    context.activation = activation;
    context.bias = bias;
    plan.init.entry->apply(weight, plan.init.params, context, plan.init.where);
    if (bias.defined() && !plan.init.entry->sets_bias)
      plan.bias_init.entry->apply(bias, plan.bias_init.params, context);
    report.push_back(
        fmt::format("{}: weight {} (fan_in {}, fan_out {}, gain {:.4g}, std {:.4g}), "
                    "bias {}",
                    name, init_label, context.fan_in, context.fan_out, layer_gain(context),
                    weight.std().item<double>(),
                    plan.init.entry->sets_bias ? "drawn with the weights" : bias_label));
    if (plan.init.entry->describe)
      report.back() += "; " + plan.init.entry->describe(plan.init.params, context);
  };
  for (size_t i = 0; i < layers_.size(); ++i) {
    Layer& l = layers_[i];
    torch::Tensor weight = l.conv ? l.conv->weight : l.linear->weight;
    torch::Tensor bias = l.conv ? l.conv->bias : l.linear->bias;
    init_one(weight, bias, static_cast<int64_t>(i), &plan.hidden[i].activation, l.info.name);
  }
  init_one(output_->weight, output_->bias, num_layers - 1,
           plan.hidden.empty() ? nullptr : &plan.hidden.back().activation, "out");
  return report;
}

Network build_network(const ModelPlan& plan, const config::ModelSpec& spec,
                      const torch::Device& device, std::vector<std::string>* init_report) {
  auto network = std::make_shared<NetworkImpl>(plan, spec);
  std::vector<std::string> report = network->reinitialize(plan);
  if (init_report != nullptr) *init_report = std::move(report);
  network->to(device);
  return network;
}

}  // namespace actbench::model
