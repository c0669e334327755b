// Helpers of the threshold-layer tests: keys dealt once per backend and shape, subsets, error texts.
#pragma once

#include <dkg/testing/seeded_rng.hpp>
#include <dkg/testing/trusted_dealer.hpp>

#include "error_text.hpp"

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace test_support {

/// A dealt key of `bits` bits for n parties and threshold t, the same on every call.
template <class N>
const dkg::testing::dealt_key<N>& dealt_key(std::size_t bits, std::size_t parties, std::size_t threshold)
{
    static std::map<std::tuple<std::size_t, std::size_t, std::size_t>, dkg::testing::dealt_key<N>> keys;
    const auto shape = std::make_tuple(bits, parties, threshold);
    auto it = keys.find(shape);
    if (it == keys.end()) {
        dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 1000 * bits + 10 * parties + threshold);
        it = keys.emplace(shape, dkg::testing::deal_key<N>(bits, parties, threshold, rng)).first;
    }
    return it->second;
}

/// Every subset of {1..n} with exactly k elements, in lexicographic order.
inline std::vector<std::vector<dkg::party_id>> subsets(std::size_t n, std::size_t k)
{
    std::vector<std::vector<dkg::party_id>> out;
    std::vector<dkg::party_id> current;
    auto recurse = [&](auto&& self, dkg::party_id next) -> void {
        if (current.size() == k) {
            out.push_back(current);
            return;
        }
        for (dkg::party_id j = next; j <= n; ++j) {
            current.push_back(j);
            self(self, j + 1);
            current.pop_back();
        }
    };
    recurse(recurse, 1);
    return out;
}


} // namespace test_support
