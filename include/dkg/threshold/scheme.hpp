// The threshold-decryption scheme policy: the `threshold_scheme` concept, the trait that picks a
// key share's default scheme, and `threshold_scheme_traits`, which supplies the optional batch
// operations a scheme may leave out.
//
// dkg::async_decrypt (dkg/threshold/async_decrypt.hpp) runs any model of the concept over a
// session; dkg::paillier_threshold_scheme (dkg/threshold/paillier_scheme.hpp) is the default one.
// docs/policies.md, section "Threshold-decryption scheme", says what a scheme receives, must do and
// must not reveal, and how to test one.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/error.hpp>
#include <dkg/rng.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>

namespace dkg {

/// The digest that binds a message of partial decryptions to the key and the exact ciphertexts.
using batch_digest_bytes = std::array<std::uint8_t, 32>;

/// One partial decryption to verify and the ciphertext it claims to decrypt (see
/// threshold_scheme_traits::verify_batch). Both pointers are non-null and outlive the call.
template <class Scheme>
struct verification_item {
    const typename Scheme::ciphertext_type* ciphertext = nullptr;
    const typename Scheme::partial_type* partial = nullptr;
};

namespace detail {

/// Stands for "any dkg::secure_rng" in the concept's requirements: a scheme takes its generator as
/// a template parameter, since dkg passes generators of its own (per worker thread).
struct any_secure_rng {
    using result_type = std::uint64_t;
    static constexpr result_type min() noexcept { return 0; }
    static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }
    result_type operator()();
};

} // namespace detail

template <>
inline constexpr bool enable_secure_rng<detail::any_secure_rng> = true;

