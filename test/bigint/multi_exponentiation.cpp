#include <dkg/bigint/multi_exponentiation.hpp>

#include <dkg/bigint.hpp>
#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace multiexp = dkg::detail::multiexp;
using N = dkg::cpp_int;

namespace {

using arithmetic = dkg::detail::generic_modular_arithmetic<N, dkg::bigint_traits<N>>;

std::vector<std::uint64_t> limbs(const N& e, std::size_t min_limbs = 0)
{
    return dkg::detail::limbs_of_bytes(dkg::to_bytes(e), min_limbs);
}

struct problem {
    N modulus;
    std::vector<N> bases, exponents;
    std::vector<std::vector<std::uint64_t>> exponent_limbs;
    std::vector<multiexp::exponent_view> views;
    N expected;
};

problem random_problem(std::size_t count, std::size_t bits, std::size_t max_exponent_bits, dkg::testing::insecure_seeded_rng& rng)
{
    problem p;
    p.modulus = N(dkg::random_exact_bits<N>(bits, rng) | N(1u));
    p.expected = N(1u);
    for (std::size_t i = 0; i < count; ++i) {
        p.bases.push_back(dkg::random_below(p.modulus, rng));
        p.exponents.push_back(i % 9 == 4 ? N(0u) : dkg::random_bits<N>(1 + (i * 131) % max_exponent_bits, rng));
        p.expected = N(N(p.expected * dkg::powm(p.bases.back(), p.exponents.back(), p.modulus)) % p.modulus);
        p.exponent_limbs.push_back(limbs(p.exponents.back()));
    }
    for (const auto& l : p.exponent_limbs) p.views.emplace_back(l);
    return p;
}

/// Records the kind of every operation of an arithmetic, not the table index of gather and
/// scatter (which a constant-time arithmetic hides by touching every entry).
struct tracing_arithmetic : arithmetic {
    std::string* trace;
    void mul(N& r, const N& x, const N& y) const { *trace += 'm'; arithmetic::mul(r, x, y); }
    void sqr(N& r, const N& x) const { *trace += 's'; arithmetic::sqr(r, x); }
    void gather(N& r, const std::vector<N>& table, std::size_t index) const { *trace += 'g'; arithmetic::gather(r, table, index); }
    void scatter(std::vector<N>& table, std::size_t index, const N& x) const { *trace += 'w'; arithmetic::scatter(table, index, x); }
};

} // namespace

