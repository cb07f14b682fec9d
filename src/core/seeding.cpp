// Seeding LibTorch's global generator (core/seeding.hpp has every stream and its seed).
#include "core/seeding.hpp"

#include <torch/torch.h>

namespace actbench::core {

void seed_init_generator(int64_t run_seed) { torch::manual_seed(init_seed(run_seed)); }

}  // namespace actbench::core
