// Pieces the weight initialisers share: the optional `gain` parameter that defaults to the
// activation's gain, and the fans of a layer. Internal to the initialisers: model/init/ and the
// mean-field ones in catalogue/.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

#include "core/params.hpp"
#include "model/init.hpp"

namespace actbench::model::init_common {

// `gain: 0` (the default) means "the activation's recommended gain", via layer_gain.
core::ParamSpec gain_param();

// The configured gain if one was set, else layer_gain(context).
double gain(const core::ParamValues& params, const InitContext& context);

// The context's fans when the builder filled them in, else PyTorch's rule from the weight's shape
// ([out, in, *kernel]: fan_in = in * kernel area, fan_out = out * kernel area).
int64_t fan_in(const at::Tensor& weight, const InitContext& context);
int64_t fan_out(const at::Tensor& weight, const InitContext& context);

// `mode: fan_in | fan_out` of the Kaiming initialisers.
core::ParamSpec mode_param();
int64_t fan_for_mode(const core::ParamValues& params, const at::Tensor& weight,
                     const InitContext& context);

}  // namespace actbench::model::init_common