BOOST_AUTO_TEST_CASE(windows_are_read_across_limbs)
{
    const std::vector<std::uint64_t> e = {0xF00000000000000Full, 0x5ull};
    BOOST_TEST(multiexp::window_at(e, 0, 4) == 0xFu);
    BOOST_TEST(multiexp::window_at(e, 60, 4) == 0xFu);
    BOOST_TEST(multiexp::window_at(e, 62, 5) == 0x17u); // bits 62, 63 (set), 64 (set), 65, 66 (set)
    BOOST_TEST(multiexp::window_at(e, 64, 3) == 0x5u);
    BOOST_TEST(multiexp::window_at(e, 200, 5) == 0u);
    BOOST_TEST(multiexp::bit_count(e) == 67u);
    BOOST_TEST(multiexp::bit_count(std::vector<std::uint64_t>{0, 0}) == 0u);
    BOOST_TEST(dkg::detail::limbs_of_bytes(std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}, 3) ==
                   (std::vector<std::uint64_t>{0x0203040506070809ull, 1, 0}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(straus_and_pippenger_give_the_product_of_powers)
{
    dkg::testing::insecure_seeded_rng rng;
    for (std::size_t count : {1u, 2u, 7u, 40u}) {
        const problem p = random_problem(count, 192, 300, rng);
        arithmetic a{p.modulus};
        BOOST_TEST(multiexp::straus(a, std::span<const N>(p.bases), std::span<const multiexp::exponent_view>(p.views)) == p.expected);
        for (unsigned c : {1u, 3u, 6u, 11u})
            BOOST_TEST(multiexp::pippenger(a, std::span<const N>(p.bases), std::span<const multiexp::exponent_view>(p.views), c) == p.expected);
        BOOST_TEST(multiexp::multi_power(a, std::span<const N>(p.bases), std::span<const multiexp::exponent_view>(p.views)) == p.expected);
    }
    // All exponents zero, and no bases: 1.
    problem zero = random_problem(3, 64, 10, rng);
    for (auto& l : zero.exponent_limbs) std::fill(l.begin(), l.end(), 0);
    arithmetic a{zero.modulus};
    BOOST_TEST(multiexp::straus(a, std::span<const N>(zero.bases), std::span<const multiexp::exponent_view>(zero.views)) == N(1u));
    BOOST_TEST(multiexp::pippenger(a, std::span<const N>(zero.bases), std::span<const multiexp::exponent_view>(zero.views), 4) == N(1u));
    BOOST_TEST(multiexp::multi_power(a, std::span<const N>(), std::span<const multiexp::exponent_view>()) == N(1u));
}

BOOST_AUTO_TEST_CASE(the_cheaper_algorithm_is_chosen_by_its_estimate)
{
    // Many short exponents favour buckets, a few long ones the interleaved windows.
    dkg::testing::insecure_seeded_rng rng;
    const problem many = random_problem(500, 64, 128, rng);
    const problem few = random_problem(3, 64, 4000, rng);
    double best_bucket = 1e300;
    for (unsigned c = 2; c <= 14; ++c) best_bucket = std::min(best_bucket, multiexp::pippenger_cost(many.views, c));
    BOOST_TEST(best_bucket < multiexp::straus_cost(many.views));
    BOOST_TEST(multiexp::pippenger_cost(few.views, 6) > multiexp::straus_cost(few.views));
}

BOOST_AUTO_TEST_CASE(several_secret_powers_share_one_base)
{
    dkg::testing::insecure_seeded_rng rng;
    const N m = N(dkg::random_exact_bits<N>(256, rng) | N(1u));
    const N base = dkg::random_below(m, rng);
    for (std::size_t bits : {64u, 128u, 320u, 1088u}) {
        const std::size_t limb_count = (bits + 63) / 64;
        std::vector<N> exponents = {dkg::random_bits<N>(bits, rng), N(0u), N(N(N(1u) << static_cast<unsigned>(bits)) - N(1u)), N(1u)};
        std::vector<std::vector<std::uint64_t>> l;
        for (const N& e : exponents) l.push_back(limbs(e, limb_count));
        const std::vector<multiexp::exponent_view> views(l.begin(), l.end());
        arithmetic a{m};
        const auto powers = multiexp::several_powers_secret(a, base, std::span<const multiexp::exponent_view>(views), bits);
        for (std::size_t i = 0; i < exponents.size(); ++i) BOOST_TEST(powers[i] == dkg::powm(base, exponents[i], m));
    }
}

BOOST_AUTO_TEST_CASE(fixed_base_powers_from_the_table)
{
    dkg::testing::insecure_seeded_rng rng;
    const N m = N(dkg::random_exact_bits<N>(256, rng) | N(1u));
    const N base = dkg::random_below(m, rng);
    arithmetic a{m};
    const std::size_t capacity = 333;
    const auto powers = multiexp::fixed_base_powers(a, base, capacity);
    BOOST_TEST(powers.size() == (capacity + 4) / 5 + 1);
    BOOST_TEST(powers[3] == dkg::powm(base, N(N(1u) << 15), m));
    for (const N& e : {N(0u), N(1u), dkg::random_bits<N>(capacity, rng), N(N(N(1u) << 333) - N(1u)), dkg::random_bits<N>(40, rng)}) {
        BOOST_TEST(multiexp::fixed_base_power(a, powers, limbs(e)) == dkg::powm(base, e, m));
        BOOST_TEST(multiexp::fixed_base_power_secret(a, powers, limbs(e, 6), 333) == dkg::powm(base, e, m));
    }
}

BOOST_AUTO_TEST_CASE(secret_schedules_do_not_depend_on_the_exponents)
{
    // The sequence of multiplications, squarings and table accesses of the secret-exponent
    // algorithms is the same for every exponent of a given size; the public-exponent algorithm's
    // is not (so the trace does see a difference where there is one).
    dkg::testing::insecure_seeded_rng rng;
    const N m = N(dkg::random_exact_bits<N>(128, rng) | N(1u));
    const N base = dkg::random_below(m, rng);
    const std::size_t bits = 256;
    arithmetic plain{m};
    const auto table = multiexp::fixed_base_powers(plain, base, bits);
    std::vector<std::string> several, fixed, public_fixed;
    const std::vector<N> samples = {N(0u), N(1u), N(N(N(1u) << 256) - N(1u)), dkg::random_bits<N>(256, rng), dkg::random_bits<N>(256, rng),
                                    N(N(1u) << 255)};
    for (const N& e : samples) {
        const auto l = limbs(e, 4);
        const auto other = limbs(dkg::random_bits<N>(200, rng), 4);
        const multiexp::exponent_view views[] = {l, other};
        std::string trace;
        tracing_arithmetic a{{m}, &trace};
        const auto powers = multiexp::several_powers_secret(a, base, std::span<const multiexp::exponent_view>(views), bits);
        BOOST_TEST(powers[0] == dkg::powm(base, e, m));
        several.push_back(trace);
        trace.clear();
        BOOST_TEST(multiexp::fixed_base_power_secret(a, table, l, bits) == dkg::powm(base, e, m));
        fixed.push_back(trace);
        trace.clear();
        BOOST_TEST(multiexp::fixed_base_power(a, table, l) == dkg::powm(base, e, m));
        public_fixed.push_back(trace);
    }
    for (std::size_t i = 1; i < samples.size(); ++i) {
        BOOST_TEST(several[i] == several[0]);
        BOOST_TEST(fixed[i] == fixed[0]);
    }
    BOOST_TEST(several[0].find('g') != std::string::npos);
    BOOST_TEST(public_fixed[0] != public_fixed[2]); // 0 and 2^256 − 1 take different work in public mode
}
