// Minimal models of the key-generation layer concepts (dkg/keygen/policies.hpp), with nothing beyond
// the requirements: not copyable or movable, not default-constructible, members exactly as the
// tables say.
//
// Use them to check that generic code asks no more of a layer than its concept promises, and as the
// skeleton of a new layer (docs/policies.md):
// @code
// using archetypes = dkg::keygen_policies<N, dkg::testing::candidate_archetype<N>, dkg::testing::biprimality_archetype<N>,
//                                         dkg::testing::key_sharing_archetype<N>, dkg::testing::opening_archetype<N>>;
// static_assert(dkg::keygen_policy_bundle<archetypes, dkg::session<dkg::testing::transport_archetype>, dkg::testing::insecure_seeded_rng>);
// template class dkg::detail::keygen_run<archetypes, dkg::session<dkg::testing::transport_archetype>, dkg::testing::insecure_seeded_rng>;
// @endcode
// Their operations are valid but do no work: each completes with std::logic_error naming the
// archetype, so a key generation with one of them fails at once instead of running.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/key_share.hpp>
#include <dkg/keygen/context.hpp>
#include <dkg/keygen/params.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace dkg::testing {

namespace archetype_detail {

[[noreturn]] inline void archetype_cannot_run(const char* name)
{
    throw std::logic_error(std::string(name) + ": a compile-time model of a layer concept, not a working layer");
}

/// What every archetype is: built from (context, params), never copied or moved.
class layer_archetype_base {
public:
    layer_archetype_base(const keygen_context&, const keygen_params&) {}
    layer_archetype_base(const layer_archetype_base&) = delete;
    layer_archetype_base& operator=(const layer_archetype_base&) = delete;

protected:
    ~layer_archetype_base() = default;
};

} // namespace archetype_detail

/// Models exactly `dkg::candidate_policy`.
template <big_integer N>
class candidate_archetype : archetype_detail::layer_archetype_base {
public:
    candidate_archetype(const keygen_context& context, const keygen_params& params) : layer_archetype_base(context, params) {}

    /// Adds `candidates = candidate_archetype`.
    void describe(agreed_parameters& agreed) const { agreed.add("candidates", "candidate_archetype"); }

    /// One pair per key (a number like any other).
    double expected_pairs() const { return 1.0; }

    /// Completes with std::logic_error.
    template <class Session, class G>
    boost::asio::awaitable<std::vector<N>> generate(Session&, G&, std::size_t, std::uint32_t)
    {
        archetype_detail::archetype_cannot_run("candidate_archetype");
        co_return std::vector<N>{};
    }
};

/// Models exactly `dkg::opening_policy`.
template <big_integer N>
class opening_archetype : archetype_detail::layer_archetype_base {
public:
    opening_archetype(const keygen_context& context, const keygen_params& params) : layer_archetype_base(context, params) {}

    /// Adds `opening = opening_archetype`.
    void describe(agreed_parameters& agreed) const { agreed.add("opening", "opening_archetype"); }

    /// Completes with std::logic_error.
    template <class Session, class G>
    boost::asio::awaitable<std::vector<N>> open(Session&, G&, std::span<const N>, std::span<const N>, std::uint32_t)
    {
        archetype_detail::archetype_cannot_run("opening_archetype");
        co_return std::vector<N>{};
    }
};

/// Models exactly `dkg::biprimality_policy`.
template <big_integer N>
class biprimality_archetype : archetype_detail::layer_archetype_base {
public:
    biprimality_archetype(const keygen_context& context, const keygen_params& params) : layer_archetype_base(context, params) {}

    /// Adds `biprimality = biprimality_archetype`.
    void describe(agreed_parameters& agreed) const { agreed.add("biprimality", "biprimality_archetype"); }

    /// Completes with std::logic_error.
    template <class Session, class G>
    boost::asio::awaitable<std::optional<std::size_t>> test(Session&, G&, const joint_seed&, std::span<const candidate<N>>, std::uint32_t)
    {
        archetype_detail::archetype_cannot_run("biprimality_archetype");
        co_return std::nullopt;
    }
};

/// Models exactly `dkg::key_sharing_policy`.
template <big_integer N>
class key_sharing_archetype : archetype_detail::layer_archetype_base {
public:
    key_sharing_archetype(const keygen_context& context, const keygen_params& params) : layer_archetype_base(context, params) {}

    /// Adds `key_sharing = key_sharing_archetype`.
    void describe(agreed_parameters& agreed) const { agreed.add("key_sharing", "key_sharing_archetype"); }

    /// Completes with std::logic_error (after wiping the shares, as every model must).
    template <class Session, class G>
    boost::asio::awaitable<std::optional<key_share<N>>> share(Session&, G&, const joint_seed&, const N&, N& p_share, N& q_share)
    {
        secure_clear(p_share);
        secure_clear(q_share);
        archetype_detail::archetype_cannot_run("key_sharing_archetype");
        co_return std::nullopt;
    }
};

} // namespace dkg::testing
