// Every k-subset of the parties, and picking the shares of a subset.
#pragma once

#include <dkg/error.hpp>

#include <cstdint>
#include <vector>

namespace test_support {

/// Every subset of {1..n} with exactly k elements (n ≤ 31), in increasing order.
inline std::vector<std::vector<dkg::party_id>> subsets(std::size_t n, std::size_t k)
{
    std::vector<std::vector<dkg::party_id>> out;
    for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
        if (static_cast<std::size_t>(__builtin_popcount(mask)) != k) continue;
        std::vector<dkg::party_id> s;
        for (std::uint32_t i = 0; i < n; ++i)
            if (mask & (1u << i)) s.push_back(i + 1);
        out.push_back(s);
    }
    return out;
}

/// The elements of `shares` (element j-1 belongs to party j) of the parties in `ids`.
template <class T>
std::vector<T> pick(const std::vector<T>& shares, const std::vector<dkg::party_id>& ids)
{
    std::vector<T> out;
    for (auto id : ids) out.push_back(shares[id - 1]);
    return out;
}

} // namespace test_support
