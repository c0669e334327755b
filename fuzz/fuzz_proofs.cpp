// Proofs on ciphertexts and ballots in their binary and JSON forms (dkg/proofs/serialization.hpp),
// as a ballot box receives them from voters. The first input byte selects the object and the form
// (and, for ballots, the rule); the rest is the encoding. Whatever decodes must encode back to the
// same object (the binary forms to exactly the same bytes); both backends must agree on accepting it
// and on what they read. What decodes also goes through its verifier, with GMP only (cpp_int's
// exponentiations under the sanitizers would slow the harness tenfold), which must not throw.
#include "fuzz_support.hpp"

#include <dkg/proofs/serialization.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using outcome = std::optional<std::vector<std::string>>;

/// The rules a ballot input may be read under (the selector picks one).
const std::vector<dkg::ballot_rule>& rules()
{
    static const std::vector<dkg::ballot_rule> out = {dkg::ballot_rule::one_of(2), dkg::ballot_rule::one_of(3), dkg::ballot_rule::at_most(3, 1),
                                                      dkg::ballot_rule(3, 1, 2), dkg::ballot_rule::at_most(1, 1)};
    return out;
}

const dkg::proof_context& context()
{
    static const dkg::proof_context c{"fuzz-election", "voter-1"};
    return c;
}

/// A fixed statement of the harness's key: an encryption of 1, its set {0, 1} and a blinding of it.
template <class N>
struct statement {
    dkg::ciphertext<N> c;
    dkg::ciphertext<N> blinded;
    std::vector<N> set = {N(0u), N(1u)};
};

template <class N>
const statement<N>& fixed_statement()
{
    static const statement<N> s = [] {
        const auto& key = dkg_fuzz::shares<N>()[0].public_key();
        dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 31);
        const auto c = key.encrypt_with_nonce(N(1u), dkg::random_unit(key.n(), rng));
        return statement<N>{c, dkg::blind(c, context(), rng).value};
    }();
    return s;
}

template <class N>
std::vector<std::string> describe_branches(const dkg::membership_proof<N>& p, std::vector<std::string> out = {})
{
    for (const auto& b : p.branches)
        for (const N* v : {&b.commitment, &b.challenge, &b.response}) out.push_back(dkg_fuzz::text(*v));
    return out;
}

template <class N>
void require_round_trip(std::span<const std::uint8_t> input, const dkg::bytes& again, const char* what)
{
    dkg_fuzz::require(std::equal(again.begin(), again.end(), input.begin(), input.end()), what);
}

/// The verdict of a verifier, run only with GMP (see above).
template <class N, class F>
std::string verdict(F&& verify)
{
    if constexpr (std::is_same_v<N, dkg::gmp_int>) return verify() ? "valid" : "invalid";
    return "not verified";
}

template <class N>
outcome decode(std::uint8_t selector, std::span<const std::uint8_t> bytes, std::string_view text)
{
    const auto& key = dkg_fuzz::shares<N>()[0].public_key();
    const auto& s = fixed_statement<N>();
    const bool json = selector % 2 == 1;
    try {
        switch ((selector / 2) % 4) {
        case 0: {
            const auto p = json ? dkg::plaintext_knowledge_proof_from_json(key, text) : dkg::plaintext_knowledge_proof_from_binary(key, bytes);
            if (json) dkg_fuzz::require(dkg::plaintext_knowledge_proof_from_json(key, dkg::to_json(p)) == p, "knowledge proof (JSON) does not round-trip");
            else require_round_trip<N>(bytes, dkg::to_binary(p), "knowledge proof (binary) does not round-trip");
            verdict<N>([&] { return dkg::verify_plaintext_knowledge(s.c, p, context()); });
            return std::vector<std::string>{dkg_fuzz::text(p.commitment), dkg_fuzz::text(p.plaintext_response), dkg_fuzz::text(p.nonce_response)};
        }
        case 1: {
            const auto p = json ? dkg::membership_proof_from_json(key, text) : dkg::membership_proof_from_binary(key, bytes);
            if (json) dkg_fuzz::require(dkg::membership_proof_from_json(key, dkg::to_json(p)) == p, "membership proof (JSON) does not round-trip");
            else require_round_trip<N>(bytes, dkg::to_binary(p), "membership proof (binary) does not round-trip");
            verdict<N>([&] { return dkg::verify_membership(s.c, s.set, p, context()); });
            return describe_branches(p);
        }
        case 2: {
            const auto p = json ? dkg::blinding_proof_from_json(key, text) : dkg::blinding_proof_from_binary(key, bytes);
            if (json) dkg_fuzz::require(dkg::blinding_proof_from_json(key, dkg::to_json(p)) == p, "blinding proof (JSON) does not round-trip");
            else require_round_trip<N>(bytes, dkg::to_binary(p), "blinding proof (binary) does not round-trip");
            verdict<N>([&] { return dkg::verify_blinding(s.c, s.blinded, p, context()); });
            std::vector<std::string> out;
            for (const auto* half : {&p.forward, &p.backward})
                for (const N* v : {&half->commitment, &half->exponent_response, &half->nonce_response}) out.push_back(dkg_fuzz::text(*v));
            return out;
        }
        default: {
            const auto& rule = rules()[(selector / 8) % rules().size()];
            const auto b = json ? dkg::ballot_from_json(key, rule, text) : dkg::ballot_from_binary(key, rule, bytes);
            if (json) dkg_fuzz::require(dkg::ballot_from_json(key, rule, dkg::to_json(b)) == b, "ballot (JSON) does not round-trip");
            else require_round_trip<N>(bytes, dkg::to_binary(b), "ballot (binary) does not round-trip");
            verdict<N>([&] { return dkg::verify_ballot(key, rule, b, context()); });
            dkg_fuzz::require(dkg::option_ciphertexts(key, rule, b).size() == rule.options(), "a decoded ballot has the wrong number of options");
            std::vector<std::string> out;
            for (const auto& c : b.ciphertexts) out.push_back(dkg_fuzz::text(c.value()));
            for (const auto& p : b.proofs) out = describe_branches(p, std::move(out));
            return out;
        }
        }
    } catch (const dkg::format_error& e) {
        dkg_fuzz::require_code(e, {dkg::errc::malformed_message, dkg::errc::unsupported_version});
        return std::nullopt;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    dkg_fuzz::input in(data, size);
    const std::uint8_t selector = in.byte();
    const auto bytes = in.rest();
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    dkg_fuzz::require_same(decode<dkg::gmp_int>(selector, bytes, text), decode<dkg::cpp_int>(selector, bytes, text));
    return 0;
}
