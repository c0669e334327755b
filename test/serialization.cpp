#include <dkg/serialization.hpp>

#include "backends.hpp"
#include "serialization_support.hpp"
#include "threshold_support.hpp"

#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

using namespace test_support;
using namespace serialization_test;

BOOST_AUTO_TEST_SUITE(serialization)

BOOST_AUTO_TEST_CASE_TEMPLATE(round_trips, N, backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 20);
    const auto& key = dealt_key<N>(test_bits, 5, 2);
    const dkg::threshold_key<N> pub(key.shares[0]);
    const auto& pk = pub.public_key();

    BOOST_TEST((dkg::public_key_from_binary<N>(dkg::to_binary(pk)) == pk));
    BOOST_TEST((dkg::public_key_from_json<N>(dkg::to_json(pk)) == pk));
    BOOST_TEST(dkg::to_json(pk).find("\"g\": \"" + dkg::to_decimal(N(pk.n() + N(1u))) + "\"") != std::string::npos);

    for (const N& m : {N(0u), N(-5), pk.max_plaintext()}) {
        const auto c = pk.encrypt(m, rng);
        BOOST_TEST((dkg::ciphertext_from_binary(pk, dkg::to_binary(c)) == c));
        BOOST_TEST((dkg::ciphertext_from_json(pk, dkg::to_json(c)) == c));
        for (const auto& share : key.shares) {
            for (const auto& p : {dkg::partial_decrypt(share, c), dkg::partial_decrypt(share, c, rng)}) {
                BOOST_TEST((dkg::partial_decryption_from_binary(pub, dkg::to_binary(p)) == p));
                BOOST_TEST((dkg::partial_decryption_from_json(pub, dkg::to_json(p)) == p));
            }
        }
    }
    for (const auto& share : key.shares) {
        BOOST_TEST(same_share(dkg::key_share_from_bytes<N>(dkg::to_binary(share)), share));
        BOOST_TEST(same_share(dkg::key_share_from_json<N>(dkg::to_json(share), share.id(), pk), share));
    }
    // The public part of the threshold key, for a verifier or combiner that holds no share.
    BOOST_TEST((dkg::threshold_key_from_binary<N>(dkg::to_binary(pub)) == pub));
    BOOST_TEST((dkg::threshold_key_from_json<N>(dkg::to_json(pub)) == pub));
    BOOST_TEST(dkg::to_json(pub).find("\"share\"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(threshold_keys_reject_bad_input, N, shipped_backends)
{
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const dkg::threshold_key<N> pub(key.shares[0]);
    const auto good = dkg::to_binary(pub);
    for (std::size_t len = 0; len < good.size(); ++len)
        BOOST_TEST((format_error_of([&] {
                       (void)dkg::threshold_key_from_binary<N>(std::vector<std::uint8_t>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(len)));
                   }) == malformed),
                   "truncated to " << len);
    const std::string json = dkg::to_json(pub);
    auto replaced = [&](const std::string& from, const std::string& to) {
        std::string t = json;
        const auto at = t.find(from);
        BOOST_TEST_REQUIRE(at != std::string::npos);
        return t.replace(at, from.size(), to);
    };
    for (const auto& bad : {replaced("\"threshold\": 1", "\"threshold\": 3"), replaced("\"parties\": 3", "\"parties\": 2"),
                            replaced("\"theta\": \"" + dkg::to_decimal(pub.theta()) + "\"", "\"theta\": \"0\""), replaced("dkg.threshold_key", "dkg.key_share"),
                            replaced("\"verification_keys\"", "\"verification_key\""), json.substr(0, json.size() / 2)})
        BOOST_TEST((format_error_of([&] { (void)dkg::threshold_key_from_json<N>(bad); }) == malformed), bad.substr(0, 80));
    // A public key or a key share is not a threshold key.
    BOOST_TEST((format_error_of([&] { (void)dkg::threshold_key_from_binary<N>(dkg::to_binary(pub.public_key())); }) == malformed));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(json_tolerates_whitespace_and_member_order, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 21);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& pk = key.shares[0].public_key();
    const std::string n = dkg::to_decimal(pk.n());
    const std::string g = dkg::to_decimal(pk.g());
    BOOST_TEST((dkg::public_key_from_json<N>("{\"g\":\"" + g + "\",\"n\":\"" + n + "\",\"version\":1,\"type\":\"dkg.public_key\"}") == pk));
    BOOST_TEST((dkg::public_key_from_json<N>(" \r\n\t{ \"type\" : \"dkg.public_key\" ,\n\"version\"\t:1, \"n\":\"" + n + "\" , \"g\":\"" + g +
                                             "\"}\n\n") == pk));
    // A ciphertext written by hand, as another language would produce it.
    const N r = dkg::random_unit(pk.n(), rng);
    const auto expected = pk.encrypt_with_nonce(N(42u), r);
    const std::string text = "{\"value\": \"" + dkg::to_decimal(expected.value()) + "\", \"n\": \"" + n +
                             "\", \"version\": 1, \"type\": \"dkg.ciphertext\"}";
    BOOST_TEST((dkg::ciphertext_from_json(pk, text) == expected));
    BOOST_TEST((key.secret.decrypt(dkg::ciphertext_from_json(pk, text)) == N(42u)));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(json_rejects_anything_else, N, shipped_backends)
{
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& pk = key.shares[0].public_key();
    const std::string good = dkg::to_json(pk);
    const std::string n = dkg::to_decimal(pk.n());
    const auto rejected = [&](const std::string& text, const std::string& needle) {
        std::string message;
        const auto code = format_error_of([&] { (void)dkg::public_key_from_json<N>(text); }, &message);
        BOOST_TEST((code == malformed), text);
        BOOST_TEST(message.find(needle) != std::string::npos, message + " | expected: " + needle);
    };
    rejected(replace_once(good, "\"version\": 1", "\"version\": 1, \"extra\": 1"), "unknown member");
    rejected(replace_once(good, "\"version\": 1,", ""), "\"version\": missing");
    rejected(replace_once(good, "\"version\": 1", "\"version\": 1, \"version\": 1"), "duplicate key");
    rejected(replace_once(good, "\"version\": 1", "\"version\": \"1\""), "must be a number");
    rejected(replace_once(good, "\"version\": 1", "\"version\": 1.0"), "only integers");
    rejected(replace_once(good, "\"version\": 1", "\"version\": true"), "unsupported value");
    rejected(replace_once(good, "\"version\": 1", "\"version\": null"), "unsupported value");
    rejected(replace_once(good, "\"version\": 1", "\"version\": -1"), "unsupported value");
    rejected(replace_once(good, "\"version\": 1", "\"version\": 01"), "leading zero");
    rejected(replace_once(good, "dkg.public_key", "dkg.ciphertext"), "\"type\": must be \"dkg.public_key\"");
    rejected(replace_once(good, "\"n\": \"", "\"n\": \"0"), "canonical");
    rejected(replace_once(good, "\"n\": \"", "\"n\": \"+"), "not a decimal integer");
    rejected(replace_once(good, "\"n\": \"", "\"n\": \" "), "not a decimal integer");
    rejected(replace_once(good, "\"n\": \"" + n, "\"n\": \"-0"), "canonical");
    rejected(replace_once(good, "\"n\": \"", "\"n\": \"\\u0031"), "escape");
    rejected(replace_once(good, "\"n\": \"" + n + "\"", "\"n\": [\"" + n + "\"]"), "must be a string");
    rejected(replace_once(good, "\"g\": \"", "\"g\": \"1"), "g = n + 1");
    rejected(replace_once(good, "\"g\": \"", "\"g\": \"" + std::string(5000, '9')), "larger than allowed");
    rejected(good + "x", "after the object");
    rejected(good.substr(0, good.size() - 3), "end of text");
    rejected("[" + good + "]", "top level");
    rejected("{\"a\": {\"b\": {\"c\": {}}}}", "nested too deeply");
    rejected(std::string(dkg::max_json_bytes + 1, ' '), "longer than allowed");
    rejected("", "end of text");
    rejected(replace_once(good, "\"n\": \"", "\"n\": \"\xc3\xa9"), "ASCII");
    // A supported layout of a newer version is a version error, not a parse error.
    BOOST_TEST((format_error_of([&] { (void)dkg::public_key_from_json<N>(replace_once(good, "\"version\": 1", "\"version\": 2")); }) ==
                unsupported));
    // A modulus that public_key refuses.
    rejected(replace_once(replace_once(good, n, "1000"), dkg::to_decimal(pk.g()), "1001"), "invalid value");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(binary_rejects_bad_input, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 22);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& other = dealt_key<N>(test_bits, 5, 2);
    const dkg::threshold_key<N> pub(key.shares[0]);
    const auto& pk = pub.public_key();
    const auto c = pk.encrypt(N(7u), rng);
    const auto good_key = dkg::to_binary(pk);
    const auto good_c = dkg::to_binary(c);
    const auto good_p = dkg::to_binary(dkg::partial_decrypt(key.shares[1], c, rng));
    const auto parse_all = [&](const dkg::bytes& b, int which) {
        if (which == 0) (void)dkg::public_key_from_binary<N>(b);
        if (which == 1) (void)dkg::ciphertext_from_binary(pk, b);
        if (which == 2) (void)dkg::partial_decryption_from_binary(pub, b);
    };
    int which = 0;
    for (const auto* good : {&good_key, &good_c, &good_p}) {
        for (std::size_t len = 0; len < good->size(); ++len) {
            const dkg::bytes cut(good->begin(), good->begin() + static_cast<std::ptrdiff_t>(len));
            BOOST_TEST((format_error_of([&] { parse_all(cut, which); }) == malformed), "length " << len);
        }
        auto longer = *good;
        longer.push_back(0);
        BOOST_TEST((format_error_of([&] { parse_all(longer, which); }) == malformed));
        auto magic = *good;
        magic[0] ^= 1;
        BOOST_TEST((format_error_of([&] { parse_all(magic, which); }) == malformed));
        auto version = *good;
        version[4] = 2;
        BOOST_TEST((format_error_of([&] { parse_all(version, which); }) == unsupported));
        auto type = *good;
        type[5] = static_cast<std::uint8_t>(type[5] % 4 + 1);
        BOOST_TEST((format_error_of([&] { parse_all(type, which); }) == malformed));
        ++which;
    }
    // A ciphertext of another key, or a value outside Z_{N²}^*.
    std::string message;
    const auto foreign = dkg::to_binary(other.shares[0].public_key().encrypt(N(7u), rng));
    BOOST_TEST((format_error_of([&] { (void)dkg::ciphertext_from_binary(pk, foreign); }, &message) == malformed));
    BOOST_TEST(message.find("another public key") != std::string::npos, message);
    const auto zero = dkg::writer().raw(std::span<const std::uint8_t>(good_c.data(), 6)).integer(pk.n()).integer(N(0u)).finish();
    BOOST_TEST((format_error_of([&] { (void)dkg::ciphertext_from_binary(pk, zero); }, &message) == malformed));
    BOOST_TEST(message.find("ciphertext") != std::string::npos, message);
    // A partial decryption of a party outside 1..n.
    auto partial = dkg::partial_decrypt(key.shares[1], c);
    partial.party = 4;
    BOOST_TEST((format_error_of([&] { (void)dkg::partial_decryption_from_binary(pub, dkg::to_binary(partial)); }) == malformed));
    BOOST_TEST((format_error_of([&] { (void)dkg::partial_decryption_from_json(pub, dkg::to_json(partial)); }) == malformed));
    // Non-canonical integer (leading zero byte in the magnitude).
    auto padded = dkg::writer().raw(std::span<const std::uint8_t>(good_key.data(), 6)).u8(0).u32(2).u8(0).u8(5).finish();
    BOOST_TEST((format_error_of([&] { (void)dkg::public_key_from_binary<N>(padded); }) == malformed));
    BOOST_CHECK_THROW(dkg::to_binary(dkg::public_key<N>()), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::to_json(dkg::key_share<N>()), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
