// Binary and JSON forms of the proofs on ciphertexts and of ballots (docs/formats.md), versioned
// like every dkg object: binary header magic "DKG\0", version 1, object type 6 (plaintext
// knowledge), 7 (membership), 8 (blinding) or 9 (ballot); JSON with "type" and "version".
//
// Readers are given the public key (and, for a ballot, the rule) and decode, then validate: the
// size of the input first, then the header, every integer's length, every count (branches,
// ciphertexts, proofs) against what the statement needs, and every value's range (commitments and
// ciphertexts in Z_{N²}^*, challenges below 2^t, responses in their ranges). Failures throw
// dkg::format_error with errc::malformed_message naming the object and the field (or
// errc::unsupported_version). Whether a proof is correct is for the verify functions.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/error.hpp>
#include <dkg/paillier.hpp>
#include <dkg/proofs/ballot.hpp>
#include <dkg/proofs/blinding.hpp>
#include <dkg/proofs/membership.hpp>
#include <dkg/proofs/plaintext_knowledge.hpp>
#include <dkg/serialization/format.hpp>
#include <dkg/serialization/json_reader.hpp>
#include <dkg/serialization/json_writer.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dkg {

/// The largest binary or JSON encoding of a proof or ballot accepted when reading, in bytes.
inline constexpr std::size_t max_proof_bytes = std::size_t{16} << 20;

namespace detail {

/// The sizes in bits of the values of proofs for `key`.
struct proof_value_bits {
    std::size_t mod_n2, mod_n, challenge;

