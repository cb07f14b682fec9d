// Tests of the shared core: suggestions, parameter resolution, atomic writes, the BLAS probe.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/files.hpp"
#include "core/params.hpp"
#include "core/runtime.hpp"
#include "core/strings.hpp"
#include "support/blas.hpp"
#include "support/temp_dir.hpp"

namespace actbench::core {
namespace {

TEST(Strings, EditDistanceAndSuggestions) {
  EXPECT_EQ(edit_distance("relu", "relu"), 0u);
  EXPECT_EQ(edit_distance("rellu", "relu"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("mnsit", "mnist"), 1u);
  EXPECT_EQ(closest_match("rellu", {"relu", "elu", "selu", "gelu"}), "relu");
  EXPECT_EQ(closest_match("xyzzy", {"relu", "tanh"}), "");
  EXPECT_EQ(did_you_mean("tahn", {"tanh", "sine"}), " (did you mean 'tanh'?)");
}

ComponentSpec with_param(const std::string& key, ParamValue value) {
  ComponentSpec spec;
  spec.name = "thing";
  value.where = SourceLocation::in_file("f.yaml", 3, 7);
  spec.params[key] = value;
  return spec;
}

TEST(Params, DefaultsRangesAndTypes) {
  const std::vector<ParamSpec> schema{
      ParamSpec::positive("alpha", 1.0, "scale"), ParamSpec::integer("k", 2, "pieces", 2, 16),
      ParamSpec::flag("learnable", false, "train it"),
      ParamSpec::choice("approximate", "none", {"none", "tanh"}, "form")};
  const ParamValues defaults = resolve_params("activation", schema, ComponentSpec{"thing", {}, {}});
  EXPECT_EQ(defaults.number("alpha"), 1.0);
  EXPECT_EQ(defaults.integer("k"), 2);
  EXPECT_FALSE(defaults.flag("learnable"));
  EXPECT_EQ(defaults.text("approximate"), "none");

  ParamValue zero;
  zero.number = 0.0;
  EXPECT_THROW(resolve_params("activation", schema, with_param("alpha", zero)), ConfigError);
  ParamValue fractional;
  fractional.number = 2.5;
  EXPECT_THROW(resolve_params("activation", schema, with_param("k", fractional)), ConfigError);
  ParamValue text;
  text.kind = ParamKind::Choice;
  text.text = "tanhh";
  try {
    resolve_params("activation", schema, with_param("approximate", text));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().str(), "f.yaml:3:7");
    EXPECT_NE(std::string(e.what()).find("did you mean 'tanh'"), std::string::npos);
  }
  try {
    resolve_params("activation", schema, with_param("alhpa", zero));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("has no parameter 'alhpa' (did you mean 'alpha'?)"),
              std::string::npos);
  }
}

TEST(Files, AtomicWriteReplacesWholeFile) {
  actbench::testing::TempDir dir;
  const auto path = dir.path() / "out.json";
  write_file_atomic(path, "first");
  write_file_atomic(path, "second, longer");
  EXPECT_EQ(read_file(path), "second, longer");
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1u);  // no temporary left
  EXPECT_THROW(write_file_atomic(dir.path() / "missing" / "x", "y"), Error);
}

// Run ids are short hashes of the resolved config: a changed hash function would give every
// finished run a new id, and `sweep --resume` would run them all again. Golden values: 64-bit
// FNV-1a, as computed independently (Python) for these strings.
TEST(Files, ShortHashIsStable) {
  EXPECT_EQ(short_hash("abc"), "e71fa219");
  EXPECT_EQ(short_hash(""), "cbf29ce4");
  EXPECT_EQ(short_hash("model.activation=relu", 16), "75e6bfa0afd9e205");
  EXPECT_NE(short_hash("abc"), short_hash("abd"));
}

TEST(Runtime, BlasIsOpenBlas) {
  ACTBENCH_SKIP_UNLESS_SYSTEM_BLAS();
  const BlasInfo blas = detect_blas();
  // The install step selects OpenBLAS for libblas.so.3; if this fails, LibTorch runs on the
  // reference BLAS, about 30x slower: run scripts/install_deps.sh.
  EXPECT_EQ(blas.name, "OpenBLAS") << blas.library;
  EXPECT_TRUE(blas.is_optimized());
}

TEST(Runtime, ThreadsAreSet) {
  set_compute_threads(2);
  EXPECT_EQ(compute_threads(), 2);
  set_compute_threads(1);
  EXPECT_EQ(compute_threads(), 1);
}

}  // namespace
}  // namespace actbench::core
