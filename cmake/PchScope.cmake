# Which translation units get the LibTorch precompiled header (src/core/pch.hpp). The header is
# about 650 MB; loading it costs a translation unit about 5 s of CPU, which a file that includes
# LibTorch (directly or through a project header) earns back twice over, and a file that does not
# (the config parser, the reports, the statistics) simply loses: those compile in under a second
# without it. actbench_limit_pch_to_torch(<sources>) marks every source that does not reach a
# LibTorch header with SKIP_PRECOMPILE_HEADERS. The scan follows quoted includes under src/,
# tests/ and the source root; a header that gains a LibTorch include after configuring only makes
# its files compile slower until CMake reruns, never wrong. With ACTBENCH_UNITY the same scan
# decides which sources are batched: only those that reach LibTorch.

function(_actbench_reaches_torch file out)
  get_property(known GLOBAL PROPERTY "ACTBENCH_REACHES_TORCH_${file}" SET)
  if(known)
    get_property(value GLOBAL PROPERTY "ACTBENCH_REACHES_TORCH_${file}")
    set(${out} ${value} PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY "ACTBENCH_REACHES_TORCH_${file}" FALSE)  # an include cycle ends here
  file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  set(result FALSE)
  foreach(line IN LISTS includes)
    if(line MATCHES "[<\"](torch|ATen|c10)/")
      set(result TRUE)
      break()
    endif()
    if(line MATCHES "\"([^\"]+)\"")
      set(name "${CMAKE_MATCH_1}")
      foreach(root "${CMAKE_SOURCE_DIR}/src" "${CMAKE_SOURCE_DIR}/tests" "${CMAKE_SOURCE_DIR}")
        if(EXISTS "${root}/${name}")
          _actbench_reaches_torch("${root}/${name}" reaches)
          if(reaches)
            set(result TRUE)
          endif()
          break()
        endif()
      endforeach()
      if(result)
        break()
      endif()
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY "ACTBENCH_REACHES_TORCH_${file}" ${result})
  set(${out} ${result} PARENT_SCOPE)
endfunction()

function(actbench_limit_pch_to_torch)
  foreach(source IN LISTS ARGN)
    _actbench_reaches_torch("${source}" reaches)
    if(NOT reaches)
      # In a unity build these stay single units too: batched with LibTorch units they would pay
      # for the header they never use, and alone they compile in about a second each.
      set_source_files_properties("${source}" PROPERTIES SKIP_PRECOMPILE_HEADERS ON
                                                         SKIP_UNITY_BUILD_INCLUSION ON)
    endif()
  endforeach()
endfunction()
