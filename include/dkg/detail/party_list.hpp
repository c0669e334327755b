// Lists of party ids in error texts (never secret).
#pragma once

#include <dkg/error.hpp>

#include <span>
#include <string>

namespace dkg::detail {

/// "1, 3, 4", or "none" for an empty list.
inline std::string describe_parties(std::span<const party_id> parties)
{
    if (parties.empty()) return "none";
    std::string out;
    for (party_id p : parties) out += (out.empty() ? "" : ", ") + std::to_string(p);
    return out;
}

} // namespace dkg::detail
