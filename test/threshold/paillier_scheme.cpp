#include <dkg/threshold/paillier_scheme.hpp>

#include "backends.hpp"
#include "threshold_support.hpp"

#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

#include <span>
#include <string>
#include <vector>

using namespace test_support;

namespace {

constexpr std::size_t test_bits = 256;

template <class N>
std::vector<dkg::partial_decryption<N>> partials_of(const dkg::key_share<N>& share, const std::vector<dkg::ciphertext<N>>& cts)
{
    std::vector<dkg::partial_decryption<N>> out;
    for (const auto& c : cts) out.push_back(dkg::partial_decrypt(share, c));
    return out;
}

template <class N>
dkg::bytes encoded(const dkg::partial_decryption<N>& p)
{
    dkg::writer w;
    dkg::paillier_threshold_scheme<N>::write_partial(w, p);
    return w.finish();
}

} // namespace

BOOST_AUTO_TEST_SUITE(paillier_threshold_scheme)

// The model gives bit for bit what the free functions give.
BOOST_AUTO_TEST_CASE_TEMPLATE(members_agree_with_the_free_functions, N, backends)
{
    using scheme = dkg::paillier_threshold_scheme<N>;
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 70);
    const auto& key = dealt_key<N>(test_bits, 5, 2);
    const auto& pk = key.shares[0].public_key();
    const auto pub = scheme::public_data(key.shares[3]);
    BOOST_TEST((pub == dkg::threshold_key<N>(key.shares[0])));
    BOOST_TEST(scheme::share_party(key.shares[3]) == 4u);
    BOOST_TEST(scheme::parties(pub) == 5u);
    BOOST_TEST(scheme::threshold(pub) == 2u);

    std::vector<dkg::ciphertext<N>> cts;
    for (const N& m : {N(5u), N(-6), pk.max_plaintext()}) cts.push_back(pk.encrypt(m, rng));
    for (const auto& share : key.shares) {
        for (const auto& c : cts) {
            const auto plain = scheme::partial_decrypt(share, pub, c);
            BOOST_TEST((plain == dkg::partial_decrypt(share, c)));
            BOOST_TEST(!scheme::has_proof(plain));
            BOOST_TEST(scheme::partial_party(plain) == share.id());
            BOOST_TEST(!scheme::verify(pub, c, plain)); // no proof, no verification
            dkg::testing::insecure_seeded_rng a(dkg::testing::default_test_seed, 71), b(dkg::testing::default_test_seed, 71);
            const auto proved = scheme::partial_decrypt(share, pub, c, a, 48);
            BOOST_TEST((proved == dkg::partial_decrypt(share, c, b, 48)));
            BOOST_TEST(scheme::has_proof(proved));
            BOOST_TEST(scheme::verify(pub, c, proved));
        }
    }

    // Combination of t+1 lists: the plaintexts of combine_batch, for every (t+1)-subset.
    std::vector<std::vector<dkg::partial_decryption<N>>> by_party;
    for (const auto& share : key.shares) by_party.push_back(partials_of(share, cts));
    for (const auto& subset : subsets(5, 3)) {
        std::vector<std::vector<dkg::partial_decryption<N>>> chosen;
        std::vector<std::span<const dkg::partial_decryption<N>>> lists;
        for (dkg::party_id j : subset) chosen.push_back(by_party[j - 1]);
        for (const auto& list : chosen) lists.emplace_back(list);
        const auto combined = scheme::combine(pub, cts, lists);
        BOOST_TEST_REQUIRE(combined.has_value());
        BOOST_TEST((*combined == dkg::combine_batch(pub, std::span<const dkg::ciphertext<N>>(cts),
                                                    std::span<const std::vector<dkg::partial_decryption<N>>>(chosen))));
        BOOST_TEST((dkg::to_signed(pk, std::span<const N>(*combined)) == std::vector<N>{N(5u), N(-6), pk.max_plaintext()}));
    }
}

// Partials that do not combine give nothing, without throwing; a wrong number of lists is the
// caller's mistake.
BOOST_AUTO_TEST_CASE_TEMPLATE(combine_reports_partials_that_do_not_combine, N, shipped_backends)
{
    using scheme = dkg::paillier_threshold_scheme<N>;
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 72);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& pk = key.shares[0].public_key();
    const auto pub = scheme::public_data(key.shares[0]);
    const std::vector<dkg::ciphertext<N>> cts = {pk.encrypt(N(1u), rng), pk.encrypt(N(2u), rng)};
    auto first = partials_of(key.shares[0], cts);
    const auto second = partials_of(key.shares[1], cts);
    first[1].value = dkg::mod(N(first[1].value * N(2u)), pk.n_squared()); // in Z_{N²}^*, but wrong
    std::vector<std::span<const dkg::partial_decryption<N>>> lists = {first, second};
    BOOST_TEST(!scheme::combine(pub, cts, lists).has_value());
    BOOST_TEST(scheme::combine(pub, std::span<const dkg::ciphertext<N>>(cts).first(1), lists).has_value());
    BOOST_TEST(scheme::combine(pub, {}, lists)->empty());
    lists.pop_back();
    BOOST_TEST(invalid_argument_text([&] { (void)scheme::combine(pub, cts, lists); }).find("lists") == 0u);
}

