// Versioned serialisation of public keys, ciphertexts, key shares and partial decryptions, in a
// compact binary form and a JSON text form (docs/formats.md), and key-share files.
//
// Everything read is decoded, then validated, with size limits checked before anything is
// allocated; failures throw dkg::format_error (dkg/serialization/format.hpp). Caller mistakes (an
// empty key or share to write) throw std::invalid_argument; operating-system failures (a missing
// file, a full disk) throw std::system_error.
//
// The pieces: dkg/serialization/format.hpp (versions, limits, errors, the binary header),
// json_reader.hpp and json_writer.hpp (the JSON form), key_share_file.hpp (key shares and their
// files). This header adds public keys, ciphertexts, partial decryptions and threshold keys and
// includes the others.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/error.hpp>
#include <dkg/key_share.hpp>
#include <dkg/paillier.hpp>
#include <dkg/serialization/format.hpp>
#include <dkg/serialization/json_reader.hpp>
#include <dkg/serialization/json_writer.hpp>
#include <dkg/serialization/key_share_file.hpp>
#include <dkg/threshold.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dkg {

// ---- public keys --------------------------------------------------------------------------------

/// Binary form of a public key: header (type 1), then N.
/// @throws std::invalid_argument naming `key` if it is empty.
template <big_integer N>
bytes to_binary(const public_key<N>& key)
{
    detail::require_nonempty(key.empty(), "key");
    return detail::binary_header(detail::object_type::public_key).integer(key.n()).finish();
}

/// JSON form of a public key: {"type": "dkg.public_key", "version": 1, "n": "…", "g": "…"}.
/// @throws std::invalid_argument naming `key` if it is empty.
template <big_integer N>
std::string to_json(const public_key<N>& key)
{
    detail::require_nonempty(key.empty(), "key");
    std::string out;
    detail::json::header_members(out, detail::object_type::public_key);
    detail::json::integer_member(out, "n", key.n());
    detail::json::integer_member(out, "g", key.g());
    return out + "\n}\n";
}

/// Reads the binary form of a public key.
/// @tparam N a type modelling dkg::big_integer.
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
public_key<N> public_key_from_binary(std::span<const std::uint8_t> data)
{
    return detail::decoding("dkg.public_key", errc::malformed_message, [&] {
        reader r(data);
        detail::read_binary_header(r, detail::object_type::public_key);
        N n = r.integer<N>(max_serialized_modulus_bits);
        r.expect_end();
        return public_key<N>(std::move(n));
    });
}

/// Reads the JSON form of a public key; "g" must be n + 1.
/// @tparam N a type modelling dkg::big_integer.
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
public_key<N> public_key_from_json(std::string_view text)
{
    return detail::decoding("dkg.public_key", errc::malformed_message, [&] {
        const auto root = detail::json::parse(text, max_json_bytes);
        const detail::json::object_reader o(root, "dkg.public_key", {"type", "version", "n", "g"});
        o.expect_header("dkg.public_key");
        public_key<N> key(o.integer<N>("n", max_serialized_modulus_bits));
        if (o.integer<N>("g", max_serialized_modulus_bits + 1) != key.g()) o.fail("g", "only g = n + 1 is supported");
        return key;
    });
}

// ---- ciphertexts --------------------------------------------------------------------------------

/// Binary form of a ciphertext: header (type 2), N, then the value c.
template <big_integer N>
bytes to_binary(const ciphertext<N>& c)
{
    return detail::binary_header(detail::object_type::ciphertext).integer(c.key().n()).integer(c.value()).finish();
}

/// JSON form of a ciphertext: {"type": "dkg.ciphertext", "version": 1, "n": "…", "value": "…"}.
template <big_integer N>
std::string to_json(const ciphertext<N>& c)
{
    std::string out;
    detail::json::header_members(out, detail::object_type::ciphertext);
    detail::json::integer_member(out, "n", c.key().n());
    detail::json::integer_member(out, "value", c.value());
    return out + "\n}\n";
}

namespace detail {

template <big_integer N>
ciphertext<N> make_checked_ciphertext(const public_key<N>& key, const N& n, N value)
{
    if (n != key.n()) throw decode_error("encrypted under another public key (n differs)");
    return key.make_ciphertext(std::move(value));
}

} // namespace detail

