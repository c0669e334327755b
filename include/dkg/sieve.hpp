// The candidate layer (docs/protocol.md §1): each party's additive shares p_j of candidate primes
// p = Σ p_j with p ≡ 3 (mod 4) and 2^(L-1) + 2^(L-2) ≤ p < 2^L, so that N = p·q has exactly 2L bits.
//
// Three classes model `candidate_policy` (dkg/keygen/policies.hpp, docs/policies.md §1):
//  - `trial_division` (the reference's method): plain random shares; small primes are only filtered
//    later, on the public N (docs/protocol.md §3).
//  - `distributed_sieve`: p is made coprime to M = ∏ r (odd primes n < r ≤ B1) before any N is
//    computed: every party picks a_j ∈ Z_M^*, the parties turn the multiplicative sharing ∏ a_j into
//    an additive one mod M (Shamir over Z_M, BGW multiplication with degree reduction, then Lagrange
//    weights), combine it by CRT with the mod-4 residue, and add random multiples of 4M (Malkin–Wu–
//    Boneh 1999, §3; Boneh–Franklin 2001, §4.1);
//  - `configured`: the one of the two that keygen_params::candidates names (the default layer).
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/detail/parallel.hpp>
#include <dkg/detail/small_field.hpp>
#include <dkg/error.hpp>
#include <dkg/keygen/context.hpp>
#include <dkg/keygen/params.hpp>
#include <dkg/session.hpp>
#include <dkg/shamir/modular.hpp>
#include <dkg/steps.hpp>

#include <boost/asio/awaitable.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <variant>
#include <string>
#include <vector>

namespace dkg {

namespace sieve {

/// Bits of randomness each party's share keeps above the sieve modulus (64, less for toy keys).
inline std::size_t randomness_margin(std::size_t prime_bits) { return std::min<std::size_t>(64, prime_bits / 4); }

/// The odd primes r ≤ bound (from 3 on) such that their product M stays below
/// 2^(L - margin - 4 - ⌈log2 n⌉), leaving every party's share at least `margin` random bits.
/// bound = 0 takes as many primes as fit.
inline std::vector<std::uint32_t> sieve_primes(std::size_t prime_bits, std::size_t parties, std::uint32_t bound)
{
    const double budget = static_cast<double>(prime_bits) - static_cast<double>(randomness_margin(prime_bits)) - 4.0 -
                          std::ceil(std::log2(static_cast<double>(parties)));
    std::vector<std::uint32_t> out;
    double bits = 0;
    const std::uint32_t limit = bound == 0 ? 1u << 16 : bound; // the budget ends far below 2^16
    for (std::uint32_t r : primes_between(3, limit)) {
        const double rb = std::log2(static_cast<double>(r));
        if (bits + rb > budget) break;
        bits += rb;
        out.push_back(r);
    }
    return out;
}

/// Where candidate shares live: p = offset + Σ_j x_j + 4M·Σ_j r_j, with x_j ∈ [0, 4M) the residue
/// shares, r_j uniform in [0, random_limit), and offset a multiple of 4M added by party 1.
template <big_integer N>
struct candidate_layout {
    std::size_t prime_bits = 0;
    N sieve_modulus;    ///< M (1 when nothing is sieved)
    N residue_modulus;  ///< 4M
    N offset;
    N random_limit;

    /// @throws std::invalid_argument if M leaves no room for randomness at this size.
    static candidate_layout make(std::size_t prime_bits, std::size_t parties, N sieve_modulus)
    {
        candidate_layout out;
        out.prime_bits = prime_bits;
        out.residue_modulus = N(sieve_modulus * N(4u));
        out.sieve_modulus = std::move(sieve_modulus);
        const N low = N(N(N(1u) << static_cast<unsigned>(prime_bits - 1)) + N(N(1u) << static_cast<unsigned>(prime_bits - 2)));
        out.offset = N(N(N(low + out.residue_modulus - N(1u)) / out.residue_modulus) * out.residue_modulus);
        const N span = N(N(N(1u) << static_cast<unsigned>(prime_bits)) - out.offset);
        out.random_limit = N(span / N(out.residue_modulus * N(static_cast<unsigned long long>(parties))));
        if (bit_length(out.random_limit) <= randomness_margin(prime_bits))
            throw std::invalid_argument("sieve_bound: the sieve modulus leaves too little randomness for this key length");
        return out;
    }

