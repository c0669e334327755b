// Exit codes of the dkg tools and the errors their commands report, one per exit code (docs/cli.md).
// dkg-vote (tools/vote/errors.hpp) uses the same ones.
#pragma once

#include <stdexcept>

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

} // namespace dkg::cli