/// Reads the binary form of a ciphertext of `key`, checking that it names key's N, that
/// 0 < c < N² and gcd(c, N) = 1.
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
ciphertext<N> ciphertext_from_binary(const public_key<N>& key, std::span<const std::uint8_t> data)
{
    detail::require_nonempty(key.empty(), "key");
    return detail::decoding("dkg.ciphertext", errc::malformed_message, [&] {
        reader r(data);
        detail::read_binary_header(r, detail::object_type::ciphertext);
        const N n = r.integer<N>(max_serialized_modulus_bits);
        N value = r.integer<N>(2 * key.bits());
        r.expect_end();
        return detail::make_checked_ciphertext(key, n, std::move(value));
    });
}

/// Reads the JSON form of a ciphertext of `key` (checks as `ciphertext_from_binary`).
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
ciphertext<N> ciphertext_from_json(const public_key<N>& key, std::string_view text)
{
    detail::require_nonempty(key.empty(), "key");
    return detail::decoding("dkg.ciphertext", errc::malformed_message, [&] {
        const auto root = detail::json::parse(text, max_json_bytes);
        const detail::json::object_reader o(root, "dkg.ciphertext", {"type", "version", "n", "value"});
        o.expect_header("dkg.ciphertext");
        const N n = o.integer<N>("n", max_serialized_modulus_bits);
        return detail::make_checked_ciphertext(key, n, o.integer<N>("value", 2 * key.bits()));
    });
}

// ---- partial decryptions ------------------------------------------------------------------------

/// Binary form of a partial decryption: header (type 4), u32 party, c_j, u8 proof flag, then the
/// challenge and the response if the flag is 1.
template <big_integer N>
bytes to_binary(const partial_decryption<N>& p)
{
    writer w = detail::binary_header(detail::object_type::partial_decryption);
    detail::write_partial(w, p);
    return w.finish();
}

/// JSON form of a partial decryption: {"type": "dkg.partial_decryption", "version": 1, "party": j,
/// "value": "…"} plus "proof": {"challenge": "…", "response": "…"} when it has a proof.
template <big_integer N>
std::string to_json(const partial_decryption<N>& p)
{
    std::string out;
    detail::json::header_members(out, detail::object_type::partial_decryption);
    detail::json::member(out, "party", false);
    out += std::to_string(p.party);
    detail::json::integer_member(out, "value", p.value);
    if (p.proof) {
        detail::json::member(out, "proof", false);
        out += "{\"challenge\": \"" + to_decimal(p.proof->challenge) + "\", \"response\": \"" + to_decimal(p.proof->response) + "\"}";
    }
    return out + "\n}\n";
}

/// Reads the binary form of a partial decryption for `key`: party in 1..n, value in Z_{N²}^*,
/// proof sizes within limits. The proof itself is checked by `verify`.
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
partial_decryption<N> partial_decryption_from_binary(const threshold_key<N>& key, std::span<const std::uint8_t> data)
{
    return detail::decoding("dkg.partial_decryption", errc::malformed_message, [&] {
        reader r(data);
        detail::read_binary_header(r, detail::object_type::partial_decryption);
        auto p = detail::read_partial(r, key);
        r.expect_end();
        return p;
    });
}

/// Reads the JSON form of a partial decryption for `key` (checks as the binary form).
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
partial_decryption<N> partial_decryption_from_json(const threshold_key<N>& key, std::string_view text)
{
    return detail::decoding("dkg.partial_decryption", errc::malformed_message, [&] {
        const auto root = detail::json::parse(text, max_json_bytes);
        const detail::json::object_reader o(root, "dkg.partial_decryption", {"type", "version", "party", "value", "proof"});
        o.expect_header("dkg.partial_decryption");
        partial_decryption<N> p;
        p.party = o.number("party");
        p.value = o.integer<N>("value", 2 * key.public_key().bits());
        if (o.find("proof")) {
            const detail::json::object_reader proof(o.at("proof"), "dkg.partial_decryption proof", {"challenge", "response"});
            N e = proof.integer<N>("challenge", decryption_challenge_bits);
            N z = proof.integer<N>("response", key.max_exponent_bits());
            p.proof = decryption_proof<N>{std::move(e), std::move(z)};
        }
        if (!detail::well_formed(key, p)) throw decode_error("party, value or proof out of range");
        return p;
    });
}

// ---- the public part of a threshold key -----------------------------------------------------------