    /// Party j's share from its residue share x_j ∈ [0, 4M).
    template <secure_rng G>
    N finish_share(party_id self, const N& residue_share, G& rng) const
    {
        N share = N(residue_share + N(residue_modulus * random_below(random_limit, rng)));
        if (self == 1) share += offset;
        return share;
    }
};

/// The residue every party's x_j must have mod 4: 3 for party 1, 0 for the others, so p ≡ 3 (mod 4).
inline unsigned mod4_residue(party_id self) { return self == 1 ? 3u : 0u; }

/// The reference's candidate method: shares are random and unsieved (no messages).
///
/// Models `candidate_policy`.
template <big_integer N>
class trial_division {
public:
    trial_division(const keygen_context& context, const keygen_params&)
        : context_(context), layout_(candidate_layout<N>::make(context.prime_bits, context.parties, N(1u)))
    {
    }

    /// Adds `candidates = trial_division`.
    void describe(agreed_parameters& agreed) const { agreed.add("candidates", "trial_division"); }

    const candidate_layout<N>& layout() const noexcept { return layout_; }

    /// Expected candidate pairs per key (1/P(prime)² with P = 2/ln 2^L for odd candidates).
    double expected_pairs() const
    {
        const double p = 2.0 / (static_cast<double>(context_.prime_bits) * std::log(2.0));
        return 1.0 / (p * p);
    }

    /// This party's shares of `count` candidates.
    template <class Session, secure_rng G>
    boost::asio::awaitable<std::vector<N>> generate(Session&, G& rng, std::size_t count, std::uint32_t)
    {
        std::vector<N> out;
        out.reserve(count);
        const N residue(static_cast<unsigned long long>(mod4_residue(context_.self)));
        for (std::size_t i = 0; i < count; ++i) out.push_back(layout_.finish_share(context_.self, residue, rng));
        co_return out;
    }

private:
    keygen_context context_;
    candidate_layout<N> layout_;
};

/// Distributed sieving by a multiplicative-to-additive conversion.
///
/// The sieving primes larger than n are handled together over Z_M (M their product); each prime
/// r ≤ n over the field GF(r^k) with r^k > n, whose n distinct nonzero points Z_r lacks (the
/// random unit is drawn from Z_r ⊂ GF(r^k), and the additive shares are mapped back to Z_r by the
/// constant coefficient, a Z_r-linear map that fixes Z_r). Both run in the same messages.
///
/// Models `candidate_policy`. Rounds per batch: ⌈log2 n⌉ (2 for n = 3 or 4, 3 for n = 5..8).
template <big_integer N>
class distributed_sieve {
public:
    distributed_sieve(const keygen_context& context, const keygen_params& params)
        : context_(context), primes_(sieve_primes(context.prime_bits, context.parties, params.sieve_bound)),
          layout_(candidate_layout<N>::make(context.prime_bits, context.parties, product(primes_))),
          large_modulus_(product_above(primes_, context.parties)),
          sharing_(large_modulus_ == N(1u) ? N(N(1u) << 61) - N(1u) : large_modulus_, context.parties, context.threshold)
    {
        const std::size_t n = context.parties;
        all_points_.resize(n);
        std::iota(all_points_.begin(), all_points_.end(), party_id{1});
        all_lagrange_ = shamir::lagrange_at_zero<N>(all_points_, sharing_.modulus());
        // The large sieving primes grouped into products that fit in a machine word.
        std::uint64_t word = 1;
        std::vector<std::uint32_t> group;
        for (std::uint32_t r : primes_) {
            if (r <= n) continue;
            if (word > ~std::uint64_t{0} / r) {
                prime_groups_.emplace_back(word, std::move(group));
                word = 1;
                group.clear();
            }
            word *= r;
            group.push_back(r);
        }
        if (!group.empty()) prime_groups_.emplace_back(word, std::move(group));
        // The small sieving primes, each with its field, points 1..n and Lagrange weights.
        for (std::uint32_t r : primes_) {
            if (r > n) continue;
            small_prime sp{r, detail::small_field(r, static_cast<std::uint32_t>(n)), {}, {}};
            for (std::uint32_t j = 1; j <= n; ++j) sp.points.push_back(j);
            sp.lagrange = sp.field.lagrange_at_zero(sp.points);
            small_.push_back(std::move(sp));
        }
        // CRT basis for the moduli M, each small r, and 4: x = α·e_M + Σ ρ_s·e_s + c·e_4 mod 4·∏r.
        const N& total = layout_.residue_modulus;
        auto basis = [&](const N& m) {
            const N cofactor = N(total / m);
            return N(cofactor * invert_mod(N(cofactor % m), m));
        };
        crt_large_ = large_modulus_ == N(1u) ? N(0u) : basis(large_modulus_);
        for (const auto& sp : small_) crt_small_.push_back(basis(N(static_cast<unsigned long long>(sp.r))));
        crt_four_ = basis(N(4u));
    }