    template <big_integer N>
    explicit proof_value_bits(const public_key<N>& key) : mod_n2(2 * key.bits()), mod_n(key.bits()), challenge(proof_challenge_bits(key))
    {
    }
};

inline void check_proof_size(std::size_t size)
{
    if (size > max_proof_bytes) throw decode_error("larger than allowed");
}

inline void check_range(bool ok, const std::string& where, const char* what)
{
    if (!ok) throw decode_error(where + ": " + what);
}

/// The JSON reader's limits for proofs and ballots: a ballot nests objects five deep.
inline json::value parse_proof_json(std::string_view text)
{
    json::limits lim;
    lim.max_bytes = max_proof_bytes;
    lim.max_depth = 5;
    return json::parser(text, lim).parse();
}

template <big_integer N>
void check_plaintext_knowledge(const public_key<N>& key, const plaintext_knowledge_proof<N>& p)
{
    check_range(is_unit_mod_n2(key, p.commitment), "commitment", "not in Z_{N^2}^*");
    check_range(is_residue_mod_n(key, p.plaintext_response), "plaintext_response", "not in [0, N)");
    check_range(is_unit_mod_n(key, p.nonce_response), "nonce_response", "not in Z_N^*");
}

template <big_integer N>
void check_power_relation(const public_key<N>& key, const power_relation_proof<N>& p, const std::string& where)
{
    check_range(is_unit_mod_n2(key, p.commitment), where + " commitment", "not in Z_{N^2}^*");
    check_range(is_residue_mod_n(key, p.exponent_response), where + " exponent_response", "not in [0, N)");
    check_range(is_unit_mod_n(key, p.nonce_response), where + " nonce_response", "not in Z_N^*");
}

template <big_integer N>
void check_membership(const public_key<N>& key, const membership_proof<N>& p, const std::string& where)
{
    for (std::size_t j = 0; j < p.branches.size(); ++j) {
        const auto& b = p.branches[j];
        const std::string at = where + "branch " + std::to_string(j + 1);
        check_range(is_unit_mod_n2(key, b.commitment), at + " commitment", "not in Z_{N^2}^*");
        check_range(is_challenge(key, b.challenge), at + " challenge", "not in [0, 2^t)");
        check_range(is_unit_mod_n(key, b.response), at + " response", "not in Z_N^*");
    }
}

// ---- binary bodies ----

template <big_integer N>
void write_membership(writer& w, const membership_proof<N>& p)
{
    w.u32(static_cast<std::uint32_t>(p.branches.size()));
    for (const auto& b : p.branches) w.integer(b.commitment).integer(b.challenge).integer(b.response);
}

/// A membership proof of 1 to `max_branches` branches (exactly `expected` if nonzero).
template <big_integer N>
membership_proof<N> read_membership(reader& r, const proof_value_bits& bits, std::size_t max_branches, std::size_t expected)
{
    const std::uint32_t count = r.u32();
    if (count < 1 || count > max_branches) throw decode_error("branch count out of range");
    if (expected != 0 && count != expected) throw decode_error("branch count does not match the set");
    // Each branch takes at least 15 bytes: refuse counts the input cannot hold before reserving.
    if (static_cast<std::size_t>(count) * 15 > r.remaining()) throw decode_error("truncated branches");
    membership_proof<N> p;
    p.branches.reserve(count);
    for (std::uint32_t j = 0; j < count; ++j) {
        membership_branch<N> b;
        b.commitment = r.integer<N>(bits.mod_n2);
        b.challenge = r.integer<N>(bits.challenge);
        b.response = r.integer<N>(bits.mod_n);
        p.branches.push_back(std::move(b));
    }
    return p;
}

template <big_integer N>
void write_power_relation(writer& w, const power_relation_proof<N>& p)
{
    w.integer(p.commitment).integer(p.exponent_response).integer(p.nonce_response);
}

template <big_integer N>
power_relation_proof<N> read_power_relation(reader& r, const proof_value_bits& bits)
{
    power_relation_proof<N> p;
    p.commitment = r.integer<N>(bits.mod_n2);
    p.exponent_response = r.integer<N>(bits.mod_n);
    p.nonce_response = r.integer<N>(bits.mod_n);
    return p;
}

// ---- JSON bodies ----

template <big_integer N>
void append_branches(std::string& out, const membership_proof<N>& p, std::string_view indent)
{
    out += '[';
    for (std::size_t j = 0; j < p.branches.size(); ++j) {
        const auto& b = p.branches[j];
        out += j == 0 ? "\n" : ",\n";
        out += indent;
        out += "  {\"commitment\": \"" + to_decimal(b.commitment) + "\", \"challenge\": \"" + to_decimal(b.challenge) + "\", \"response\": \"" +
               to_decimal(b.response) + "\"}";
    }
    out += '\n';
    out += indent;
    out += ']';
}

template <big_integer N>
membership_proof<N> parse_branches(const json::object_reader& o, std::string_view key, const proof_value_bits& bits, std::size_t max_branches,
                                   std::size_t expected, const std::string& where)
{
    const json::value& list = o.at(key);
    if (list.type != json::value::kind::array) o.fail(key, "must be an array");
    if (list.items.empty() || list.items.size() > max_branches) o.fail(key, "branch count out of range");
    if (expected != 0 && list.items.size() != expected) o.fail(key, "branch count does not match the set");
    membership_proof<N> p;
    for (const auto& item : list.items) {
        const json::object_reader b(item, where + " branch", {"commitment", "challenge", "response"});
        p.branches.push_back({b.integer<N>("commitment", bits.mod_n2), b.integer<N>("challenge", bits.challenge), b.integer<N>("response", bits.mod_n)});
    }
    return p;
}

template <big_integer N>
std::string power_relation_json(const power_relation_proof<N>& p)
{
    return "{\"commitment\": \"" + to_decimal(p.commitment) + "\", \"exponent_response\": \"" + to_decimal(p.exponent_response) +
           "\", \"nonce_response\": \"" + to_decimal(p.nonce_response) + "\"}";
}

template <big_integer N>
power_relation_proof<N> parse_power_relation(const json::object_reader& o, std::string_view key, const proof_value_bits& bits, const std::string& where)
{
    const json::object_reader p(o.at(key), where + " " + std::string(key), {"commitment", "exponent_response", "nonce_response"});
    return {p.integer<N>("commitment", bits.mod_n2), p.integer<N>("exponent_response", bits.mod_n), p.integer<N>("nonce_response", bits.mod_n)};
}

/// The number of branches of each proof of a ballot under `rule`.
inline std::vector<std::size_t> ballot_branch_counts(const ballot_rule& rule)
{
    std::vector<std::size_t> out(rule.sent_options(), 2);
    if (rule.has_count_proof()) out.push_back(rule.derives_last_option() ? 2 : rule.max_selections() - rule.min_selections() + 1);
    return out;
}

template <big_integer N>
const public_key<N>& ballot_key(const ballot<N>& b)
{
    if (b.ciphertexts.empty()) throw std::invalid_argument("ballot: has no ciphertexts");
    for (const auto& c : b.ciphertexts)
        if (!(c.key() == b.ciphertexts.front().key())) throw std::invalid_argument("ballot: ciphertexts of different public keys");
    return b.ciphertexts.front().key();
}

/// Checks the counts and ranges of a decoded ballot and wraps its ciphertexts.
template <big_integer N>
ballot<N> build_ballot(const public_key<N>& key, const N& n, const std::vector<N>& values,
                       std::vector<membership_proof<N>> proofs)
{
    if (n != key.n()) throw decode_error("encrypted under another public key (n differs)");
    ballot<N> b;
    for (std::size_t i = 0; i < values.size(); ++i) {
        check_range(is_unit_mod_n2(key, values[i]), "ciphertext " + std::to_string(i + 1), "not in Z_{N^2}^*");
        b.ciphertexts.push_back(key.make_ciphertext(values[i]));
    }
    for (std::size_t i = 0; i < proofs.size(); ++i) check_membership(key, proofs[i], "proof " + std::to_string(i + 1) + " ");
    b.proofs = std::move(proofs);
    return b;
}

} // namespace detail

