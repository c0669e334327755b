// A trusted dealer for tests: one process generates p and q and hands out key shares of the same
// form as distributed key generation produces. It lets the threshold layer be tested on its own,
// and it is the "independent computation" that distributed keys are compared against. Never use a
// dealer where nobody may know the factorisation.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/key_share.hpp>
#include <dkg/paillier.hpp>
#include <dkg/shamir/integer.hpp>

#include <vector>

namespace dkg::testing {

/// The dealer's output: every party's key share, plus the secrets a test may check against.
template <big_integer N>
struct dealt_key {
    secret_key<N> secret;             ///< p and q, the plain key
    N exponent;                       ///< D = f(0), a multiple of φ(N)
    std::vector<key_share<N>> shares; ///< element j-1 is party j's share
};

/// Deals a threshold key: N of `bits` bits (p ≡ q ≡ 3 mod 4), D = Δ·φ(N)·β for a random β < N with
/// gcd(θ, N) = 1, shared with the statistically hiding integer sharing of degree t.
/// @throws std::invalid_argument for bad sizes, t ≥ n, or n < 2t+1 with t > 0.
template <big_integer N, secure_rng G>
dealt_key<N> deal_key(std::size_t bits, std::size_t parties, std::size_t threshold, G& rng, std::size_t sigma = 40)
{
    if (threshold > 0 && parties < 2 * threshold + 1) throw std::invalid_argument("threshold: parties must be at least 2*threshold+1");
    auto sk = secret_key<N>::generate(bits, rng);
    const public_key<N> pk = sk.public_key();
    const N n = pk.n();
    const N phi = sk.phi();
    for (;;) {
        const N beta = random_below(n, rng);
        const N secret = N(phi * beta);
        const shamir::integer_sharing<N> sharing(parties, threshold, N(n * n), sigma);
        const N exponent = N(sharing.delta() * secret); // f(0) = Δ·secret
        const N theta = mod(exponent, n);
        if (theta == N(0u) || gcd(theta, n) != N(1u)) continue;
        const auto values = sharing.share(secret, rng);
        N h = random_unit(pk.n_squared(), rng);
        const N v = N(N(h * h) % pk.n_squared());
        std::vector<N> vks;
        for (const auto& s : values) vks.push_back(powm(v, N(sharing.delta() * s), pk.n_squared()));
        dealt_key<N> out{std::move(sk), exponent, {}};
        for (std::size_t j = 0; j < parties; ++j)
            out.shares.emplace_back(pk, static_cast<party_id>(j + 1), parties, threshold, values[j], theta, v, vks);
        return out;
    }
}

} // namespace dkg::testing