    /// Adds `candidates = distributed_sieve` and `candidates.sieve_bound`, the largest sieving prime.
    void describe(agreed_parameters& agreed) const
    {
        agreed.add("candidates", "distributed_sieve");
        agreed.add("candidates.sieve_bound", bound());
    }

    const candidate_layout<N>& layout() const noexcept { return layout_; }
    const std::vector<std::uint32_t>& primes() const noexcept { return primes_; }

    /// Largest sieving prime (0 if none fits).
    std::uint32_t bound() const noexcept { return primes_.empty() ? 0 : primes_.back(); }

    /// Expected candidate pairs per key: 1/P² with P ≈ (2/ln 2^L)·∏_{3≤r≤B1} r/(r-1).
    double expected_pairs() const
    {
        double p = 2.0 / (static_cast<double>(context_.prime_bits) * std::log(2.0));
        for (std::uint32_t r : primes_) p *= static_cast<double>(r) / static_cast<double>(r - 1);
        return 1.0 / (p * p);
    }

    /// This party's shares of `count` sieved candidates (docs/protocol.md §1).
    template <class Session, secure_rng G>
    boost::asio::awaitable<std::vector<N>> generate(Session& session, G& rng, std::size_t count, std::uint32_t batch)
    {
        const N& m = sharing_.modulus();
        const std::size_t n = context_.parties, small = small_.size();
        const bool large = large_modulus_ != N(1u);
        std::vector<N> residues(count, N(0u));
        std::vector<std::uint32_t> small_residues(count * small, 0);
        if (large || small > 0) {
            const auto& workers = context_.arithmetic_executor;
            const std::size_t threads = context_.threads;
            auto rngs = detail::fork_rngs(rng, threads);
            // Each party shares its random units (degree t): a_j mod M, and b_j ∈ Z_r^* per small prime.
            layer outgoing(n, count, small, large);
            co_await detail::parallel_for(workers, count, threads, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
                for (std::size_t i = begin; i < end; ++i) {
                    if (large) {
                        auto shares = sharing_.share(random_unit_mod_m(rngs[chunk]), rngs[chunk]);
                        for (std::size_t k = 0; k < n; ++k) outgoing.big[k][i] = std::move(shares[k]);
                    }
                    for (std::size_t s = 0; s < small; ++s) {
                        const auto& sp = small_[s];
                        const auto unit = static_cast<std::uint32_t>(1 + random_below_u32(sp.r - 1, rngs[chunk]));
                        share_small(sp, unit, rngs[chunk], outgoing, i * small + s);
                    }
                }
            });
            // factors[f]: my shares of factor f (party f+1's units) of every candidate.
            std::vector<layer> factors = co_await exchange_layer(session, keygen_steps::sieve_share, batch, 0, std::move(outgoing), count);

            // Multiply pairwise, reducing the degree back to t between levels (BGW).
            std::uint32_t level = 1;
            while (factors.size() > 2) {
                const std::size_t pairs = factors.size() / 2, total = pairs * count;
                // Re-share every product share with degree t; party k's new share is Σ_j λ_j·(share from j).
                layer reshare(n, total, small, large);
                co_await detail::parallel_for(workers, total, threads, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
                    for (std::size_t idx = begin; idx < end; ++idx) {
                        const std::size_t f = 2 * (idx / count), i = idx % count;
                        if (large) {
                            auto shares = sharing_.share(N(N(factors[f].own_big[i] * factors[f + 1].own_big[i]) % m), rngs[chunk]);
                            for (std::size_t k = 0; k < n; ++k) reshare.big[k][idx] = std::move(shares[k]);
                        }
                        for (std::size_t s = 0; s < small; ++s) {
                            const auto& sp = small_[s];
                            const auto product = sp.field.mul(factors[f].own_small[i * small + s], factors[f + 1].own_small[i * small + s]);
                            share_small(sp, product, rngs[chunk], reshare, idx * small + s);
                        }
                    }
                });
                auto received = co_await exchange_layer(session, keygen_steps::sieve_reduce, batch, level++, std::move(reshare), total);
                std::vector<layer> next;
                for (std::size_t f = 0; f < pairs; ++f) next.emplace_back(0, count, small, large);
                co_await detail::parallel_for(workers, total, threads, [&](std::size_t begin, std::size_t end) {
                    for (std::size_t idx = begin; idx < end; ++idx) {
                        auto& target = next[idx / count];
                        const std::size_t i = idx % count;
                        if (large) {
                            N acc(0u);
                            for (std::size_t j = 0; j < n; ++j) acc += N(all_lagrange_[j] * received[j].own_big[idx]);
                            target.own_big[i] = N(acc % m);
                        }
                        for (std::size_t s = 0; s < small; ++s) {
                            const auto& sp = small_[s];
                            std::uint32_t acc = 0;
                            for (std::size_t j = 0; j < n; ++j) acc = sp.field.add(acc, sp.field.mul(sp.lagrange[j], received[j].own_small[idx * small + s]));
                            target.own_small[i * small + s] = acc;
                        }
                    }
                });
                if (factors.size() % 2 == 1) next.push_back(std::move(factors.back()));
                factors = std::move(next);
            }
            // The last product has degree 2t ≤ n-1: weighting it with this party's Lagrange coefficient
            // over all n points gives an additive sharing of ∏ a_j (and of ∏ b_j).
            const std::size_t me = context_.self - 1;
            co_await detail::parallel_for(workers, count, threads, [&](std::size_t begin, std::size_t end) {
                for (std::size_t i = begin; i < end; ++i) {
                    if (large) {
                        const N product = factors.size() == 2 ? N(N(factors[0].own_big[i] * factors[1].own_big[i]) % m) : factors[0].own_big[i];
                        residues[i] = N(N(product * all_lagrange_[me]) % m);
                    }
                    for (std::size_t s = 0; s < small; ++s) {
                        const auto& sp = small_[s];
                        const std::size_t at = i * small + s;
                        const auto product = factors.size() == 2 ? sp.field.mul(factors[0].own_small[at], factors[1].own_small[at]) : factors[0].own_small[at];
                        small_residues[at] = sp.field.constant_term(sp.field.mul(product, sp.lagrange[me]));
                    }
                }
            });
        }
        // CRT with the mod-4 residue, then random multiples of 4M and the offset.
        std::vector<N> out;
        out.reserve(count);
        const N c(static_cast<unsigned long long>(mod4_residue(context_.self)));
        for (std::size_t i = 0; i < count; ++i) {
            N x = N(c * crt_four_);
            if (large) x += N(residues[i] * crt_large_);
            for (std::size_t s = 0; s < small; ++s) x += N(crt_small_[s] * N(static_cast<unsigned long long>(small_residues[i * small + s])));
            x = N(x % layout_.residue_modulus);
            out.push_back(layout_.finish_share(context_.self, x, rng));
            secure_clear(x);
            secure_clear(residues[i]);
        }
        std::fill(small_residues.begin(), small_residues.end(), 0u);
        co_return out;
    }

private:
    struct small_prime {
        std::uint32_t r;
        detail::small_field field;
        std::vector<std::uint32_t> points;
        std::vector<std::uint32_t> lagrange;
    };

