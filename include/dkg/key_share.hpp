// What each party keeps after key generation: its share of the threshold Paillier secret key
// (docs/protocol.md §5).
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/error.hpp>
#include <dkg/paillier.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dkg {

/// One party's share of a threshold Paillier key.
///
/// The parties' shares s_1..s_n are evaluations s_j = f(j) of an integer polynomial f of degree ≤ t
/// whose constant term D = f(0) is a multiple of φ(N); θ = D mod N is public and invertible.
/// Any t+1 parties decrypt c as follows (docs/protocol.md §6): party j publishes c^(2·Δ·s_j) mod N²
/// (Δ = n!); with μ_j = Δ·ℓ_j(0) the integer Lagrange coefficients of the responding set S,
/// C = ∏ c_j^(2·μ_j) = c^(4·Δ²·D), and m = L(C)·(4·Δ²·θ)^-1 mod N where L(u) = (u-1)/N.
/// For verifiable decryption, v is a random square in Z_{N²}^* and VK_j = v^(Δ·s_j) mod N².
///
/// @tparam N a type modelling dkg::big_integer.
/// @par Thread Safety
/// Distinct objects: safe. Shared objects: safe for const use.
template <big_integer N>
class key_share {
public:
    /// Assembles and checks a key share.
    /// @throws std::invalid_argument naming the inconsistent field: id outside 1..n, t ≥ n or
    ///         n < 2t+1 (unless t = 0), θ not invertible mod N, v or a verification key not in
    ///         Z_{N²}^*, or not exactly n verification keys.
    key_share(dkg::public_key<N> key, party_id id, std::size_t parties, std::size_t threshold, N share, N theta,
              N verification_base, std::vector<N> verification_keys)
        : key_(std::move(key)), id_(id), parties_(parties), threshold_(threshold), share_(std::move(share)),
          theta_(std::move(theta)), verification_base_(std::move(verification_base)),
          verification_keys_(std::move(verification_keys))
    {
        if (parties_ < 1) throw std::invalid_argument("parties: must be at least 1");
        if (id_ < 1 || id_ > parties_) throw std::invalid_argument("id: must be in 1..parties");
        if (threshold_ >= parties_) throw std::invalid_argument("threshold: must be below the number of parties");
        if (threshold_ > 0 && parties_ < 2 * threshold_ + 1)
            throw std::invalid_argument("threshold: parties must be at least 2*threshold+1");
        const N& n = key_.n();
        if (theta_ <= N(0u) || theta_ >= n || gcd(theta_, n) != N(1u))
            throw std::invalid_argument("theta: must be invertible modulo N");
        check_unit_mod_n2(verification_base_, "verification_base");
        if (verification_keys_.size() != parties_)
            throw std::invalid_argument("verification_keys: exactly one per party needed");
        for (const auto& vk : verification_keys_) check_unit_mod_n2(vk, "verification_keys");
        delta_ = factorial<N>(parties_);
    }

    /// An empty key share (id() == 0). Delivered only together with an error by asynchronous
    /// operations; not usable for anything else.
    key_share() = default;

    /// Whether this is an empty (default-constructed) key share.
    bool empty() const noexcept { return id_ == 0; }

    /// Copies the share, secret included (each copy wipes its own secret when destroyed).
    key_share(const key_share&) = default;
    /// Copies the share, secret included.
    key_share& operator=(const key_share&) = default;
    /// Moves the share; the moved-from object keeps no usable secret.
    key_share(key_share&&) noexcept = default;
    /// Moves the share.
    key_share& operator=(key_share&&) noexcept = default;
    /// Overwrites the secret share (secure_clear).
    ~key_share() { secure_clear(share_); }

    /// The Paillier public key (N, g = N + 1).
    const dkg::public_key<N>& public_key() const noexcept { return key_; }
    /// This party's id j, 1..n.
    party_id id() const noexcept { return id_; }
    /// n, the number of parties.
    std::size_t parties() const noexcept { return parties_; }
    /// t: any t+1 parties can decrypt; t or fewer learn nothing.
    std::size_t threshold() const noexcept { return threshold_; }
    /// s_j, this party's secret share (an integer, possibly negative).
    const N& share() const noexcept { return share_; }
    /// θ = D mod N.
    const N& theta() const noexcept { return theta_; }
    /// v, the base of the verification keys.
    const N& verification_base() const noexcept { return verification_base_; }
    /// VK_1..VK_n (element j-1 belongs to party j).
    const std::vector<N>& verification_keys() const noexcept { return verification_keys_; }
    /// VK_j of party j. @throws std::out_of_range unless 1 ≤ j ≤ n.
    const N& verification_key(party_id j) const { return verification_keys_.at(j - 1); }
    /// Δ = n!.
    const N& delta() const noexcept { return delta_; }

    /// Whether `other` is a share of the same key (same public values, possibly another party).
    bool same_key(const key_share& other) const
    {
        return key_ == other.key_ && parties_ == other.parties_ && threshold_ == other.threshold_ &&
               theta_ == other.theta_ && verification_base_ == other.verification_base_ &&
               verification_keys_ == other.verification_keys_;
    }

    /// Overwrites the secret share (the object is unusable for decryption afterwards).
    void wipe() { secure_clear(share_); }

private:
    void check_unit_mod_n2(const N& value, const char* name) const
    {
        if (value <= N(0u) || value >= key_.n_squared() || gcd(value, key_.n()) != N(1u))
            throw std::invalid_argument(std::string(name) + ": must be in Z_{N^2}^*");
    }

    dkg::public_key<N> key_;
    party_id id_ = 0;
    std::size_t parties_ = 0;
    std::size_t threshold_ = 0;
    N share_;
    N theta_;
    N verification_base_;
    std::vector<N> verification_keys_;
    N delta_;
};

} // namespace dkg
