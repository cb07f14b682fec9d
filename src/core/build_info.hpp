// What this binary was built from (version, git commit); defined in the CMake-generated
// build_info.cpp.
#pragma once

namespace actbench::core {
const char* version();
const char* git_commit();
}  // namespace actbench::core
