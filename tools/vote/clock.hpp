// Times of an election: UTC seconds since 1970, written as RFC 3339 text "2025-03-01T08:00:00Z".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dkg::vote {

/// Seconds since 1970-01-01T00:00:00Z (UTC, leap seconds ignored as in POSIX time).
using unix_seconds = std::int64_t;

/// The current time.
unix_seconds now_seconds();

/// "YYYY-MM-DDTHH:MM:SSZ".
std::string format_time(unix_seconds t);

/// Parses exactly "YYYY-MM-DDTHH:MM:SSZ" (UTC, years 1970..9999, a valid date and time).
/// @throws std::invalid_argument otherwise.
unix_seconds parse_time(std::string_view text);

/// A time on the command line: RFC 3339 as above, `now`, or `+S` (S seconds from now).
/// @throws std::invalid_argument otherwise.
unix_seconds parse_time_argument(std::string_view text);

} // namespace dkg::vote
