// The program every consumer project builds: Paillier encryption, homomorphic addition and
// multiplication by a plain integer, and decryption, with both shipped backends (with cpp_int
// alone where dkg was built without GMP).
#include <dkg/paillier.hpp>

#include <cstdlib>
#include <iostream>

// The targets decide DKG_HAS_GMP: dkg::gmp defines it as 1, dkg::dkg of a build without GMP as 0
// (consumer.cmake says which it expects).
#if !defined(DKG_HAS_GMP)
#error "the dkg targets should define DKG_HAS_GMP"
#elif DKG_HAS_GMP != DKG_CONSUMER_EXPECTS_GMP
#error "DKG_HAS_GMP does not say whether dkg::gmp is linked"
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
#if DKG_HAS_GMP
    const bool gmp_ok = round_trip<dkg::gmp_int>("gmp_int");
#else
    const bool gmp_ok = true;
    std::cout << "gmp_int: not available (dkg was built without GMP)\n";
#endif
    return cpp_ok && gmp_ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
