# Tests of the voting service (dkg-vote, tools/vote) with real processes: a whole election with
# scripts/run_election.sh, the crash test, and the page in headless Chromium. Included from
# test/CMakeLists.txt; label "voting".
target_link_libraries(test_vote PRIVATE dkg_vote_core)
target_compile_definitions(test_vote PRIVATE DKG_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

set(dkg_vote_tools DKG=$<TARGET_FILE:dkg_cli> DKG_VOTE=$<TARGET_FILE:dkg_vote>)

# The demo of scripts/run_election.sh: 5 trustees (dkg party over TLS), voters, dkg decrypt-party,
# verification. Small by default (1024-bit key, 20 voters); the full demo under "slow".
add_test(NAME voting_election
  COMMAND ${CMAKE_COMMAND} -E env ${dkg_vote_tools}
          bash ${PROJECT_SOURCE_DIR}/scripts/run_election.sh --trustees 5 --threshold 2 --voters 20 --bits 1024 --base-port 17400)
set_tests_properties(voting_election PROPERTIES LABELS "voting" TIMEOUT 600 RESOURCE_LOCK dkg_vote_ports_17400)
add_test(NAME voting_election_full
  COMMAND ${CMAKE_COMMAND} -E env ${dkg_vote_tools}
          bash ${PROJECT_SOURCE_DIR}/scripts/run_election.sh --trustees 5 --threshold 2 --voters 50 --bits 2048 --base-port 17400)
set_tests_properties(voting_election_full PROPERTIES LABELS "voting;slow" TIMEOUT 1800 RESOURCE_LOCK dkg_vote_ports_17400)

add_test(NAME voting_crash
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/crash_test.sh $<TARGET_FILE:dkg_cli> $<TARGET_FILE:dkg_vote> ${PROJECT_SOURCE_DIR})
set_tests_properties(voting_crash PROPERTIES LABELS "voting" TIMEOUT 600)

add_test(NAME voting_page
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/page_test.sh $<TARGET_FILE:dkg_cli> $<TARGET_FILE:dkg_vote> ${PROJECT_SOURCE_DIR}
          ${CMAKE_BINARY_DIR}/voting-page.png)
set_tests_properties(voting_page PROPERTIES LABELS "voting" TIMEOUT 600)