    // Shares (to send, per party) or my shares (received, per factor) of a set of values: `big[k]`
    // (values mod M) and `small[k]` (field elements, `small` per value) for party k+1, or `own_*` for
    // a layer that holds only this party's shares.
    struct layer {
        layer(std::size_t parties, std::size_t count, std::size_t small, bool large)
        {
            if (parties == 0) {
                if (large) own_big.assign(count, N(0u));
                own_small.assign(count * small, 0);
                return;
            }
            if (large) big.assign(parties, std::vector<N>(count, N(0u)));
            this->small.assign(parties, std::vector<std::uint32_t>(count * small, 0));
        }
        std::vector<std::vector<N>> big;
        std::vector<std::vector<std::uint32_t>> small;
        std::vector<N> own_big;
        std::vector<std::uint32_t> own_small;
    };

    template <secure_rng G>
    void share_small(const small_prime& sp, std::uint32_t secret, G& rng, layer& out, std::size_t at) const
    {
        std::vector<std::uint32_t> coefficients{secret};
        for (std::size_t k = 0; k < context_.threshold; ++k) coefficients.push_back(random_below_u32(sp.field.size(), rng));
        for (std::size_t k = 0; k < context_.parties; ++k) out.small[k][at] = sp.field.evaluate(coefficients, sp.points[k]);
    }

