// The program every consumer project builds: Paillier encryption, homomorphic addition and
// multiplication by a plain integer, and decryption, with both shipped backends.
#include <dkg/paillier.hpp>

#include <cstdlib>
#include <iostream>

#if !defined(DKG_HAS_GMP)
#error "linking dkg::gmp should define DKG_HAS_GMP"
#endif

template <class N>
bool round_trip(const char* name)
{
    dkg::system_rng rng;
    const auto sk = dkg::secret_key<N>::generate(256, rng);
    const auto& pk = sk.public_key();
    const auto sum = pk.encrypt(N(20u), rng) + pk.encrypt(N(-62ll), rng);
    const auto tripled = sum * N(3u);
    const bool ok = sk.decrypt(sum) == N(-42ll) && sk.decrypt(tripled) == N(-126ll);
    std::cout << name << ": " << (ok ? "ok" : "FAILED") << '\n';
    return ok;
}

int main()
{
    const bool cpp_ok = round_trip<dkg::cpp_int>("cpp_int");
    const bool gmp_ok = round_trip<dkg::gmp_int>("gmp_int");
    return cpp_ok && gmp_ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
