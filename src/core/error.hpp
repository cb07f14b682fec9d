// Error types shared by every stage, each mapped to a process exit code: configuration mistakes
// exit 2 (nothing ran), every other failure exits 1. A ConfigError carries where the mistake is,
// like a compiler.
#pragma once

#include <stdexcept>
#include <string>

namespace actbench {

// Where a configuration value came from: "file:line:col" for a YAML file (1-based, as editors
// count),
// "<cli>:argN" for a command-line override, "<default>" for a value nobody wrote.
struct SourceLocation {
  std::string file;  // path, "<cli>" or "<default>"
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
  int arg = 0;       // 1-based index of a command-line override; 0 otherwise

  static SourceLocation in_file(std::string file, int line, int column);
  static SourceLocation cli_arg(int arg);
  static SourceLocation defaulted();
  bool known() const { return !file.empty() && file != "<default>"; }
  std::string str() const;
};

// Any failure that is not a programming error. Exit code 1.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A mistake in a config file or override: what is wrong, where, and how to fix it. Exit code 2.
class ConfigError : public Error {
 public:
  ConfigError(SourceLocation where, std::string message, std::string hint = "");
  const SourceLocation& where() const { return where_; }
  const std::string& message() const { return message_; }
  const std::string& hint() const { return hint_; }

 private:
  SourceLocation where_;
  std::string message_;
  std::string hint_;
};

// A missing, truncated or corrupt data file; the message names the file and how to fetch it again.
class DataError : public Error {
 public:
  using Error::Error;
};

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitConfigError = 2;

int exit_code_for(const std::exception& error);

}  // namespace actbench
