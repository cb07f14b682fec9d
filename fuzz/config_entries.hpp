// Fuzz target bodies for the config loader and the Hydra override parser, shared by the libFuzzer
// executables (fuzz/config_loader_fuzzer.cpp, fuzz/overrides_fuzzer.cpp) and
// the corpus replay test of the regular unit-test build (tests/reliability/fuzz_corpus_test.cpp),
// so CI checks every committed corpus input without clang. Each entry feeds one input through the
// same calls the CLI makes and returns normally when the input is accepted or rejected with the
// documented error type. Anything else escapes: another exception reaches std::terminate (a crash
// for libFuzzer, a failure for the test), and a sanitizer report ends the process.
#pragma once

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "config/overrides.hpp"
#include "config/tree.hpp"
#include "core/error.hpp"
#include "fuzz/fuzz_support.hpp"

namespace actbench::fuzz {

// YAML text as a config file through config::load_run_spec, the loader `actbench run` and
// `validate` call. An accepted config must also survive the trip every run makes: its resolved
// YAML (config.yaml in the run directory) must load back to the same spec.
inline void config_loader_one_input(const uint8_t* data, size_t size) {
  static const ScratchFile file("config.yaml");
  const auto& path = file.write(data, size);
  config::RunSpec spec;
  try {
    spec = config::load_run_spec(path.string(), {});
  } catch (const ConfigError&) {
    return;
  }
  const std::string resolved = config::to_yaml(spec);
  static const ScratchFile again("resolved.yaml");
  const auto& resolved_path =
      again.write(reinterpret_cast<const uint8_t*>(resolved.data()), resolved.size());
  config::RunSpec reread;
  try {
    reread = config::load_run_spec(resolved_path.string(), {});
  } catch (const ConfigError& e) {
    finding("config_loader", std::string("the resolved config does not load back: ") + e.what() +
                                 "\n--- resolved config ---\n" + resolved);
  }
  reread.name = spec.name;  // the name defaults to the file's stem, which differs
  if (config::to_json(reread) != config::to_json(spec)) {
    finding("config_loader", "the resolved config loads back differently:\n" +
                                 config::to_json(spec).dump() + "\n" +
                                 config::to_json(reread).dump());
  }
}

// One override per line, as `actbench run config.yaml LINE1 LINE2 ...` gives them: parsed, split
// into sweep choices as `actbench sweep` does, applied in order to an empty config, then read
// strictly.
inline void overrides_one_input(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream lines(text);
  std::string line;
  auto root = config::ConfigNode::make_map(SourceLocation::defaulted());
  try {
    int arg = 0;
    while (std::getline(lines, line)) {
      const config::Override parsed = config::parse_override(line, ++arg);
      if (parsed.op != config::Override::Op::Remove) {
        const std::vector<std::string> choices =
            config::split_sweep_values(parsed.value, parsed.arg);
        if (choices.empty()) finding("overrides", "no sweep choice in '" + parsed.value + "'");
      }
      config::apply_override(*root, parsed);
    }
    // Every accepted spec is written as JSON (run id, meta.json): that must not throw either.
    config::to_json(config::read_run_spec(*root)).dump();
  } catch (const ConfigError&) {
  }
}

}  // namespace actbench::fuzz
