// Shamir secret sharing over the integers with statistical hiding (docs/protocol.md §5).
//
// A secret s with |s| ≤ S is shared as f(x) = Δ·s + a_1·x + … + a_t·x^t with Δ = n! and each a_k
// uniform in [-A, A], A = Δ²·2^σ·S; party j gets f(j). Because Δ·ℓ_j(0) is an integer for every set of
// points in [1, n], any t+1 shares reconstruct exactly: Σ_j (Δ·ℓ_j)·f(j) = Δ²·s.
// The shares of any t parties are statistically close (distance about 2^-σ per coefficient bound
// argument of Veugen–Attema–Spini, Theorem 1) to shares of any other secret of the same bound.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/error.hpp>
#include <dkg/shamir/modular.hpp>

#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace dkg::shamir {

/// The integers Δ·ℓ_j(x) (Δ = n!) of the Lagrange basis of distinct points in [1, n] at x ∈ [0, n]:
/// Σ_j (Δ·ℓ_j(x))·f(j) = Δ·f(x) for every integer polynomial f of degree < |points|.
/// @throws std::invalid_argument if the points are not distinct ids in [1, n], or x > n.
template <big_integer N>
std::vector<N> integer_lagrange_at(std::span<const party_id> points, party_id x, std::size_t parties)
{
    check_points(points, parties, 1);
    if (x > parties) throw std::invalid_argument("x: must be in [0, parties]");
    const N delta = factorial<N>(parties);
    std::vector<N> out;
    out.reserve(points.size());
    for (party_id j : points) {
        N num = delta, den(1u);
        for (party_id k : points) {
            if (k == j) continue;
            num *= N(static_cast<long long>(x) - static_cast<long long>(k));
            den *= N(static_cast<long long>(j) - static_cast<long long>(k));
        }
        out.push_back(N(num / den)); // exact: |den| divides (j-1)!(n-j)!, which divides n!
    }
    return out;
}

/// The integers Δ·ℓ_j(0) (Δ = n!) for distinct points in [1, n]: Σ_j (Δ·ℓ_j)·f(j) = Δ·f(0) for every
/// integer polynomial f of degree < |points|.
/// @throws std::invalid_argument if the points are not distinct ids in [1, n].
template <big_integer N>
std::vector<N> integer_lagrange_at_zero(std::span<const party_id> points, std::size_t parties)
{
    return integer_lagrange_at<N>(points, 0, parties);
}

/// Σ_j coefficients[j]·values[j] (an integer linear combination of shares).
template <big_integer N>
N combine_integer_shares(std::span<const N> coefficients, std::span<const N> values)
{
    if (coefficients.size() != values.size()) throw std::invalid_argument("shares: as many coefficients as values needed");
    N acc(0u);
    for (std::size_t i = 0; i < values.size(); ++i) acc += N(coefficients[i] * values[i]);
    return acc;
}

/// Statistically hiding Shamir sharing over the integers among parties 1..n.
///
/// @tparam N a type modelling dkg::big_integer.
/// @par Thread Safety
/// Immutable after construction.
template <big_integer N>
class integer_sharing {
public:
    /// @param parties n ≥ 1.
    /// @param degree t < n.
    /// @param secret_bound S > 0: secrets must satisfy |s| ≤ S.
    /// @param statistical_security σ ≥ 1 (bits).
    /// @throws std::invalid_argument naming the parameter that is out of range.
    integer_sharing(std::size_t parties, std::size_t degree, N secret_bound, std::size_t statistical_security)
        : parties_(parties), degree_(degree), secret_bound_(std::move(secret_bound)), sigma_(statistical_security)
    {
        if (parties < 1) throw std::invalid_argument("parties: must be at least 1");
        if (degree >= parties) throw std::invalid_argument("degree: must be below the number of parties");
        if (secret_bound_ <= N(0u)) throw std::invalid_argument("secret_bound: must be positive");
        if (statistical_security < 1 || statistical_security > 1024)
            throw std::invalid_argument("statistical_security: must be in [1, 1024]");
        delta_ = factorial<N>(parties);
        coefficient_bound_ = N(N(N(delta_ * delta_) << static_cast<unsigned>(sigma_)) * secret_bound_);
        // max |f(j)| ≤ Δ·S + A·Σ_{k=1..t} n^k
        N powers(0u), nk(1u);
        for (std::size_t k = 1; k <= degree_; ++k) {
            nk *= N(static_cast<unsigned long long>(parties_));
            powers += nk;
        }
        share_bound_ = N(N(delta_ * secret_bound_) + N(coefficient_bound_ * powers));
    }

    /// n, the number of parties.
    std::size_t parties() const noexcept { return parties_; }
    /// t, the degree of the sharing polynomial.
    std::size_t degree() const noexcept { return degree_; }
    /// Δ = n!.
    const N& delta() const noexcept { return delta_; }
    /// A = Δ²·2^σ·S, the bound on the random coefficients.
    const N& coefficient_bound() const noexcept { return coefficient_bound_; }
    /// The largest possible |share|: Δ·S + A·(n + n² + … + n^t).
    const N& share_bound() const noexcept { return share_bound_; }

    /// Shares `secret`; element j-1 goes to party j.
    /// @throws std::invalid_argument naming `secret` if |secret| > S.
    template <secure_rng G>
    std::vector<N> share(const N& secret, G& rng) const
    {
        if (secret > secret_bound_ || N(-secret) > secret_bound_) throw std::invalid_argument("secret: exceeds the sharing's secret bound");
        std::vector<N> coefficients;
        coefficients.reserve(degree_ + 1);
        coefficients.push_back(N(delta_ * secret));
        for (std::size_t k = 0; k < degree_; ++k) coefficients.push_back(random_symmetric(coefficient_bound_, rng));
        std::vector<N> shares;
        shares.reserve(parties_);
        for (std::size_t j = 1; j <= parties_; ++j) {
            const N x(static_cast<unsigned long long>(j));
            N acc(0u);
            for (auto it = coefficients.rbegin(); it != coefficients.rend(); ++it) acc = N(N(acc * x) + *it);
            shares.push_back(std::move(acc));
        }
        secure_clear(coefficients);
        return shares;
    }

    /// Reconstructs s from at least degree+1 shares (uses the first degree+1).
    /// @throws std::invalid_argument if there are too few shares, ids repeat or are out of range,
    ///         or the shares are inconsistent (Δ² does not divide the combination).
    N reconstruct(std::span<const party_id> points, std::span<const N> values) const
    {
        if (points.size() != values.size()) throw std::invalid_argument("shares: as many points as values needed");
        check_points(points, parties_, degree_ + 1);
        const auto used = points.first(degree_ + 1);
        const auto lambda = integer_lagrange_at_zero<N>(used, parties_);
        const N combined = combine_integer_shares<N>(lambda, values.first(degree_ + 1)); // = Δ²·s
        const N delta_squared = N(delta_ * delta_);
        if (N(combined % delta_squared) != N(0u)) throw std::invalid_argument("shares: inconsistent (not a sharing of an integer)");
        return N(combined / delta_squared);
    }

private:
    std::size_t parties_;
    std::size_t degree_;
    N secret_bound_;
    std::size_t sigma_;
    N delta_;
    N coefficient_bound_;
    N share_bound_;
};

} // namespace dkg::shamir