    template <secure_rng G>
    static std::uint32_t random_below_u32(std::uint32_t bound, G& rng)
    {
        const std::uint32_t limit = 0xffffffffu - (0xffffffffu % bound);
        for (;;) {
            std::array<std::uint8_t, 4> b{};
            fill_random(rng, b);
            const std::uint32_t x = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
            if (x < limit) return x % bound;
        }
    }

    // A uniform unit mod M: draw below M until no large sieving prime divides the draw (about 3.5
    // draws; each test is a few word-size remainders).
    template <secure_rng G>
    N random_unit_mod_m(G& rng) const
    {
        for (;;) {
            N a = random_below(large_modulus_, rng);
            bool unit = true;
            for (const auto& g : prime_groups_) {
                const std::uint64_t r = bigint_traits<N>::mod_u64(a, g.first);
                for (std::uint32_t p : g.second)
                    if (r % p == 0) {
                        unit = false;
                        break;
                    }
                if (!unit) break;
            }
            if (unit) return a;
        }
    }

    static N product(const std::vector<std::uint32_t>& primes)
    {
        N m(1u);
        for (auto r : primes) m *= N(static_cast<unsigned long long>(r));
        return m;
    }

    static N product_above(const std::vector<std::uint32_t>& primes, std::size_t parties)
    {
        N m(1u);
        for (auto r : primes)
            if (r > parties) m *= N(static_cast<unsigned long long>(r));
        return m;
    }

