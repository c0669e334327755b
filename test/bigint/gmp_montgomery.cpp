#include <dkg/bigint/gmp_montgomery.hpp>

#include <dkg/bigint.hpp>
#include <dkg/testing/seeded_rng.hpp>

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <type_traits>
#include <vector>

using N = dkg::gmp_int;

namespace {

template <bool ConstantTime>
using arithmetic = dkg::detail::montgomery_arithmetic<ConstantTime>;

using both = boost::mpl::list<std::true_type, std::false_type>;

N value_of(arithmetic<true>& a, const std::vector<mp_limb_t>& x)
{
    N out;
    a.from_montgomery(out.backend().data(), x);
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE_TEMPLATE(products_match_mpz, ConstantTime, both)
{
    dkg::testing::insecure_seeded_rng rng;
    for (std::size_t bits : {2u, 63u, 64u, 65u, 512u, 1000u, 4096u}) {
        N m = bits < 3 ? N(3u) : dkg::random_exact_bits<N>(bits, rng);
        if (!dkg::is_odd(m)) m += N(1u);
        const dkg::detail::montgomery_modulus modulus(m.backend().data());
        arithmetic<ConstantTime::value> a(modulus);
        arithmetic<true> out(modulus);
        for (int i = 0; i < 10; ++i) {
            const N x = i == 0 ? N(N(m) - N(1u)) : dkg::random_below(m, rng);
            const N y = i == 1 ? N(0u) : dkg::random_below(m, rng);
            auto fx = a.to_montgomery(x.backend().data()), fy = a.to_montgomery(y.backend().data());
            BOOST_TEST(value_of(out, fx) == x);
            std::vector<mp_limb_t> r;
            a.mul(r, fx, fy);
            BOOST_TEST(value_of(out, r) == dkg::mod(N(x * y), m));
            a.sqr(r, fx);
            BOOST_TEST(value_of(out, r) == dkg::mod(N(x * x), m));
            a.mul(fx, fx, fx); // in place
            BOOST_TEST(value_of(out, fx) == dkg::mod(N(x * x), m));
        }
        BOOST_TEST(value_of(out, a.one()) == N(1u));
        // Values not reduced below m (as the algorithms keep them) still multiply correctly:
        // R − 1 stands for (R − 1)·R^−1 mod m.
        std::vector<mp_limb_t> top(modulus.limbs(), ~mp_limb_t{0}), r;
        a.mul(r, top, top);
        const N top_value = value_of(out, top);
        BOOST_TEST(value_of(out, r) == dkg::mod(N(top_value * top_value), m));
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(tables_are_read_and_written_at_every_index, ConstantTime, both)
{
    const N m(1000003u);
    const dkg::detail::montgomery_modulus modulus(m.backend().data());
    arithmetic<ConstantTime::value> a(modulus);
    std::vector<std::vector<mp_limb_t>> table;
    for (unsigned i = 0; i < 9; ++i) table.push_back(a.to_montgomery(N(i + 10).backend().data()));
    for (std::size_t i = 0; i < table.size(); ++i) {
        std::vector<mp_limb_t> r;
        a.gather(r, table, i);
        BOOST_TEST(r == table[i]);
        auto copy = table;
        const auto x = a.to_montgomery(N(77u).backend().data());
        a.scatter(copy, i, x);
        for (std::size_t k = 0; k < table.size(); ++k) BOOST_TEST((copy[k] == (k == i ? x : table[k])));
    }
    BOOST_TEST(dkg::detail::equal_mask(5, 5) == ~mp_limb_t{0});
    BOOST_TEST(dkg::detail::equal_mask(5, 4) == mp_limb_t{0});
    BOOST_TEST(dkg::detail::equal_mask(0, std::size_t{1} << 63) == mp_limb_t{0});
}

BOOST_AUTO_TEST_CASE(only_odd_moduli_above_one)
{
    for (unsigned bad : {0u, 1u, 2u, 100u}) {
        const N m(bad);
        BOOST_CHECK_THROW(dkg::detail::montgomery_modulus(m.backend().data()), std::invalid_argument);
    }
}
