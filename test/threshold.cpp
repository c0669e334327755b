#include <dkg/threshold.hpp>

#include "backends.hpp"
#include "reference.hpp"
#include "threshold_support.hpp"

#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace test_support;

namespace {

constexpr std::size_t test_bits = 256;

template <class N>
std::vector<dkg::partial_decryption<N>> pick(const std::vector<dkg::partial_decryption<N>>& all, const std::vector<dkg::party_id>& who)
{
    std::vector<dkg::partial_decryption<N>> out;
    for (dkg::party_id j : who) out.push_back(all[j - 1]);
    return out;
}

template <class N>
std::vector<dkg::partial_decryption<N>> all_partials(const dkg::testing::dealt_key<N>& key, const dkg::ciphertext<N>& c)
{
    std::vector<dkg::partial_decryption<N>> out;
    for (const auto& share : key.shares) out.push_back(dkg::partial_decrypt(share, c));
    return out;
}

template <class F>
std::string thrown_protocol_error(F&& f, dkg::errc expected, dkg::party_id party)
{
    try {
        f();
    } catch (const dkg::protocol_error& e) {
        BOOST_TEST((e.code() == dkg::make_error_code(expected)), e.what());
        BOOST_TEST(e.party() == party);
        return e.what();
    }
    BOOST_ERROR("no protocol_error");
    return {};
}

bool contains(const std::string& text, const std::string& needle)
{
    return text.find(needle) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(threshold)

// docs/protocol.md §6: every (t+1)-subset of every shape decrypts integers, negatives and fixed-point values.
BOOST_AUTO_TEST_CASE_TEMPLATE(every_subset_decrypts, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 1);
    std::size_t decryptions = 0;
    for (std::size_t n : {3u, 5u, 7u}) {
        for (std::size_t t = 0; 2 * t + 1 <= n; ++t) {
            const auto& key = dealt_key<N>(test_bits, n, t);
            const dkg::threshold_key<N> pub(key.shares.front());
            const auto& pk = pub.public_key();
            const dkg::fixed_point_encoder<N> encoder(pk, 6);
            // Plaintexts: random integers of both signs, the extremes, zero, and fixed-point values.
            std::vector<N> plain = {N(0u), pk.max_plaintext(), N(-pk.max_plaintext()), N(-1)};
            for (int i = 0; i < 3; ++i) plain.push_back(dkg::random_symmetric(pk.max_plaintext(), rng));
            const std::vector<std::string> decimals = {"-12.345678", "3.500000", "-0.000001"};
            std::vector<dkg::ciphertext<N>> cts;
            for (const auto& m : plain) cts.push_back(pk.encrypt(m, rng));
            for (const auto& d : decimals) cts.push_back(encoder.encrypt(std::string_view(d), rng));
            std::vector<std::vector<dkg::partial_decryption<N>>> partials;
            for (const auto& c : cts) partials.push_back(all_partials(key, c));
            for (const auto& subset : subsets(n, t + 1)) {
                for (std::size_t i = 0; i < cts.size(); ++i) {
                    const auto chosen = pick(partials[i], subset);
                    const N m = dkg::combine(pub, cts[i], std::span<const dkg::partial_decryption<N>>(chosen));
                    if (i < plain.size())
                        BOOST_TEST((pk.from_residue(m) == plain[i]));
                    else
                        BOOST_TEST(encoder.decode(m).to_string() == decimals[i - plain.size()]);
                    ++decryptions;
                }
            }
        }
    }
    BOOST_TEST(decryptions >= 1000u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(more_than_enough_partials_use_any_subset, N, backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 2);
    const auto& key = dealt_key<N>(test_bits, 5, 2);
    const dkg::threshold_key<N> pub(key.shares[2]);
    const auto c = pub.public_key().encrypt(N(-77), rng);
    auto partials = all_partials(key, c);
    std::reverse(partials.begin(), partials.end());
    BOOST_TEST((pub.public_key().from_residue(dkg::combine(pub, c, std::span<const dkg::partial_decryption<N>>(partials))) == N(-77)));
    // The key share overload agrees.
    BOOST_TEST((dkg::combine(key.shares[0], c, std::span<const dkg::partial_decryption<N>>(partials)) ==
                key.secret.decrypt_residue(c)));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(homomorphic_sums_decrypt, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 3);
    const auto& key = dealt_key<N>(test_bits, 5, 2);
    const dkg::threshold_key<N> pub(key.shares[0]);
    const auto& pk = pub.public_key();
    const dkg::fixed_point_encoder<N> encoder(pk, 3);
    N expected(0u);
    auto sum = pk.encrypt(N(0u), rng);
    auto fixed_sum = encoder.encrypt(0, rng);
    for (int i = 0; i < 300; ++i) {
        const N m = dkg::random_symmetric(N(1000000000ull), rng);
        expected += m;
        sum = sum + pk.encrypt(m, rng);
        fixed_sum = fixed_sum + encoder.encrypt(std::string_view(i % 2 ? "-0.125" : "1.5"), rng);
    }
    const auto scaled = sum * N(-3) - pk.encrypt(N(5u), rng);
    const std::vector<dkg::party_id> who = {5, 2, 4};
    const auto decrypt = [&](const dkg::ciphertext<N>& c) {
        const auto chosen = pick(all_partials(key, c), who);
        return dkg::combine(pub, c, std::span<const dkg::partial_decryption<N>>(chosen));
    };
    BOOST_TEST((pk.from_residue(decrypt(sum)) == expected));
    BOOST_TEST((pk.from_residue(decrypt(scaled)) == N(N(expected * N(-3)) - N(5u))));
    BOOST_TEST(encoder.decode(decrypt(fixed_sum)).to_string() == "206.250"); // 150·1.5 − 150·0.125
}

// A ciphertext made by an independent formula (GMP's C API, g^m·r^N) decrypts.
BOOST_AUTO_TEST_CASE_TEMPLATE(standard_paillier_ciphertexts_decrypt, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 4);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const dkg::threshold_key<N> pub(key.shares[0]);
    const auto& pk = pub.public_key();
    for (int i = 0; i < 20; ++i) {
        const N m = dkg::random_below(pk.n(), rng);
        const N r = dkg::random_unit(pk.n(), rng);
        const auto c = pk.make_ciphertext(dkg::from_decimal<N>(reference_encrypt(dkg::to_decimal(pk.n()), dkg::to_decimal(m), dkg::to_decimal(r))));
        const auto chosen = pick(all_partials(key, c), {3, 1});
        BOOST_TEST((dkg::combine(pub, c, std::span<const dkg::partial_decryption<N>>(chosen)) == m));
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(proofs_verify_and_catch_wrong_partials, N, backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 5);
    const auto& key = dealt_key<N>(test_bits, 5, 2);
    const dkg::threshold_key<N> pub(key.shares[0]);
    const auto& pk = pub.public_key();
    const auto c = pk.encrypt(N(123456u), rng);
    const auto other = pk.encrypt(N(123456u), rng);
    std::vector<dkg::partial_decryption<N>> proved;
    for (const auto& share : key.shares) {
        auto p = dkg::partial_decrypt(share, c, rng);
        BOOST_TEST_REQUIRE(p.proof.has_value());
        BOOST_TEST((p.value == dkg::partial_decrypt(share, c).value));
        BOOST_TEST(dkg::verify(pub, c, p));
        BOOST_TEST(dkg::verify(share, c, p));
        BOOST_TEST(!dkg::verify(pub, other, p)); // bound to its ciphertext
        proved.push_back(std::move(p));
    }
    const N& n2 = pk.n_squared();
    auto tampered = [&](auto change) {
        auto p = proved[1];
        change(p);
        return dkg::verify(pub, c, p);
    };
    BOOST_TEST(!tampered([&](auto& p) { p.value = N(N(p.value * N(2u)) % n2); }));
    BOOST_TEST(!tampered([&](auto& p) { p.value = N(N(p.value * N(N(pk.n() + N(1u)))) % n2); })); // shifts the plaintext
    BOOST_TEST(!tampered([&](auto& p) { p.proof->challenge += N(1u); }));
    BOOST_TEST(!tampered([&](auto& p) { p.proof->response += N(1u); }));
    BOOST_TEST(!tampered([&](auto& p) { p.party = 3; }));
    BOOST_TEST(!tampered([&](auto& p) { p.party = 6; }));
    BOOST_TEST(!tampered([&](auto& p) { p.party = 0; }));
    BOOST_TEST(!tampered([&](auto& p) { p.proof.reset(); }));
    BOOST_TEST(!tampered([&](auto& p) { p.value = N(0u); }));
    BOOST_TEST(!tampered([&](auto& p) { p.proof->challenge = N(N(1u) << 256); }));
    // A proof of an honest value under another party's name fails; a valid proof with party 2's
    // value replaced by party 4's fails as well.
    BOOST_TEST(!tampered([&](auto& p) { p.value = proved[3].value; }));

    // A wrong partial (with a fresh-looking proof) is detected and the others still decrypt.
    std::vector<dkg::partial_decryption<N>> received = proved;
    received[0].value = N(N(received[0].value * N(N(pk.n() + N(1u)))) % n2);
    std::vector<dkg::partial_decryption<N>> valid;
    for (const auto& p : received)
        if (dkg::verify(pub, c, p)) valid.push_back(p);
    BOOST_TEST(valid.size() == 4u);
    BOOST_TEST(valid.front().party == 2u);
    BOOST_TEST((pk.from_residue(dkg::combine(pub, c, std::span<const dkg::partial_decryption<N>>(valid))) == N(123456u)));
    // Without the check, the shifted partial decrypts to a wrong value: the proof is what catches it.
    BOOST_TEST((pk.from_residue(dkg::combine(pub, c, std::span<const dkg::partial_decryption<N>>(received))) != N(123456u)));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(combine_reports_errors, N, backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 6);
    const auto& key = dealt_key<N>(test_bits, 5, 2);
    const auto& other_key = dealt_key<N>(test_bits, 3, 1);
    const dkg::threshold_key<N> pub(key.shares[0]);
    const auto& pk = pub.public_key();
    const auto c = pk.encrypt(N(5u), rng);
    const auto c2 = pk.encrypt(N(5u), rng);
    const auto partials = all_partials(key, c);
    using span = std::span<const dkg::partial_decryption<N>>;

    auto two = pick(partials, {4, 2});
    const auto text = thrown_protocol_error([&] { (void)dkg::combine(pub, c, span(two)); }, dkg::errc::not_enough_shares, dkg::no_party);
    BOOST_TEST(contains(text, "3 partial decryptions needed, 2 from parties {4, 2}"), text);
    BOOST_TEST(contains(thrown_protocol_error([&] { (void)dkg::combine(pub, c, span()); }, dkg::errc::not_enough_shares, dkg::no_party),
                        "{none}"));

    auto duplicated = pick(partials, {1, 2, 2});
    BOOST_TEST(contains(invalid_argument_text([&] { (void)dkg::combine(pub, c, span(duplicated)); }), "two partial decryptions from party 2"));
    auto out_of_range = pick(partials, {1, 2, 3});
    out_of_range[2].party = 9;
    BOOST_TEST(contains(invalid_argument_text([&] { (void)dkg::combine(pub, c, span(out_of_range)); }), "party id 9 outside"));

    // One partial of another ciphertext: the combination fails the C ≡ 1 (mod N) check.
    auto mixed = pick(partials, {1, 2, 3});
    mixed[1] = dkg::partial_decrypt(key.shares[1], c2);
    const auto mix_text = thrown_protocol_error([&] { (void)dkg::combine(pub, c, span(mixed)); }, dkg::errc::verification_failed, dkg::no_party);
    BOOST_TEST(contains(mix_text, "{1, 2, 3}"), mix_text);

    auto not_unit = pick(partials, {1, 2, 3});
    not_unit[2].value = pk.n();
    thrown_protocol_error([&] { (void)dkg::combine(pub, c, span(not_unit)); }, dkg::errc::protocol_violation, 3);

    // Ciphertext, partials or key of another key.
    const auto foreign = other_key.shares[0].public_key().encrypt(N(5u), rng);
    BOOST_TEST(contains(invalid_argument_text([&] { (void)dkg::combine(pub, foreign, span(partials)); }), "ciphertext"));
    BOOST_TEST(contains(invalid_argument_text([&] { (void)dkg::partial_decrypt(key.shares[0], foreign); }), "ciphertext"));
    BOOST_TEST(contains(invalid_argument_text([&] { (void)dkg::verify(pub, foreign, partials[0]); }), "ciphertext"));
    BOOST_TEST(contains(invalid_argument_text([&] { (void)dkg::partial_decrypt(key.shares[0], c, rng, 0); }), "sigma"));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(batches, N, backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 7);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const dkg::threshold_key<N> pub(key.shares[0]);
    const auto& pk = pub.public_key();
    std::vector<N> plain;
    std::vector<dkg::ciphertext<N>> cts;
    for (int i = 0; i < 12; ++i) {
        plain.push_back(dkg::random_symmetric(pk.max_plaintext(), rng));
        cts.push_back(pk.encrypt(plain.back(), rng));
    }
    const std::span<const dkg::ciphertext<N>> batch(cts);
    std::vector<std::vector<dkg::partial_decryption<N>>> by_party = {dkg::partial_decrypt_batch(key.shares[2], batch),
                                                                      dkg::partial_decrypt_batch(key.shares[0], batch, rng)};
    for (std::size_t i = 0; i < cts.size(); ++i) BOOST_TEST(dkg::verify(pub, cts[i], by_party[1][i]));
    using lists = std::span<const std::vector<dkg::partial_decryption<N>>>;
    const auto residues = dkg::combine_batch(pub, batch, lists(by_party));
    BOOST_TEST((dkg::to_signed(pk, std::span<const N>(residues)) == plain));
    BOOST_TEST(dkg::combine_batch(pub, std::span<const dkg::ciphertext<N>>(), lists(std::vector<std::vector<dkg::partial_decryption<N>>>(2))).empty());

    auto short_list = by_party;
    short_list[1].pop_back();
    BOOST_TEST(contains(invalid_argument_text([&] { (void)dkg::combine_batch(pub, batch, lists(short_list)); }), "one partial decryption per ciphertext"));
    auto mixed = by_party;
    mixed[1][3].party = 2;
    BOOST_TEST(contains(invalid_argument_text([&] { (void)dkg::combine_batch(pub, batch, lists(mixed)); }), "several parties"));
    auto same = by_party;
    same[1] = same[0];
    BOOST_TEST(contains(invalid_argument_text([&] { (void)dkg::combine_batch(pub, batch, lists(same)); }), "party 3"));
    auto one = by_party;
    one.pop_back();
    thrown_protocol_error([&] { (void)dkg::combine_batch(pub, batch, lists(one)); }, dkg::errc::not_enough_shares, dkg::no_party);
    auto wrong = by_party;
    wrong[0][5] = dkg::partial_decrypt(key.shares[2], cts[6]);
    thrown_protocol_error([&] { (void)dkg::combine_batch(pub, batch, lists(wrong)); }, dkg::errc::verification_failed, dkg::no_party);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(decoding_helpers, N, backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 8);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& pk = key.shares[0].public_key();
    const dkg::fixed_point_encoder<N> encoder(pk, 4);
    const std::vector<N> residues = {encoder.encode(std::string_view("-2.5")), encoder.encode(std::string_view("7"))};
    const auto values = dkg::decode(encoder, pk, std::span<const N>(residues));
    BOOST_TEST(values[0].to_string() == "-2.5000");
    BOOST_TEST(values[1].to_string() == "7.0000");
    const std::vector<N> bad = {pk.n()};
    BOOST_TEST(contains(invalid_argument_text([&] { (void)dkg::decode(encoder, pk, std::span<const N>(bad)); }), "residue"));
    BOOST_TEST(contains(invalid_argument_text([&] { (void)dkg::to_signed(pk, std::span<const N>(bad)); }), "residue"));
    const auto& other = dealt_key<N>(test_bits, 5, 2).shares[0].public_key();
    BOOST_TEST(contains(invalid_argument_text([&] { (void)dkg::decode(encoder, other, std::span<const N>(residues)); }), "encoder"));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(threshold_key_holds_public_values_only, N, backends)
{
    const auto& key = dealt_key<N>(test_bits, 5, 2);
    const auto& share = key.shares[3];
    const dkg::threshold_key<N> pub(share);
    BOOST_TEST(pub.parties() == 5u);
    BOOST_TEST(pub.threshold() == 2u);
    BOOST_TEST((pub.delta() == N(120u)));
    BOOST_TEST((pub.verification_key(4) == share.verification_key(4)));
    BOOST_TEST((N(N(N(N(4u) * N(14400u)) * pub.theta()) * pub.combine_factor()) % pub.public_key().n() == N(1u)));
    const dkg::threshold_key<N> rebuilt(share.public_key(), 5, 2, share.theta(), share.verification_base(), share.verification_keys());
    BOOST_TEST((rebuilt == pub));
    BOOST_TEST(!(rebuilt == dkg::threshold_key<N>(dealt_key<N>(test_bits, 3, 1).shares[0])));
    BOOST_CHECK_THROW(pub.verification_key(6), std::out_of_range);
    BOOST_CHECK_THROW(dkg::threshold_key<N>(share.public_key(), 5, 3, share.theta(), share.verification_base(), share.verification_keys()),
                      std::invalid_argument);
    BOOST_CHECK_THROW(dkg::threshold_key<N>(share.public_key(), 5, 2, N(0u), share.verification_base(), share.verification_keys()),
                      std::invalid_argument);
    BOOST_CHECK_THROW(dkg::threshold_key<N>(share.public_key(), 4, 1, share.theta(), share.verification_base(), share.verification_keys()),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(real_size_keys_decrypt_with_proofs, *boost::unit_test::label("slow"))
{
    using N = fast_int;
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 9);
    const auto& key = dealt_key<N>(2048, 3, 1);
    const dkg::threshold_key<N> pub(key.shares[0]);
    const auto c = pub.public_key().encrypt(N(-424242), rng);
    std::vector<dkg::partial_decryption<N>> partials = {dkg::partial_decrypt(key.shares[1], c, rng),
                                                         dkg::partial_decrypt(key.shares[2], c, rng)};
    for (const auto& p : partials) BOOST_TEST(dkg::verify(pub, c, p));
    BOOST_TEST((pub.public_key().from_residue(dkg::combine(pub, c, std::span<const dkg::partial_decryption<N>>(partials))) == N(-424242)));
}

BOOST_AUTO_TEST_SUITE_END()