namespace detail {

template <big_integer N>
threshold_key<N> build_threshold_key(const N& n, std::uint32_t parties, std::uint32_t threshold, N theta, N v, std::vector<N> vks)
{
    if (parties < 1 || parties > max_serialized_parties) throw decode_error("parties out of range");
    if (threshold >= parties) throw decode_error("threshold out of range");
    if (n <= N(0u) || bit_length(n) > max_serialized_modulus_bits) throw decode_error("modulus out of range");
    return threshold_key<N>(public_key<N>(n), parties, threshold, std::move(theta), std::move(v), std::move(vks));
}

} // namespace detail

/// Binary form of the public part of a threshold key (what a verifier or combiner that is not a
/// party needs): header (type 5), u32 parties, u32 threshold, N, θ, v, then the n verification keys.
template <big_integer N>
bytes to_binary(const threshold_key<N>& key)
{
    writer w = detail::binary_header(detail::object_type::threshold_key);
    w.u32(static_cast<std::uint32_t>(key.parties()))
        .u32(static_cast<std::uint32_t>(key.threshold()))
        .integer(key.public_key().n())
        .integer(key.theta())
        .integer(key.verification_base())
        .integers(key.verification_keys());
    return w.finish();
}

/// JSON form of the public part of a threshold key: {"type": "dkg.threshold_key", "version": 1,
/// "parties": n, "threshold": t, "n": "…", "theta": "…", "verification_base": "…",
/// "verification_keys": ["…", …]}. Contains no secret.
template <big_integer N>
std::string to_json(const threshold_key<N>& key)
{
    std::string out;
    detail::json::header_members(out, detail::object_type::threshold_key);
    detail::json::member(out, "parties", false);
    out += std::to_string(key.parties());
    detail::json::member(out, "threshold", false);
    out += std::to_string(key.threshold());
    detail::json::integer_member(out, "n", key.public_key().n());
    detail::json::integer_member(out, "theta", key.theta());
    detail::json::integer_member(out, "verification_base", key.verification_base());
    detail::json::integer_list_member(out, "verification_keys", key.verification_keys());
    return out + "\n}\n";
}

/// Reads the binary form of a threshold key's public part and checks it (as threshold_key's
/// constructor: θ invertible, v and every VK_j in Z_{N²}^*, n ≥ 2t+1).
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
threshold_key<N> threshold_key_from_binary(std::span<const std::uint8_t> data)
{
    return detail::decoding(detail::type_name(detail::object_type::threshold_key), errc::malformed_message, [&] {
        if (data.size() > max_key_share_bytes) throw decode_error("larger than allowed");
        reader r(data);
        detail::read_binary_header(r, detail::object_type::threshold_key);
        const std::uint32_t parties = r.u32(), threshold = r.u32();
        if (parties < 1 || parties > max_serialized_parties) throw decode_error("parties out of range");
        const std::size_t n2_bits = 2 * max_serialized_modulus_bits;
        N n = r.integer<N>(max_serialized_modulus_bits);
        N theta = r.integer<N>(max_serialized_modulus_bits);
        N v = r.integer<N>(n2_bits);
        auto vks = r.integers_exactly<N>(parties, n2_bits);
        r.expect_end();
        return detail::build_threshold_key<N>(n, parties, threshold, std::move(theta), std::move(v), std::move(vks));
    });
}

/// Reads the JSON form of a threshold key's public part (checks as `threshold_key_from_binary`).
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
threshold_key<N> threshold_key_from_json(std::string_view text)
{
    const char* what = detail::type_name(detail::object_type::threshold_key);
    return detail::decoding(what, errc::malformed_message, [&] {
        const detail::json::value root = detail::json::parse(text, max_key_share_bytes);
        const detail::json::object_reader o(root, what,
                                            {"type", "version", "parties", "threshold", "n", "theta", "verification_base", "verification_keys"});
        o.expect_header(what);
        const std::uint32_t parties = o.number("parties"), threshold = o.number("threshold");
        if (parties < 1 || parties > max_serialized_parties) throw decode_error("parties out of range");
        const std::size_t n2_bits = 2 * max_serialized_modulus_bits;
        N n = o.integer<N>("n", max_serialized_modulus_bits);
        N theta = o.integer<N>("theta", max_serialized_modulus_bits);
        N v = o.integer<N>("verification_base", n2_bits);
        std::vector<N> vks = detail::json::integer_list<N>(o, "verification_keys", parties, n2_bits);
        return detail::build_threshold_key<N>(n, parties, threshold, std::move(theta), std::move(v), std::move(vks));
    });
}

} // namespace dkg
