#include <dkg/proofs/serialization.hpp>

#include "../backends.hpp"
#include "support.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

using namespace test_support;
using namespace proofs_test;

namespace {

const dkg::proof_context context{"election-2024", "question-1", "voter-17"};

/// Everything of one key's proofs, made honestly.
template <class N>
struct sample {
    const dkg::public_key<N>& key;
    dkg::ciphertext<N> c;
    std::vector<N> set = {N(0u), N(1u)};
    dkg::plaintext_knowledge_proof<N> knowledge;
    dkg::membership_proof<N> membership;
    dkg::blinded_ciphertext<N> blinded;
    dkg::ballot_rule rule = dkg::ballot_rule::one_of(3);
    dkg::ballot<N> ballot;
};

template <class N>
sample<N> make_sample(std::uint64_t label, const dkg::ballot_rule& rule = dkg::ballot_rule::one_of(3))
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, label);
    const auto& key = test_key<N>(small_bits).public_key();
    const N r = dkg::random_unit(key.n(), rng);
    auto c = key.encrypt_with_nonce(N(1u), r);
    std::vector<N> set = {N(0u), N(1u)};
    auto knowledge = dkg::prove_plaintext_knowledge(c, N(1u), r, context, rng);
    auto membership = dkg::prove_membership(c, set, N(1u), r, context, rng);
    auto blinded = dkg::blind(c, context, rng);
    std::vector<unsigned> choices(rule.options(), 0);
    choices.back() = 1;
    auto b = dkg::encrypt_ballot(key, rule, choices, context, rng);
    return {key, c, set, knowledge, membership, blinded, rule, b};
}

std::string text_of(const dkg::bytes& b)
{
    return std::string(b.begin(), b.end());
}

dkg::bytes bytes_of(const std::string& s)
{
    return dkg::bytes(s.begin(), s.end());
}

/// The message of the format_error that f throws (with its code checked).
std::string format_error_text(const std::function<void()>& f, dkg::errc code = dkg::errc::malformed_message)
{
    try {
        f();
    } catch (const dkg::format_error& e) {
        BOOST_TEST((e.code() == dkg::make_error_code(code)), e.what());
        return e.what();
    }
    BOOST_ERROR("no dkg::format_error");
    return {};
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

std::string replace(std::string text, const std::string& from, const std::string& to)
{
    const auto at = text.find(from);
    BOOST_TEST_REQUIRE(at != std::string::npos, "\"" << from << "\" not in the text");
    return text.replace(at, from.size(), to);
}

/// `text` with the first string value of member `key` replaced by `value` (JSON text).
std::string replace_value(const std::string& text, const std::string& key, const std::string& value)
{
    const std::string start = "\"" + key + "\": \"";
    const auto at = text.find(start);
    BOOST_TEST_REQUIRE(at != std::string::npos);
    const auto end = text.find('"', at + start.size());
    return text.substr(0, at + start.size() - 1) + value + text.substr(end + 1);
}

} // namespace

BOOST_AUTO_TEST_SUITE(proofs_serialization)

