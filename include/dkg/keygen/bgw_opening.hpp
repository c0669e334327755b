// The opening layer of key generation (docs/protocol.md §2): from additive shares of candidate
// primes p and q to the public N = p·q, revealing nothing else. The default model of
// `opening_policy` (dkg/keygen/policies.hpp, docs/policies.md §2) is BGW multiplication over Z_m
// (Ben-Or–Goldwasser–Wigderson 1988; Boneh–Franklin 2001, §3 "computing N").
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/detail/parallel.hpp>
#include <dkg/error.hpp>
#include <dkg/keygen/context.hpp>
#include <dkg/keygen/params.hpp>
#include <dkg/rng.hpp>
#include <dkg/session.hpp>
#include <dkg/shamir/modular.hpp>
#include <dkg/steps.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dkg {

/// The ring Z_m for opening N (docs/protocol.md §2): the smallest odd m ≥ 2^(k+2)+1 with no prime
/// factor ≤ n, so Shamir sharing works and N < m is opened exactly.
template <big_integer N>
N modulus_ring(std::size_t key_length, std::size_t parties)
{
    N m = N(N(N(1u) << static_cast<unsigned>(key_length + 2)) + N(1u));
    const N small = factorial<N>(parties);
    while (gcd(m, small) != N(1u)) m += N(2u);
    return m;
}

/// BGW opening of N = p·q (docs/protocol.md §2). Each party Shamir-shares its p_j, q_j (degree t) and
/// zero (degree 2t) over Z_m; the parties multiply [p]·[q] locally (degree 2t), add the zero sharing
/// so that the opened shares reveal N and nothing else, and open N from 2t+1 shares; with n > 2t+1
/// every further share must lie on the same polynomial. Two message rounds per batch
/// (`keygen_steps::modulus_shares`, `keygen_steps::modulus_open`).
///
/// Models `opening_policy`.
template <big_integer N>
class bgw_opening {
public:
    /// @throws std::invalid_argument if the ring cannot be built (not for validated parameters).
    bgw_opening(const keygen_context& context, const keygen_params& params)
        : context_(context), key_length_(params.key_length),
          ring_(modulus_ring<N>(params.key_length, context.parties), context.parties, context.threshold)
    {
    }

    /// Adds `opening = bgw_opening` (the ring follows from key_length and the party count).
    void describe(agreed_parameters& agreed) const { agreed.add("opening", "bgw_opening"); }

    /// The ring modulus m.
    const N& ring_modulus() const noexcept { return ring_.modulus(); }

