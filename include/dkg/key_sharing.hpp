// The key-sharing layer (docs/protocol.md §5): from additive shares of p and q of an accepted N to
// degree-t integer shares of D = Δ⁴·φ(N)·β, the public θ = D mod N, and verification keys.
// `integer_key_sharing` is the default model of `key_sharing_policy` (dkg/keygen/policies.hpp,
// docs/policies.md §4).
//
//  1. Party 1 shares N − p_1 − q_1 + 1, every other party −p_j − q_j (these sum to φ(N)); every party
//     shares a random β_j ∈ [0, N) and an integer sharing of zero; all with the statistically hiding
//     integer sharing of degree t. Summing gives F_φ(j), F_β(j) with F_φ(0) = Δ·φ, F_β(0) = Δ·β.
//  2. s_j = F_φ(j)·F_β(j) is a degree-2t sharing of Δ²·φ·β. Each party re-shares s_j with degree t;
//     party k's new share is s'_k = Σ_j μ_j·h_j(k) with μ_j = Δ·ℓ_j(0) over all n parties, a degree-t
//     sharing of D = Δ⁴·φ·β (degree reduction, so that any t+1 parties can decrypt).
//  3. Each party opens (s'_k + Z(k)) mod N, masked by the zero sharing Z so that only θ = D mod N
//     leaks, and publishes VK_k = v^(Δ·s'_k) mod N² for a jointly random square v. Every party checks
//     that the VK_k lie on one polynomial of degree t in the exponent (check_verification_keys) and
//     names a party whose key does not.
//  4. If gcd(θ, N) ≠ 1 the layer rejects N (std::nullopt) and key generation goes back to the
//     candidate loop: θ ≡ −Δ⁴·β·(p+q−1) (mod N) and N has no factor ≤ n, so gcd(θ, N) ≠ 1 is
//     Boneh–Franklin's final check gcd(N, p+q−1) ≠ 1 failing, and the gcd is a factor of N, now
//     public. No β helps such an N, and no new β is ever drawn for the same N.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/detail/chacha20.hpp>
#include <dkg/detail/parallel.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/error.hpp>
#include <dkg/key_share.hpp>
#include <dkg/keygen/context.hpp>
#include <dkg/keygen/params.hpp>
#include <dkg/session.hpp>
#include <dkg/paillier.hpp>
#include <dkg/shamir/integer.hpp>
#include <dkg/shamir/modular.hpp>
#include <dkg/steps.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace dkg {

/// The base v of the verification keys: a square in Z_{N²}^* derived from the joint seed.
template <big_integer N>
N verification_base(const joint_seed& seed, const N& modulus)
{
    detail::sha256 h;
    h.update("dkg/verification-base").update(seed).update_framed(to_bytes(modulus));
    detail::chacha20_stream stream(h.finish());
    const N n2 = N(modulus * modulus);
    std::vector<std::uint8_t> buffer((bit_length(n2) + 7) / 8 + 16); // 128 extra bits: negligible bias mod N²
    for (;;) {
        stream.fill(buffer);
        const N r = N(from_bytes<N>(buffer) % n2);
        if (r != N(0u) && gcd(r, modulus) == N(1u)) return N(N(r * r) % n2);
    }
}

/// The outcome of check_verification_keys.
struct verification_key_check {
    bool consistent = true;          ///< every VK on one polynomial of degree t
    party_id culprit = no_party;     ///< if not: the one party whose key alone is off, if the keys tell
};

/// Checks that verification keys VK_1..VK_n lie on one polynomial of degree t in the exponent:
/// VK_k = v^(Δ·F(k)) with deg F ≤ t means, for a set S of t+1 parties and every other party m,
/// VK_m^Δ = Π_{j∈S} VK_j^(Δ·ℓ_j^S(m)) mod N² (Lagrange coefficients in the exponent, scaled by Δ = n!
/// so that they are integers; Shoup, "Practical threshold signatures", §3). If the keys are not all
/// consistent, each party m is left out in turn: if the others are consistent without m for exactly
/// one m, that party's key alone is off and it is named. With n < t+3 (every n−1 keys fit a
/// polynomial) or several wrong keys, the check only says that the keys are inconsistent. Costs
/// n−t−1 multi-exponentiations of t+1 bases with exponents of about log₂(n!)+t·log₂(n) bits, and
/// about n times that if a key is off.
/// @param vks VK_1..VK_n, each in Z_{N²}^*.
template <big_integer N>
verification_key_check check_verification_keys(std::span<const N> vks, std::size_t t, const N& n_squared)
{
    const std::size_t n = vks.size();
    verification_key_check result;
    if (n <= t + 1) return result; // any t+1 points lie on a polynomial of degree t
    const N delta = factorial<N>(n);
    // Whether the keys of `parties` (at least t+1) lie on the polynomial through the first t+1 of them.
    const auto consistent = [&](const std::vector<party_id>& parties) {
        const std::vector<party_id> base(parties.begin(), parties.begin() + static_cast<std::ptrdiff_t>(t + 1));
        std::vector<N> base_keys;
        for (party_id j : base) base_keys.push_back(vks[j - 1]);
        for (std::size_t i = t + 1; i < parties.size(); ++i) {
            const party_id m = parties[i];
            const std::vector<N> coefficients = shamir::integer_lagrange_at<N>(base, m, n);
            if (powm(vks[m - 1], delta, n_squared) != multi_powm<N>(base_keys, coefficients, n_squared)) return false;
        }
        return true;
    };
    std::vector<party_id> all(n);
    std::iota(all.begin(), all.end(), party_id{1});
    if (consistent(all)) return result;
    result.consistent = false;
    if (n < t + 3) return result; // without any one party, the rest are t+1 keys: they always fit
    std::vector<party_id> fitting;
    for (party_id left_out = 1; left_out <= n; ++left_out) {
        std::vector<party_id> others;
        for (party_id j : all)
            if (j != left_out) others.push_back(j);
        if (consistent(others)) fitting.push_back(left_out);
    }
    if (fitting.size() == 1) result.culprit = fitting.front();
    return result;
}