// Every object, both forms: decodes to the same object, encodes back to the same bytes, verifies.
BOOST_AUTO_TEST_CASE_TEMPLATE(round_trips, N, shipped_backends)
{
    for (const auto& rule : {dkg::ballot_rule::one_of(3), dkg::ballot_rule::one_of(2), dkg::ballot_rule(4, 1, 3)}) {
        const auto s = make_sample<N>(501, rule);
        const auto& key = s.key;
        const auto k_bin = dkg::to_binary(s.knowledge);
        const auto k_json = dkg::to_json(s.knowledge);
        BOOST_TEST((dkg::plaintext_knowledge_proof_from_binary(key, k_bin) == s.knowledge));
        BOOST_TEST((dkg::plaintext_knowledge_proof_from_json(key, k_json) == s.knowledge));
        BOOST_TEST((dkg::to_binary(dkg::plaintext_knowledge_proof_from_binary(key, k_bin)) == k_bin));
        BOOST_TEST(dkg::verify_plaintext_knowledge(s.c, dkg::plaintext_knowledge_proof_from_json(key, k_json), context));

        const auto m_bin = dkg::to_binary(s.membership);
        const auto m_json = dkg::to_json(s.membership);
        BOOST_TEST((dkg::membership_proof_from_binary(key, m_bin) == s.membership));
        BOOST_TEST((dkg::membership_proof_from_json(key, m_json) == s.membership));
        BOOST_TEST(dkg::to_json(dkg::membership_proof_from_json(key, m_json)) == m_json);
        BOOST_TEST(dkg::verify_membership(s.c, s.set, dkg::membership_proof_from_binary(key, m_bin), context));

        const auto b_bin = dkg::to_binary(s.blinded.proof);
        const auto b_json = dkg::to_json(s.blinded.proof);
        BOOST_TEST((dkg::blinding_proof_from_binary(key, b_bin) == s.blinded.proof));
        BOOST_TEST((dkg::blinding_proof_from_json(key, b_json) == s.blinded.proof));
        BOOST_TEST(dkg::verify_blinding(s.c, s.blinded.value, dkg::blinding_proof_from_json(key, b_json), context));

        const auto v_bin = dkg::to_binary(s.ballot);
        const auto v_json = dkg::to_json(s.ballot);
        BOOST_TEST((dkg::ballot_from_binary(key, rule, v_bin) == s.ballot));
        BOOST_TEST((dkg::ballot_from_json(key, rule, v_json) == s.ballot));
        BOOST_TEST((dkg::to_binary(dkg::ballot_from_json(key, rule, v_json)) == v_bin));
        BOOST_TEST(dkg::to_json(dkg::ballot_from_binary(key, rule, v_bin)) == v_json);
        BOOST_TEST(dkg::verify_ballot(key, rule, dkg::ballot_from_json(key, rule, v_json), context));
        // JSON whitespace and member order do not matter.
        std::string compact;
        for (char ch : v_json)
            if (ch != '\n' && ch != ' ') compact += ch;
        BOOST_TEST((dkg::ballot_from_json(key, rule, compact) == s.ballot));
    }
}

