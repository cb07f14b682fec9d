// The search for shipped files (see shipped_files.hpp).
#include "core/shipped_files.hpp"

#include <system_error>

namespace actbench::core {

std::vector<std::filesystem::path> shipped_roots() {
  std::vector<std::filesystem::path> roots{"."};
  std::error_code error;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return roots;
  roots.push_back(exe.parent_path().parent_path() / "share" / "actbench");
  // build/actbench in a checkout: the checkout's own configs/ and experiments/.
  const auto checkout = exe.parent_path().parent_path();
  if (std::filesystem::is_regular_file(checkout / "CMakeLists.txt", error))
    roots.push_back(checkout);
  return roots;
}

std::filesystem::path find_shipped_file(const std::filesystem::path& relative) {
  std::error_code error;
  if (relative.is_absolute() || std::filesystem::exists(relative, error)) return relative;
  for (const auto& root : shipped_roots()) {
    const auto candidate = root / relative;
    if (std::filesystem::is_regular_file(candidate, error)) return candidate;
  }
  return relative;
}

}  // namespace actbench::core
