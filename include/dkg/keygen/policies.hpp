// The layers of key generation as policies: one concept per layer, with its requirement table, and
// the bundle `keygen_policies` that `async_generate_key` takes (docs/policies.md).
//
//   §1 candidates   `candidate_policy`    additive shares of candidate primes   sieve::configured<N>
//   §2 opening      `opening_policy`      N = p·q opened from the shares        bgw_opening<N>
//   §4 biprimality  `biprimality_policy`  is N a product of two primes?         biprime::boneh_franklin<N>
//   §5 key sharing  `key_sharing_policy`  shares of the secret key              integer_key_sharing<N>
//
// Between §2 and §4 the run itself rejects every N with a prime factor up to prime_threshold (§3,
// public trial division). Archetypes (minimal models) are in dkg/testing/keygen_archetypes.hpp.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/biprime.hpp>
#include <dkg/key_share.hpp>
#include <dkg/key_sharing.hpp>
#include <dkg/keygen/bgw_opening.hpp>
#include <dkg/keygen/context.hpp>
#include <dkg/keygen/params.hpp>
#include <dkg/sieve.hpp>

#include <boost/asio/awaitable.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace dkg {

/// What every layer of key generation has: it is built for one run from the run's context and the
/// agreed parameters, and it describes itself for the setup round's comparison (docs/protocol.md §0).
///
/// | expression            | type | semantics |
/// |-----------------------|------|-----------|
/// | `P(context, params)`  |      | builds the layer for one run (`const keygen_context&`, `const keygen_params&`); may throw std::invalid_argument for parameters it cannot serve |
/// | `cp.describe(agreed)` |      | adds the layer's identity under its key (`candidates`, `opening`, `biprimality`, `key_sharing`) and every parameter the parties must share as `<key>.<name>` (dkg::agreed_parameters); nothing secret |
template <class P>
concept keygen_layer = std::constructible_from<P, const keygen_context&, const keygen_params&> &&
                       requires(const P& cp, agreed_parameters& agreed) { cp.describe(agreed); };

/// Candidate generation (docs/protocol.md §1, docs/policies.md §1): this party's additive shares of
/// candidate primes.
///
/// `p` is a `P&`, `cp` a `const P&`, `session` a `Session&`, `rng` a `G&`; models also satisfy
/// `keygen_layer`.
///
/// | expression                               | type                                 | semantics |
/// |------------------------------------------|--------------------------------------|-----------|
/// | `cp.expected_pairs()`                    | convertible to `double`              | expected candidate pairs (p, q) per key; sets the automatic batch size |
/// | `p.generate(session, rng, count, batch)` | `boost::asio::awaitable<std::vector<N>>` | `count` shares (`std::size_t`), the same number at every party, for batch `batch` (`std::uint32_t`); element i of all parties sums to candidate i |
///
/// Every candidate c = Σ_j c_j must satisfy 2^(L−1) + 2^(L−2) ≤ c < 2^L (L = context.prime_bits)
/// and c ≡ 3 (mod 4), with party 1's share ≡ 3 and every other party's ≡ 0 (mod 4): the opening
/// checks the size of N = p·q and the biprimality test relies on the residues. Messages: only the
/// steps `keygen_steps::candidates_first + 0..9` (dkg/steps.hpp), with `batch` as the round.
/// Reveals nothing about any candidate; shares must be uniform enough that t parties learn nothing
/// (e.g. at least 64 random bits above everything public). A peer's malformed or out-of-range
/// message ends the run with a dkg::protocol_error naming that party (`errc::malformed_message`).
/// Wipes its intermediate secrets (dkg::secure_clear); the shares it returns are the run's to wipe.
template <class P, class N, class Session, class G>
concept candidate_policy =
    keygen_layer<P> && requires(P& p, const P& cp, Session& session, G& rng, std::size_t count, std::uint32_t batch) {
        { cp.expected_pairs() } -> std::convertible_to<double>;
        { p.generate(session, rng, count, batch) } -> std::same_as<boost::asio::awaitable<std::vector<N>>>;
    };

/// The sharing / opening layer (docs/protocol.md §2, docs/policies.md §2): the public N_i = p_i·q_i
/// from additive shares of p_i and q_i.
///
/// | expression                                           | type                                     | semantics |
/// |------------------------------------------------------|------------------------------------------|-----------|
/// | `p.open(session, rng, p_shares, q_shares, batch)`    | `boost::asio::awaitable<std::vector<N>>` | `p_shares`, `q_shares`: `std::span<const N>` of equal length (this party's shares of the batch's candidates, in the same order at every party); returns N_i = p_i·q_i for every i, identical at every party |
///
/// Messages: only `keygen_steps::opening_first + 0..9`, with `batch` as the round. Reveals N_i and
/// nothing else about p_i, q_i (e.g. the product sharing is masked by a random sharing of zero).
/// Does not modify the shares. A peer's malformed or out-of-range message ends the run with a
/// dkg::protocol_error naming that party; opened values that are inconsistent, or an N_i outside
/// [2^(k−1), 2^k) or ≢ 1 (mod 4), end it with `errc::inconsistent_result` or
/// `errc::protocol_violation` (no party, if the culprit cannot be told). Wipes every share it made
/// or received.
template <class P, class N, class Session, class G>
concept opening_policy = keygen_layer<P> && requires(P& p, Session& session, G& rng, std::span<const N> shares, std::uint32_t batch) {
    { p.open(session, rng, shares, shares, batch) } -> std::same_as<boost::asio::awaitable<std::vector<N>>>;
};