// The exact layout of docs/formats.md: header, then the fields.
BOOST_AUTO_TEST_CASE_TEMPLATE(binary_layout, N, shipped_backends)
{
    const dkg::plaintext_knowledge_proof<N> p{N(0x1234), N(5u), N(0u)};
    const dkg::bytes expected = {'D', 'K', 'G', 0, 1, 6, 0, 0, 0, 0, 2, 0x12, 0x34, 0, 0, 0, 0, 1, 5, 0, 0, 0, 0, 0};
    BOOST_TEST((dkg::to_binary(p) == expected));
    const dkg::membership_proof<N> m{{{N(7u), N(8u), N(9u)}}};
    const dkg::bytes expected_m = {'D', 'K', 'G', 0, 1, 7, 0, 0, 0, 1, 0, 0, 0, 0, 1, 7, 0, 0, 0, 0, 1, 8, 0, 0, 0, 0, 1, 9};
    BOOST_TEST((dkg::to_binary(m) == expected_m));
    const dkg::blinding_proof<N> b{{N(1u), N(2u), N(3u)}, {N(4u), N(5u), N(6u)}};
    BOOST_TEST(dkg::to_binary(b).size() == 6u + 6u * 6u);
    BOOST_TEST(dkg::to_binary(b)[5] == 8u);
    const auto s = make_sample<N>(502);
    const auto v = dkg::to_binary(s.ballot);
    BOOST_TEST(v[5] == 9u);
    BOOST_TEST(dkg::to_json(s.ballot).find("{\n  \"type\": \"dkg.ballot\",\n  \"version\": 1,\n  \"n\": \"") == 0u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(malformed_binary_is_rejected_with_a_clear_error, N, shipped_backends)
{
    const auto s = make_sample<N>(503);
    const auto& key = s.key;
    const auto& rule = s.rule;
    const auto ballot = dkg::to_binary(s.ballot);
    // Every truncation, and a trailing byte.
    for (std::size_t cut = 0; cut < ballot.size(); cut += 7) {
        const dkg::bytes shorter(ballot.begin(), ballot.begin() + static_cast<std::ptrdiff_t>(cut));
        BOOST_TEST(contains(format_error_text([&] { dkg::ballot_from_binary(key, rule, shorter); }), "dkg.ballot: malformed message"));
    }
    auto longer = ballot;
    longer.push_back(0);
    BOOST_TEST(format_error_text([&] { dkg::ballot_from_binary(key, rule, longer); }) == "dkg.ballot: malformed message: trailing bytes");
    // Header: magic, version, object type.
    auto bad = ballot;
    bad[0] = 'X';
    BOOST_TEST(contains(format_error_text([&] { dkg::ballot_from_binary(key, rule, bad); }), "bad magic"));
    bad = ballot;
    bad[4] = 2;
    BOOST_TEST(contains(format_error_text([&] { dkg::ballot_from_binary(key, rule, bad); }, dkg::errc::unsupported_version), "version 2 is not supported"));
    bad = ballot;
    bad[5] = 7;
    BOOST_TEST(contains(format_error_text([&] { dkg::ballot_from_binary(key, rule, bad); }), "not a dkg.ballot"));
    BOOST_TEST(contains(format_error_text([&] { dkg::membership_proof_from_binary(key, dkg::to_binary(s.knowledge)); }), "not a dkg.membership_proof"));
    // Another rule: the counts do not match.
    BOOST_TEST(contains(format_error_text([&] { dkg::ballot_from_binary(key, dkg::ballot_rule::one_of(4), ballot); }), "wrong number of ciphertexts for the rule"));
    BOOST_TEST(contains(format_error_text([&] { dkg::ballot_from_binary(key, dkg::ballot_rule::at_most(3, 1), ballot); }), "wrong number of ciphertexts"));
    BOOST_TEST(contains(format_error_text([&] { dkg::ballot_from_binary(key, dkg::ballot_rule::at_most(2, 2), ballot); }), "wrong number of proofs for the rule"));
    // Another key: n differs.
    const auto& other = test_key<N>(small_bits, 1).public_key();
    BOOST_TEST(contains(format_error_text([&] { dkg::ballot_from_binary(other, rule, ballot); }), "encrypted under another public key (n differs)"));
    // Values out of range, each named.
    const auto with = [&](const dkg::ballot<N>& b) { return dkg::to_binary(b); };
    auto out = s.ballot;
    out.proofs[1].branches[0].challenge = N(N(1u) << static_cast<unsigned>(dkg::proof_challenge_bits(key)));
    BOOST_TEST(contains(format_error_text([&] { dkg::ballot_from_binary(key, rule, with(out)); }), "integer larger than allowed"));
    out = s.ballot;
    out.proofs[1].branches[1].commitment = key.n();
    BOOST_TEST(format_error_text([&] { dkg::ballot_from_binary(key, rule, with(out)); }) ==
               "dkg.ballot: malformed message: proof 2 branch 2 commitment: not in Z_{N^2}^*");
    out = s.ballot;
    out.proofs[2].branches[0].response = N(0u);
    BOOST_TEST(format_error_text([&] { dkg::ballot_from_binary(key, rule, with(out)); }) ==
               "dkg.ballot: malformed message: proof 3 branch 1 response: not in Z_N^*");
    out = s.ballot;
    out.proofs[0].branches[0].response = N(-N(out.proofs[0].branches[0].response));
    BOOST_TEST(contains(format_error_text([&] { dkg::ballot_from_binary(key, rule, with(out)); }), "proof 1 branch 1 response: not in Z_N^*"));
    // A branch more or less than the set needs.
    out = s.ballot;
    out.proofs[0].branches.push_back(out.proofs[0].branches[0]);
    BOOST_TEST(contains(format_error_text([&] { dkg::ballot_from_binary(key, rule, with(out)); }), "branch count out of range"));
    out = s.ballot;
    out.proofs[0].branches.pop_back();
    BOOST_TEST(contains(format_error_text([&] { dkg::ballot_from_binary(key, rule, with(out)); }), "branch count does not match the set"));
    // A ciphertext that is not in Z_{N²}^*: n, a multiple of a prime of N, 0.
    const auto& sk = test_key<N>(small_bits);
    for (const N& value : {N(0u), sk.p(), N(sk.q() * N(3u))}) {
        dkg::writer w;
        w.raw(std::span<const std::uint8_t>(ballot.data(), 6)).integer(key.n()).u32(2).integer(value).integer(s.ballot.ciphertexts[1].value());
        w.u32(static_cast<std::uint32_t>(s.ballot.proofs.size()));
        for (const auto& p : s.ballot.proofs) dkg::detail::write_membership(w, p);
        BOOST_TEST(contains(format_error_text([&] { dkg::ballot_from_binary(key, rule, w.finish()); }), "ciphertext 1: not in Z_{N^2}^*"));
    }
    // A huge branch count is refused before anything is allocated.
    dkg::writer huge;
    huge.raw(std::span<const std::uint8_t>(dkg::to_binary(s.membership).data(), 6)).u32(0x7fffffff);
    BOOST_TEST(contains(format_error_text([&] { dkg::membership_proof_from_binary(key, huge.finish()); }), "branch count out of range"));
    dkg::writer many;
    many.raw(std::span<const std::uint8_t>(dkg::to_binary(s.membership).data(), 6)).u32(1000);
    BOOST_TEST(contains(format_error_text([&] { dkg::membership_proof_from_binary(key, many.finish()); }), "truncated branches"));
    // Oversized input is refused by its size first.
    const dkg::bytes oversized(dkg::max_proof_bytes + 1, 0);
    BOOST_TEST(format_error_text([&] { dkg::ballot_from_binary(key, rule, oversized); }) == "dkg.ballot: malformed message: larger than allowed");
    // Single proofs: values out of range.
    auto k = s.knowledge;
    k.plaintext_response = key.n();
    BOOST_TEST(format_error_text([&] { dkg::plaintext_knowledge_proof_from_binary(key, dkg::to_binary(k)); }) ==
               "dkg.plaintext_knowledge_proof: malformed message: plaintext_response: not in [0, N)");
    auto bl = s.blinded.proof;
    bl.backward.nonce_response = N(0u);
    BOOST_TEST(format_error_text([&] { dkg::blinding_proof_from_binary(key, dkg::to_binary(bl)); }) ==
               "dkg.blinding_proof: malformed message: backward nonce_response: not in Z_N^*");
    BOOST_TEST(contains(format_error_text([&] { dkg::membership_proof_from_binary(key, dkg::to_binary(dkg::membership_proof<N>{})); }), "branch count out of range"));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(malformed_json_is_rejected_with_a_clear_error, N, shipped_backends)
{
    const auto s = make_sample<N>(504);
    const auto& key = s.key;
    const auto& rule = s.rule;
    const std::string json = dkg::to_json(s.ballot);
    const auto error = [&](const std::string& text) { return format_error_text([&] { dkg::ballot_from_json(key, rule, text); }); };
    BOOST_TEST(format_error_text([&] { dkg::ballot_from_json(key, rule, replace(json, "\"version\": 1", "\"version\": 2")); }, dkg::errc::unsupported_version) ==
               "dkg.ballot: JSON format version 2 is not supported (this build reads 1)");
    BOOST_TEST(contains(error(replace(json, "dkg.ballot", "dkg.ciphertext")), "member \"type\": must be \"dkg.ballot\""));
    BOOST_TEST(contains(error(replace(json, "\"n\":", "\"m\":")), "member \"m\": unknown member"));
    BOOST_TEST(contains(error(replace(json, "\"n\": \"", "\"extra\": 1, \"n\": \"")), "member \"extra\": unknown member"));
    BOOST_TEST(contains(error(replace(json, "\"n\": \"", "\"n\": \"0")), "member \"n\": not a canonical decimal integer"));
    BOOST_TEST(contains(error(replace(json, "\"commitment\": \"", "\"commitment\": \"-")), "commitment: not in Z_{N^2}^*"));
    BOOST_TEST(contains(error(replace(json, "\"challenge\": \"", "\"challenge\": \"x")), "member \"challenge\": not a decimal integer"));
    BOOST_TEST(contains(error(replace_value(json, "response", "1")), "member \"response\": must be a string"));
    BOOST_TEST(contains(error(replace_value(json, "n", "\"\"")), "member \"n\": not a canonical decimal integer"));
    BOOST_TEST(contains(error(replace(json, "{\"branches\": [", "{\"branches\": [{}, ")), "member \"branches\": branch count"));
    BOOST_TEST(contains(error(replace(json, "\"ciphertexts\": [", "\"ciphertexts\": [\"5\", ")), "member \"ciphertexts\": wrong number of ciphertexts for the rule"));
    BOOST_TEST(contains(error(replace(json, "\"proofs\": [", "\"proofs\": [{\"branches\": []}, ")), "member \"proofs\": wrong number of proofs for the rule"));
    BOOST_TEST(contains(error(replace(json, "\"ciphertexts\": [", "\"ciphertexts\": [[[[[\"5\"]]]], ")), "nested too deeply"));
    BOOST_TEST(contains(error(replace(json, "\"type\"", "\"type\": \"x\", \"type\"")), "duplicate key"));
    BOOST_TEST(contains(error(json.substr(0, json.size() / 2)), "malformed message: JSON"));
    BOOST_TEST(contains(error(json + "{}"), "unexpected text after the object"));
    BOOST_TEST(contains(error(std::string(dkg::max_proof_bytes + 1, ' ')), "text longer than allowed"));
    const auto& other = test_key<N>(small_bits, 1).public_key();
    BOOST_TEST(contains(format_error_text([&] { dkg::ballot_from_json(other, rule, json); }), "n differs"));
    const std::string blinding = dkg::to_json(s.blinded.proof);
    BOOST_TEST(contains(format_error_text([&] { dkg::blinding_proof_from_json(key, replace(blinding, "\"forward\"", "\"sideways\"")); }), "unknown member"));
    BOOST_TEST(contains(format_error_text([&] { dkg::blinding_proof_from_json(key, replace(blinding, "\"exponent_response\"", "\"response\"")); }),
                        "dkg.blinding_proof forward member \"response\": unknown member"));
    const std::string knowledge = dkg::to_json(s.knowledge);
    BOOST_TEST(contains(format_error_text([&] { dkg::plaintext_knowledge_proof_from_json(key, replace(knowledge, "\"nonce_response\": \"", "\"nonce_response\": \"0")); }),
                        "not a canonical decimal integer"));
    BOOST_TEST(contains(format_error_text([&] { dkg::membership_proof_from_json(key, "{\"type\": \"dkg.membership_proof\", \"version\": 1, \"branches\": []}"); }),
                        "branch count out of range"));
}

// The fixed vectors of test/data/proof_vectors (made by make_proof_vectors) keep decoding, encoding
// back to the same bytes and verifying; under another context they do not verify.
BOOST_AUTO_TEST_CASE_TEMPLATE(fixed_vectors_keep_verifying, N, shipped_backends)
{
    for (const std::string bits : {"128", "512"}) {
        const std::filesystem::path dir = std::filesystem::path(DKG_TEST_DATA_DIR) / "proof_vectors" / bits;
        const auto read = [&](const char* name) {
            std::ifstream in(dir / name, std::ios::binary);
            BOOST_TEST_REQUIRE(static_cast<bool>(in), "cannot read " << (dir / name));
            std::stringstream ss;
            ss << in.rdbuf();
            return ss.str();
        };
        std::istringstream statement(read("statement.txt"));
        std::string line, n_text, c_text, blinded_text;
        dkg::proof_context vector_context;
        while (std::getline(statement, line)) {
            if (line.empty() || line[0] == '#') continue;
            const auto space = line.find(' ');
            const std::string name = line.substr(0, space), value = line.substr(space + 1);
            if (name == "n") n_text = value;
            else if (name == "context") vector_context.add(value);
            else if (name == "ciphertext") c_text = value;
            else if (name == "blinded") blinded_text = value;
            else BOOST_TEST((name == "set" || name == "rule"), "unknown line " << line);
        }
        const dkg::public_key<N> key(num<N>(n_text.c_str()));
        BOOST_TEST(key.bits() == std::stoul(bits));
        const auto c = key.make_ciphertext(num<N>(c_text.c_str()));
        const auto blinded = key.make_ciphertext(num<N>(blinded_text.c_str()));
        const std::vector<N> set = {N(0u), N(1u)};
        const auto rule = dkg::ballot_rule::one_of(2);
        const dkg::proof_context another{"election-2024", "question-1", "voter-18"};

        const auto k_json = read("plaintext_knowledge.json");
        const auto k = dkg::plaintext_knowledge_proof_from_json(key, k_json);
        BOOST_TEST(dkg::to_json(k) == k_json);
        BOOST_TEST((dkg::plaintext_knowledge_proof_from_binary(key, bytes_of(read("plaintext_knowledge.bin"))) == k));
        BOOST_TEST(text_of(dkg::to_binary(k)) == read("plaintext_knowledge.bin"));
        BOOST_TEST(dkg::verify_plaintext_knowledge(c, k, vector_context));
        BOOST_TEST(!dkg::verify_plaintext_knowledge(c, k, another));

        const auto m_json = read("membership.json");
        const auto m = dkg::membership_proof_from_json(key, m_json);
        BOOST_TEST(dkg::to_json(m) == m_json);
        BOOST_TEST(text_of(dkg::to_binary(dkg::membership_proof_from_binary(key, bytes_of(read("membership.bin"))))) == read("membership.bin"));
        BOOST_TEST(dkg::verify_membership(c, set, m, vector_context));
        BOOST_TEST(!dkg::verify_membership(c, set, m, another));

        const auto b_json = read("blinding.json");
        const auto b = dkg::blinding_proof_from_json(key, b_json);
        BOOST_TEST(dkg::to_json(b) == b_json);
        BOOST_TEST(text_of(dkg::to_binary(dkg::blinding_proof_from_binary(key, bytes_of(read("blinding.bin"))))) == read("blinding.bin"));
        BOOST_TEST(dkg::verify_blinding(c, blinded, b, vector_context));
        BOOST_TEST(!dkg::verify_blinding(c, blinded, b, another));

        const auto v_json = read("ballot.json");
        const auto v = dkg::ballot_from_json(key, rule, v_json);
        BOOST_TEST(dkg::to_json(v) == v_json);
        BOOST_TEST((dkg::ballot_from_binary(key, rule, bytes_of(read("ballot.bin"))) == v));
        BOOST_TEST(text_of(dkg::to_binary(v)) == read("ballot.bin"));
        BOOST_TEST(dkg::verify_ballot(key, rule, v, vector_context));
        BOOST_TEST(!dkg::verify_ballot(key, rule, v, another));
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(encoding_an_invalid_ballot_is_a_caller_error, N, shipped_backends)
{
    const dkg::ballot<N> empty;
    BOOST_CHECK_THROW(dkg::to_binary(empty), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::to_json(empty), std::invalid_argument);
    const auto s = make_sample<N>(505);
    auto mixed = s.ballot;
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 5050);
    mixed.ciphertexts[0] = test_key<N>(small_bits, 1).public_key().encrypt(N(1u), rng);
    BOOST_CHECK_THROW(dkg::to_binary(mixed), std::invalid_argument);
    const dkg::public_key<N> none;
    BOOST_CHECK_THROW(dkg::ballot_from_binary(none, s.rule, dkg::to_binary(s.ballot)), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