// ---- plaintext knowledge ------------------------------------------------------------------------

/// Binary form of a plaintext-knowledge proof: header (type 6), then a, z, w.
template <big_integer N>
bytes to_binary(const plaintext_knowledge_proof<N>& p)
{
    return detail::binary_header(detail::object_type::plaintext_knowledge_proof)
        .integer(p.commitment)
        .integer(p.plaintext_response)
        .integer(p.nonce_response)
        .finish();
}

/// JSON form: {"type": "dkg.plaintext_knowledge_proof", "version": 1, "commitment": "…",
/// "plaintext_response": "…", "nonce_response": "…"}.
template <big_integer N>
std::string to_json(const plaintext_knowledge_proof<N>& p)
{
    std::string out;
    detail::json::header_members(out, detail::object_type::plaintext_knowledge_proof);
    detail::json::integer_member(out, "commitment", p.commitment);
    detail::json::integer_member(out, "plaintext_response", p.plaintext_response);
    detail::json::integer_member(out, "nonce_response", p.nonce_response);
    return out + "\n}\n";
}

/// Reads the binary form of a plaintext-knowledge proof for a ciphertext of `key`.
/// @tparam N a type modelling dkg::big_integer.
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
plaintext_knowledge_proof<N> plaintext_knowledge_proof_from_binary(const public_key<N>& key, std::span<const std::uint8_t> data)
{
    detail::require_nonempty(key.empty(), "key");
    return detail::decoding("dkg.plaintext_knowledge_proof", errc::malformed_message, [&] {
        detail::check_proof_size(data.size());
        reader r(data);
        detail::read_binary_header(r, detail::object_type::plaintext_knowledge_proof);
        const detail::proof_value_bits bits(key);
        plaintext_knowledge_proof<N> p;
        p.commitment = r.integer<N>(bits.mod_n2);
        p.plaintext_response = r.integer<N>(bits.mod_n);
        p.nonce_response = r.integer<N>(bits.mod_n);
        r.expect_end();
        detail::check_plaintext_knowledge(key, p);
        return p;
    });
}