/// The biprimality test (docs/protocol.md §4, docs/policies.md §3): which candidate, if any, is a
/// product of two primes.
///
/// | expression                                          | type                                                   | semantics |
/// |-----------------------------------------------------|--------------------------------------------------------|-----------|
/// | `p.test(session, rng, seed, candidates, batch)`     | `boost::asio::awaitable<std::optional<std::size_t>>`   | `seed`: the `const joint_seed&` of the setup round (jointly random public values come from it); `candidates`: `std::span<const candidate<N>>` with the public N and this party's shares of p and q, the same moduli in the same order at every party (those that passed the public trial division, §3). Returns the index of the first candidate accepted, identical at every party, or nothing |
///
/// Messages: only `keygen_steps::biprimality_first + 0..9`, with `batch` as the round. Reveals only
/// whether each N is accepted (and values from which p, q cannot be learnt, such as g^(e_j) mod N).
/// Must not modify the shares. A peer's malformed or out-of-range value ends the run with a
/// dkg::protocol_error naming that party. Wipes the secrets it derives (e.g. exponent shares).
template <class P, class N, class Session, class G>
concept biprimality_policy =
    keygen_layer<P> &&
    requires(P& p, Session& session, G& rng, const joint_seed& seed, std::span<const candidate<N>> candidates, std::uint32_t batch) {
        { p.test(session, rng, seed, candidates, batch) } -> std::same_as<boost::asio::awaitable<std::optional<std::size_t>>>;
    };

/// Key sharing (docs/protocol.md §5, docs/policies.md §4): this party's share of the secret key from
/// its shares of the accepted p and q.
///
/// | expression                                                     | type                                   | semantics |
/// |----------------------------------------------------------------|----------------------------------------|-----------|
/// | `p.share(session, rng, seed, modulus, p_share, q_share)`       | `boost::asio::awaitable<std::optional<key_share<N>>>` | `modulus`: the accepted N (`const N&`); `p_share`, `q_share`: `N&`, this party's additive shares of p and q; returns this party's dkg::key_share for N (any t+1 parties decrypt, t learn nothing), with public values identical at every party, or std::nullopt — at every party alike — to reject N |
///
/// Rejecting N sends key generation back to the candidate loop (the next batch); it is the answer
/// for a modulus the layer cannot serve, such as one whose gcd(θ, N) ≠ 1 reveals a factor. The
/// layer may be given several moduli in one run: messages only in `keygen_steps::key_sharing_first
/// + 0..9`, with a round number of its own per modulus. Reveals nothing about φ(N) or the key
/// beyond the public values of the key share (θ, verification keys). Wipes `p_share`, `q_share`
/// (the run wipes them again afterwards) and every intermediate secret, also when a peer fault
/// ends it. A peer's malformed or out-of-range value, or a public value of its that is inconsistent
/// with the others' (a verification key), ends the run with a dkg::protocol_error naming that party.
template <class P, class N, class Session, class G>
concept key_sharing_policy =
    keygen_layer<P> &&
    requires(P& p, Session& session, G& rng, const joint_seed& seed, const N& modulus, N& p_share, N& q_share) {
        { p.share(session, rng, seed, modulus, p_share, q_share) } -> std::same_as<boost::asio::awaitable<std::optional<key_share<N>>>>;
    };

/// The layers of key generation, bundled (swap one member to replace one layer).
///
/// @tparam N a type modelling dkg::big_integer.
/// @tparam Candidates models `candidate_policy`: `sieve::configured<N>` (default: the method named
///         by keygen_params::candidates), `sieve::distributed_sieve<N>` or `sieve::trial_division<N>`.
/// @tparam Biprimality models `biprimality_policy`: `biprime::boneh_franklin<N>`.
/// @tparam KeySharing models `key_sharing_policy`: `integer_key_sharing<N>`.
/// @tparam Opening models `opening_policy`: `bgw_opening<N>` (last, so that bundles written for
///         four layers keep their meaning).
template <big_integer N, class Candidates = sieve::configured<N>, class Biprimality = biprime::boneh_franklin<N>,
          class KeySharing = integer_key_sharing<N>, class Opening = bgw_opening<N>>
struct keygen_policies {
    using number = N;
    using candidates = Candidates;
    using opening = Opening;
    using biprimality = Biprimality;
    using key_sharing = KeySharing;
};

