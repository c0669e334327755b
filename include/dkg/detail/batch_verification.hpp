// Batch verification (docs/protocol.md §6, §9): many equations "product of powers ≡ product of
// powers" checked at once by raising each to a random weight and multiplying (the small-exponent
// test of Bellare, Garay and Rabin, "Fast batch verification for modular exponentiation and
// digital signatures", Eurocrypt 1998, §3.3), on equations squared on both sides (Boyd and
// Pavlovski, "Attacking and repairing batch verification schemes", Asiacrypt 2000, §3: without
// it a factor −1 passes with probability 1/2). When a batch fails, its halves are checked the same
// way, down to single items, so that every failing item is still named.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/rng.hpp>

#include <cstddef>
#include <span>
#include <vector>

namespace dkg::detail {

/// Bits ℓ of the random weights: a batch that contains a wrong equation passes with probability at
/// most 2^−ℓ under the small-order assumption of docs/protocol.md §8.
inline constexpr std::size_t batch_weight_bits = 128;

/// A weight, uniform in [0, 2^ℓ), from a cryptographic generator the prover cannot predict.
template <big_integer N, secure_rng G>
N batch_weight(G& rng)
{
    return random_bits<N>(batch_weight_bits, rng);
}

/// Items of a group no larger than this are checked one by one: a batch costs about as much as
/// two single checks of small items, so splitting further saves nothing.
inline constexpr std::size_t batch_leaf_items = 2;

/// Appends to `failing` the items of `group` for which `single` is false, given that `group` as a
/// whole failed `batch` (or is small): splits it in halves, checks the first half as a batch and
/// descends into it if it fails; the second half is then checked the same way, except that it is
/// known to fail when the first passed.
template <class Batch, class Single>
void find_failing(std::span<const std::size_t> group, Batch& batch, Single& single, std::vector<std::size_t>& failing, bool known_to_fail)
{
    if (group.size() <= batch_leaf_items) {
        for (std::size_t i : group)
            if (!single(i)) failing.push_back(i);
        return;
    }
    if (!known_to_fail && batch(group)) return;
    const auto first = group.first(group.size() / 2);
    const auto second = group.subspan(group.size() / 2);
    const std::size_t before = failing.size();
    find_failing(first, batch, single, failing, false);
    find_failing(second, batch, single, failing, failing.size() == before);
}

/// The indices, ascending, of the items 0..count−1 that `single(i)` rejects, found with the batch
/// check `batch(indices)` (true when the items at `indices` all pass, except with probability
/// 2^−ℓ) where it saves work. A batch check that passes is trusted; every item named as failing
/// was rejected by `single`.
template <class Batch, class Single>
std::vector<std::size_t> failing_items(std::size_t count, Batch batch, Single single)
{
    std::vector<std::size_t> all(count), failing;
    for (std::size_t i = 0; i < count; ++i) all[i] = i;
    find_failing(std::span<const std::size_t>(all), batch, single, failing, false);
    return failing;
}

} // namespace dkg::detail