/// Reads the JSON form of a plaintext-knowledge proof (checks as the binary form).
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
plaintext_knowledge_proof<N> plaintext_knowledge_proof_from_json(const public_key<N>& key, std::string_view text)
{
    detail::require_nonempty(key.empty(), "key");
    const char* what = "dkg.plaintext_knowledge_proof";
    return detail::decoding(what, errc::malformed_message, [&] {
        const auto root = detail::parse_proof_json(text);
        const detail::json::object_reader o(root, what, {"type", "version", "commitment", "plaintext_response", "nonce_response"});
        o.expect_header(what);
        const detail::proof_value_bits bits(key);
        plaintext_knowledge_proof<N> p{o.integer<N>("commitment", bits.mod_n2), o.integer<N>("plaintext_response", bits.mod_n),
                                       o.integer<N>("nonce_response", bits.mod_n)};
        detail::check_plaintext_knowledge(key, p);
        return p;
    });
}

// ---- membership ---------------------------------------------------------------------------------

/// Binary form of a membership proof: header (type 7), u32 branch count L, then L times a_j, e_j, z_j.
template <big_integer N>
bytes to_binary(const membership_proof<N>& p)
{
    writer w = detail::binary_header(detail::object_type::membership_proof);
    detail::write_membership(w, p);
    return w.finish();
}

/// JSON form: {"type": "dkg.membership_proof", "version": 1, "branches": [{"commitment": "…",
/// "challenge": "…", "response": "…"}, …]}.
template <big_integer N>
std::string to_json(const membership_proof<N>& p)
{
    std::string out;
    detail::json::header_members(out, detail::object_type::membership_proof);
    detail::json::member(out, "branches", false);
    detail::append_branches(out, p, "  ");
    return out + "\n}\n";
}

/// Reads the binary form of a membership proof for a ciphertext of `key`: 1 to
/// max_membership_set_size branches, each value in range. Whether it has one branch per element of
/// the set is checked by verify_membership.
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
membership_proof<N> membership_proof_from_binary(const public_key<N>& key, std::span<const std::uint8_t> data)
{
    detail::require_nonempty(key.empty(), "key");
    return detail::decoding("dkg.membership_proof", errc::malformed_message, [&] {
        detail::check_proof_size(data.size());
        reader r(data);
        detail::read_binary_header(r, detail::object_type::membership_proof);
        auto p = detail::read_membership<N>(r, detail::proof_value_bits(key), max_membership_set_size, 0);
        r.expect_end();
        detail::check_membership(key, p, "");
        return p;
    });
}

/// Reads the JSON form of a membership proof (checks as the binary form).
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
membership_proof<N> membership_proof_from_json(const public_key<N>& key, std::string_view text)
{
    detail::require_nonempty(key.empty(), "key");
    const char* what = "dkg.membership_proof";
    return detail::decoding(what, errc::malformed_message, [&] {
        const auto root = detail::parse_proof_json(text);
        const detail::json::object_reader o(root, what, {"type", "version", "branches"});
        o.expect_header(what);
        auto p = detail::parse_branches<N>(o, "branches", detail::proof_value_bits(key), max_membership_set_size, 0, what);
        detail::check_membership(key, p, "");
        return p;
    });
}

// ---- blinding -----------------------------------------------------------------------------------

/// Binary form of a blinding proof: header (type 8), then a, z, w forward and a, z, w backward.
template <big_integer N>
bytes to_binary(const blinding_proof<N>& p)
{
    writer w = detail::binary_header(detail::object_type::blinding_proof);
    detail::write_power_relation(w, p.forward);
    detail::write_power_relation(w, p.backward);
    return w.finish();
}

