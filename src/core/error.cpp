// Formatting of located errors and the mapping from error type to exit code.
#include "core/error.hpp"

#include <fmt/format.h>

namespace actbench {

SourceLocation SourceLocation::in_file(std::string file, int line, int column) {
  SourceLocation loc;
  loc.file = std::move(file);
  loc.line = line;
  loc.column = column;
  return loc;
}

SourceLocation SourceLocation::cli_arg(int arg) {
  SourceLocation loc;
  loc.file = "<cli>";
  loc.arg = arg;
  return loc;
}

SourceLocation SourceLocation::defaulted() {
  SourceLocation loc;
  loc.file = "<default>";
  return loc;
}

std::string SourceLocation::str() const {
  if (file.empty()) return "<unknown>";
  if (arg > 0) return fmt::format("{}:arg{}", file, arg);
  if (line > 0 && column > 0) return fmt::format("{}:{}:{}", file, line, column);
  if (line > 0) return fmt::format("{}:{}", file, line);
  return file;
}

static std::string format_config_error(const SourceLocation& where, const std::string& message,
                                       const std::string& hint) {
  std::string text = fmt::format("{}: error: {}", where.str(), message);
  if (!hint.empty()) text += fmt::format("\n  hint: {}", hint);
  return text;
}

ConfigError::ConfigError(SourceLocation where, std::string message, std::string hint)
    : Error(format_config_error(where, message, hint)),
      where_(std::move(where)),
      message_(std::move(message)),
      hint_(std::move(hint)) {}

int exit_code_for(const std::exception& error) {
  if (dynamic_cast<const ConfigError*>(&error) != nullptr) return kExitConfigError;
  return kExitFailure;
}

}  // namespace actbench
