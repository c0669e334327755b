// Distributed key generation (docs/protocol.md §0–§5): n parties jointly generate a Paillier modulus
// N = p·q that nobody can factor, and each ends with a degree-t share of the secret key.
//
// The protocol is composed from policy layers (docs/policies.md):
//   candidates   (dkg/sieve.hpp)               additive shares of candidate primes, §1
//   opening      (dkg/keygen/bgw_opening.hpp)  BGW multiplication to open N = p·q, §2
//   biprimality  (dkg/biprime.hpp)             Boneh–Franklin, §4 (after the public trial division §3 here)
//   key sharing  (dkg/key_sharing.hpp)         degree-t integer shares of the secret key, §5
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
#include <dkg/keygen/bgw_opening.hpp>
#include <dkg/keygen/context.hpp>
#include <dkg/keygen/params.hpp>
#include <dkg/keygen/policies.hpp>
#include <dkg/rng.hpp>
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
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace dkg {

namespace detail {

/// Chooses a batch size: about an eighth of the expected candidate pairs, within [16, 4096].
inline std::size_t automatic_batch_size(double expected_pairs)
{
    return static_cast<std::size_t>(std::clamp(expected_pairs / 8.0, 16.0, 4096.0));
}

/// The parameters of the run itself (not of a layer) that every party must agree on.
inline void describe_run(const keygen_params& p, std::size_t parties, agreed_parameters& agreed)
{
    agreed.add("parties", parties);
    agreed.add("corruption_threshold", p.corruption_threshold);
    agreed.add("key_length", p.key_length);
    agreed.add("prime_threshold", p.effective_prime_threshold()); // §3
    agreed.add("batch_size", p.batch_size);                        // 0: from the candidate layer
    agreed.add("max_batches", p.max_batches);
    agreed.add("allow_insecure_threshold_zero", p.allow_insecure_threshold_zero);
}

/// One party's run of docs/protocol.md §0–§5.
template <class Policies, class Session, class G>
class keygen_run {
public:
    using N = typename Policies::number;

    keygen_run(Session& session, G& rng, keygen_params params, keygen_options options)
        : session_(session), rng_(rng), params_(std::move(params)), on_progress_(std::move(options.on_progress))
    {
        context_.self = session.self();
        context_.parties = session.party_count();
        context_.threshold = params_.corruption_threshold;
        context_.prime_bits = params_.key_length / 2;
        context_.threads = worker_threads(options.threads);
        if (options.arithmetic_executor) {
            context_.arithmetic_executor = std::move(options.arithmetic_executor);
        } else {
            own_pool_.emplace(context_.threads);
            context_.arithmetic_executor = own_pool_->get_executor();
        }
        context_.progress = &progress_;
    }

    keygen_run(const keygen_run&) = delete;
    keygen_run& operator=(const keygen_run&) = delete;

    ~keygen_run()
    {
        context_.arithmetic_executor = {};
        if (own_pool_) own_pool_->join();
    }

    boost::asio::awaitable<key_share<N>> run()
    {
        start_ = std::chrono::steady_clock::now();
        if (!session_.established()) {
            ++progress_.communication_rounds;
            co_await session_.establish(rng_);
        }
        typename Policies::candidates candidates(context_, params_);
        typename Policies::opening opening(context_, params_);
        typename Policies::biprimality biprimality(context_, params_);
        typename Policies::key_sharing key_sharing(context_, params_);
        agreed_parameters agreed;
        describe_run(params_, context_.parties, agreed);
        candidates.describe(agreed);
        opening.describe(agreed);
        biprimality.describe(agreed);
        key_sharing.describe(agreed);
        const joint_seed seed = co_await agree_on_seed(agreed);

        const std::size_t batch_size =
            params_.batch_size != 0 ? params_.batch_size : automatic_batch_size(candidates.expected_pairs());
        const biprime::small_factor_filter<N> filter(params_.effective_prime_threshold());
        const std::size_t threads = context_.threads;

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
            std::vector<N> shares = co_await candidates.generate(session_, rng_, 2 * batch_size, batch);
            if (shares.size() != 2 * batch_size) throw std::logic_error("keygen: the candidate layer returned a wrong number of shares");
            progress_.candidates += batch_size;
            lap(progress_.time.candidates);
            // §2: open every N = p·q.
            const std::span<const N> all_shares(shares);
            std::vector<N> moduli = co_await opening.open(session_, rng_, all_shares.first(batch_size), all_shares.subspan(batch_size), batch);
            if (moduli.size() != batch_size) throw std::logic_error("keygen: the opening layer returned a wrong number of moduli");
            progress_.moduli_revealed += batch_size;
            lap(progress_.time.moduli);
            // §3: public trial division; thread c takes the c-th slice of the batch (one remainder tree each).
            std::vector<char> passes(batch_size, 0);
            co_await parallel_for(context_.arithmetic_executor, threads, threads, [&](std::size_t begin, std::size_t end) {
                for (std::size_t c = begin; c < end; ++c) {
                    const std::size_t from = batch_size * c / threads, to = batch_size * (c + 1) / threads;
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
            // §4: biprimality.
            const std::optional<std::size_t> accepted = co_await biprimality.test(session_, rng_, seed, std::span<const candidate<N>>(survivors), batch);
            ++progress_.batches;
            lap(progress_.time.biprimality);
            report(false);
            if (!accepted) {
                wipe(survivors);
                continue;
            }
            if (*accepted >= survivors.size()) throw std::logic_error("keygen: the biprimality layer accepted a candidate it was not given");
            candidate<N> chosen = std::move(survivors[*accepted]);
            wipe(survivors);
            // §5: key shares, or back to the candidates if the layer rejects N (gcd(θ, N) ≠ 1: a
            // factor of N is public; every party rejects it alike).
            std::optional<key_share<N>> key = co_await key_sharing.share(session_, rng_, seed, chosen.modulus, chosen.p_share, chosen.q_share);
            secure_clear(chosen.p_share);
            secure_clear(chosen.q_share);
            lap(progress_.time.key_sharing);
            if (!key) {
                ++progress_.moduli_rejected;
                report(false);
                continue;
            }
            report(true);
            co_return std::move(*key);
        }
    }

private:
    // §0 (continued): the joint seed, committed before it is revealed. Round 1: every party sends
    // a hash commitment to 32 random bytes (bound to its id and the agreed description) and the
    // description of its layers and parameters (agreed_parameters); a party with another
    // description is named with the first difference. Round 2, once every commitment is in: every
    // party opens its contribution, and one that does not match its commitment is named. The seed
    // is the hash of the description and all contributions, so the last party to send cannot
    // choose it (it can only abort, which every party sees; docs/protocol.md §8).
    boost::asio::awaitable<joint_seed> agree_on_seed(const agreed_parameters& agreed)
    {
        std::array<std::uint8_t, 32> contribution{};
        fill_random(rng_, contribution);
        const auto fingerprint = agreed.fingerprint();
        const auto commitment_of = [&](party_id party, std::span<const std::uint8_t> value) {
            sha256 h;
            h.update("dkg/keygen/seed-commitment/v1").update(fingerprint).update_u64(party).update(value);
            return h.finish();
        };
        const auto own_commitment = commitment_of(context_.self, contribution);
        writer w;
        w.raw(own_commitment).raw(agreed.encode());
        ++progress_.communication_rounds;
        bytes payload = w.finish();
        const auto committed = co_await session_.all_gather(step_tag{keygen_steps::setup, 0, 0}, std::move(payload));
        for (std::size_t j = 0; j < committed.size(); ++j) {
            const auto from = static_cast<party_id>(j + 1);
            if (committed[j].size() < own_commitment.size())
                throw protocol_error(make_error_code(errc::malformed_message), from, "keygen: setup message too short");
            if (from == context_.self) continue;
            std::optional<agreed_parameters> theirs;
            try {
                theirs = agreed_parameters::decode(std::span<const std::uint8_t>(committed[j]).subspan(own_commitment.size()));
            } catch (const decode_error& e) {
                throw protocol_error(make_error_code(errc::malformed_message), from, std::string("keygen: setup message: ") + e.what());
            }
            if (const auto difference = agreed_parameters::difference(from, *theirs, agreed))
                throw protocol_error(make_error_code(errc::inconsistent_result), from,
                                     "keygen: different key generation parameters: " + *difference);
        }
        ++progress_.communication_rounds;
        const auto opened = co_await session_.all_gather(step_tag{keygen_steps::setup, 1, 0}, bytes(contribution.begin(), contribution.end()));
        sha256 h;
        h.update("dkg/keygen/seed/v3").update(fingerprint);
        for (std::size_t j = 0; j < opened.size(); ++j) {
            const auto from = static_cast<party_id>(j + 1);
            if (opened[j].size() != contribution.size())
                throw protocol_error(make_error_code(errc::malformed_message), from, "keygen: seed opening of a wrong size");
            const auto expected = commitment_of(from, opened[j]);
            if (!std::equal(expected.begin(), expected.end(), committed[j].begin()))
                throw protocol_error(make_error_code(errc::verification_failed), from,
                                     "keygen: its seed contribution does not match its commitment");
            h.update(opened[j]);
        }
        co_return h.finish();
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
    std::optional<boost::asio::thread_pool> own_pool_; // when the caller gave no executor
    keygen_context context_;
    keygen_progress progress_;
    std::chrono::steady_clock::time_point start_;
};

template <class Policies, class Session, class G>
boost::asio::awaitable<key_share<typename Policies::number>> run_keygen(Session& session, G& rng, keygen_params params,
                                                                        keygen_options options)
{
    auto run = std::make_unique<keygen_run<Policies, Session, G>>(session, rng, std::move(params), std::move(options));
    co_return co_await run->run();
}

} // namespace detail

/// Generates this party's share of a new Paillier key together with the other parties
/// (docs/protocol.md §0–§5). Every party calls it with the same parameters on its own session.
///
/// @tparam N a type modelling dkg::big_integer.
/// @tparam Policies the protocol layers, modelling `keygen_policy_bundle<Policies, Session, G>`
///         (`keygen_policies<N>` by default; dkg/keygen/policies.hpp, docs/policies.md). A layer
///         that does not model its concept stops the build here with a message naming it.
/// @tparam Session a dkg::session (or a type with its `exchange`/`all_gather`/`establish` members).
/// @tparam G a dkg::secure_rng.
/// @param session this party's session (established here if it is not yet); it must outlive the
///        operation.
/// @param rng a cryptographic generator, used only from the session's executor; must outlive the
///        operation.
/// @param params identical at every party (compared in the first round); validated before anything
///        is sent.
/// @param options this party's own choices: worker threads or an executor for the arithmetic, and a
///        progress handler called on the session's executor after every batch and at the end.
/// @param token completion token; completion signature `void(std::exception_ptr, key_share<N>)`.
///        On failure the exception is a dkg::protocol_error naming the party at fault (e.g. the
///        party that timed out, sent malformed data, or runs other layers or parameters), and the
///        key share is empty. Errors not caused by one party carry dkg::no_party:
///        `errc::too_many_attempts` when `max_batches` ran out, and `errc::inconsistent_result` when
///        public values disagree. An accepted N that fails gcd(N, p+q−1) = 1 (§5) is dropped and
///        the search goes on (keygen_progress::moduli_rejected).
/// @throws std::invalid_argument (at the call) if params are invalid for the session's party count,
///         or options are invalid.
/// Key lengths below 1024 bits are accepted for tests and experiments, with a warning (dkg::warn_once).
/// @par Thread Safety
/// The operation runs on the session's executor; its arithmetic on `options.arithmetic_executor` or
/// on worker threads of its own.
template <big_integer N, class Policies = keygen_policies<N>, class Session, secure_rng G,
          class CompletionToken = boost::asio::default_completion_token_t<typename Session::executor_type>>
auto async_generate_key(Session& session, G& rng, keygen_params params, keygen_options options = {}, CompletionToken&& token = {})
{
    // A wrong layer stops here, with one message naming the layer and its missing member.
    if constexpr (detail::check_keygen_policies<Policies, N, Session, G>()) {
        params.validate(session.party_count());
        options.validate();
        if (params.insecure_key_length())
            warn_once("key_length " + std::to_string(params.key_length) + " bits is insecure (below 1024 bits); use 2048 bits or more for real keys");
        return boost::asio::co_spawn(session.get_executor(), detail::run_keygen<Policies>(session, rng, std::move(params), std::move(options)),
                                     std::forward<CompletionToken>(token));
    }
}

/// `async_generate_key` with default options: `async_generate_key(session, rng, params, token)`.
template <big_integer N, class Policies = keygen_policies<N>, class Session, secure_rng G, class CompletionToken>
    requires(!std::is_convertible_v<CompletionToken, keygen_options>)
auto async_generate_key(Session& session, G& rng, keygen_params params, CompletionToken&& token)
{
    return async_generate_key<N, Policies>(session, rng, std::move(params), keygen_options{}, std::forward<CompletionToken>(token));
}

/// Blocking form of `async_generate_key`: runs `context` (the execution context of the session's
/// transport) until this party's key generation has finished.
/// @throws std::invalid_argument for invalid parameters or options, dkg::protocol_error on a peer fault.
template <big_integer N, class Policies = keygen_policies<N>, class Session, secure_rng G>
key_share<N> generate_key(boost::asio::io_context& context, Session& session, G& rng, keygen_params params, keygen_options options = {})
{
    return detail::run_until_complete<key_share<N>>(
        context,
        [&](auto handler) { async_generate_key<N, Policies>(session, rng, std::move(params), std::move(options), std::move(handler)); },
        "keygen");
}

} // namespace dkg