/// Requirements on a threshold-decryption scheme S: a type with only static members, which dkg
/// calls and never instantiates (docs/policies.md, "Threshold-decryption scheme").
///
/// Associated types:
/// | type                   | requirement              | meaning |
/// |------------------------|--------------------------|---------|
/// | `S::number_type`       | dkg::big_integer         | the big-integer type of the scheme's values |
/// | `S::share_type`        | copy constructible       | one party's secret key share; the copy an operation keeps is destroyed when it ends, and its destructor wipes the secret |
/// | `S::public_data_type`  | move constructible       | the public verification data of a key (what verifiers and combiners need; no secret); used from several threads at once through const references |
/// | `S::ciphertext_type`   | move constructible       | a ciphertext the key decrypts |
/// | `S::partial_type`      | move constructible       | one party's partial decryption of one ciphertext, with or without its proof |
/// | `S::plaintext_type`    | move constructible       | what combination yields for one ciphertext |
///
/// Expressions, with `share` a `const S::share_type&`, `pub` a `const S::public_data_type&`, `c` a
/// `const S::ciphertext_type&`, `cs` a `std::span<const S::ciphertext_type>`, `p` a
/// `const S::partial_type&`, `lists` a `std::span<const std::span<const S::partial_type>>`, `rng` a
/// `G&` for any dkg::secure_rng G, `sigma` a `std::size_t`, `w` a dkg::writer&, `r` a dkg::reader&,
/// `proof` a bool:
/// | expression                            | type                              | semantics |
/// |---------------------------------------|-----------------------------------|-----------|
/// | `S::public_data(share)`               | `S::public_data_type`             | the public verification data of `share`'s key; throws std::invalid_argument naming `share` if it is not usable (e.g. empty). Built once per operation: per-key precomputation (fixed-base tables) belongs here |
/// | `S::share_party(share)`               | `party_id`                        | the id j ∈ 1..n of the share's party |
/// | `S::parties(pub)`                     | `std::size_t`                     | n |
/// | `S::threshold(pub)`                   | `std::size_t`                     | t: any t+1 valid partials combine, t reveal nothing |
/// | `S::check_ciphertext(pub, c)`         | `void`                            | throws std::invalid_argument naming `ciphertext` if the key cannot decrypt `c` (another key; a degree the key does not support) |
/// | `S::partial_decrypt(share, pub, c)`   | `S::partial_type`                 | this party's partial decryption of a checked `c`, without a proof |
/// | `S::partial_decrypt(share, pub, c, rng, sigma)` | `S::partial_type`       | the same with a non-interactive proof of correctness; `rng` supplies the prover's randomness, `sigma ≥ 1` its statistical hiding in bits |
/// | `S::partial_party(p)`                 | `party_id`                        | the party that `p` claims to come from |
/// | `S::has_proof(p)`                     | `bool`                            | whether `p` carries a proof |
/// | `S::verify(pub, c, p)`                | `bool`                            | whether `p` (as read_partial returns it) carries a proof that it is its party's partial decryption of `c`; false without a proof. Must be sound: no efficient party makes a wrong partial verify |
/// | `S::combine(pub, cs, lists)`          | `std::optional<std::vector<S::plaintext_type>>` | `lists` holds exactly t+1 lists of distinct parties, list k holding its party's partials of every ciphertext of `cs` in order (each from partial_decrypt or read_partial). The plaintexts in order, or std::nullopt if for some ciphertext the partials do not combine (a wrong partial among them); never throws for wrong partials |
/// | `S::write_partial(w, p)`              | `void`                            | appends `p`'s wire encoding, proof included |
/// | `S::read_partial(r, pub, c)`          | `S::partial_type`                 | decodes one partial of `c` that write_partial wrote, then validates it: size limits before any arithmetic, party id in 1..n, values in their groups. Throws dkg::decode_error for anything malformed; accepts nothing that makes a later operation throw or misbehave |
/// | `S::max_partial_bytes(pub, c, proof)` | `std::size_t`                     | an upper bound on the bytes write_partial writes for a partial of `c` with (`proof`) or without a proof (checked against a session's max_message_bytes) |
/// | `S::batch_digest(pub, cs)`            | dkg::batch_digest_bytes           | a collision-resistant digest of the key and the exact ciphertexts `cs`, in order: a message of partials carries it, and a receiver accepts only its own |
///
/// Optional members, used through dkg::threshold_scheme_traits when present (with generic defaults
/// that loop over the members above):
/// | expression                                        | type                         | semantics |
/// |---------------------------------------------------|------------------------------|-----------|
/// | `S::partial_decrypt_batch(share, pub, cs)`        | `std::vector<S::partial_type>` | partial_decrypt of every ciphertext, in order |
/// | `S::partial_decrypt_batch(share, pub, cs, rng, sigma)` | `std::vector<S::partial_type>` | the same with proofs (room for shared precomputation across a batch) |
/// | `S::verify_batch(pub, items, rng)` (`items` a `std::span<const dkg::verification_item<S>>`) | `std::vector<std::size_t>` | the indices, ascending, of the items whose partial does not verify (exactly those `S::verify` rejects; a randomised batch check uses `rng` and must fall back to single checks to name them) |
///
/// Thread safety required of every model: dkg calls the operations concurrently from several
/// threads on distinct partials (with distinct generators), sharing one `share` and one `pub`.
/// No operation may put a secret in an exception text or anything else it returns, except the
/// partial decryptions themselves.
template <class S>
concept threshold_scheme =
    requires {
        typename S::number_type;
        typename S::share_type;
        typename S::public_data_type;
        typename S::ciphertext_type;
        typename S::partial_type;
        typename S::plaintext_type;
    } &&
    big_integer<typename S::number_type> && std::copy_constructible<typename S::share_type> &&
    std::move_constructible<typename S::public_data_type> && std::move_constructible<typename S::ciphertext_type> &&
    std::move_constructible<typename S::partial_type> && std::move_constructible<typename S::plaintext_type> &&
    requires(const typename S::share_type& share, const typename S::public_data_type& pub, const typename S::ciphertext_type& c,
             std::span<const typename S::ciphertext_type> cs, const typename S::partial_type& p,
             std::span<const std::span<const typename S::partial_type>> lists, detail::any_secure_rng& rng, std::size_t sigma,
             writer& w, reader& r, bool proof) {
        { S::public_data(share) } -> std::same_as<typename S::public_data_type>;
        { S::share_party(share) } -> std::same_as<party_id>;
        { S::parties(pub) } -> std::same_as<std::size_t>;
        { S::threshold(pub) } -> std::same_as<std::size_t>;
        S::check_ciphertext(pub, c);
        { S::partial_decrypt(share, pub, c) } -> std::same_as<typename S::partial_type>;
        { S::partial_decrypt(share, pub, c, rng, sigma) } -> std::same_as<typename S::partial_type>;
        { S::partial_party(p) } -> std::same_as<party_id>;
        { S::has_proof(p) } -> std::same_as<bool>;
        { S::verify(pub, c, p) } -> std::same_as<bool>;
        { S::combine(pub, cs, lists) } -> std::same_as<std::optional<std::vector<typename S::plaintext_type>>>;
        S::write_partial(w, p);
        { S::read_partial(r, pub, c) } -> std::same_as<typename S::partial_type>;
        { S::max_partial_bytes(pub, c, proof) } -> std::same_as<std::size_t>;
        { S::batch_digest(pub, cs) } -> std::same_as<batch_digest_bytes>;
    };

