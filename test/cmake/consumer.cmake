# The part every consumer project shares, once dkg::dkg and dkg::gmp exist: build consumer.cpp and
# register it as the project's only test.
if(NOT TARGET dkg::dkg OR NOT TARGET dkg::gmp)
  message(FATAL_ERROR "dkg::dkg and dkg::gmp should both be defined at this point")
endif()
add_executable(consumer ${CMAKE_CURRENT_LIST_DIR}/consumer.cpp)
target_link_libraries(consumer PRIVATE dkg::dkg dkg::gmp)
enable_testing()
add_test(NAME consumer COMMAND consumer)
