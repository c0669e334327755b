#include <dkg/threshold/async_decrypt.hpp>

#include "backends.hpp"
#include "threshold/session_support.hpp"
#include "threshold_support.hpp"

#include <dkg/testing/seeded_rng.hpp>

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <future>
#include <map>
#include <string>
#include <vector>

using namespace test_support;

namespace {

constexpr std::size_t test_bits = 256;

using network = memory_parties;

template <class N>
std::vector<dkg::ciphertext<N>> encrypt_all(const dkg::public_key<N>& pk, const std::vector<N>& plain, dkg::testing::insecure_seeded_rng& rng)
{
    std::vector<dkg::ciphertext<N>> out;
    for (const auto& m : plain) out.push_back(pk.encrypt(m, rng));
    return out;
}

template <class N>
void check_plaintexts(const outcome<N>& o, const dkg::public_key<N>& pk, const std::vector<N>& plain)
{
    BOOST_TEST_REQUIRE(!o.first, message_of(o.first));
    BOOST_TEST_REQUIRE(o.second.plaintexts.has_value());
    BOOST_TEST((dkg::to_signed(pk, std::span<const N>(*o.second.plaintexts)) == plain));
}

/// A party's share with `delta` added: its partial decryptions are wrong and its proofs fail.
template <class N>
dkg::key_share<N> share_off_by(const dkg::key_share<N>& honest, const N& delta)
{
    return dkg::key_share<N>(honest.public_key(), honest.id(), honest.parties(), honest.threshold(), N(honest.share() + delta), honest.theta(),
                             honest.verification_base(), honest.verification_keys());
}

template <class N>
std::vector<N> random_plaintexts(const dkg::public_key<N>& pk, std::size_t count, dkg::testing::insecure_seeded_rng& rng)
{
    std::vector<N> out = {N(-1), pk.max_plaintext()};
    while (out.size() < count) out.push_back(dkg::random_symmetric(pk.max_plaintext(), rng));
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(async_decrypt)

// docs/protocol.md §6 over the session: every shape, everybody a receiver, with and without proofs.
BOOST_AUTO_TEST_CASE_TEMPLATE(every_shape_decrypts_a_batch, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 40);
    for (std::size_t n : {3u, 5u, 7u}) {
        for (std::size_t t = 0; 2 * t + 1 <= n; ++t) {
            const auto& key = dealt_key<N>(test_bits, n, t);
            const auto& pk = key.shares[0].public_key();
            const auto plain = random_plaintexts(pk, 4, rng);
            const auto cts = encrypt_all(pk, plain, rng);
            network net(n);
            std::map<dkg::party_id, outcome<N>> out;
            for (bool proofs : {true, false})
                for (dkg::party_id j = 1; j <= n; ++j) net.start(j, key.shares[j - 1], cts, with_id(proofs ? 1 : 2, proofs), out);
            net.io.run();
            BOOST_TEST_REQUIRE(out.size() == n);
            for (const auto& [j, o] : out) {
                check_plaintexts(o, pk, plain);
                BOOST_TEST(o.second.used.size() == t + 1);
                BOOST_TEST(o.second.faulty.empty());
            }
        }
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(parties_offline_or_silent, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 41);
    const auto& key = dealt_key<N>(test_bits, 7, 3);
    const auto& pk = key.shares[0].public_key();
    const auto plain = random_plaintexts(pk, 3, rng);
    const auto cts = encrypt_all(pk, plain, rng);
    dkg::session_options options;
    options.timeout = std::chrono::milliseconds(2000);
    network net(7, options);
    // n − (t+1) = 3 parties away: 2 crashed, 6 never answers.
    net.net.disconnect(2);
    net.net.disconnect(5);
    std::map<dkg::party_id, outcome<N>> out;
    for (dkg::party_id j : {1u, 3u, 4u, 7u}) net.start(j, key.shares[j - 1], cts, with_id(9), out);
    net.io.run();
    BOOST_TEST_REQUIRE(out.size() == 4u);
    for (const auto& [j, o] : out) {
        check_plaintexts(o, pk, plain);
        for (dkg::party_id away : {2u, 5u, 6u}) BOOST_TEST(!std::count(o.second.used.begin(), o.second.used.end(), away));
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(too_few_parties_is_an_error_naming_them, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 42);
    const auto& key = dealt_key<N>(test_bits, 5, 2);
    const auto& pk = key.shares[0].public_key();
    const auto cts = encrypt_all(pk, {N(5u)}, rng);
    dkg::session_options options;
    options.timeout = std::chrono::milliseconds(300);
    network net(5, options);
    net.net.disconnect(3);
    std::map<dkg::party_id, outcome<N>> out;
    // Parties 1 and 2 answer; 3 is disconnected, 4 and 5 are silent.
    for (dkg::party_id j : {1u, 2u}) net.start(j, key.shares[j - 1], cts, with_id(3), out);
    net.io.run();
    for (dkg::party_id j : {1u, 2u}) {
        try {
            std::rethrow_exception(out.at(j).first);
        } catch (const dkg::protocol_error& e) {
            const std::string text = e.what();
            BOOST_TEST((e.code() == dkg::make_error_code(dkg::errc::not_enough_shares)), text);
            BOOST_TEST(text.find("valid partial decryptions from parties {" + std::string(j == 1 ? "1, 2" : "2, 1") + "}") != std::string::npos, text);
            BOOST_TEST(text.find("unavailable {") != std::string::npos, text);
            for (const char* party : {"3", "4", "5"}) BOOST_TEST(text.substr(text.find("unavailable")).find(party) != std::string::npos, text);
            BOOST_TEST(text.find("threshold decrypt 3") != std::string::npos, text);
        } catch (...) {
            BOOST_ERROR("expected a protocol_error");
        }
    }
}

// A party whose partial decryptions are wrong (its share is off by one) is detected, excluded and
// replaced, with proofs (the proof fails) and without (the partials do not combine).
BOOST_AUTO_TEST_CASE_TEMPLATE(wrong_partials_are_detected_and_replaced, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 43);
    const auto& key = dealt_key<N>(test_bits, 5, 2);
    const auto& pk = key.shares[0].public_key();
    const auto plain = random_plaintexts(pk, 3, rng);
    const auto cts = encrypt_all(pk, plain, rng);
    const auto liar = share_off_by(key.shares[1], N(1u));
    for (bool proofs : {true, false}) {
        network net(5);
        std::map<dkg::party_id, outcome<N>> out;
        dkg::decrypt_options options = with_id(77, proofs);
        options.receivers = {5};
        options.contributors = {1, 2, 3, 4};
        // Parties 3 and 4 start late, so that the liar's set arrives among the first t+1.
        for (dkg::party_id j : {1u, 2u, 5u}) net.start(j, j == 2 ? liar : key.shares[j - 1], cts, options, out);
        boost::asio::steady_timer later(net.io, std::chrono::milliseconds(300));
        later.async_wait([&](boost::system::error_code) {
            for (dkg::party_id j : {3u, 4u}) net.start(j, key.shares[j - 1], cts, options, out);
        });
        net.io.run();
        const auto& at5 = out.at(5);
        check_plaintexts(at5, pk, plain);
        BOOST_TEST(at5.second.faulty == std::vector<dkg::party_id>{2});
        BOOST_TEST(!std::count(at5.second.used.begin(), at5.second.used.end(), 2u));
        for (dkg::party_id j = 1; j <= 4; ++j) BOOST_TEST(!out.at(j).second.plaintexts.has_value());
    }
    // With only the liar and one honest contributor there are not enough valid partials.
    network net(3);
    const auto& small = dealt_key<N>(test_bits, 3, 1);
    const auto small_liar = share_off_by(small.shares[1], N(-1));
    const auto small_cts = encrypt_all(small.shares[0].public_key(), {N(1u)}, rng);
    std::map<dkg::party_id, outcome<N>> out;
    dkg::decrypt_options options = with_id(78);
    options.receivers = {3};
    options.contributors = {1, 2};
    for (dkg::party_id j = 1; j <= 3; ++j) net.start(j, j == 2 ? small_liar : small.shares[j - 1], small_cts, options, out);
    net.io.run();
    const std::string text = message_of(out.at(3).first);
    BOOST_TEST(text.find("faulty {2}") != std::string::npos, text);
}

// Worker threads split a party's partial decryptions and proof checks: the same plaintexts, and a
// wrong partial is still caught, whatever each party's thread count (they need not agree).
BOOST_AUTO_TEST_CASE_TEMPLATE(worker_threads_split_the_work, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 48);
    const auto& key = dealt_key<N>(test_bits, 5, 2);
    const auto& pk = key.shares[0].public_key();
    const auto plain = random_plaintexts(pk, 23, rng);
    const auto cts = encrypt_all(pk, plain, rng);
    const auto liar = share_off_by(key.shares[3], N(1u));
    for (bool proofs : {true, false}) {
        network net(5);
        std::map<dkg::party_id, outcome<N>> out;
        for (dkg::party_id j = 1; j <= 5; ++j) {
            dkg::decrypt_options options = with_id(90, proofs);
            options.threads = j == 5 ? 0 : j; // 0: one per hardware thread
            net.start(j, j == 4 ? liar : key.shares[j - 1], cts, options, out);
        }
        net.io.run();
        for (dkg::party_id j : {1u, 2u, 3u, 5u}) {
            BOOST_TEST_CONTEXT("party " << j << (proofs ? " with proofs" : " without proofs")) {
                check_plaintexts(out.at(j), pk, plain);
                BOOST_TEST(!std::count(out.at(j).second.used.begin(), out.at(j).second.used.end(), 4u));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(only_receivers_learn_the_plaintexts, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 44);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& pk = key.shares[0].public_key();
    const auto plain = random_plaintexts(pk, 2, rng);
    const auto cts = encrypt_all(pk, plain, rng);
    for (dkg::party_id receiver = 1; receiver <= 3; ++receiver) {
        network net(3);
        std::map<dkg::party_id, outcome<N>> out;
        dkg::decrypt_options options = with_id(receiver);
        options.receivers = {receiver};
        for (dkg::party_id j = 1; j <= 3; ++j) net.start(j, key.shares[j - 1], cts, options, out);
        net.io.run();
        for (dkg::party_id j = 1; j <= 3; ++j) {
            BOOST_TEST_REQUIRE(!out.at(j).first, message_of(out.at(j).first));
            if (j == receiver)
                check_plaintexts(out.at(j), pk, plain);
            else
                BOOST_TEST(!out.at(j).second.plaintexts.has_value());
        }
        // Nothing was sent to a non-receiver.
        for (dkg::party_id j = 1; j <= 3; ++j)
            if (j != receiver) BOOST_TEST(net.session(j).stats().messages_received == 2u); // round 0 only
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(concurrent_decryptions_with_distinct_ids, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 45);
    const auto& key = dealt_key<N>(test_bits, 5, 2);
    const auto& pk = key.shares[0].public_key();
    // Identical plaintexts in both batches: the ids, not the texts, keep them apart.
    const std::vector<std::vector<N>> plain = {{N(1u), N(2u)}, {N(1u), N(-2)}, {N(7u)}};
    std::vector<std::vector<dkg::ciphertext<N>>> cts;
    for (const auto& p : plain) cts.push_back(encrypt_all(pk, p, rng));
    network net(5);
    std::vector<std::map<dkg::party_id, outcome<N>>> out(plain.size());
    for (dkg::party_id j = 1; j <= 5; ++j)
        for (std::size_t k = 0; k < plain.size(); ++k) {
            const std::size_t which = (k + j) % plain.size(); // every party starts them in another order
            net.start(j, key.shares[j - 1], cts[which], with_id((std::uint64_t{which} << 32) + 5, which != 1), out[which]);
        }
    net.io.run();
    for (std::size_t k = 0; k < plain.size(); ++k)
        for (const auto& [j, o] : out[k]) check_plaintexts(o, pk, plain[k]);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(fixed_point_values_and_blocking_form, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 46);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& pk = key.shares[0].public_key();
    const dkg::fixed_point_encoder<N> encoder(pk, 4);
    const std::vector<std::string> values = {"-1.2500", "3.1416", "0.0000"};
    std::vector<dkg::ciphertext<N>> cts;
    for (const auto& v : values) cts.push_back(encoder.encrypt(std::string_view(v), rng));
    network net(3);
    std::map<dkg::party_id, outcome<N>> out;
    for (dkg::party_id j = 2; j <= 3; ++j) net.start(j, key.shares[j - 1], cts, with_id(4), out);
    const auto result = dkg::decrypt(net.io, net.session(1), key.shares[0], cts, with_id(4));
    BOOST_TEST_REQUIRE(result.plaintexts.has_value());
    const auto decoded = dkg::decode(encoder, pk, std::span<const N>(*result.plaintexts));
    for (std::size_t i = 0; i < values.size(); ++i) BOOST_TEST(decoded[i].to_string() == values[i]);
    net.io.run();
    for (const auto& [j, o] : out) BOOST_TEST(!o.first, message_of(o.first));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(deadline_and_call_errors, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 47);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& pk = key.shares[0].public_key();
    const auto cts = encrypt_all(pk, {N(3u)}, rng);
    network net(3); // session timeout: 60 s
    std::map<dkg::party_id, outcome<N>> out;
    dkg::decrypt_options options = with_id(6);
    options.timeout = std::chrono::milliseconds(100);
    options.contributors = {2, 3};
    options.receivers = {1};
    net.start(1, key.shares[0], cts, options, out); // 2 and 3 stay silent
    net.io.run();
    const std::string text = message_of(out.at(1).first);
    BOOST_TEST(text.find("deadline of 100 ms passed") != std::string::npos, text);

    const auto& other = dealt_key<N>(test_bits, 5, 2);
    const auto call = [&](const dkg::key_share<N>& share, std::vector<dkg::ciphertext<N>> c, dkg::decrypt_options o) {
        return invalid_argument_text([&] { dkg::async_decrypt(net.session(1), share, std::move(c), std::move(o), boost::asio::detached); });
    };
    BOOST_TEST(call(key.shares[1], cts, with_id(1)).find("share") == 0u);
    BOOST_TEST(call(other.shares[0], encrypt_all(other.shares[0].public_key(), {N(1u)}, rng), with_id(1)).find("share") == 0u);
    BOOST_TEST(call(key.shares[0], encrypt_all(other.shares[0].public_key(), {N(1u)}, rng), with_id(1)).find("ciphertext") == 0u);
    auto bad = with_id(1);
    bad.receivers = {4};
    BOOST_TEST(call(key.shares[0], cts, bad).find("receivers") == 0u);
    bad = with_id(1);
    bad.contributors = {1};
    BOOST_TEST(call(key.shares[0], cts, bad).find("contributors") == 0u);
    bad = with_id(1);
    bad.contributors = {1, 1};
    BOOST_TEST(call(key.shares[0], cts, bad).find("contributors") == 0u);
    bad = with_id(1);
    bad.threads = 1025;
    BOOST_TEST(call(key.shares[0], cts, bad).find("threads") == 0u);
    BOOST_TEST(call(dkg::key_share<N>(), cts, with_id(1)).find("share") == 0u);
}

// The same protocol over loopback TCP: three transports in one process, party 3 crashing after the
// sessions are established.
BOOST_AUTO_TEST_CASE_TEMPLATE(over_tcp_loopback, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 49);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& pk = key.shares[0].public_key();
    const auto plain = random_plaintexts(pk, 5, rng);
    const auto cts = encrypt_all(pk, plain, rng);
    tcp_parties net(3);
    std::vector<std::future<dkg::decryption_result<N>>> all;
    for (dkg::party_id j = 1; j <= 3; ++j)
        all.push_back(dkg::async_decrypt(net.session(j), key.shares[j - 1], cts, with_id(1), *net.rngs[j - 1], boost::asio::use_future));
    for (auto& f : all) check_plaintexts(outcome<N>{nullptr, f.get()}, pk, plain);
    // Party 3 crashes; parties 1 and 2 still decrypt.
    net.cluster.parties[2]->close();
    all.clear();
    for (dkg::party_id j = 1; j <= 2; ++j)
        all.push_back(dkg::async_decrypt(net.session(j), key.shares[j - 1], cts, with_id(2), *net.rngs[j - 1], boost::asio::use_future));
    for (auto& f : all) check_plaintexts(outcome<N>{nullptr, f.get()}, pk, plain);
}

BOOST_AUTO_TEST_CASE(real_size_batch_with_proofs, *boost::unit_test::label("slow"))
{
    using N = fast_int;
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 48);
    const auto& key = dealt_key<N>(2048, 3, 1);
    const auto& pk = key.shares[0].public_key();
    const auto plain = random_plaintexts(pk, 10, rng);
    const auto cts = encrypt_all(pk, plain, rng);
    network net(3);
    net.net.disconnect(3);
    std::map<dkg::party_id, outcome<N>> out;
    for (dkg::party_id j = 1; j <= 2; ++j) net.start(j, key.shares[j - 1], cts, with_id(1), out);
    net.io.run();
    for (const auto& [j, o] : out) check_plaintexts(o, pk, plain);
}

BOOST_AUTO_TEST_SUITE_END()
