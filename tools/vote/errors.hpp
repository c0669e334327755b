// The errors of dkg-vote: what a command reports (and its exit status), and what the ballot box
// answers (an HTTP status, a stable reason code and a text).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace dkg::vote {

/// Exit statuses of the dkg-vote commands (docs/voting.md), the same as the dkg tool's.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1; ///< the operation failed: network, server refusal, verification failure
inline constexpr int exit_usage = 2;   ///< bad command line
inline constexpr int exit_input = 3;   ///< bad input file or value

/// A bad command line (exit status 2).
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A bad input file or value (exit status 3).
class input_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An operation that failed: a connection, a refusal by the ballot box, a check that did not pass
/// (exit status 1).
class operation_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A request the ballot box refuses: the HTTP status (4xx), a stable reason code such as
/// "malformed_json" or "credential_used", and a text for people. The text names the field or
/// check at fault, never a secret.
class api_error : public std::runtime_error {
public:
    api_error(unsigned status, std::string reason, const std::string& message)
        : std::runtime_error(message), status_(status), reason_(std::move(reason))
    {
    }

    unsigned status() const noexcept { return status_; }
    const std::string& reason() const noexcept { return reason_; }

private:
    unsigned status_;
    std::string reason_;
};

/// A bad request (400) with reason code `reason`.
inline api_error bad_request(std::string reason, const std::string& message)
{
    return api_error(400, std::move(reason), message);
}

} // namespace dkg::vote