    // Sends party k+1 its part of `outgoing` and returns, for every party j, my shares from j (own
    // part kept locally), each as a layer of own_* values.
    template <class Session>
    boost::asio::awaitable<std::vector<layer>> exchange_layer(Session& session, std::uint32_t step, std::uint32_t round,
                                                              std::uint32_t topic, layer outgoing, std::size_t expected)
    {
        const std::size_t n = context_.parties, small = small_.size();
        const bool large = large_modulus_ != N(1u);
        std::vector<bytes> payloads(n);
        for (std::size_t k = 0; k < n; ++k) {
            if (k + 1 == context_.self) continue;
            writer w((large ? expected * (bit_length(sharing_.modulus()) / 8 + 6) : 0) + 2 * expected * small + 16);
            if (large) w.integers(outgoing.big[k]);
            for (auto v : outgoing.small[k]) {
                w.u8(static_cast<std::uint8_t>(v >> 8));
                w.u8(static_cast<std::uint8_t>(v));
            }
            payloads[k] = w.finish();
        }
        if (context_.progress) ++context_.progress->communication_rounds;
        const step_tag tag{step, round, topic};
        auto received = co_await session.exchange(tag, std::move(payloads));
        std::vector<layer> out;
        for (std::size_t j = 0; j < n; ++j) {
            out.emplace_back(0, 0, 0, false);
            auto& l = out.back();
            if (j + 1 == context_.self) {
                if (large) l.own_big = std::move(outgoing.big[j]);
                l.own_small = std::move(outgoing.small[j]);
                continue;
            }
            try {
                reader r(received[j]);
                if (large) {
                    l.own_big = r.integers_exactly<N>(expected, bit_length(sharing_.modulus()));
                    for (const auto& v : l.own_big)
                        if (v < N(0u) || v >= sharing_.modulus()) throw decode_error("sieve share out of range");
                }
                l.own_small.resize(expected * small);
                for (std::size_t idx = 0; idx < l.own_small.size(); ++idx) {
                    const auto raw = r.raw(2);
                    const std::uint32_t v = (std::uint32_t{raw[0]} << 8) | raw[1];
                    if (v >= small_[idx % small].field.size()) throw decode_error("sieve share out of range");
                    l.own_small[idx] = v;
                }
                r.expect_end();
            } catch (const decode_error& e) {
                throw protocol_error(make_error_code(errc::malformed_message), static_cast<party_id>(j + 1),
                                     std::string("keygen: sieve shares: ") + e.what());
            }
        }
        co_return out;
    }

    keygen_context context_;
    std::vector<std::uint32_t> primes_;
    candidate_layout<N> layout_;
    N large_modulus_;
    shamir::modular_sharing<N> sharing_;
    std::vector<party_id> all_points_;
    std::vector<N> all_lagrange_;
    std::vector<std::pair<std::uint64_t, std::vector<std::uint32_t>>> prime_groups_;
    std::vector<small_prime> small_;
    N crt_large_;
    std::vector<N> crt_small_;
    N crt_four_;
};

/// The candidate method named by `keygen_params::candidates` (the default candidate policy).
///
/// Models `candidate_policy`.
template <big_integer N>
class configured {
public:
    configured(const keygen_context& context, const keygen_params& params)
        : policy_(params.candidates == candidate_method::trial_division
                      ? variant(std::in_place_type<trial_division<N>>, context, params)
                      : variant(std::in_place_type<distributed_sieve<N>>, context, params))
    {
    }

    /// The configured method.
    candidate_method method() const noexcept
    {
        return std::holds_alternative<trial_division<N>>(policy_) ? candidate_method::trial_division
                                                                  : candidate_method::distributed_sieve;
    }

    /// As the configured policy describes itself (so a party running that policy directly agrees).
    void describe(agreed_parameters& agreed) const
    {
        std::visit([&agreed](const auto& p) { p.describe(agreed); }, policy_);
    }

    const candidate_layout<N>& layout() const
    {
        return std::visit([](const auto& p) -> const candidate_layout<N>& { return p.layout(); }, policy_);
    }

    double expected_pairs() const
    {
        return std::visit([](const auto& p) { return p.expected_pairs(); }, policy_);
    }

    template <class Session, secure_rng G>
    boost::asio::awaitable<std::vector<N>> generate(Session& session, G& rng, std::size_t count, std::uint32_t batch)
    {
        return std::visit([&](auto& p) { return p.generate(session, rng, count, batch); }, policy_);
    }

private:
    using variant = std::variant<trial_division<N>, distributed_sieve<N>>;
    variant policy_;
};

} // namespace sieve
} // namespace dkg
