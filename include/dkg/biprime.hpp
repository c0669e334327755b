// The biprimality layer: public trial division of a candidate N (docs/protocol.md §3, run by the
// key generation itself) and the distributed Boneh–Franklin test that N = p·q with p, q prime (§4;
// Boneh–Franklin 2001, §5), `boneh_franklin`, the default model of `biprimality_policy`
// (dkg/keygen/policies.hpp, docs/policies.md §3).
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/detail/chacha20.hpp>
#include <dkg/detail/parallel.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/error.hpp>
#include <dkg/keygen/context.hpp>
#include <dkg/keygen/params.hpp>
#include <dkg/session.hpp>
#include <dkg/steps.hpp>

#include <boost/asio/awaitable.hpp>

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dkg {

namespace detail {

/// x mod m_i for every m_i, by a product tree of the m_i and a remainder tree down from x mod ∏ m_i
/// (Bernstein's batch trial division): far cheaper than reducing a huge x by each m_i on its own.
template <big_integer N>
std::vector<N> remainders(const N& x, std::span<const N> moduli)
{
    if (moduli.empty()) return {};
    std::vector<std::vector<N>> tree;
    tree.emplace_back(moduli.begin(), moduli.end());
    while (tree.back().size() > 1) {
        const auto& level = tree.back();
        std::vector<N> next;
        next.reserve((level.size() + 1) / 2);
        for (std::size_t i = 0; i + 1 < level.size(); i += 2) next.push_back(N(level[i] * level[i + 1]));
        if (level.size() % 2) next.push_back(level.back());
        tree.push_back(std::move(next));
    }
    std::vector<N> rem{N(x % tree.back().front())};
    for (std::size_t l = tree.size() - 1; l-- > 0;) {
        const auto& level = tree[l];
        std::vector<N> next;
        next.reserve(level.size());
        for (std::size_t i = 0; i < level.size(); ++i) next.push_back(N(rem[i / 2] % level[i]));
        rem = std::move(next);
    }
    return rem;
}

} // namespace detail

namespace biprime {

/// Product of the primes in [low, high], built as a balanced product tree.
template <big_integer N>
N prime_product(std::uint32_t low, std::uint32_t high)
{
    std::vector<N> level;
    for (std::uint32_t p : primes_between(low, high)) level.emplace_back(static_cast<unsigned long long>(p));
    if (level.empty()) return N(1u);
    while (level.size() > 1) {
        std::vector<N> next;
        next.reserve((level.size() + 1) / 2);
        for (std::size_t i = 0; i + 1 < level.size(); i += 2) next.push_back(N(level[i] * level[i + 1]));
        if (level.size() % 2) next.push_back(std::move(level.back()));
        level = std::move(next);
    }
    return level.front();
}


/// Rejects candidates N with a prime factor ≤ bound (docs/protocol.md §3). The primes below
/// `word_limit` are checked by reducing N modulo products of primes that fit in a machine word; for
/// the survivors of a batch, a remainder tree then reduces the product of the larger primes up to the
/// bound modulo each N, and one gcd per N finishes the test.
template <big_integer N>
class small_factor_filter {
public:
    static constexpr std::uint32_t word_limit = 4096;

    explicit small_factor_filter(std::uint32_t bound) : bound_(bound), large_(large_product(bound))
    {
        std::uint64_t product = 1;
        std::vector<std::uint32_t> group;
        for (std::uint32_t p : primes_between(3, std::min(bound, word_limit))) {
            if (product > ~std::uint64_t{0} / p) {
                groups_.push_back({product, std::move(group)});
                product = 1;
                group.clear();
            }
            product *= p;
            group.push_back(p);
        }
        if (!group.empty()) groups_.push_back({product, std::move(group)});
    }

    std::uint32_t bound() const noexcept { return bound_; }

    /// True if N (odd, larger than the bound) has no prime factor ≤ bound.
    bool passes(const N& modulus) const
    {
        if (!passes_small(modulus)) return false;
        return *large_ == N(1u) || gcd(N(*large_ % modulus), modulus) == N(1u);
    }

    /// passes() for every modulus of a batch; element i is 1 if moduli[i] passes.
    std::vector<char> passes(std::span<const N> moduli) const
    {
        std::vector<char> out(moduli.size(), 0);
        std::vector<N> survivors;
        std::vector<std::size_t> index;
        for (std::size_t i = 0; i < moduli.size(); ++i)
            if (passes_small(moduli[i])) {
                survivors.push_back(moduli[i]);
                index.push_back(i);
            }
        if (*large_ == N(1u)) {
            for (auto i : index) out[i] = 1;
            return out;
        }
        const auto rem = dkg::detail::remainders<N>(*large_, survivors);
        for (std::size_t k = 0; k < survivors.size(); ++k) out[index[k]] = gcd(rem[k], survivors[k]) == N(1u) ? 1 : 0;
        return out;
    }

private:
    // The product of the primes in (word_limit, bound], computed once per process and bound.
    static std::shared_ptr<const N> large_product(std::uint32_t bound)
    {
        static std::mutex mutex;
        static std::map<std::uint32_t, std::shared_ptr<const N>> cache;
        std::lock_guard<std::mutex> lock(mutex);
        auto& slot = cache[bound];
        if (!slot) slot = std::make_shared<const N>(bound > word_limit ? prime_product<N>(word_limit + 1, bound) : N(1u));
        return slot;
    }

    struct word_group {
        std::uint64_t product;
        std::vector<std::uint32_t> primes;
    };

    bool passes_small(const N& modulus) const
    {
        for (const auto& g : groups_) {
            const std::uint64_t r = bigint_traits<N>::mod_u64(modulus, g.product);
            for (std::uint32_t p : g.primes)
                if (r % p == 0) return false;
        }
        return true;
    }

    std::uint32_t bound_;
    std::vector<word_group> groups_;
    std::shared_ptr<const N> large_;
};

/// The k-th test base for candidate N: uniform in Z_N with Jacobi symbol (g/N) = 1, derived from the
/// joint seed so every party computes the same g without a message. Returns nothing if a draw
/// shares a factor with N (then N is not a product of two large primes).
template <big_integer N>
std::optional<N> test_base(const joint_seed& seed, const N& modulus, std::size_t k)
{
    detail::sha256 h;
    h.update("dkg/biprime/base").update(seed).update_framed(to_bytes(modulus)).update_u64(k);
    detail::chacha20_stream stream(h.finish());
    const std::size_t bits = bit_length(modulus);
    std::vector<std::uint8_t> buffer((bits + 7) / 8);
    for (;;) {
        stream.fill(buffer);
        if (bits % 8) buffer.front() &= static_cast<std::uint8_t>((1u << (bits % 8)) - 1);
        N g = from_bytes<N>(buffer);
        if (g >= modulus || g == N(0u)) continue;
        const int symbol = jacobi(g, modulus);
        if (symbol == 1) return g;
        if (symbol == 0) return std::nullopt;
    }
}

/// This party's exponent in the test: (p_j + q_j − c_j)/4 with c_1 = 2 and c_j = 0 otherwise (the
/// candidate layer makes party 1's shares ≡ 3 and the others' ≡ 0 mod 4). Together with the public
/// exponent (N − 1)/4 they give φ(N)/4 = (N − 1)/4 − Σ_j (p_j + q_j − c_j)/4 (docs/protocol.md §4).
/// @throws protocol_error if the shares do not have those residues mod 4.
template <big_integer N>
N exponent_share(party_id self, const N& p_share, const N& q_share)
{
    const N four(4u);
    const N e = N(N(p_share + q_share) - N(self == 1 ? 2u : 0u));
    if (N(e % four) != N(0u))
        throw protocol_error(make_error_code(errc::protocol_violation), self, "keygen: prime shares with wrong residues mod 4");
    return N(e / four);
}

/// The public exponent (N − 1)/4.
template <big_integer N>
N public_exponent(const N& modulus)
{
    return N(N(modulus - N(1u)) / N(4u));
}

/// The Boneh–Franklin check for the party d that took the public exponent: v_d ≡ ±∏_{j≠d} v_j (mod N)
/// with v_d = g^((N−1)/4 − e_d) and v_j = g^(e_j), that is g^(φ(N)/4) ≡ ±1. `values[j-1]` is party j's.
template <big_integer N>
bool values_agree(const N& modulus, party_id designated, std::span<const N> values)
{
    N product(1u);
    for (std::size_t j = 0; j < values.size(); ++j)
        if (j + 1 != designated) product = N(N(product * values[j]) % modulus);
    const N& v = values[designated - 1];
    return v == product || N(v + product) == modulus;
}

/// Lazy, batched distributed Boneh–Franklin test: one base for every candidate of a batch first, the
/// remaining κ−1 only for the candidates that pass it (almost no non-biprime survives one base).
/// Two message rounds per batch at most.
///
/// Models `biprimality_policy`.
template <big_integer N>
class boneh_franklin {
public:
    boneh_franklin(const keygen_context& context, const keygen_params& params)
        : context_(context), rounds_(params.correct_param_biprime)
    {
    }

    /// Adds `biprimality = boneh_franklin` and `biprimality.rounds` (κ).
    void describe(agreed_parameters& agreed) const
    {
        agreed.add("biprimality", "boneh_franklin");
        agreed.add("biprimality.rounds", rounds_);
    }

    /// Tests `candidates` (all parties pass the same moduli in the same order). Returns the index of
    /// the first candidate that passes all κ rounds, or nothing. The bases come from `seed`; `rng` is
    /// not needed (the test has no private randomness).
    /// @throws protocol_error naming a party whose values are malformed.
    template <class Session, class G>
    boost::asio::awaitable<std::optional<std::size_t>> test(Session& session, G& /*rng*/, const joint_seed& seed,
                                                            std::span<const candidate<N>> candidates, std::uint32_t batch)
    {
        if (candidates.empty()) co_return std::nullopt;
        std::vector<std::size_t> alive(candidates.size());
        for (std::size_t i = 0; i < alive.size(); ++i) alive[i] = i;
        // Round 1: base 0 for every candidate; round 2: bases 1..κ-1 for the survivors.
        alive = co_await run_round(session, seed, candidates, alive, 0, 1, keygen_steps::biprime_first, batch);
        if (!alive.empty() && rounds_ > 1)
            alive = co_await run_round(session, seed, candidates, alive, 1, rounds_ - 1, keygen_steps::biprime_rest, batch);
        if (alive.empty()) co_return std::nullopt;
        co_return alive.front();
    }

private:
    // Runs bases [first, first + count) on the candidates `alive`; returns those that pass them all.
    template <class Session>
    boost::asio::awaitable<std::vector<std::size_t>> run_round(Session& session, const joint_seed& seed,
                                                               std::span<const candidate<N>> candidates,
                                                               const std::vector<std::size_t>& alive, std::size_t first,
                                                               std::size_t count, std::uint32_t step, std::uint32_t batch)
    {
        const std::size_t jobs = alive.size() * count, n = context_.parties;
        // The party that takes the public exponent (N−1)/4 as well (one exponentiation twice as long
        // as the others') rotates with the candidate and the base, so every party does the same work.
        auto designated = [&](std::size_t a, std::size_t k) { return static_cast<party_id>((alive[a] + first + k) % n + 1); };
        std::vector<std::optional<N>> bases(jobs);
        std::vector<N> mine(jobs, N(0u));
        co_await detail::parallel_for(context_.arithmetic_executor, alive.size(), context_.threads, [&](std::size_t begin, std::size_t end) {
            for (std::size_t a = begin; a < end; ++a) {
                const auto& c = candidates[alive[a]];
                const N e = exponent_share(context_.self, c.p_share, c.q_share);
                const N e_public = N(public_exponent(c.modulus) - e);
                for (std::size_t k = 0; k < count; ++k) {
                    auto g = test_base(seed, c.modulus, first + k);
                    // The exponents are made of this party's prime shares: constant-time where the backend has it.
                    if (g) mine[a * count + k] = powm_secret(*g, designated(a, k) == context_.self ? e_public : e, c.modulus);
                    bases[a * count + k] = std::move(g);
                }
            }
        });
        if (context_.progress) {
            if (first == 0) context_.progress->biprimality_tests += alive.size();
            context_.progress->biprimality_rounds += jobs;
            ++context_.progress->communication_rounds;
        }
        writer w(jobs * (bit_length(candidates.front().modulus) / 8 + 6) + 8);
        w.integers(mine);
        const step_tag tag{step, batch, static_cast<std::uint32_t>(first)};
        bytes payload = w.finish();
        auto received = co_await session.all_gather(tag, std::move(payload));
        std::vector<std::vector<N>> values(n);
        const std::size_t max_bits = bit_length(candidates.front().modulus) + 1;
        for (std::size_t j = 0; j < n; ++j) {
            try {
                reader r(received[j]);
                values[j] = r.integers_exactly<N>(jobs, max_bits);
                r.expect_end();
            } catch (const decode_error& e) {
                throw protocol_error(make_error_code(errc::malformed_message), static_cast<party_id>(j + 1),
                                     std::string("keygen: biprimality values: ") + e.what());
            }
        }
        std::vector<std::size_t> passing;
        std::vector<N> column(n);
        for (std::size_t a = 0; a < alive.size(); ++a) {
            const N& modulus = candidates[alive[a]].modulus;
            bool pass = true;
            for (std::size_t k = 0; k < count && pass; ++k) {
                const std::size_t idx = a * count + k;
                if (!bases[idx]) {
                    pass = false;
                    break;
                }
                for (std::size_t j = 0; j < n; ++j) {
                    if (values[j][idx] <= N(0u) || values[j][idx] >= modulus)
                        throw protocol_error(make_error_code(errc::protocol_violation), static_cast<party_id>(j + 1),
                                             "keygen: biprimality value out of range");
                    column[j] = values[j][idx];
                }
                pass = values_agree<N>(modulus, designated(a, k), column);
            }
            if (pass) passing.push_back(alive[a]);
        }
        co_return passing;
    }

    keygen_context context_;
    std::size_t rounds_;
};

} // namespace biprime
} // namespace dkg
