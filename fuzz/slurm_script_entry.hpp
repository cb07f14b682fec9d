// Fuzz target body for the Slurm job-script generator (src/sweep/slurm_script.cpp), shared by
// fuzz/slurm_script_fuzzer.cpp and the corpus replay test (tests/reliability/fuzz_corpus_test.cpp).
// The input is up to five fields separated by NUL bytes: sweep name, sweep directory, --partition,
// --time, --mem. A value the generator refuses must be refused with actbench::Error; a script it
// writes must parse with `bash -n` and, run by bash with an empty PATH and /bin/echo standing in
// for actbench, must print exactly "sweep-task <dir>" and nothing else: any command embedded in a
// field would either print, fail with "command not found" on stderr, or stop the exec from being
// reached.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/strings.hpp"
#include "fuzz/fuzz_support.hpp"
#include "sweep/slurm_script.hpp"

namespace actbench::fuzz {

inline void slurm_script_one_input(const uint8_t* data, size_t size) {
  std::vector<std::string> fields(1);
  for (size_t i = 0; i < size && fields.size() <= 5; ++i) {
    if (data[i] == 0) {
      fields.emplace_back();
    } else {
      fields.back() += static_cast<char>(data[i]);
    }
  }
  fields.resize(5);
  sweep::SlurmScriptParts parts;
  parts.sweep_name = fields[0];
  // The sweep directory is absolute, as write_slurm_array makes it.
  parts.sweep_dir = "/tmp/" + fields[1];
  parts.executable = "/bin/echo";
  sweep::SlurmOptions options;
  options.partition = fields[2];
  options.time = fields[3];
  options.mem = fields[4];
  sweep::SlurmScriptBody body;
  try {
    body = sweep::slurm_script_body(parts, options);
  } catch (const Error&) {
    return;  // refused, as documented (ConfigError is an Error)
  }
  const std::string script = sweep::slurm_script(parts, body, 3, options);

  static const ScratchFile script_file("slurm-script.sh");
  static const ScratchFile out_file("slurm-script.out");
  static const ScratchFile err_file("slurm-script.err");
  const std::string quoted = core::shell_quote(
      script_file.write(reinterpret_cast<const uint8_t*>(script.data()), script.size()).string());
  const std::string parse = "/bin/bash -n " + quoted + " 2>/dev/null";
  if (std::system(parse.c_str()) != 0) finding("slurm_script", "bash -n refuses:\n" + script);
  const std::string run = "/usr/bin/env -i PATH=/nonexistent /bin/bash " + quoted + " > " +
                          core::shell_quote(out_file.path().string()) + " 2> " +
                          core::shell_quote(err_file.path().string());
  const int status = std::system(run.c_str());
  const std::string out = core::read_file(out_file.path());
  const std::string err = core::read_file(err_file.path());
  if (status != 0 || !err.empty() || out != "sweep-task " + parts.sweep_dir + "\n") {
    finding("slurm_script", "the script ran something else (exit " + std::to_string(status) +
                                ", stdout " + out + ", stderr " + err + "):\n" + script);
  }
}

}  // namespace actbench::fuzz
