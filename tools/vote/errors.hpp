// The errors of dkg-vote: what a command reports (and its exit status), and what the ballot box
// answers (an HTTP status, a stable reason code and a text).
#pragma once

#include "../cli/errors.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace dkg::vote {

/// Exit statuses and command errors: the dkg tool's (docs/voting.md, docs/cli.md).
using cli::exit_code;
using cli::exit_ok;
using cli::exit_failure;
using cli::exit_usage;
using cli::exit_input;
using cli::usage_error;
using cli::input_error;
using cli::operation_error;

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
