// The fp32 FMA peak of one core, measured: a loop of independent fused multiply-adds on AVX-512
// (16 lanes) and AVX2 (8 lanes) registers, enough accumulators to hide the FMA latency on two FMA
// ports. bench/run_bench.py compiles it (no LibTorch needed) and relates the MLP's achieved
// GFLOP/s to it. Prints one JSON object; rates per CPU second as well as per wall second, since the
// machine is shared and only CPU time is free of the other users' load.
#include <immintrin.h>
#include <time.h>

#include <cstdio>

namespace {

double seconds(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

constexpr long kIterations = 200'000'000;
constexpr int kAccumulators = 16;  // FMA latency 4 cycles x 2 ports = 8 in flight; 16 is ample

__attribute__((target("avx512f"))) float fma_loop_avx512(long iterations) {
  __m512 acc[kAccumulators];
  for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long n = 0; n < iterations; ++n) {
#pragma GCC unroll 16
    for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < kAccumulators; ++i) sum = _mm512_add_ps(sum, acc[i]);
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  return lanes[0] + lanes[15];  // keeps the loop alive
}

__attribute__((target("avx2,fma"))) float fma_loop_avx2(long iterations) {
  __m256 acc[kAccumulators];
  for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (long n = 0; n < iterations; ++n) {
#pragma GCC unroll 16
    for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < kAccumulators; ++i) sum = _mm256_add_ps(sum, acc[i]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  return lanes[0] + lanes[7];
}

// Runs `loop` and returns {GFLOP/s per wall second, per CPU second}; an FMA is 2 FLOPs per lane.
template <typename Loop>
void measure(const char* name, int lanes, Loop loop, bool last) {
  const double wall0 = seconds(CLOCK_MONOTONIC), cpu0 = seconds(CLOCK_THREAD_CPUTIME_ID);
  const float sink = loop(kIterations);
  const double wall = seconds(CLOCK_MONOTONIC) - wall0;
  const double cpu = seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
  const double flops = 2.0 * lanes * kAccumulators * static_cast<double>(kIterations);
  std::printf("  \"%s\": {\"gflops_wall\": %.1f, \"gflops_cpu\": %.1f, \"sink\": %g}%s\n", name,
              flops / wall * 1e-9, flops / cpu * 1e-9, static_cast<double>(sink), last ? "" : ",");
}

}  // namespace

int main() {
  std::printf("{\n");
  const bool avx512 = __builtin_cpu_supports("avx512f");
  measure("avx2", 8, fma_loop_avx2, !avx512);
  if (avx512) measure("avx512", 16, fma_loop_avx512, true);
  std::printf("}\n");
  return 0;
}
