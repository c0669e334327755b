# Wiring of test_vote (declared in test/CMakeLists.txt) to the voting service's library
# (tools/vote). Included from test/CMakeLists.txt; label "voting".
target_link_libraries(test_vote PRIVATE dkg_vote_core)
target_compile_definitions(test_vote PRIVATE DKG_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
