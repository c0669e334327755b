#include <dkg/key_share.hpp>

#include "backends.hpp"
#include "threshold_support.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace test_support;

BOOST_AUTO_TEST_SUITE(key_share)

BOOST_AUTO_TEST_CASE_TEMPLATE(accessors_and_same_key, N, backends)
{
    const auto& key = dealt_key<N>(256, 5, 2);
    const auto& share = key.shares[3];
    BOOST_TEST(share.id() == 4u);
    BOOST_TEST(share.parties() == 5u);
    BOOST_TEST(share.threshold() == 2u);
    BOOST_TEST((share.delta() == N(120u)));
    BOOST_TEST(!share.empty());
    BOOST_TEST((share.verification_key(4) == share.verification_keys()[3]));
    BOOST_CHECK_THROW(share.verification_key(6), std::out_of_range);
    for (const auto& other : key.shares) BOOST_TEST(share.same_key(other));
    BOOST_TEST(!share.same_key(dealt_key<N>(256, 3, 1).shares[0]));
    auto copy = share;
    BOOST_TEST((copy.share() == share.share()));
    copy.wipe();
    BOOST_TEST((copy.share() == N(0u)));
    BOOST_TEST((share.share() != N(0u)));
    const dkg::key_share<N> empty;
    BOOST_TEST(empty.empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(constructor_checks_every_field, N, backends)
{
    const auto& share = dealt_key<N>(256, 5, 2).shares[0];
    const auto& pk = share.public_key();
    const auto make = [&](dkg::party_id id, std::size_t n, std::size_t t, N theta, N v, std::vector<N> vks) {
        return invalid_argument_text([&] { dkg::key_share<N> k(pk, id, n, t, share.share(), theta, v, vks); });
    };
    const auto& theta = share.theta();
    const auto& v = share.verification_base();
    const auto& vks = share.verification_keys();
    BOOST_TEST(make(0, 5, 2, theta, v, vks).find("id") == 0u);
    BOOST_TEST(make(6, 5, 2, theta, v, vks).find("id") == 0u);
    BOOST_TEST(make(1, 5, 5, theta, v, vks).find("threshold") == 0u);
    BOOST_TEST(make(1, 5, 3, theta, v, vks).find("threshold") == 0u);
    BOOST_TEST(make(1, 0, 0, theta, v, vks).find("parties") == 0u);
    BOOST_TEST(make(1, 5, 2, N(0u), v, vks).find("theta") == 0u);
    BOOST_TEST(make(1, 5, 2, pk.n(), v, vks).find("theta") == 0u);
    BOOST_TEST(make(1, 5, 2, theta, N(0u), vks).find("verification_base") == 0u);
    BOOST_TEST(make(1, 5, 2, theta, pk.n_squared(), vks).find("verification_base") == 0u);
    BOOST_TEST(make(1, 5, 2, theta, v, std::vector<N>(vks.begin(), vks.end() - 1)).find("verification_keys") == 0u);
    auto bad = vks;
    bad[2] = pk.n();
    BOOST_TEST(make(1, 5, 2, theta, v, bad).find("verification_keys") == 0u);
    // t = 0 is allowed for any n.
    dkg::key_share<N> k(pk, 2, 2, 0, share.share(), theta, v, std::vector<N>(vks.begin(), vks.begin() + 2));
    BOOST_TEST(k.threshold() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
