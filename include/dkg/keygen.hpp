// Distributed key generation (docs/protocol.md §0–§5): n parties jointly generate a Paillier modulus
// N = p·q that nobody can factor, and each ends with a degree-t share of the secret key.
//
// The protocol is composed from policy layers:
//   candidates   (dkg/sieve.hpp)        additive shares of candidate primes, §1
//   sharing      (dkg/shamir.hpp)       BGW multiplication to open N = p·q, §2 (here)
//   biprimality  (dkg/biprime.hpp)      public trial division §3 and Boneh–Franklin §4
//   key sharing  (dkg/key_sharing.hpp)  degree-t integer shares of the secret key, §5
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/biprime.hpp>
#include <dkg/codec.hpp>
#include <dkg/detail/blocking.hpp>
#include <dkg/detail/parallel.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/diagnostics.hpp>
#include <dkg/error.hpp>
#include <dkg/key_share.hpp>
#include <dkg/key_sharing.hpp>
#include <dkg/keygen/params.hpp>
#include <dkg/rng.hpp>
#include <dkg/shamir/modular.hpp>
#include <dkg/sieve.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#if defined(DKG_ENABLE_TEST_HOOKS)
#include <functional>
namespace dkg::testing {
/// Test builds only (DKG_ENABLE_TEST_HOOKS): called with each party's additive shares of the accepted
/// p and q before they are wiped, so a test can reconstruct p and q and check them independently.
template <class N>
inline std::function<void(party_id, const N& modulus, const N& p_share, const N& q_share)> keygen_factor_observer;
} // namespace dkg::testing
#endif

namespace dkg {

/// The layers of key generation, bundled (swap one member to replace one layer).
///
/// @tparam Candidates models `candidate_policy`: `sieve::configured<N>` (default: the method named
///         by keygen_params::candidates), `sieve::distributed_sieve<N>` or `sieve::trial_division<N>`.
/// @tparam Biprimality models `biprimality_policy`: `biprime::boneh_franklin<N>`.
/// @tparam KeySharing models `key_sharing_policy`: `integer_key_sharing<N>`.
template <big_integer N, class Candidates = sieve::configured<N>, class Biprimality = biprime::boneh_franklin<N>,
          class KeySharing = integer_key_sharing<N>>
struct keygen_policies {
    using number = N;
    using candidates = Candidates;
    using biprimality = Biprimality;
    using key_sharing = KeySharing;
};

namespace detail {

/// SHA-256 of the parameters every party must agree on (not the progress handler or threads).
inline std::array<std::uint8_t, 32> parameter_fingerprint(const keygen_params& p, std::size_t parties, candidate_method method)
{
    sha256 h;
    h.update("dkg/keygen/params/v1")
        .update_u64(parties)
        .update_u64(p.corruption_threshold)
        .update_u64(p.key_length)
        .update_u64(p.effective_prime_threshold())
        .update_u64(p.correct_param_biprime)
        .update_u64(p.stat_sec_shamir)
        .update_u64(p.batch_size)
        .update_u64(static_cast<std::uint64_t>(method))
        .update_u64(p.sieve_bound)
        .update_u64(p.max_batches)
        .update_u64(p.allow_insecure_threshold_zero ? 1 : 0);
    return h.finish();
}

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

/// Chooses a batch size: about an eighth of the expected candidate pairs, within [16, 4096].
inline std::size_t automatic_batch_size(double expected_pairs)
{
    return static_cast<std::size_t>(std::clamp(expected_pairs / 8.0, 16.0, 4096.0));
}

/// One party's run of docs/protocol.md §0–§5.
template <class Policies, class Session, class G>
class keygen_run {
public:
    using N = typename Policies::number;

    keygen_run(Session& session, G& rng, keygen_params params, keygen_progress_handler on_progress)
        : session_(session), rng_(rng), params_(std::move(params)), on_progress_(std::move(on_progress)),
          pool_(params_.threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : params_.threads)
    {
        context_.self = session.self();
        context_.parties = session.party_count();
        context_.threshold = params_.corruption_threshold;
        context_.prime_bits = params_.key_length / 2;
        context_.pool = &pool_;
        context_.threads = params_.threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : params_.threads;
        context_.progress = &progress_;
    }

    ~keygen_run()
    {
        pool_.join();
    }