/// Degree-t integer key shares with degree reduction and a masked opening of θ.
///
/// Models `key_sharing_policy`. Three message rounds per accepted N.
template <big_integer N>
class integer_key_sharing {
public:
    integer_key_sharing(const keygen_context& context, const keygen_params& params)
        : context_(context), sigma_(params.stat_sec_shamir)
    {
        all_points_.resize(context.parties);
        std::iota(all_points_.begin(), all_points_.end(), party_id{1});
        all_mu_ = shamir::integer_lagrange_at_zero<N>(all_points_, context.parties);
    }

    /// Adds `key_sharing = integer_key_sharing` and `key_sharing.statistical_security` (σ).
    void describe(agreed_parameters& agreed) const
    {
        agreed.add("key_sharing", "integer_key_sharing");
        agreed.add("key_sharing.statistical_security", sigma_);
    }

    /// Runs docs/protocol.md §5 for the accepted modulus; wipes p_share and q_share. Returns
    /// std::nullopt, at every party alike, if θ is not invertible mod N: gcd(θ, N) is then a factor
    /// of N, which is dropped (key generation goes on with the next candidate).
    /// @throws protocol_error naming a party that sends malformed or out-of-range values
    ///         (errc::malformed_message, errc::protocol_violation) or a verification key off the
    ///         others' polynomial (errc::verification_failed); errc::inconsistent_result (no party)
    ///         if the opened θ or the verification keys are inconsistent in a way that names no one.
    template <class Session, secure_rng G>
    boost::asio::awaitable<std::optional<key_share<N>>> share(Session& session, G& rng, const joint_seed& seed, const N& modulus,
                                                              N& p_share, N& q_share)
    {
        const public_key<N> key(modulus);
        const std::size_t n = context_.parties, t = context_.threshold;
        const party_id self = context_.self;
        const shamir::integer_sharing<N> first_sharing(n, t, modulus, sigma_);
        N phi_part = self == 1 ? N(N(modulus - p_share - q_share) + N(1u)) : N(N(-p_share) - q_share);
        const secure_clear_on_exit<N> phi_part_wiper{phi_part};
        secure_clear(p_share);
        secure_clear(q_share);
        // Bound on |s_j| = |F_φ(j)·F_β(j)|, the secret of the degree-reduction sharing.
        const N sum_bound = N(first_sharing.share_bound() * N(static_cast<unsigned long long>(n)));
        const shamir::integer_sharing<N> reduce_sharing(n, t, N(sum_bound * sum_bound), sigma_);
        const shamir::modular_sharing<N> open_sharing(modulus, n, t);
        const N v = verification_base(seed, modulus);

        // One round number per N this layer is given, so that the messages of a rejected N are
        // never taken for the next one's.
        const std::uint32_t attempt = runs_++;
        {
            // Step 1: shares of φ_j, β_j and zero.
            N beta_part = random_below(modulus, rng);
            auto phi_shares = first_sharing.share(phi_part, rng);
            auto beta_shares = first_sharing.share(beta_part, rng);
            auto zero_shares = first_sharing.share(N(0u), rng);
            secure_clear(beta_part);
            std::vector<bytes> outgoing(n);
            for (std::size_t k = 0; k < n; ++k) {
                if (k + 1 == self) continue;
                writer w;
                w.integer(phi_shares[k]).integer(beta_shares[k]).integer(zero_shares[k]);
                outgoing[k] = w.finish();
            }
            count_round();
            const step_tag share_tag{keygen_steps::key_shares, attempt, 0};
            auto received = co_await session.exchange(share_tag, std::move(outgoing));
            // Every share is checked against the sharing's exact bound (not only its bit length), so
            // that the sums below stay within the degree reduction's bound.
            const N& first_bound = first_sharing.share_bound();
            N f_phi(0u), f_beta(0u), f_zero(0u);
            for (std::size_t j = 0; j < n; ++j) {
                if (j + 1 == self) {
                    f_phi += phi_shares[j];
                    f_beta += beta_shares[j];
                    f_zero += zero_shares[j];
                    continue;
                }
                decode(received[j], j, "key shares", [&](reader& r) {
                    f_phi += bounded(r, first_bound);
                    f_beta += bounded(r, first_bound);
                    f_zero += bounded(r, first_bound);
                });
            }
            secure_clear(phi_shares);
            secure_clear(beta_shares);
            secure_clear(zero_shares);

            // Step 2: degree reduction of s_j = F_φ(j)·F_β(j).
            N product = N(f_phi * f_beta);
            secure_clear(f_phi);
            secure_clear(f_beta);
            auto reduce_shares = reduce_sharing.share(product, rng);
            secure_clear(product);
            std::vector<bytes> reduce_out(n);
            for (std::size_t k = 0; k < n; ++k) {
                if (k + 1 == self) continue;
                writer w;
                w.integer(reduce_shares[k]);
                reduce_out[k] = w.finish();
            }
            count_round();
            const step_tag reduce_tag{keygen_steps::key_reduce, attempt, 0};
            auto reduce_in = co_await session.exchange(reduce_tag, std::move(reduce_out));
            const N& reduce_bound = reduce_sharing.share_bound();
            N share(0u);
            const secure_clear_on_exit<N> share_wiper{share}; // moved into the key share on success
            for (std::size_t j = 0; j < n; ++j) {
                if (j + 1 == self) {
                    share += N(all_mu_[j] * reduce_shares[j]);
                    continue;
                }
                decode(reduce_in[j], j, "degree reduction", [&](reader& r) { share += N(all_mu_[j] * bounded(r, reduce_bound)); });
            }
            secure_clear(reduce_shares);

            // Step 3: masked opening of θ and the verification keys.
            const N masked = mod(N(share + f_zero), modulus);
            secure_clear(f_zero);
            const N vk = co_await detail::run_on(context_.arithmetic_executor, [&] {
                N exponent = N(N(factorial<N>(n)) * share); // secret: Δ·s_j
                N vk_j = powm_secret(v, exponent, key.n_squared());
                secure_clear(exponent);
                return vk_j;
            });
            writer w;
            w.integer(masked).integer(vk);
            count_round();
            const step_tag open_tag{keygen_steps::key_open, attempt, 0};
            bytes open_payload = w.finish();
            auto opened = co_await session.all_gather(open_tag, std::move(open_payload));
            std::vector<N> masked_values(n), vks(n);
            for (std::size_t j = 0; j < n; ++j) {
                decode(opened[j], j, "opening of theta", [&](reader& r) {
                    masked_values[j] = r.integer_below(modulus);
                    vks[j] = r.integer_below(key.n_squared());
                });
                if (vks[j] == N(0u) || gcd(vks[j], modulus) != N(1u))
                    throw protocol_error(make_error_code(errc::protocol_violation), static_cast<party_id>(j + 1),
                                         "keygen: verification key not invertible");
            }
            if (!open_sharing.consistent(all_points_, masked_values, t))
                throw protocol_error(make_error_code(errc::inconsistent_result), no_party,
                                     "keygen: the opened shares of theta do not lie on one polynomial");
            const N theta = open_sharing.reconstruct(all_points_, masked_values, t);
            // θ not invertible: gcd(θ, N) is a factor of N (§5, step 4). Drop this N.
            if (theta == N(0u) || gcd(theta, modulus) != N(1u)) co_return std::nullopt;
            const verification_key_check vk_check = co_await detail::run_on(context_.arithmetic_executor, [&] {
                return check_verification_keys<N>(vks, t, key.n_squared());
            });
            if (!vk_check.consistent) {
                if (vk_check.culprit != no_party)
                    throw protocol_error(make_error_code(errc::verification_failed), vk_check.culprit,
                                         "keygen: its verification key is not on the polynomial of the others'");
                throw protocol_error(make_error_code(errc::inconsistent_result), no_party,
                                     "keygen: the verification keys do not lie on one polynomial of degree t");
            }
            co_return key_share<N>(key, self, n, t, std::move(share), theta, v, std::move(vks));
        }
    }

private:
    void count_round()
    {
        if (context_.progress) ++context_.progress->communication_rounds;
    }

    /// An integer x with |x| ≤ bound. @throws decode_error otherwise.
    static N bounded(reader& r, const N& bound)
    {
        N x = r.integer<N>(bit_length(bound));
        if (x > bound || N(-x) > bound) {
            secure_clear(x);
            throw decode_error("share out of range");
        }
        return x;
    }

    template <class Body>
    static void decode(const bytes& payload, std::size_t index, const char* what, Body&& body)
    {
        try {
            reader r(payload);
            body(r);
            r.expect_end();
        } catch (const decode_error& e) {
            throw protocol_error(make_error_code(errc::malformed_message), static_cast<party_id>(index + 1),
                                 std::string("keygen: ") + what + ": " + e.what());
        }
    }

    keygen_context context_;
    std::size_t sigma_;
    std::uint32_t runs_ = 0; // moduli given to share() so far
    std::vector<party_id> all_points_;
    std::vector<N> all_mu_;
};

} // namespace dkg
