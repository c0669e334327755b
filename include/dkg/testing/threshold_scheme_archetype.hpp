// A minimal model of dkg::threshold_scheme, with nothing beyond the concept's requirements.
//
// Use it to check that generic code asks no more of a scheme than the concept promises:
// @code
// static_assert(dkg::threshold_scheme<dkg::testing::threshold_scheme_archetype>);
// // instantiates the whole distributed decryption with it:
// dkg::async_decrypt<dkg::testing::threshold_scheme_archetype>(session, share, std::move(ciphertexts), options, rng, token);
// @endcode
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/error.hpp>
#include <dkg/rng.hpp>
#include <dkg/threshold/scheme.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace dkg::testing {

/// Models exactly `dkg::threshold_scheme`: it has none of the optional batch members, and its
/// associated types have only the required properties. The share is copy constructible, the other
/// types move constructible only; none is default constructible, assignable or comparable, and
/// each is a distinct type.
///
/// Operations are valid but compute nothing: partial decryptions are empty tokens, `verify`
/// rejects, `combine` reports partials that do not combine, `read_partial` throws
/// dkg::decode_error. The key has one party, party 1, and threshold 0.
struct threshold_scheme_archetype {
    /// Passed to the constructors of the associated types, which nothing else can call.
    struct construct_tag {
        explicit construct_tag() = default;
    };

    /// Copy constructible only.
    class share {
    public:
        explicit share(construct_tag) {}
        share(const share&) = default;
        share& operator=(const share&) = delete;
    };

    /// Move constructible only; one distinct type per `Role`.
    template <class Role>
    class move_only {
    public:
        explicit move_only(construct_tag) {}
        move_only(move_only&&) = default;
        move_only& operator=(move_only&&) = delete;
    };

    struct public_data_role;
    struct ciphertext_role;
    struct partial_role;
    struct plaintext_role;

    using number_type = cpp_int;
    using share_type = share;
    using public_data_type = move_only<public_data_role>;
    using ciphertext_type = move_only<ciphertext_role>;
    using partial_type = move_only<partial_role>;
    using plaintext_type = move_only<plaintext_role>;

    static public_data_type public_data(const share_type&) { return public_data_type(construct_tag{}); }
    static party_id share_party(const share_type&) { return 1; }
    static std::size_t parties(const public_data_type&) { return 1; }
    static std::size_t threshold(const public_data_type&) { return 0; }
    static void check_ciphertext(const public_data_type&, const ciphertext_type&) {}
    static partial_type partial_decrypt(const share_type&, const public_data_type&, const ciphertext_type&) { return partial_type(construct_tag{}); }
    template <secure_rng G>
    static partial_type partial_decrypt(const share_type&, const public_data_type&, const ciphertext_type&, G&, std::size_t)
    {
        return partial_type(construct_tag{});
    }
    static party_id partial_party(const partial_type&) { return 1; }
    static bool has_proof(const partial_type&) { return false; }
    static bool verify(const public_data_type&, const ciphertext_type&, const partial_type&) { return false; }
    static std::optional<std::vector<plaintext_type>> combine(const public_data_type&, std::span<const ciphertext_type>,
                                                              std::span<const std::span<const partial_type>>)
    {
        return std::nullopt;
    }
    static void write_partial(writer&, const partial_type&) {}
    static partial_type read_partial(reader&, const public_data_type&, const ciphertext_type&)
    {
        throw decode_error("threshold_scheme_archetype: no partial decodes");
    }
    static std::size_t max_partial_bytes(const public_data_type&, const ciphertext_type&, bool) { return 0; }
    static batch_digest_bytes batch_digest(const public_data_type&, std::span<const ciphertext_type>) { return {}; }
};

} // namespace dkg::testing
