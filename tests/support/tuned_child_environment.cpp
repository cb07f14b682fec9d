// Gives every actbench process the tests start the environment its main() would otherwise
// re-execute itself to get (core::set_tuned_environment), so each CLI run loads LibTorch once, not
// twice: about 0.6 s saved per run, 1.8 s under AddressSanitizer, where the CLI tests start the
// binary hundreds of times. Cli.ReExecutesWithTunedEnvironment starts one without it, to keep
// main's path tested.
#include "core/runtime.hpp"

namespace actbench::testing::tuned_child_environment {

// Runs before GoogleTest's main: children inherit the environment from the first test on.
const bool kSet = (core::set_tuned_environment(), true);

}  // namespace actbench::testing::tuned_child_environment
