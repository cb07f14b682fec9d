# Enforces the stage order of src/ written in src/stages.txt: a source file includes headers of its
# own stage and of the stages ranked below it, never of a stage above it (a back-arrow) nor of a
# sibling of its rank. CMake in script mode: it needs nothing the build does not already have, and
# no compiled code (a fraction of a second). Each broken rule is printed like a compiler error, at
# the offending #include:
#   src/model/init/critical.cpp:12: error: model includes "catalogue/activation_theory.hpp", ...
#
#   cmake -P cmake/StageOrder.cmake                       this checkout
#   cmake -D SOURCE_DIR=<root> -P cmake/StageOrder.cmake  the tree at <root> (<root>/src)
#   cmake -D SELF_TEST=<scratch> -P cmake/StageOrder.cmake
#       writes a small tree with one break of each rule under <scratch> and fails unless exactly
#       those are reported, so a check that silently stopped seeing includes would not pass.
# CTest runs the first as stage_order.back_arrows and the last as stage_order.self_test.

cmake_minimum_required(VERSION 3.18)

# Reads <root>/src/stages.txt into <prefix>_STAGES (names) and <prefix>_RANK_<name> (the line a
# stage is on: lines are ranks, so comparing them compares ranks). Problems go to <out_errors>.
function(actbench_read_stages root prefix out_errors)
  set(errors "")
  set(stages "")
  file(STRINGS "${root}/src/stages.txt" lines)
  set(line_number 0)
  foreach(line IN LISTS lines)
    math(EXPR line_number "${line_number} + 1")
    string(REGEX REPLACE "#.*" "" line "${line}")
    string(REGEX MATCHALL "[^ \t]+" names "${line}")
    foreach(name IN LISTS names)
      if(name IN_LIST stages)
        list(APPEND errors "src/stages.txt:${line_number}: error: stage ${name} is listed twice")
      elseif(NOT IS_DIRECTORY "${root}/src/${name}")
        list(APPEND errors "src/stages.txt:${line_number}: error: there is no folder src/${name}/")
      endif()
      list(APPEND stages "${name}")
      set(${prefix}_RANK_${name} ${line_number} PARENT_SCOPE)
    endforeach()
  endforeach()
  set(${prefix}_STAGES "${stages}" PARENT_SCOPE)
  set(${out_errors} "${errors}" PARENT_SCOPE)
endfunction()

# The 1-based line of <text> at which <needle> first occurs; with a newline put before both, a
# directive is found on its own line, not in a comment that quotes it.
function(actbench_line_of text needle out_line)
  string(FIND "${text}" "${needle}" position)
  string(SUBSTRING "${text}" 0 ${position} before)
  string(REGEX MATCHALL "\n" newlines "${before}")
  list(LENGTH newlines count)
  math(EXPR line "${count} + 1")
  set(${out_line} ${line} PARENT_SCOPE)
endfunction()

# Checks <root>/src against its stages.txt. <out_errors>: one compiler-style message per broken
# rule; <out_summary>: what was checked.
function(actbench_check_stages root out_errors out_summary)
  actbench_read_stages("${root}" order errors)
  set(rule "a stage includes only its own headers and those of the stages on the lines above it in")
  set(rule "${rule} src/stages.txt")
  set(fix "move what both need to a stage below both, or the including code up")

  file(GLOB children RELATIVE "${root}/src" "${root}/src/*")
  foreach(child IN LISTS children)
    if(IS_DIRECTORY "${root}/src/${child}" AND NOT child IN_LIST order_STAGES)
      string(CONCAT message "src/${child}/: error: a folder of src/ that src/stages.txt does not"
                            " rank: add it on the line of its rank")
      list(APPEND errors "${message}")
    endif()
  endforeach()

  file(GLOB_RECURSE files RELATIVE "${root}" "${root}/src/*.hpp" "${root}/src/*.cpp"
       "${root}/src/*.h" "${root}/src/*.in")
  list(SORT files)
  list(LENGTH files file_count)
  set(include_count 0)
  foreach(file IN LISTS files)
    string(REGEX REPLACE "^src/([^/]+)/.*" "\\1" stage "${file}")
    if(NOT stage IN_LIST order_STAGES)
      continue()  # reported above as a folder that is not ranked, or a file directly in src/
    endif()
    file(READ "${root}/${file}" text)
    # Directives only: "#include" first on its line. The leading newline makes the first line one.
    string(REGEX MATCHALL "\n[ \t]*#[ \t]*include[ \t]*\"[^\"\n]*\"" includes "\n${text}")
    foreach(directive IN LISTS includes)
      math(EXPR include_count "${include_count} + 1")
      string(REGEX REPLACE ".*\"([^\"]*)\"$" "\\1" path "${directive}")
      string(REGEX MATCH "^[^/]+/" head "${path}")
      string(REGEX REPLACE "/$" "" target "${head}")
      if(target STREQUAL stage)
        continue()
      endif()
      actbench_line_of("\n${text}" "${directive}" line)
      set(where "${file}:${line}: error: ${stage} includes \"${path}\"")
      set(message "")
      if(NOT target IN_LIST order_STAGES)
        string(CONCAT message "${where}, which does not start with a stage: includes go by path"
                              " from src/ (\"stage/file.hpp\"), so that the stage order can be"
                              " checked")
      elseif(order_RANK_${target} GREATER order_RANK_${stage})
        string(CONCAT message "${where}, but ${target} (src/stages.txt:${order_RANK_${target}})"
                              " is above ${stage} (src/stages.txt:${order_RANK_${stage}}): ${rule}."
                              " To fix: ${fix}")
      elseif(order_RANK_${target} EQUAL order_RANK_${stage})
        string(CONCAT message "${where}, but ${target} is a sibling of ${stage} (both on"
                              " src/stages.txt:${order_RANK_${stage}}), and siblings include"
                              " neither each other: ${rule}. To fix: ${fix}")
      endif()
      if(message)
        list(APPEND errors "${message}")
      endif()
    endforeach()
  endforeach()
  set(${out_errors} "${errors}" PARENT_SCOPE)
  set(${out_summary} "${file_count} files of src/, ${include_count} includes" PARENT_SCOPE)
