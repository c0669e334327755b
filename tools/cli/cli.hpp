// The dkg command-line tool: entry point, exit codes and the errors commands report.
//
// `run` is what `main` calls; tests call it directly with their own streams.
#pragma once

#include <iosfwd>
#include <stdexcept>
#include <string>

namespace dkg::cli {

/// Exit codes (docs/cli.md).
enum exit_code : int {
    exit_ok = 0,      ///< success
    exit_failure = 1, ///< the operation failed: network, peer, timeout, writing files, key generation
    exit_usage = 2,   ///< bad command line: unknown command or option, missing or malformed value
    exit_input = 3,   ///< bad input data: values, ciphertexts, key or share files, existing outputs
};

/// A mistake on the command line (exit_usage).
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Input the command cannot use: a value, ciphertext or file (exit_input).
class input_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A failure of the operation itself (exit_failure).
class operation_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Runs the tool: `argv[0]` is the program name, then the command and its arguments. Results go to
/// `out`; progress, notes, warnings and errors (one line each) go to `err`. A live progress line is
/// drawn only when `err` is std::cerr and standard error is a terminal (or with --progress).
/// While it runs, the library's warnings (dkg::set_warning_handler, process-wide) go to `err`, so
/// run one call at a time per process.
/// @return one of exit_code.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

} // namespace dkg::cli
