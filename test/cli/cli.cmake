# Wiring of test_cli (declared in test/CMakeLists.txt) to the command-line tool (tools/): the
# tool's library for in-process runs, the `dkg` executable for runs as child processes, a test
# of scripts/run_protocol.sh on free ports (also over TLS when OpenSSL was found) and a test of the
# bash completion. Included from test/CMakeLists.txt.
target_link_libraries(test_cli PRIVATE dkg_cli_core) # with Boost.JSON, which the tests also use to read --json output
add_dependencies(test_cli dkg_cli dkg_completion)
target_compile_definitions(test_cli PRIVATE
  DKG_CLI_EXECUTABLE="$<TARGET_FILE:dkg_cli>"
  DKG_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# With TLS the test also runs the parties over TLS, with certificates of make_test_certificates.sh.
set(dkg_cli_certificates_script "")
if(TARGET dkg::tls)
  set(dkg_cli_certificates_script ${PROJECT_SOURCE_DIR}/scripts/make_test_certificates.sh)
endif()
add_test(NAME cli_run_protocol
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run_protocol_test.sh $<TARGET_FILE:dkg_cli> ${PROJECT_SOURCE_DIR}/scripts/run_protocol.sh
          ${dkg_cli_certificates_script})
set_tests_properties(cli_run_protocol PROPERTIES LABELS "cli" TIMEOUT 300)
add_test(NAME cli_completion
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/completion_test.sh ${PROJECT_BINARY_DIR}/tools/completion/dkg $<TARGET_FILE:dkg_cli>)
set_tests_properties(cli_completion PROPERTIES LABELS "cli" TIMEOUT 60)
# Encrypted share files through the tool (--passphrase-file, --passphrase-env) when it has them.
if(TARGET dkg::sodium)
  target_sources(test_cli PRIVATE ${CMAKE_CURRENT_LIST_DIR}/passphrase.cpp)
endif()