    boost::asio::awaitable<key_share<N>> run()
    {
        start_ = std::chrono::steady_clock::now();
        const std::size_t n = context_.parties;
        if (!session_.established()) {
            ++progress_.communication_rounds;
            co_await session_.establish(rng_);
        }
        typename Policies::candidates candidates(context_, params_);
        typename Policies::biprimality biprimality(context_, params_);
        typename Policies::key_sharing key_sharing(context_, params_);
        const joint_seed seed = co_await agree_on_seed(candidates.method());

        const std::size_t batch_size =
            params_.batch_size != 0 ? params_.batch_size : automatic_batch_size(candidates.expected_pairs());
        const shamir::modular_sharing<N> ring(modulus_ring<N>(params_.key_length, n), n, context_.threshold);
        const biprime::small_factor_filter<N> filter(params_.effective_prime_threshold());

        for (std::uint32_t batch = 0;; ++batch) {
            if (params_.max_batches != 0 && batch >= params_.max_batches)
                throw protocol_error(make_error_code(errc::too_many_attempts), no_party,
                                     "keygen: no biprime found within max_batches");
            // §1: shares of 2·batch_size candidate primes (p's first, then q's).
            auto mark = std::chrono::steady_clock::now();
            auto lap = [&mark](std::chrono::steady_clock::duration& into) {
                const auto now = std::chrono::steady_clock::now();
                into += now - mark;
                mark = now;
            };
            auto shares = co_await candidates.generate(session_, rng_, 2 * batch_size, batch);
            progress_.candidates += batch_size;
            lap(progress_.time.candidates);
            // §2: open every N = p·q.
            auto moduli = co_await open_moduli(ring, shares, batch_size, batch);
            progress_.moduli_revealed += batch_size;
            lap(progress_.time.moduli);
            // §3: public trial division.
            std::vector<char> passes(batch_size, 0);
            co_await parallel_for(pool_, context_.threads, context_.threads, [&](std::size_t begin, std::size_t end) {
                // Thread c takes the c-th slice of the batch and runs one remainder tree over it.
                for (std::size_t c = begin; c < end; ++c) {
                    const std::size_t from = batch_size * c / context_.threads, to = batch_size * (c + 1) / context_.threads;
                    const auto slice = filter.passes(std::span<const N>(moduli).subspan(from, to - from));
                    std::copy(slice.begin(), slice.end(), passes.begin() + static_cast<std::ptrdiff_t>(from));
                }
            });
            std::vector<candidate<N>> survivors;
            for (std::size_t i = 0; i < batch_size; ++i)
                if (passes[i]) survivors.push_back({std::move(moduli[i]), std::move(shares[i]), std::move(shares[batch_size + i])});
            secure_clear(shares);
            progress_.passed_trial_division += survivors.size();
            lap(progress_.time.trial_division);
            // §4: Boneh–Franklin.
            const auto accepted = co_await biprimality.test(session_, seed, survivors, batch);
            ++progress_.batches;
            lap(progress_.time.biprimality);
            report(false);
            if (!accepted) {
                wipe(survivors);
                continue;
            }
            candidate<N> chosen = std::move(survivors[*accepted]);
            wipe(survivors);
#if defined(DKG_ENABLE_TEST_HOOKS)
            if (testing::keygen_factor_observer<N>)
                testing::keygen_factor_observer<N>(context_.self, chosen.modulus, chosen.p_share, chosen.q_share);
#endif
            // §5: key shares.
            auto key = co_await key_sharing.share(session_, rng_, seed, chosen.modulus, chosen.p_share, chosen.q_share);
            lap(progress_.time.key_sharing);
            report(true);
            co_return key;
        }
    }

private:
    // §0 (continued): every party contributes 32 random bytes and the fingerprint of its parameters;
    // the joint seed is the hash of all contributions. Different parameters end the run here.
    boost::asio::awaitable<joint_seed> agree_on_seed(candidate_method method)
    {
        std::array<std::uint8_t, 32> contribution{};
        fill_random(rng_, contribution);
        const auto fingerprint = parameter_fingerprint(params_, context_.parties, method);
        writer w;
        w.raw(contribution).raw(fingerprint);
        ++progress_.communication_rounds;
        const step_tag tag{keygen_steps::setup, 0, 0};
        bytes payload = w.finish();
        auto all = co_await session_.all_gather(tag, std::move(payload));
        sha256 h;
        h.update("dkg/keygen/seed");
        for (std::size_t j = 0; j < all.size(); ++j) {
            if (all[j].size() != 64)
                throw protocol_error(make_error_code(errc::malformed_message), static_cast<party_id>(j + 1),
                                     "keygen: setup message of the wrong size");
            if (!std::equal(fingerprint.begin(), fingerprint.end(), all[j].begin() + 32))
                throw protocol_error(make_error_code(errc::inconsistent_result), static_cast<party_id>(j + 1),
                                     "keygen: the party uses different key generation parameters");
            h.update(std::span<const std::uint8_t>(all[j].data(), 32));
        }
        co_return h.finish();
    }

