// Fuzz target bodies for the IDX and CIFAR-10 readers, shared by fuzz/idx_fuzzer.cpp,
// fuzz/cifar10_fuzzer.cpp and
// the corpus replay test of the regular unit-test build (tests/reliability/fuzz_corpus_test.cpp),
// so CI checks every committed corpus input without clang. Each entry feeds one input through the
// same calls the CLI makes and returns normally when the input is accepted or rejected with the
// documented error type. Anything else escapes: another exception reaches std::terminate (a crash
// for libFuzzer, a failure for the test), and a sanitizer report ends the process.
#pragma once

#include "core/error.hpp"
#include "data/cifar10.hpp"
#include "data/idx.hpp"
#include "fuzz/fuzz_support.hpp"

namespace actbench::fuzz {

// A file as MNIST's IDX images and labels, read whole and streamed with its checksum, plain or
// gzipped (the reader sniffs gzip itself).
inline void idx_one_input(const uint8_t* data, size_t size) {
  static const ScratchFile file("data.idx");
  const auto& path = file.write(data, size);
  data::IdxExpect images{data::IdxKind::kImages, "mnist", 0, 0, 0, 0};
  data::IdxExpect labels{data::IdxKind::kLabels, "mnist", 0, 0, 0, 10};
  for (const auto& expect : {images, labels}) {
    try {
      const at::Tensor tensor = data::read_idx(path, expect);
      const data::IdxSummary summary = data::check_idx(path, expect, true);
      if (tensor.size(0) != summary.count) {
        finding("idx", "read_idx and check_idx disagree on the count");
      }
    } catch (const DataError&) {
    }
  }
}

// A file as a CIFAR-10 batch, read whole and checked.
inline void cifar10_one_input(const uint8_t* data, size_t size) {
  static const ScratchFile file("batch.bin");
  const auto& path = file.write(data, size);
  try {
    const data::CifarBatch batch = data::read_cifar_batch(path);
    if (batch.images.size(0) != data::check_cifar_batch(path)) {
      finding("cifar10", "read_cifar_batch and check_cifar_batch disagree on the count");
    }
  } catch (const DataError&) {
  }
}

}  // namespace actbench::fuzz
