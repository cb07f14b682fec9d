# libFuzzer targets for everything actbench reads from users (fuzz/README.md), opt in with
#   cmake -S . -B /tmp/build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DACTBENCH_FUZZ=ON
#   cmake --build /tmp/build-fuzz --target actbench_fuzzers
# (scripts/fuzz.sh does both and runs them). Each fuzzer compiles only the sources its entry needs,
# instrumented with -fsanitize=fuzzer-no-link,address,undefined: the core library as a whole pulls
# in LibTorch for nearly every file and would take most of an hour to build under sanitizers on two
# cores. LibTorch itself stays uninstrumented (Debian's shared libraries).
option(ACTBENCH_FUZZ "Build the libFuzzer targets in fuzz/ (needs clang)" OFF)

if(ACTBENCH_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ACTBENCH_FUZZ needs clang (libFuzzer): configure with "
                        "-DCMAKE_CXX_COMPILER=clang++ (Debian: apt-get install clang)")
  endif()

  # Sanitizer reports must stop the fuzzer, not scroll by: -fno-sanitize-recover.
  set(ACTBENCH_FUZZ_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=all)
  set(ACTBENCH_FUZZ_COMPILE_FLAGS ${ACTBENCH_FUZZ_SANITIZERS} -fsanitize=fuzzer-no-link
      -fno-omit-frame-pointer -g -O1)

  # The config loader and the pieces every entry shares (errors, string helpers, bounded file
  # reads and atomic writes).
  set(ACTBENCH_FUZZ_CONFIG_SOURCES src/config/schema.cpp src/config/tree.cpp
      src/config/overrides.cpp src/core/strings.cpp src/core/error.cpp src/core/params.cpp
      src/core/files.cpp)

  # One instrumented object library per group, shared by the fuzzers that need it.
  function(actbench_add_fuzz_objects name)
    add_library(${name} OBJECT ${ARGN})
    target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR})
    target_compile_options(${name} PUBLIC ${ACTBENCH_FUZZ_COMPILE_FLAGS} ${TORCH_CXX_FLAGS})
    target_link_libraries(${name} PUBLIC yaml-cpp fmt::fmt nlohmann_json::nlohmann_json
                                         ${TORCH_LIBRARIES} ZLIB::ZLIB OpenSSL::Crypto)
    target_link_libraries(${name} PRIVATE actbench_warnings)
  endfunction()
  actbench_add_fuzz_objects(actbench_fuzz_config ${ACTBENCH_FUZZ_CONFIG_SOURCES})
  actbench_add_fuzz_objects(actbench_fuzz_expression src/expression/expression.cpp)
  actbench_add_fuzz_objects(actbench_fuzz_data src/data/idx.cpp src/data/cifar10.cpp
                            src/data/files.cpp)
  actbench_add_fuzz_objects(actbench_fuzz_slurm src/sweep/slurm_script.cpp)

  add_custom_target(actbench_fuzzers)
  function(actbench_add_fuzzer name)
    add_executable(${name}_fuzzer fuzz/${name}_fuzzer.cpp)
    target_link_options(${name}_fuzzer PRIVATE ${ACTBENCH_FUZZ_SANITIZERS} -fsanitize=fuzzer)
    target_link_libraries(${name}_fuzzer PRIVATE ${ARGN} actbench_warnings)
    add_dependencies(actbench_fuzzers ${name}_fuzzer)
  endfunction()
  actbench_add_fuzzer(config_loader actbench_fuzz_config)
  actbench_add_fuzzer(overrides actbench_fuzz_config)
  # strings.cpp, error.cpp and files.cpp are compiled once, in the config group.
  actbench_add_fuzzer(expression actbench_fuzz_expression actbench_fuzz_config)
  actbench_add_fuzzer(idx actbench_fuzz_data actbench_fuzz_config)
  actbench_add_fuzzer(cifar10 actbench_fuzz_data actbench_fuzz_config)
  actbench_add_fuzzer(slurm_script actbench_fuzz_slurm actbench_fuzz_config)
endif()
