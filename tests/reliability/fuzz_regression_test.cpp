// Regression tests for what the fuzzers (fuzz/) found, each as a readable input with the exact
// error it must now give. The raw crashing inputs stay in fuzz/corpus/, replayed by
// fuzz_corpus_test.cpp.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "config/loader.hpp"
#include "data/idx.hpp"
#include "support/run_helpers.hpp"

namespace actbench::reliability {
namespace {

using actbench::testing::run_cli;
using actbench::testing::TempDir;

std::string load_error(const TempDir& dir, const std::string& yaml) {
  const auto file = dir.write("c.yaml", yaml);
  try {
    config::load_run_spec(file.string(), {});
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no ConfigError";
}

// config_loader fuzzer: a byte that is not UTF-8 inside a string was accepted, and the JSON writer
// threw nlohmann's type_error 316 when the run id or meta.json was written.
TEST(FuzzRegression, ConfigTextThatIsNotUtf8IsALocatedConfigError) {
  TempDir dir;
  EXPECT_NE(load_error(dir, "seed: 1\nname: \"sw\x97m\"\n")
                .find("c.yaml:2:10: error: byte 0x97 is not valid UTF-8"),
            std::string::npos)
      << load_error(dir, "seed: 1\nname: \"sw\x97m\"\n");
  // Overlong encodings and a truncated sequence at the end are refused too.
  EXPECT_NE(load_error(dir, "name: \xC0\xAF\n").find("c.yaml:1:7: error: byte 0xC0"),
            std::string::npos);
  EXPECT_NE(load_error(dir, "name: a\xE2\x82").find("c.yaml:1:8: error: byte 0xE2"),
            std::string::npos);
  // Escapes cannot smuggle it in: yaml-cpp refuses a lone surrogate itself.
  EXPECT_NE(load_error(dir, "name: \"a\\uD800\"\n").find("c.yaml:1:15: error: YAML syntax"),
            std::string::npos);
  // Valid multi-byte text stays accepted.
  EXPECT_EQ(load_error(dir, "name: \"caf\xC3\xA9-\xE2\x9C\x93-\xF0\x9F\x98\x80\"\n"),
            "no ConfigError");
}

TEST(FuzzRegression, RunWithANameThatIsNotUtf8ExitsTwoAndCreatesNothing) {
  TempDir dir;
  dir.write("c.yaml", "name: \"sw\x97m\"\ndata: {dataset: synthetic}\noutput: {dir: runs}\n");
  const auto result = run_cli("run c.yaml", dir.path().string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("c.yaml:1:10: error: byte 0x97 is not valid UTF-8"),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "runs"));
}

// idx fuzzer: read_idx allocated what a corrupt header declared (here 40 images of 16384x16384,
// 10.7 GB) before reading a byte of payload. Now the memory follows the data that is there. The
// read runs in a child whose address space is capped 2 GiB above what it already uses, so the old
// up-front allocation fails there instead of succeeding lazily.
TEST(FuzzRegression, IdxHeaderDeclaringGigabytesIsATruncatedFileNotAnAllocation) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reserves terabytes of address space; RLIMIT_AS cannot apply";
#else
  TempDir dir;
  const auto file = dir.path() / "train-images-idx3-ubyte";
  {
    std::ofstream out(file, std::ios::binary);
    const unsigned char header[] = {0, 0, 8, 3, 0, 0, 0, 40, 0, 0, 0x40, 0, 0, 0, 0x40, 0};
    out.write(reinterpret_cast<const char*>(header), sizeof header);
    out << "a few bytes";
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    long pages = 0;
    std::ifstream("/proc/self/statm") >> pages;
    const rlim_t cap = static_cast<rlim_t>(pages) * ::sysconf(_SC_PAGESIZE) + (rlim_t{2} << 30);
    const rlimit limit{cap, cap};
    if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(3);
    try {
      data::read_idx(file, {data::IdxKind::kImages, "mnist", 0, 0, 0, 0});
    } catch (const DataError& e) {
      const std::string message = e.what();
      ::_exit(message.find("is truncated") != std::string::npos ? 0 : 4);
    } catch (...) {
      ::_exit(5);  // the allocation failed: the reader trusted the header
    }
    ::_exit(6);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "3: setrlimit failed, 4: another DataError, 5: the "
                                       "allocation failed, 6: no error at all";
#endif
}

}  // namespace
}  // namespace actbench::reliability