/// The operations of a threshold scheme S that have generic defaults: S's own member when it has
/// one (see the table of dkg::threshold_scheme), else a loop over its single operations.
/// dkg::async_decrypt makes and verifies partial decryptions only through these.
///
/// @tparam S a type modelling dkg::threshold_scheme.
/// @par Thread Safety
/// As the members of S they call.
template <threshold_scheme S>
struct threshold_scheme_traits {
    using share_type = typename S::share_type;
    using public_data_type = typename S::public_data_type;
    using ciphertext_type = typename S::ciphertext_type;
    using partial_type = typename S::partial_type;

    /// Partial decryptions, without proofs, of every ciphertext of `cs`, in order.
    static std::vector<partial_type> partial_decrypt_batch(const share_type& share, const public_data_type& pub,
                                                           std::span<const ciphertext_type> cs)
    {
        if constexpr (requires { { S::partial_decrypt_batch(share, pub, cs) } -> std::same_as<std::vector<partial_type>>; }) {
            return S::partial_decrypt_batch(share, pub, cs);
        } else {
            std::vector<partial_type> out;
            out.reserve(cs.size());
            for (const auto& c : cs) out.push_back(S::partial_decrypt(share, pub, c));
            return out;
        }
    }

    /// Partial decryptions with proofs of every ciphertext of `cs`, in order.
    /// @tparam G a type modelling dkg::secure_rng.
    template <secure_rng G>
    static std::vector<partial_type> partial_decrypt_batch(const share_type& share, const public_data_type& pub,
                                                           std::span<const ciphertext_type> cs, G& rng, std::size_t sigma)
    {
        if constexpr (requires { { S::partial_decrypt_batch(share, pub, cs, rng, sigma) } -> std::same_as<std::vector<partial_type>>; }) {
            return S::partial_decrypt_batch(share, pub, cs, rng, sigma);
        } else {
            std::vector<partial_type> out;
            out.reserve(cs.size());
            for (const auto& c : cs) out.push_back(S::partial_decrypt(share, pub, c, rng, sigma));
            return out;
        }
    }

    /// The indices, ascending, of the items whose partial decryption does not verify.
    /// @tparam G a type modelling dkg::secure_rng (for randomised batch checks).
    template <secure_rng G>
    static std::vector<std::size_t> verify_batch(const public_data_type& pub, std::span<const verification_item<S>> items, G& rng)
    {
        if constexpr (requires { { S::verify_batch(pub, items, rng) } -> std::same_as<std::vector<std::size_t>>; }) {
            return S::verify_batch(pub, items, rng);
        } else {
            std::vector<std::size_t> failed;
            for (std::size_t i = 0; i < items.size(); ++i)
                if (!S::verify(pub, *items[i].ciphertext, *items[i].partial)) failed.push_back(i);
            return failed;
        }
    }
};

/// The threshold scheme that decrypts with a key share of type Share: `type` names it. Specialised
/// by every scheme for its share type (dkg::key_share<N> → dkg::paillier_threshold_scheme<N>);
/// dkg::async_decrypt uses it when the caller names no scheme. Specialise it for a share type of
/// your own, or name the scheme at the call: `dkg::async_decrypt<my_scheme>(session, share, ...)`.
template <class Share>
struct default_threshold_scheme {};

/// `default_threshold_scheme<Share>::type`.
template <class Share>
using default_threshold_scheme_t = typename default_threshold_scheme<Share>::type;

namespace detail {

/// The scheme argument of async_decrypt when the caller names none.
struct scheme_of_share {};

/// What async_decrypt reports as the scheme of a share type without a default scheme: it models
/// nothing, so the call fails on the threshold_scheme constraint, naming Share.
template <class Share>
struct no_default_threshold_scheme_for {};

template <class Scheme, class Share>
struct resolve_scheme {
    using type = Scheme;
};

template <class Share>
struct resolve_scheme<scheme_of_share, Share> {
    using type = no_default_threshold_scheme_for<Share>;
};

template <class Share>
    requires requires { typename default_threshold_scheme<Share>::type; }
struct resolve_scheme<scheme_of_share, Share> {
    using type = typename default_threshold_scheme<Share>::type;
};

/// The scheme async_decrypt runs: Scheme if named, else the default scheme of Share.
template <class Scheme, class Share>
using resolved_scheme_t = typename resolve_scheme<Scheme, std::remove_cvref_t<Share>>::type;

/// S::ciphertext_type, or a placeholder for a type that is no scheme (so that async_decrypt's
/// signature stays valid and the failure is reported by its threshold_scheme constraint).
template <class S>
struct ciphertext_of {
    using type = no_default_threshold_scheme_for<S>;
};

template <class S>
    requires requires { typename S::ciphertext_type; }
struct ciphertext_of<S> {
    using type = typename S::ciphertext_type;
};

template <class S>
using ciphertext_of_t = typename ciphertext_of<S>::type;

} // namespace detail

} // namespace dkg