endfunction()

if(DEFINED SELF_TEST)
  set(root "${SELF_TEST}")
  file(REMOVE_RECURSE "${root}")
  file(WRITE "${root}/src/stages.txt" "core\nmodel data  # siblings\nreport ghost\n")
  file(WRITE "${root}/src/core/a.hpp" "#pragma once\n#include <vector>\n#include \"core/b.hpp\"\n")
  file(WRITE "${root}/src/core/b.hpp" "#pragma once\n")
  file(WRITE "${root}/src/model/m.hpp" "#pragma once\n")
  file(WRITE "${root}/src/model/m.cpp"
       "// #include \"report/r.hpp\" in a comment is no directive\n#include \"core/a.hpp\"\n"
       "#include \"model/m.hpp\"\n  #  include \"report/r.hpp\"\n#include \"data/d.hpp\"\n")
  file(WRITE "${root}/src/data/d.hpp" "#pragma once\n#include \"core/a.hpp\"\n")
  file(WRITE "${root}/src/data/d.cpp" "#include \"data/d.hpp\"\n#include \"d_local.hpp\"\n")
  file(WRITE "${root}/src/report/r.hpp" "#include \"model/m.hpp\"\n#include \"data/d.hpp\"\n")
  file(WRITE "${root}/src/extra/x.hpp" "#pragma once\n")
  actbench_check_stages("${root}" errors summary)
  set(expected
      "src/stages.txt:3: error: there is no folder src/ghost/"
      "src/extra/: error: a folder of src/ that src/stages.txt does not rank"
      "src/data/d.cpp:2: error: data includes \"d_local.hpp\", which does not start with a stage"
      "src/model/m.cpp:4: error: model includes \"report/r.hpp\", but report (src/stages.txt:3) is above model (src/stages.txt:2)"
      "src/model/m.cpp:5: error: model includes \"data/d.hpp\", but data is a sibling of model")
  list(LENGTH errors got)
  list(LENGTH expected want)
  set(failed FALSE)
  if(NOT got EQUAL want)
    set(failed TRUE)
  endif()
  foreach(prefix IN LISTS expected)
    set(found FALSE)
    foreach(error IN LISTS errors)
      string(FIND "${error}" "${prefix}" at)
      if(at EQUAL 0)
        set(found TRUE)
      endif()
    endforeach()
    if(NOT found)
      message(NOTICE "self-test: not reported: ${prefix}")
      set(failed TRUE)
    endif()
  endforeach()
  string(REPLACE ";" "\n" reported "${errors}")
  if(failed)
    message(FATAL_ERROR "stage order self-test: expected ${want} errors, got ${got}:\n${reported}")
  endif()
  message(NOTICE "stage order self-test: each broken rule reported at its line:\n${reported}")
  return()
endif()

if(NOT DEFINED SOURCE_DIR)
  get_filename_component(SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
endif()
actbench_check_stages("${SOURCE_DIR}" errors summary)
if(errors)
  foreach(error IN LISTS errors)
    message(NOTICE "${error}")
  endforeach()
  list(LENGTH errors count)
  message(FATAL_ERROR "stage order: ${count} broken (checked ${summary})")
endif()
message(NOTICE "stage order: no back-arrow in ${summary}")
