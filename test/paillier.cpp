#include <dkg/paillier.hpp>

#include "backends.hpp"
#include "reference.hpp"

#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

using namespace test_support;

namespace {

template <class N>
const dkg::secret_key<N>& test_key(std::size_t bits)
{
    static std::map<std::size_t, dkg::secret_key<N>> keys;
    auto it = keys.find(bits);
    if (it == keys.end()) {
        dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, bits);
        it = keys.emplace(bits, dkg::secret_key<N>::generate(bits, rng)).first;
    }
    return it->second;
}

} // namespace

BOOST_AUTO_TEST_SUITE(paillier)

BOOST_AUTO_TEST_CASE_TEMPLATE(known_answers_from_file, N, all_backends)
{
    std::ifstream in(DKG_TEST_DATA_DIR "/paillier_kat.txt");
    BOOST_TEST_REQUIRE(in.good());
    std::string line;
    int vectors = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string p, q, m, r, c;
        fields >> p >> q >> m >> r >> c;
        const dkg::secret_key<N> sk(num<N>(p.c_str()), num<N>(q.c_str()));
        const auto ct = sk.public_key().encrypt_with_nonce(num<N>(m.c_str()), num<N>(r.c_str()));
        BOOST_TEST(dkg::to_decimal(ct.value()) == c);
        BOOST_TEST(sk.decrypt_residue(ct) == num<N>(m.c_str()));
        ++vectors;
    }
    BOOST_TEST(vectors == 12);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(encryption_matches_independent_formula, N, backends)
{
    dkg::testing::insecure_seeded_rng rng;
    const auto& sk = test_key<N>(512);
    const auto& pk = sk.public_key();
    for (int i = 0; i < 20; ++i) {
        const N m = dkg::random_below(pk.n(), rng);
        const N r = dkg::random_unit(pk.n(), rng);
        const auto c = pk.encrypt_with_nonce(m, r);
        BOOST_TEST(dkg::to_decimal(c.value()) == reference_encrypt(dkg::to_decimal(pk.n()), dkg::to_decimal(m), dkg::to_decimal(r)));
    }
    // The reference vector of a shipped key of the Python reference (t=1, n=3): N = 9561713611 · 12684361819.
    const dkg::secret_key<N> ref(num<N>("9561713611"), num<N>("12684361819"));
    BOOST_TEST(ref.public_key().n() == num<N>("121284235051581018409"));
    BOOST_TEST(ref.decrypt(ref.public_key().encrypt(N(-42), rng)) == N(-42));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(homomorphic_properties, N, all_backends)
{
    dkg::testing::insecure_seeded_rng rng;
    const auto& sk = test_key<N>(256);
    const auto& pk = sk.public_key();
    const N bound = N(pk.max_plaintext() / N(4u));
    for (int i = 0; i < 200; ++i) {
        const N a = dkg::random_symmetric(bound, rng);
        const N b = dkg::random_symmetric(bound, rng);
        const N k = dkg::random_symmetric(N(1000u), rng);
        const auto ca = pk.encrypt(a, rng);
        const auto cb = pk.encrypt(b, rng);
        BOOST_TEST(sk.decrypt(ca) == a);
        BOOST_TEST(sk.decrypt(ca + cb) == N(a + b));
        BOOST_TEST(sk.decrypt(ca - cb) == N(a - b));
        BOOST_TEST(sk.decrypt(-ca) == N(-a));
        const N small_a = N(a % N(1000000u));
        if (k != N(0u)) {
            BOOST_TEST(sk.decrypt(pk.encrypt(small_a, rng) * k) == N(small_a * k));
            BOOST_TEST(sk.decrypt(k * pk.encrypt(small_a, rng)) == N(small_a * k));
        }
        BOOST_TEST(sk.decrypt(pk.encrypt(small_a, rng).multiply(k, rng)) == N(small_a * k));
        BOOST_TEST(sk.decrypt(ca.add_plain(b)) == N(a + b));
        const auto fresh = ca.rerandomize(rng);
        BOOST_TEST(fresh.value() != ca.value());
        BOOST_TEST(sk.decrypt(fresh) == a);
    }
    // Sums wrap modulo N like the underlying group: (N-1)/2 + 1 decrypts to -(N-1)/2.
    const auto top = pk.encrypt(pk.max_plaintext(), rng);
    BOOST_TEST(sk.decrypt(top + pk.encrypt(N(1u), rng)) == N(-pk.max_plaintext()));
}

// Multiplying by a plaintext 0 (or any multiple of N) never gives the constant ciphertext 1, which
// would tell everyone the factor: `*` refuses it, `multiply(k, rng)` gives a fresh encryption of 0.
BOOST_AUTO_TEST_CASE_TEMPLATE(multiplying_by_zero_gives_a_fresh_encryption_of_zero, N, all_backends)
{
    dkg::testing::insecure_seeded_rng rng(31);
    const auto& sk = test_key<N>(256);
    const auto& pk = sk.public_key();
    const auto c = pk.encrypt(N(12345u), rng);
    for (const N& zero : {N(0u), pk.n(), N(-pk.n()), N(pk.n() * N(3u))}) {
        BOOST_CHECK_THROW((void)(c * zero), std::invalid_argument);
        BOOST_CHECK_THROW((void)(zero * c), std::invalid_argument);
        const auto first = c.multiply(zero, rng), second = c.multiply(zero, rng);
        BOOST_TEST(first.value() != N(1u));
        BOOST_TEST(first.value() != second.value());
        BOOST_TEST(sk.decrypt(first) == N(0u));
        BOOST_TEST(sk.decrypt(second) == N(0u));
    }
    try {
        (void)(c * N(0u));
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).rfind("k: ", 0) == 0u, e.what());
    }
    // Otherwise multiply is `*` under fresh randomness.
    const auto product = c.multiply(N(-7), rng);
    BOOST_TEST(product.value() != (c * N(-7)).value());
    BOOST_TEST(sk.decrypt(product) == N(-86415));
    BOOST_TEST(sk.decrypt(c.multiply(N(1u), rng)) == N(12345u));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(rejects_bad_input, N, backends)
{
    dkg::testing::insecure_seeded_rng rng;
    const auto& sk = test_key<N>(256);
    const auto& other = test_key<N>(258);
    const auto& pk = sk.public_key();
    auto expect_message = [](auto&& f, const std::string& needle) {
        try {
            f();
            BOOST_ERROR("no exception");
        } catch (const std::invalid_argument& e) {
            BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos, e.what());
        }
    };
    expect_message([&] { (void)pk.encrypt(N(pk.max_plaintext() + N(1u)), rng); }, "plaintext");
    expect_message([&] { (void)pk.encrypt(N(-pk.max_plaintext() - N(1u)), rng); }, "plaintext");
    expect_message([&] { (void)pk.make_ciphertext(N(0u)); }, "ciphertext");
    expect_message([&] { (void)pk.make_ciphertext(pk.n_squared()); }, "ciphertext");
    expect_message([&] { (void)pk.make_ciphertext(N(sk.p() * N(7u))); }, "coprime");
    expect_message([&] { (void)pk.encrypt_with_nonce(N(1u), sk.q()); }, "nonce");
    const auto mine = pk.encrypt(N(1u), rng);
    const auto theirs = other.public_key().encrypt(N(1u), rng);
    expect_message([&] { (void)(mine + theirs); }, "different public keys");
    expect_message([&] { (void)sk.decrypt(theirs); }, "another public key");
    expect_message([] { dkg::public_key<N> k(N(1000u)); }, "odd");
    expect_message([] { dkg::public_key<N> k(N(3000000003ull)); }, "small prime factor");
    expect_message([] { dkg::public_key<N> k(N(65537u)); }, "minimum");
    BOOST_TEST((pk.make_ciphertext(mine.value()) == mine));
}

BOOST_AUTO_TEST_SUITE_END()