/// A bundle of key-generation layers usable with sessions of type `Session` and generators of type
/// `G`: the member types `number` (a dkg::big_integer), `candidates`, `opening`, `biprimality` and
/// `key_sharing`, each modelling its concept. `keygen_policies<N, ...>` is the way to make one.
template <class P, class Session, class G>
concept keygen_policy_bundle =
    requires {
        typename P::number;
        typename P::candidates;
        typename P::opening;
        typename P::biprimality;
        typename P::key_sharing;
    } && big_integer<typename P::number> && candidate_policy<typename P::candidates, typename P::number, Session, G> &&
    opening_policy<typename P::opening, typename P::number, Session, G> &&
    biprimality_policy<typename P::biprimality, typename P::number, Session, G> &&
    key_sharing_policy<typename P::key_sharing, typename P::number, Session, G>;

namespace detail {

template <class P>
concept has_layer_types = requires {
    typename P::number;
    typename P::candidates;
    typename P::opening;
    typename P::biprimality;
    typename P::key_sharing;
};

template <class P>
concept constructible_layer = std::constructible_from<P, const keygen_context&, const keygen_params&>;

template <class P>
concept describing_layer = requires(const P& cp, agreed_parameters& agreed) { cp.describe(agreed); };

template <class P>
concept estimating_layer = requires(const P& cp) {
    { cp.expected_pairs() } -> std::convertible_to<double>;
};

/// Checks a bundle of layers member by member, so that a wrong layer stops the compilation with one
/// message that names the layer and the missing member (docs/policies.md). True if it is a bundle.
template <class Policies, class N, class Session, class G>
constexpr bool check_keygen_policies()
{
    static_assert(has_layer_types<Policies>,
                  "dkg::async_generate_key: Policies must have the member types number, candidates, opening, biprimality and "
                  "key_sharing (use dkg::keygen_policies<N, ...>)");
    if constexpr (has_layer_types<Policies>) {
        static_assert(std::is_same_v<typename Policies::number, N>, "dkg::async_generate_key: Policies::number must be N");
        using C = typename Policies::candidates;
        using O = typename Policies::opening;
        using B = typename Policies::biprimality;
        using K = typename Policies::key_sharing;
        static_assert(constructible_layer<C>, "candidate layer (candidate_policy): needs a constructor (const keygen_context&, const keygen_params&)");
        static_assert(describing_layer<C>, "candidate layer (candidate_policy): needs void describe(agreed_parameters&) const");
        static_assert(estimating_layer<C>, "candidate layer (candidate_policy): needs double expected_pairs() const");
        static_assert(candidate_policy<C, N, Session, G> || !constructible_layer<C> || !describing_layer<C> || !estimating_layer<C>,
                      "candidate layer (candidate_policy): needs generate(Session&, G& rng, std::size_t count, std::uint32_t batch) "
                      "returning boost::asio::awaitable<std::vector<N>>");
        static_assert(constructible_layer<O>, "opening layer (opening_policy): needs a constructor (const keygen_context&, const keygen_params&)");
        static_assert(describing_layer<O>, "opening layer (opening_policy): needs void describe(agreed_parameters&) const");
        static_assert(opening_policy<O, N, Session, G> || !constructible_layer<O> || !describing_layer<O>,
                      "opening layer (opening_policy): needs open(Session&, G& rng, std::span<const N> p_shares, std::span<const N> "
                      "q_shares, std::uint32_t batch) returning boost::asio::awaitable<std::vector<N>>");
        static_assert(constructible_layer<B>, "biprimality layer (biprimality_policy): needs a constructor (const keygen_context&, const keygen_params&)");
        static_assert(describing_layer<B>, "biprimality layer (biprimality_policy): needs void describe(agreed_parameters&) const");
        static_assert(biprimality_policy<B, N, Session, G> || !constructible_layer<B> || !describing_layer<B>,
                      "biprimality layer (biprimality_policy): needs test(Session&, G& rng, const joint_seed&, std::span<const "
                      "candidate<N>>, std::uint32_t batch) returning boost::asio::awaitable<std::optional<std::size_t>>");
        static_assert(constructible_layer<K>, "key-sharing layer (key_sharing_policy): needs a constructor (const keygen_context&, const keygen_params&)");
        static_assert(describing_layer<K>, "key-sharing layer (key_sharing_policy): needs void describe(agreed_parameters&) const");
        static_assert(key_sharing_policy<K, N, Session, G> || !constructible_layer<K> || !describing_layer<K>,
                      "key-sharing layer (key_sharing_policy): needs share(Session&, G& rng, const joint_seed&, const N& modulus, N& "
                      "p_share, N& q_share) returning boost::asio::awaitable<std::optional<key_share<N>>>");
        return std::is_same_v<typename Policies::number, N> && keygen_policy_bundle<Policies, Session, G>;
    }
    return false;
}

} // namespace detail
} // namespace dkg
