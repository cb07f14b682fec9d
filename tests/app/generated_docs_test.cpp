// Generated reference stays generated: the config schema table in docs/config.md must be exactly
// what `actbench validate --schema` prints (scripts/update_docs.sh rewrites it).
#include <gtest/gtest.h>

#include <string>

#include "core/files.hpp"
#include "support/run_helpers.hpp"

namespace actbench::app {
namespace {

// The text between the line holding `begin` and the line holding `end`.
std::string between_markers(const std::string& text, const std::string& begin,
                            const std::string& end) {
  const auto start = text.find(begin);
  if (start == std::string::npos) return "<no " + begin + " marker>";
  const auto body = text.find('\n', start) + 1;
  const auto stop = text.find(end, body);
  if (stop == std::string::npos) return "<no " + end + " marker>";
  return text.substr(body, stop - body);
}

TEST(GeneratedDocs, ConfigSchemaMatchesTheBinary) {
  const std::string doc = core::read_file(std::string(ACTBENCH_SOURCE_DIR) + "/docs/config.md");
  const auto printed = actbench::testing::run_cli("validate --schema");
  ASSERT_EQ(printed.exit_code, 0) << printed.output;
  EXPECT_EQ(between_markers(doc, "<!-- schema:begin", "<!-- schema:end -->"), printed.output)
      << "docs/config.md is out of date: run scripts/update_docs.sh";
}

}  // namespace
}  // namespace actbench::app