    // §2: BGW. Each party Shamir-shares its p_j, q_j (degree t) and zero (degree 2t) over Z_m; the
    // parties multiply [p]·[q] locally, add the zero sharing and open N from 2t+1 shares.
    boost::asio::awaitable<std::vector<N>> open_moduli(const shamir::modular_sharing<N>& ring, const std::vector<N>& shares,
                                                       std::size_t count, std::uint32_t batch)
    {
        const std::size_t n = context_.parties, t = context_.threshold;
        const party_id self = context_.self;
        const N& m = ring.modulus();
        std::vector<std::vector<N>> out(n, std::vector<N>(3 * count));
        auto rngs = fork_rngs(rng_, context_.threads);
        co_await parallel_for(pool_, count, context_.threads, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) {
                auto sp = ring.share(shares[i], rngs[chunk]);
                auto sq = ring.share(shares[count + i], rngs[chunk]);
                auto sz = ring.share_zero(2 * t, rngs[chunk]);
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
        ++progress_.communication_rounds;
        const step_tag share_tag{keygen_steps::modulus_shares, batch, 0};
        auto received = co_await session_.exchange(share_tag, std::move(payloads));
        std::vector<std::vector<N>> incoming(n);
        for (std::size_t j = 0; j < n; ++j) {
            if (j + 1 == self)
                incoming[j] = std::move(out[j]);
            else
                incoming[j] = decode_values(received[j], j, 3 * count, m, "modulus shares");
        }
        std::vector<N> n_shares(count);
        co_await parallel_for(pool_, count, context_.threads, [&](std::size_t begin, std::size_t end) {
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
        writer w(count * (value_bits / 8 + 6) + 8);
        w.integers(n_shares);
        ++progress_.communication_rounds;
        const step_tag open_tag{keygen_steps::modulus_open, batch, 0};
        bytes open_payload = w.finish();
        auto opened = co_await session_.all_gather(open_tag, std::move(open_payload));
        std::vector<std::vector<N>> by_party(n);
        for (std::size_t j = 0; j < n; ++j)
            by_party[j] = j + 1 == self ? n_shares : decode_values(opened[j], j, count, m, "modulus opening");
        std::vector<party_id> base(2 * t + 1);
        for (std::size_t j = 0; j < base.size(); ++j) base[j] = static_cast<party_id>(j + 1);
        const auto lambda = shamir::lagrange_at_zero<N>(base, m);
        // With n > 2t+1, every further share must lie on the polynomial through the first 2t+1.
        std::vector<std::vector<N>> extra_lambda;
        for (std::size_t e = base.size(); e < n; ++e)
            extra_lambda.push_back(shamir::lagrange_coefficients<N>(base, static_cast<long long>(e + 1), m));
        std::vector<N> moduli(count);
        const N low = N(N(1u) << static_cast<unsigned>(params_.key_length - 1));
        const N high = N(N(1u) << static_cast<unsigned>(params_.key_length));
        std::vector<char> consistent(count, 1);
        co_await parallel_for(pool_, count, context_.threads, [&](std::size_t begin, std::size_t end) {
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

    std::vector<N> decode_values(const bytes& payload, std::size_t index, std::size_t count, const N& bound, const char* what)
    {
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

    static void wipe(std::vector<candidate<N>>& candidates)
    {
        for (auto& c : candidates) {
            secure_clear(c.p_share);
            secure_clear(c.q_share);
        }
        candidates.clear();
    }

    void report(bool finished)
    {
        progress_.bytes_sent = session_.stats().bytes_sent;
        progress_.elapsed = std::chrono::steady_clock::now() - start_;
        progress_.finished = finished;
        if (on_progress_) on_progress_(progress_);
    }

    Session& session_;
    G& rng_;
    keygen_params params_;
    keygen_progress_handler on_progress_;
    boost::asio::thread_pool pool_;
    keygen_context context_;
    keygen_progress progress_;
    std::chrono::steady_clock::time_point start_;
};

template <class Policies, class Session, class G>
boost::asio::awaitable<key_share<typename Policies::number>> run_keygen(Session& session, G& rng, keygen_params params,
                                                                        keygen_progress_handler on_progress)
{
    auto run = std::make_unique<keygen_run<Policies, Session, G>>(session, rng, std::move(params), std::move(on_progress));
    co_return co_await run->run();
}

} // namespace detail

/// Generates this party's share of a new Paillier key together with the other parties
/// (docs/protocol.md §0–§5). Every party calls it with the same parameters on its own session.
///
/// @tparam N a type modelling dkg::big_integer.
/// @tparam Policies the protocol layers (`keygen_policies<N>` by default).
/// @param session this party's session (established here if it is not yet); it must outlive the
///        operation.
/// @param rng a cryptographic generator, used only from the session's executor; must outlive the
///        operation.
/// @param params identical at every party; validated before anything is sent.
/// @param on_progress called on the session's executor after every batch and at the end.
/// @param token completion token; completion signature `void(std::exception_ptr, key_share<N>)`.
///        On failure the exception is a dkg::protocol_error naming the party at fault (e.g. the
///        party that timed out or sent malformed data), and the key share is empty. Errors
///        not caused by one party carry dkg::no_party: `errc::too_many_attempts` when
///        `max_batches` ran out, `errc::inconsistent_result` when public values disagree, and
///        `errc::verification_failed` when the accepted N fails gcd(N, p+q−1) = 1 (§5).
/// @throws std::invalid_argument (at the call) if params are invalid for the session's party count.
/// Key lengths below 1024 bits are accepted for tests and experiments, with a warning (dkg::warn_once).
template <big_integer N, class Policies = keygen_policies<N>, class Session, secure_rng G,
          class CompletionToken = boost::asio::default_completion_token_t<typename Session::executor_type>>
auto async_generate_key(Session& session, G& rng, keygen_params params, keygen_progress_handler on_progress = {},
                        CompletionToken&& token = {})
{
    static_assert(std::is_same_v<typename Policies::number, N>, "Policies must be for the same big-integer type");
    params.validate(session.party_count());
    if (params.insecure_key_length())
        warn_once("key_length " + std::to_string(params.key_length) + " bits is insecure (below 1024 bits); use 2048 bits or more for real keys");
    return boost::asio::co_spawn(session.get_executor(),
                                 detail::run_keygen<Policies>(session, rng, std::move(params), std::move(on_progress)),
                                 std::forward<CompletionToken>(token));
}

/// `async_generate_key` without a progress handler: `async_generate_key(session, rng, params, token)`.
template <big_integer N, class Policies = keygen_policies<N>, class Session, secure_rng G, class CompletionToken>
    requires(!std::is_convertible_v<CompletionToken, keygen_progress_handler>)
auto async_generate_key(Session& session, G& rng, keygen_params params, CompletionToken&& token)
{
    return async_generate_key<N, Policies>(session, rng, std::move(params), keygen_progress_handler{},
                                           std::forward<CompletionToken>(token));
}

/// Blocking form of `async_generate_key`: runs `context` (the execution context of the session's
/// transport) until this party's key generation has finished.
/// @throws std::invalid_argument for invalid parameters, dkg::protocol_error on a peer fault.
template <big_integer N, class Policies = keygen_policies<N>, class Session, secure_rng G>
key_share<N> generate_key(boost::asio::io_context& context, Session& session, G& rng, keygen_params params,
                          keygen_progress_handler on_progress = {})
{
    return detail::run_until_complete<key_share<N>>(
        context,
        [&](auto handler) { async_generate_key<N, Policies>(session, rng, std::move(params), std::move(on_progress), std::move(handler)); },
        "keygen");
}

} // namespace dkg
