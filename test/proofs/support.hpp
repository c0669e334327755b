// Shared by the tests of the proofs on ciphertexts: test keys, tampering, the special-soundness
// extractor and a two-sample chi-square statistic.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/paillier.hpp>
#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <vector>

namespace proofs_test {

/// A Paillier key with N of `bits` bits, made once per backend and size from the test seed.
template <class N>
const dkg::secret_key<N>& test_key(std::size_t bits, std::uint64_t label = 0)
{
    static std::map<std::pair<std::size_t, std::uint64_t>, dkg::secret_key<N>> keys;
    auto it = keys.find({bits, label});
    if (it == keys.end()) {
        dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 7000 + bits + label);
        it = keys.emplace(std::make_pair(bits, label), dkg::secret_key<N>::generate(bits, rng)).first;
    }
    return it->second;
}

/// The default size of test keys: fast on both backends, with t = 127-bit challenges.
inline constexpr std::size_t small_bits = 256;

/// The size of the keys of the statistical tests (t = 31): many transcripts per second.
inline constexpr std::size_t tiny_bits = 64;

/// Changed copies of a big integer that a tampered proof might carry: +1, −1 (mod `bound` where
/// that stays in range), doubled modulo `bound`, 1, 0, and `bound` itself (out of range).
template <class N>
std::vector<N> tampered_values(const N& value, const N& bound)
{
    std::vector<N> out = {dkg::mod(N(value + N(1u)), bound), dkg::mod(N(value - N(1u)), bound), dkg::mod(N(value * N(2u)), bound),
                          N(1u), N(0u), bound, N(-value)};
    std::erase(out, value);
    return out;
}

/// Integers α, β with α·d + β·n = 1, for gcd(d, n) = 1 (d may be negative).
template <class N>
std::pair<N, N> bezout(const N& d, const N& n)
{
    const N alpha = dkg::invert_mod(dkg::mod(d, n), n);
    const N beta = N(N(N(1u) - N(alpha * d)) / n);
    BOOST_TEST_REQUIRE((N(N(alpha * d) + N(beta * n)) == N(1u)));
    return {alpha, beta};
}

/// The two-sample chi-square statistic of equally sized samples over the same bins:
/// Σ (a_i − b_i)² / (a_i + b_i) over the bins with a_i + b_i > 0.
inline double chi_square(const std::vector<std::size_t>& a, const std::vector<std::size_t>& b)
{
    double sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double x = static_cast<double>(a[i]), y = static_cast<double>(b[i]);
        if (x + y > 0) sum += (x - y) * (x - y) / (x + y);
    }
    return sum;
}

/// The 0.1 % critical value of chi-square with 15 degrees of freedom: two samples from the same
/// 16-bin distribution exceed it once in a thousand.
inline constexpr double chi_square_15_critical = 37.70;

/// Honest-verifier zero knowledge, measured: the real and simulated histograms must not differ
/// significantly (chi-square below the 0.1 % critical value of 15 degrees of freedom), and the
/// histogram of a deliberately flawed prover or simulator must (so that the test can fail).
inline void check_same_distribution(const std::vector<std::size_t>& real, const std::vector<std::size_t>& simulated,
                                    const std::vector<std::size_t>& flawed)
{
    const double matched = chi_square(real, simulated), mismatched = chi_square(real, flawed);
    BOOST_TEST(matched < chi_square_15_critical, "chi-square of real vs simulated: " << matched);
    BOOST_TEST(mismatched > chi_square_15_critical, "chi-square of real vs flawed: " << mismatched);
    BOOST_TEST_MESSAGE("chi-square, 15 degrees of freedom: real vs simulated " << matched << ", real vs flawed " << mismatched);
}

/// The bin counts of `samples` draws of `bin` (a value in [0, bins)).
inline std::vector<std::size_t> histogram(std::size_t bins, std::size_t samples, const std::function<std::size_t()>& bin)
{
    std::vector<std::size_t> counts(bins, 0);
    for (std::size_t i = 0; i < samples; ++i) ++counts.at(bin());
    return counts;
}

/// 0 for Jacobi symbol +1, 1 for −1 (the values tested are units).
template <class N>
std::size_t jacobi_bit(const N& value, const N& n)
{
    return dkg::jacobi(value, n) == 1 ? 0 : 1;
}

} // namespace proofs_test