/// JSON form: {"type": "dkg.blinding_proof", "version": 1, "forward": {"commitment": "…",
/// "exponent_response": "…", "nonce_response": "…"}, "backward": {…}}.
template <big_integer N>
std::string to_json(const blinding_proof<N>& p)
{
    std::string out;
    detail::json::header_members(out, detail::object_type::blinding_proof);
    detail::json::member(out, "forward", false);
    out += detail::power_relation_json(p.forward);
    detail::json::member(out, "backward", false);
    out += detail::power_relation_json(p.backward);
    return out + "\n}\n";
}

/// Reads the binary form of a blinding proof for ciphertexts of `key`.
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
blinding_proof<N> blinding_proof_from_binary(const public_key<N>& key, std::span<const std::uint8_t> data)
{
    detail::require_nonempty(key.empty(), "key");
    return detail::decoding("dkg.blinding_proof", errc::malformed_message, [&] {
        detail::check_proof_size(data.size());
        reader r(data);
        detail::read_binary_header(r, detail::object_type::blinding_proof);
        const detail::proof_value_bits bits(key);
        auto forward = detail::read_power_relation<N>(r, bits);
        blinding_proof<N> p{std::move(forward), detail::read_power_relation<N>(r, bits)};
        r.expect_end();
        detail::check_power_relation(key, p.forward, "forward");
        detail::check_power_relation(key, p.backward, "backward");
        return p;
    });
}

/// Reads the JSON form of a blinding proof (checks as the binary form).
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
blinding_proof<N> blinding_proof_from_json(const public_key<N>& key, std::string_view text)
{
    detail::require_nonempty(key.empty(), "key");
    const char* what = "dkg.blinding_proof";
    return detail::decoding(what, errc::malformed_message, [&] {
        const auto root = detail::parse_proof_json(text);
        const detail::json::object_reader o(root, what, {"type", "version", "forward", "backward"});
        o.expect_header(what);
        const detail::proof_value_bits bits(key);
        auto forward = detail::parse_power_relation<N>(o, "forward", bits, what);
        blinding_proof<N> p{std::move(forward), detail::parse_power_relation<N>(o, "backward", bits, what)};
        detail::check_power_relation(key, p.forward, "forward");
        detail::check_power_relation(key, p.backward, "backward");
        return p;
    });
}

// ---- ballots ------------------------------------------------------------------------------------

/// Binary form of a ballot: header (type 9), N, u32 count and the sent ciphertexts, u32 count of
/// proofs and each as u32 branch count L and L times a_j, e_j, z_j.
/// @throws std::invalid_argument naming `ballot` if it has no ciphertexts or mixes keys.
template <big_integer N>
bytes to_binary(const ballot<N>& b)
{
    const public_key<N>& key = detail::ballot_key(b);
    writer w = detail::binary_header(detail::object_type::ballot);
    w.integer(key.n()).u32(static_cast<std::uint32_t>(b.ciphertexts.size()));
    for (const auto& c : b.ciphertexts) w.integer(c.value());
    w.u32(static_cast<std::uint32_t>(b.proofs.size()));
    for (const auto& p : b.proofs) detail::write_membership(w, p);
    return w.finish();
}

/// JSON form: {"type": "dkg.ballot", "version": 1, "n": "…", "ciphertexts": ["…", …],
/// "proofs": [{"branches": [{"commitment": "…", "challenge": "…", "response": "…"}, …]}, …]}.
/// @throws std::invalid_argument naming `ballot` if it has no ciphertexts or mixes keys.
template <big_integer N>
std::string to_json(const ballot<N>& b)
{
    const public_key<N>& key = detail::ballot_key(b);
    std::string out;
    detail::json::header_members(out, detail::object_type::ballot);
    detail::json::integer_member(out, "n", key.n());
    std::vector<N> values;
    for (const auto& c : b.ciphertexts) values.push_back(c.value());
    detail::json::integer_list_member(out, "ciphertexts", values);
    detail::json::member(out, "proofs", false);
    out += '[';
    for (std::size_t i = 0; i < b.proofs.size(); ++i) {
        out += i == 0 ? "\n    {\"branches\": " : ",\n    {\"branches\": ";
        detail::append_branches(out, b.proofs[i], "    ");
        out += '}';
    }
    return out + "\n  ]\n}\n";
}