// A partial shifted by a power of 1 + N still combines, to another plaintext: only its proof
// catches it (docs/protocol.md §6; why async_decrypt verifies proofs by default).
BOOST_AUTO_TEST_CASE_TEMPLATE(a_shifted_partial_combines_and_only_its_proof_fails, N, shipped_backends)
{
    using scheme = dkg::paillier_threshold_scheme<N>;
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 76);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& pk = key.shares[0].public_key();
    const auto pub = scheme::public_data(key.shares[0]);
    const std::vector<dkg::ciphertext<N>> cts = {pk.encrypt(N(100u), rng)};
    std::vector<dkg::partial_decryption<N>> first = {scheme::partial_decrypt(key.shares[0], pub, cts[0], rng, 40)};
    const std::vector<dkg::partial_decryption<N>> second = {scheme::partial_decrypt(key.shares[1], pub, cts[0], rng, 40)};
    BOOST_TEST(scheme::verify(pub, cts[0], first[0]));
    first[0].value = dkg::mod(N(first[0].value * N(pk.n() + N(1u))), pk.n_squared());
    const std::vector<std::span<const dkg::partial_decryption<N>>> lists = {first, second};
    const auto combined = scheme::combine(pub, cts, lists);
    BOOST_TEST_REQUIRE(combined.has_value());
    BOOST_TEST(((*combined)[0] != N(100u)));
    BOOST_TEST(!scheme::verify(pub, cts[0], first[0]));
}

// Encoding: what write_partial writes, read_partial reads back, within max_partial_bytes; what is
// out of range does not decode.
BOOST_AUTO_TEST_CASE_TEMPLATE(wire_form_round_trips_within_its_bound, N, shipped_backends)
{
    using scheme = dkg::paillier_threshold_scheme<N>;
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 73);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& pk = key.shares[0].public_key();
    const auto pub = scheme::public_data(key.shares[2]);
    const auto c = pk.encrypt(N(9u), rng);
    for (const auto& p : {scheme::partial_decrypt(key.shares[2], pub, c), scheme::partial_decrypt(key.shares[2], pub, c, rng, 40)}) {
        const auto bytes = encoded(p);
        BOOST_TEST(bytes.size() <= scheme::max_partial_bytes(pub, c, scheme::has_proof(p)));
        dkg::reader r(bytes);
        BOOST_TEST((scheme::read_partial(r, pub, c) == p));
        r.expect_end();
    }
    auto decode = [&](const dkg::partial_decryption<N>& p) {
        const auto bytes = encoded(p);
        dkg::reader r(bytes);
        BOOST_CHECK_THROW((void)scheme::read_partial(r, pub, c), dkg::decode_error);
    };
    const auto good = scheme::partial_decrypt(key.shares[0], pub, c);
    auto bad = good;
    bad.party = 4; // outside 1..n
    decode(bad);
    bad = good;
    bad.value = pk.n(); // not a unit
    decode(bad);
    bad = good;
    bad.value = pk.n_squared(); // too large
    decode(bad);
}

// The digest binds the key and the exact ciphertexts, in order.
BOOST_AUTO_TEST_CASE_TEMPLATE(batch_digest_binds_key_and_ciphertexts, N, shipped_backends)
{
    using scheme = dkg::paillier_threshold_scheme<N>;
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 74);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& other = dealt_key<N>(test_bits, 5, 2);
    const auto& pk = key.shares[0].public_key();
    const auto pub = scheme::public_data(key.shares[0]);
    const std::vector<dkg::ciphertext<N>> cts = {pk.encrypt(N(1u), rng), pk.encrypt(N(2u), rng)};
    const std::vector<dkg::ciphertext<N>> swapped = {cts[1], cts[0]};
    const std::vector<dkg::ciphertext<N>> rerandomised = {cts[0], cts[1].rerandomize(rng)};
    const auto digest = scheme::batch_digest(pub, cts);
    BOOST_TEST((digest == scheme::batch_digest(scheme::public_data(key.shares[2]), cts)));
    BOOST_TEST((digest != scheme::batch_digest(pub, swapped)));
    BOOST_TEST((digest != scheme::batch_digest(pub, rerandomised)));
    BOOST_TEST((digest != scheme::batch_digest(pub, std::span<const dkg::ciphertext<N>>(cts).first(1))));
    const auto other_pub = scheme::public_data(other.shares[0]);
    const auto other_cts = std::vector<dkg::ciphertext<N>>{other_pub.public_key().make_ciphertext(cts[0].value())};
    BOOST_TEST((scheme::batch_digest(other_pub, other_cts) != scheme::batch_digest(pub, std::span<const dkg::ciphertext<N>>(cts).first(1))));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(wrong_arguments_name_the_parameter, N, shipped_backends)
{
    using scheme = dkg::paillier_threshold_scheme<N>;
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 75);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& other = dealt_key<N>(test_bits, 5, 2);
    const auto pub = scheme::public_data(key.shares[0]);
    BOOST_TEST(invalid_argument_text([&] { (void)scheme::public_data(dkg::key_share<N>()); }).find("share") == 0u);
    const auto foreign = other.shares[0].public_key().encrypt(N(1u), rng);
    BOOST_TEST(invalid_argument_text([&] { scheme::check_ciphertext(pub, foreign); }).find("ciphertext") == 0u);
    scheme::check_ciphertext(pub, key.shares[0].public_key().encrypt(N(1u), rng));
}

BOOST_AUTO_TEST_SUITE_END()
