// Shamir secret sharing over Z_m (a prime field, or any modulus whose prime factors all exceed n).
//
// Shares are evaluations at the party ids 1..n. Used for BGW multiplication when computing
// N = p·q (docs/protocol.md §2, over a prime P > 2^(k+2)) and by the distributed sieve (§1, over
// the product of the sieving primes).
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/error.hpp>

#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace dkg::shamir {

/// Checks that `points` are distinct party ids in [1, parties] and at least `needed` of them.
/// @throws std::invalid_argument naming `shares` otherwise.
inline void check_points(std::span<const party_id> points, std::size_t parties, std::size_t needed)
{
    if (points.size() < needed)
        throw std::invalid_argument("shares: " + std::to_string(needed) + " needed, " + std::to_string(points.size()) + " given");
    std::vector<bool> seen(parties + 1, false);
    for (party_id x : points) {
        if (x == 0 || x > parties) throw std::invalid_argument("shares: party id " + std::to_string(x) + " out of range");
        if (seen[x]) throw std::invalid_argument("shares: duplicate party id " + std::to_string(x));
        seen[x] = true;
    }
}

/// Evaluates the polynomial with `coefficients` (constant first) at x, modulo m.
template <big_integer N>
N evaluate_polynomial(std::span<const N> coefficients, const N& x, const N& m)
{
    N acc(0u);
    for (auto it = coefficients.rbegin(); it != coefficients.rend(); ++it) acc = N(N(N(acc * x) + *it) % m);
    return acc;
}

/// Lagrange basis values ℓ_j(x) mod m for the distinct points `points`:
/// f(x) = Σ ℓ_j(x)·f(j) for every polynomial f of degree < |points|.
template <big_integer N>
std::vector<N> lagrange_coefficients(std::span<const party_id> points, long long x, const N& m)
{
    std::vector<N> out;
    out.reserve(points.size());
    for (party_id j : points) {
        N num(1u), den(1u);
        for (party_id k : points) {
            if (k == j) continue;
            num = mod(N(num * N(x - static_cast<long long>(k))), m);
            den = mod(N(den * N(static_cast<long long>(j) - static_cast<long long>(k))), m);
        }
        out.push_back(N(N(num * invert_mod(den, m)) % m));
    }
    return out;
}

/// Lagrange coefficients ℓ_j(0) mod m for the distinct nonzero points `points`:
/// f(0) = Σ ℓ_j·f(j) for every polynomial f of degree < |points|.
template <big_integer N>
std::vector<N> lagrange_at_zero(std::span<const party_id> points, const N& m)
{
    return lagrange_coefficients(points, 0, m);
}

/// Shamir sharing modulo m among parties 1..n.
///
/// @tparam N a type modelling dkg::big_integer.
/// @par Thread Safety
/// Immutable after construction: safe to share between threads (each with its own generator).
template <big_integer N>
class modular_sharing {
public:
    /// @param modulus a prime, or any m with gcd(m, n!) = 1 (so that every difference of points is
    ///        invertible).
    /// @param parties n ≥ 1.
    /// @param degree t < n, the default degree of `share`.
    /// @throws std::invalid_argument naming the parameter that is out of range.
    modular_sharing(N modulus, std::size_t parties, std::size_t degree)
        : modulus_(std::move(modulus)), parties_(parties), degree_(degree)
    {
        if (parties < 1) throw std::invalid_argument("parties: must be at least 1");
        if (degree >= parties) throw std::invalid_argument("degree: must be below the number of parties");
        if (modulus_ <= N(static_cast<unsigned long long>(parties)))
            throw std::invalid_argument("modulus: must exceed the number of parties");
        if (gcd(modulus_, factorial<N>(parties)) != N(1u))
            throw std::invalid_argument("modulus: must have no prime factor up to the number of parties");
    }

    /// m, the modulus of the shares.
    const N& modulus() const noexcept { return modulus_; }
    /// n, the number of parties.
    std::size_t parties() const noexcept { return parties_; }
    /// The default degree of the sharing polynomials.
    std::size_t degree() const noexcept { return degree_; }

    /// Shares `secret` (reduced mod m) with a random polynomial of the default degree.
    /// @return n shares; element j-1 goes to party j.
    template <secure_rng G>
    std::vector<N> share(const N& secret, G& rng) const
    {
        return share(secret, degree_, rng);
    }

    /// Shares `secret` with a random polynomial of the given degree (< n).
    template <secure_rng G>
    std::vector<N> share(const N& secret, std::size_t degree, G& rng) const
    {
        if (degree >= parties_) throw std::invalid_argument("degree: must be below the number of parties");
        std::vector<N> coefficients;
        coefficients.reserve(degree + 1);
        coefficients.push_back(mod(secret, modulus_));
        for (std::size_t k = 0; k < degree; ++k) coefficients.push_back(random_below(modulus_, rng));
        std::vector<N> shares;
        shares.reserve(parties_);
        for (std::size_t j = 1; j <= parties_; ++j)
            shares.push_back(evaluate_polynomial<N>(coefficients, N(static_cast<unsigned long long>(j)), modulus_));
        secure_clear(coefficients);
        return shares;
    }

    /// A random sharing of zero of the given degree (used to re-randomise a product before opening).
    template <secure_rng G>
    std::vector<N> share_zero(std::size_t degree, G& rng) const
    {
        return share(N(0u), degree, rng);
    }

    /// Reconstructs f(0) from shares of a polynomial of degree ≤ `degree`, using the first degree+1
    /// of them.
    /// @throws std::invalid_argument if fewer than degree+1 shares are given, ids repeat or are out of
    ///         range, or `points` and `values` differ in length.
    N reconstruct(std::span<const party_id> points, std::span<const N> values, std::size_t degree) const
    {
        if (points.size() != values.size()) throw std::invalid_argument("shares: as many points as values needed");
        check_points(points, parties_, degree + 1);
        const auto used = points.first(degree + 1);
        const auto lambda = lagrange_at_zero(used, modulus_);
        N acc(0u);
        for (std::size_t i = 0; i < used.size(); ++i) acc = N(N(acc + N(lambda[i] * values[i])) % modulus_);
        return acc;
    }

    /// Whether all given shares lie on one polynomial of degree ≤ `degree` (always true for
    /// degree+1 or fewer shares). Lets a party detect an inconsistent opening when n > degree+1.
    bool consistent(std::span<const party_id> points, std::span<const N> values, std::size_t degree) const
    {
        if (points.size() != values.size()) throw std::invalid_argument("shares: as many points as values needed");
        check_points(points, parties_, 0);
        if (points.size() <= degree + 1) return true;
        const auto base = points.first(degree + 1);
        for (std::size_t i = degree + 1; i < points.size(); ++i) {
            const auto l = lagrange_coefficients(base, static_cast<long long>(points[i]), modulus_);
            N acc(0u);
            for (std::size_t a = 0; a < base.size(); ++a) acc = N(N(acc + N(l[a] * values[a])) % modulus_);
            if (acc != mod(values[i], modulus_)) return false;
        }
        return true;
    }

private:
    N modulus_;
    std::size_t parties_;
    std::size_t degree_;
};

} // namespace dkg::shamir