    /// Opens N_i = p_i·q_i for every i, from this party's additive shares of p_i and q_i (all parties
    /// pass their shares of the same candidates in the same order). Does not modify the shares.
    /// @returns the public moduli, in the order of the shares.
    /// @throws protocol_error naming a party whose shares are malformed or out of range; with no
    ///         party (errc::inconsistent_result) if the opened shares do not lie on one polynomial,
    ///         (errc::protocol_violation) if an opened N has the wrong size or residue mod 4.
    template <class Session, secure_rng G>
    boost::asio::awaitable<std::vector<N>> open(Session& session, G& rng, std::span<const N> p_shares, std::span<const N> q_shares,
                                                std::uint32_t batch)
    {
        const std::size_t count = p_shares.size();
        if (q_shares.size() != count) throw std::invalid_argument("q_shares: as many as p_shares are needed");
        const std::size_t n = context_.parties, t = context_.threshold;
        const party_id self = context_.self;
        const N& m = ring_.modulus();
        const auto& workers = context_.arithmetic_executor;
        // Round 1: shares of p_j, q_j and zero for every party.
        std::vector<std::vector<N>> out(n, std::vector<N>(3 * count));
        auto rngs = detail::fork_rngs(rng, context_.threads);
        co_await detail::parallel_for(workers, count, context_.threads, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) {
                auto sp = ring_.share(p_shares[i], rngs[chunk]);
                auto sq = ring_.share(q_shares[i], rngs[chunk]);
                auto sz = ring_.share_zero(2 * t, rngs[chunk]);
                for (std::size_t k = 0; k < n; ++k) {
                    out[k][3 * i] = std::move(sp[k]);
                    out[k][3 * i + 1] = std::move(sq[k]);
                    out[k][3 * i + 2] = std::move(sz[k]);
                }
            }
        });
        std::vector<bytes> payloads(n);
        const std::size_t value_bits = bit_length(m);
        for (std::size_t k = 0; k < n; ++k) {
            if (k + 1 == self) continue;
            writer w(out[k].size() * (value_bits / 8 + 6) + 8);
            w.integers(out[k]);
            payloads[k] = w.finish();
        }
        count_round();
        auto received = co_await session.exchange(step_tag{keygen_steps::modulus_shares, batch, 0}, std::move(payloads));
        std::vector<std::vector<N>> incoming(n);
        for (std::size_t j = 0; j < n; ++j) {
            if (j + 1 == self)
                incoming[j] = std::move(out[j]);
            else
                incoming[j] = decode_values(received[j], j, 3 * count, "modulus shares");
        }
        // [N] = [p]·[q] + [0], degree 2t.
        std::vector<N> n_shares(count);
        co_await detail::parallel_for(workers, count, context_.threads, [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) {
                N p(0u), q(0u), z(0u);
                for (std::size_t j = 0; j < n; ++j) {
                    p += incoming[j][3 * i];
                    q += incoming[j][3 * i + 1];
                    z += incoming[j][3 * i + 2];
                }
                n_shares[i] = N(N(N(N(p % m) * N(q % m)) + z) % m);
                secure_clear(p);
                secure_clear(q);
            }
        });
        for (auto& v : incoming) secure_clear(v);
        for (auto& v : out) secure_clear(v);
        // Round 2: open.
        writer w(count * (value_bits / 8 + 6) + 8);
        w.integers(n_shares);
        count_round();
        bytes open_payload = w.finish();
        auto opened = co_await session.all_gather(step_tag{keygen_steps::modulus_open, batch, 0}, std::move(open_payload));
        std::vector<std::vector<N>> by_party(n);
        for (std::size_t j = 0; j < n; ++j)
            by_party[j] = j + 1 == self ? n_shares : decode_values(opened[j], j, count, "modulus opening");
        std::vector<party_id> base(2 * t + 1);
        for (std::size_t j = 0; j < base.size(); ++j) base[j] = static_cast<party_id>(j + 1);
        const auto lambda = shamir::lagrange_at_zero<N>(base, m);
        // With n > 2t+1, every further share must lie on the polynomial through the first 2t+1.
        std::vector<std::vector<N>> extra_lambda;
        for (std::size_t e = base.size(); e < n; ++e)
            extra_lambda.push_back(shamir::lagrange_coefficients<N>(base, static_cast<long long>(e + 1), m));
        std::vector<N> moduli(count);
        std::vector<char> consistent(count, 1);
        co_await detail::parallel_for(workers, count, context_.threads, [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) {
                N acc(0u);
                for (std::size_t j = 0; j < base.size(); ++j) acc += N(lambda[j] * by_party[j][i]);
                acc = N(acc % m);
                for (std::size_t e = 0; e < extra_lambda.size(); ++e) {
                    N at(0u);
                    for (std::size_t j = 0; j < base.size(); ++j) at += N(extra_lambda[e][j] * by_party[j][i]);
                    if (N(at % m) != by_party[base.size() + e][i]) consistent[i] = 0;
                }
                moduli[i] = std::move(acc);
            }
        });
        const N low = N(N(1u) << static_cast<unsigned>(key_length_ - 1));
        const N high = N(N(1u) << static_cast<unsigned>(key_length_));
        for (std::size_t i = 0; i < count; ++i) {
            if (!consistent[i])
                throw protocol_error(make_error_code(errc::inconsistent_result), no_party,
                                     "keygen: the opened shares of a modulus do not lie on one polynomial");
            if (moduli[i] < low || moduli[i] >= high || bigint_traits<N>::low_u64(moduli[i]) % 4 != 1)
                throw protocol_error(make_error_code(errc::protocol_violation), no_party,
                                     "keygen: an opened modulus has the wrong size or residue");
        }
        co_return moduli;
    }

private:
    void count_round()
    {
        if (context_.progress) ++context_.progress->communication_rounds;
    }

    std::vector<N> decode_values(const bytes& payload, std::size_t index, std::size_t count, const char* what) const
    {
        const N& bound = ring_.modulus();
        try {
            reader r(payload);
            auto values = r.integers_exactly<N>(count, bit_length(bound));
            r.expect_end();
            for (const auto& v : values)
                if (v < N(0u) || v >= bound) throw decode_error("value out of range");
            return values;
        } catch (const decode_error& e) {
            throw protocol_error(make_error_code(errc::malformed_message), static_cast<party_id>(index + 1),
                                 std::string("keygen: ") + what + ": " + e.what());
        }
    }

    keygen_context context_;
    std::size_t key_length_;
    shamir::modular_sharing<N> ring_;
};

} // namespace dkg