/// Reads the binary form of a ballot for `key` and `rule`: the ballot's N is the key's, it has
/// exactly the ciphertexts and proofs the rule needs, each proof one branch per element of its set,
/// and every value is in range. The proofs themselves are checked by verify_ballot.
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
ballot<N> ballot_from_binary(const public_key<N>& key, const ballot_rule& rule, std::span<const std::uint8_t> data)
{
    detail::require_nonempty(key.empty(), "key");
    return detail::decoding("dkg.ballot", errc::malformed_message, [&] {
        detail::check_proof_size(data.size());
        reader r(data);
        detail::read_binary_header(r, detail::object_type::ballot);
        const detail::proof_value_bits bits(key);
        const N n = r.integer<N>(max_serialized_modulus_bits);
        const std::uint32_t count = r.u32();
        if (count != rule.sent_options()) throw decode_error("wrong number of ciphertexts for the rule");
        std::vector<N> values;
        for (std::uint32_t i = 0; i < count; ++i) values.push_back(r.integer<N>(bits.mod_n2));
        const auto branches = detail::ballot_branch_counts(rule);
        if (r.u32() != branches.size()) throw decode_error("wrong number of proofs for the rule");
        std::vector<membership_proof<N>> proofs;
        for (std::size_t expected : branches) proofs.push_back(detail::read_membership<N>(r, bits, expected, expected));
        r.expect_end();
        return detail::build_ballot(key, n, values, std::move(proofs));
    });
}

/// Reads the JSON form of a ballot for `key` and `rule` (checks as the binary form).
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
ballot<N> ballot_from_json(const public_key<N>& key, const ballot_rule& rule, std::string_view text)
{
    detail::require_nonempty(key.empty(), "key");
    const char* what = "dkg.ballot";
    return detail::decoding(what, errc::malformed_message, [&] {
        const auto root = detail::parse_proof_json(text);
        const detail::json::object_reader o(root, what, {"type", "version", "n", "ciphertexts", "proofs"});
        o.expect_header(what);
        const detail::proof_value_bits bits(key);
        const N n = o.integer<N>("n", max_serialized_modulus_bits);
        const auto& list = o.at("ciphertexts");
        if (list.type != detail::json::value::kind::array) o.fail("ciphertexts", "must be an array");
        if (list.items.size() != rule.sent_options()) o.fail("ciphertexts", "wrong number of ciphertexts for the rule");
        std::vector<N> values;
        for (const auto& item : list.items) {
            if (item.type != detail::json::value::kind::string) o.fail("ciphertexts", "must hold strings");
            values.push_back(o.parse_integer<N>(item.text, "ciphertexts", bits.mod_n2));
        }
        const auto branches = detail::ballot_branch_counts(rule);
        const auto& proofs_list = o.at("proofs");
        if (proofs_list.type != detail::json::value::kind::array) o.fail("proofs", "must be an array");
        if (proofs_list.items.size() != branches.size()) o.fail("proofs", "wrong number of proofs for the rule");
        std::vector<membership_proof<N>> proofs;
        for (std::size_t i = 0; i < branches.size(); ++i) {
            const std::string where = std::string(what) + " proof " + std::to_string(i + 1);
            const detail::json::object_reader p(proofs_list.items[i], where, {"branches"});
            proofs.push_back(detail::parse_branches<N>(p, "branches", bits, branches[i], branches[i], where));
        }
        return detail::build_ballot(key, n, values, std::move(proofs));
    });
}

} // namespace dkg
