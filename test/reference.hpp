// Independent references for the tests, computed outside dkg: with GMP through GMP's C interface,
// without GMP through Boost.Multiprecision's own functions on cpp_int; never through a dkg function.
#pragma once

#include <dkg/config.hpp>

#if DKG_HAS_GMP
#include <gmp.h>
#else
#include <boost/multiprecision/cpp_int.hpp>
#include <boost/multiprecision/miller_rabin.hpp>
#include <boost/random/mersenne_twister.hpp>
#endif

#include <cstddef>
#include <string>

namespace test_support {

/// Standard Paillier encryption: the decimal ciphertext g^m · r^N mod N² of decimal message `m`
/// under modulus `n` with nonce `r`, g = N + 1 raised by a modular exponentiation (dkg computes
/// g^m as 1 + m·N).
inline std::string reference_encrypt(const std::string& n, const std::string& m, const std::string& r)
{
#if DKG_HAS_GMP
    mpz_t modulus, square, base, power, blind;
    mpz_init_set_str(modulus, n.c_str(), 10);
    mpz_init(square);
    mpz_init(base);
    mpz_init_set_str(power, m.c_str(), 10);
    mpz_init_set_str(blind, r.c_str(), 10);
    mpz_mul(square, modulus, modulus);
    mpz_add_ui(base, modulus, 1);
    mpz_powm(power, base, power, square);
    mpz_powm(blind, blind, modulus, square);
    mpz_mul(power, power, blind);
    mpz_mod(power, power, square);
    std::string out(mpz_sizeinbase(power, 10) + 2, '\0');
    mpz_get_str(out.data(), 10, power);
    out.resize(out.find('\0'));
    mpz_clears(modulus, square, base, power, blind, nullptr);
    return out;
#else
    using boost::multiprecision::cpp_int;
    const cpp_int modulus(n), square = modulus * modulus;
    const cpp_int power = boost::multiprecision::powm(cpp_int(modulus + 1), cpp_int(m), square);
    const cpp_int blind = boost::multiprecision::powm(cpp_int(r), modulus, square);
    return cpp_int(power * blind % square).str();
#endif
}

/// Whether the decimal number is prime, by 50 rounds of Miller–Rabin (mpz_probab_prime_p, or
/// Boost.Multiprecision's miller_rabin_test with a fixed-seed generator: the tests are reproducible).
inline bool reference_is_prime(const std::string& decimal)
{
#if DKG_HAS_GMP
    mpz_t z;
    mpz_init_set_str(z, decimal.c_str(), 10);
    const int r = mpz_probab_prime_p(z, 50);
    mpz_clear(z);
    return r != 0;
#else
    boost::random::mt19937 generator(20240501);
    return boost::multiprecision::miller_rabin_test(boost::multiprecision::cpp_int(decimal), 50, generator);
#endif
}

} // namespace test_support
