# Configures, builds and runs one consumer project in a fresh directory (a CTest driver):
#
#   cmake -DCONSUMER=<find_package|add_subdirectory|fetch_content> -DCONFIG=<build type>
#         -DDKG_SOURCE_DIR=<dkg source> -DDKG_BINARY_DIR=<dkg build> -DWORK_DIR=<scratch dir>
#         -DGENERATOR=<generator> -DINITIAL_CACHE=<file> -DCTEST_COMMAND=<ctest>
#         -P run_consumer.cmake
#
# For find_package, the dkg build tree is first installed into WORK_DIR/prefix, and the consumer
# must find dkg's package configuration there and nowhere else.
cmake_minimum_required(VERSION 3.20)

foreach(var IN ITEMS CONSUMER DKG_SOURCE_DIR DKG_BINARY_DIR WORK_DIR GENERATOR INITIAL_CACHE CTEST_COMMAND)
  if("${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer.cmake: ${var} is not set")
  endif()
endforeach()

function(run step)
  message(STATUS "${step}: ${ARGN}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${CONSUMER} consumer: ${step} failed (${result})")
  endif()
endfunction()

set(config_args)
set(ctest_config_args)
set(build_type_arg)
if(NOT "${CONFIG}" STREQUAL "")
  set(config_args --config ${CONFIG})
  set(ctest_config_args -C ${CONFIG})
  set(build_type_arg -DCMAKE_BUILD_TYPE=${CONFIG})
endif()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
if(CONSUMER STREQUAL "find_package")
  run(install ${CMAKE_COMMAND} --install ${DKG_BINARY_DIR} --prefix ${prefix} ${config_args})
  set(locate_arg -Ddkg_ROOT=${prefix})
else()
  set(locate_arg -DDKG_SOURCE_DIR=${DKG_SOURCE_DIR})
endif()

set(build ${WORK_DIR}/build)
run(configure ${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR}/${CONSUMER} -B ${build} -G "${GENERATOR}"
    -C ${INITIAL_CACHE} ${build_type_arg} ${locate_arg})

if(CONSUMER STREQUAL "find_package")
  # The package found must be the one just installed (not one elsewhere on the machine).
  load_cache(${build} READ_WITH_PREFIX consumer_ dkg_DIR)
  file(REAL_PATH "${consumer_dkg_DIR}" found)
  file(REAL_PATH "${prefix}" expected)
  string(FIND "${found}/" "${expected}/" at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR "find_package(dkg) used ${consumer_dkg_DIR}, not the install in ${prefix}")
  endif()
endif()

run(build ${CMAKE_COMMAND} --build ${build} ${config_args})
run(run ${CTEST_COMMAND} --test-dir ${build} ${ctest_config_args} --output-on-failure)
