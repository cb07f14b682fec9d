// The shell prefix that caps a child's address space (`ulimit -v`), for tests that run the CLI on
// hostile input and must see a blow-up as a failure instead of a machine out of memory. Under
// AddressSanitizer the prefix is empty: ASan reserves terabytes of address space for its shadow at
// start-up, so no RLIMIT_AS would let the child start. The sanitizer suite still runs every such
// test with its time limit; the release suite checks the memory bound.
#pragma once

#include <string>

namespace actbench::testing {

inline std::string address_space_cap(long mebibytes) {
#if defined(__SANITIZE_ADDRESS__)
  (void)mebibytes;
  return "";
#else
  return "ulimit -v " + std::to_string(mebibytes * 1024) + " && ";
#endif
}

}  // namespace actbench::testing
