// Precompiled header for the core library and the tests: the LibTorch, yaml-cpp and spdlog headers
// dominate compile time, so they are parsed once per build instead of once per translation unit.
#pragma once
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
