// Distributed threshold decryption over a session (docs/protocol.md §6): the contributors send
// their partial decryptions of a batch to the receivers, and each receiver combines the first t+1
// valid ones that arrive. Up to n−(t+1) parties may be offline, silent or wrong.
//
// Generic over the threshold-decryption scheme (dkg::threshold_scheme, dkg/threshold/scheme.hpp;
// the default for a dkg::key_share<N> is dkg::paillier_threshold_scheme<N>) and over the session
// type: dkg::session<T>, or any type with its interface.
#pragma once

#include <dkg/detail/blocking.hpp>
#include <dkg/detail/parallel.hpp>
#include <dkg/detail/party_list.hpp>
#include <dkg/error.hpp>
#include <dkg/rng.hpp>
#include <dkg/session.hpp>
#include <dkg/steps.hpp>
#include <dkg/threshold/paillier_scheme.hpp>
#include <dkg/threshold/scheme.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dkg {

/// Options of one distributed decryption. Every party passes the same values.
struct decrypt_options {
    /// Identifies this decryption on the session, chosen by the caller: decryptions in flight at
    /// the same time on one session need distinct ids (an id may be reused once its decryption has
    /// completed at every party).
    std::uint64_t id = 0;

    /// The parties that learn the plaintexts; empty means every party. The others complete with
    /// no plaintexts and receive nothing.
    std::vector<party_id> receivers;

    /// The parties that compute and send partial decryptions; empty means every party. Naming only
    /// t+1 parties saves their work when they are known to be online, at the price of tolerating
    /// no failure among them.
    std::vector<party_id> contributors;

    /// Attach a proof to every partial decryption and check every proof received, so that a wrong
    /// partial is attributed to its party and replaced. Without proofs only partials that do not
    /// combine are caught (for the default scheme: C ≢ 1 mod N); a deliberately shifted partial
    /// then goes unnoticed.
    bool verify_proofs = true;

    /// Deadline of the whole operation; zero means none (the session's per-message timeout applies
    /// in any case).
    std::chrono::milliseconds timeout{0};

    /// Statistical hiding of the proofs' responses, in bits.
    std::size_t sigma = decryption_proof_sigma;

    /// Worker threads of this party (0: one per hardware thread, at most 1024): its partial
    /// decryptions and the proofs it checks are split among them, and run on them rather than on
    /// the session's executor, which stays free for the transport. Need not agree between parties.
    std::size_t threads = 1;

    /// @throws std::invalid_argument naming the option that does not fit n parties and threshold t:
    ///         ids outside 1..n or repeated, fewer than t+1 contributors, sigma = 0, negative timeout,
    ///         more than 1024 threads.
    void validate(std::size_t parties, std::size_t threshold) const
    {
        check_ids(receivers, parties, "receivers");
        check_ids(contributors, parties, "contributors");
        if (!contributors.empty() && contributors.size() < threshold + 1)
            throw std::invalid_argument("contributors: at least threshold+1 parties needed");
        if (sigma < 1) throw std::invalid_argument("sigma: must be at least 1");
        if (timeout.count() < 0) throw std::invalid_argument("timeout: must not be negative");
        if (threads > 1024) throw std::invalid_argument("threads: at most 1024");
    }

private:
    static void check_ids(const std::vector<party_id>& ids, std::size_t parties, const char* name)
    {
        std::vector<bool> seen(parties + 1, false);
        for (party_id p : ids) {
            if (p < 1 || p > parties) throw std::invalid_argument(std::string(name) + ": party id outside 1..n");
            if (seen[p]) throw std::invalid_argument(std::string(name) + ": party id repeated");
            seen[p] = true;
        }
    }
};

/// What one party learns from a distributed decryption.
/// @tparam Plaintext the scheme's plaintext type (for dkg::paillier_threshold_scheme<N>: N).
template <class Plaintext>
struct decryption_result {
    /// The plaintexts in the order of the ciphertexts (for the default scheme, residues in [0, N):
    /// see `to_signed` and `decode`); empty (std::nullopt) at a party that is not a receiver.
    std::optional<std::vector<Plaintext>> plaintexts;
    /// The t+1 parties whose partial decryptions were combined (receivers only).
    std::vector<party_id> used;
    /// Parties whose partial decryptions were rejected: malformed, of other ciphertexts, with a
    /// wrong proof, or not combining with the others.
    std::vector<party_id> faulty;
    /// Parties that failed (timeout, disconnection) before enough valid partials had arrived.
    std::vector<party_id> unavailable;
};

namespace detail {

inline std::string decryption_context(std::uint64_t id)
{
    return "threshold decrypt " + std::to_string(id);
}

/// One party's run of a distributed decryption with scheme S (docs/protocol.md §6 for the default
/// scheme). Uses S only through dkg::threshold_scheme and dkg::threshold_scheme_traits.
template <threshold_scheme S, class Session>
class decrypt_run {
public:
    using traits = threshold_scheme_traits<S>;
    using share_type = typename S::share_type;
    using public_data_type = typename S::public_data_type;
    using ciphertext_type = typename S::ciphertext_type;
    using partial_type = typename S::partial_type;
    using plaintext_type = typename S::plaintext_type;
    using result_type = decryption_result<plaintext_type>;

    decrypt_run(Session& session, share_type share, public_data_type key, std::vector<ciphertext_type> ciphertexts, decrypt_options options)
        : session_(session), share_(std::move(share)), key_(std::move(key)), ciphertexts_(std::move(ciphertexts)),
          options_(std::move(options)), context_(decryption_context(options_.id)), digest_(S::batch_digest(key_, batch())),
          self_(S::share_party(share_)), threads_(worker_threads(options_.threads)), workers_(threads_)
    {
        for (party_id p = 1; p <= S::parties(key_); ++p) {
            if (options_.receivers.empty() || contains(options_.receivers, p)) receivers_.push_back(p);
            if (options_.contributors.empty() || contains(options_.contributors, p)) contributors_.push_back(p);
        }
        receiver_ = contains(receivers_, self_);
        contributor_ = contains(contributors_, self_);
    }

    template <class G>
    boost::asio::awaitable<result_type> run(G& rng)
    {
        if (ciphertexts_.empty()) co_return finish({});
        if (contributor_) co_await contribute(rng);
        if (!receiver_) co_return result_type{};
        // Forked after the contribution, so that the caller's generator feeds the proofs first.
        if (options_.verify_proofs) verify_rngs_ = fork_rngs(rng, threads_);
        co_return finish(co_await gather_and_combine());
    }

    /// The error for a deadline that passed, naming what had arrived by then.
    protocol_error deadline_passed() const
    {
        return protocol_error(make_error_code(errc::timeout), no_party,
                              context_ + ": the deadline of " + std::to_string(options_.timeout.count()) + " ms passed; " + progress());
    }

private:
    using partial_list = std::vector<partial_type>;

    static bool contains(const std::vector<party_id>& ids, party_id p) { return std::find(ids.begin(), ids.end(), p) != ids.end(); }

    std::span<const ciphertext_type> batch() const { return ciphertexts_; }

    /// steps::decrypt::partials; the decryption id in round (high 32 bits) and topic (low 32 bits).
    step_tag tag() const
    {
        return step_tag{steps::decrypt::partials, static_cast<std::uint32_t>(options_.id >> 32),
                        static_cast<std::uint32_t>(options_.id & 0xffffffffu)};
    }

    // ---- contributors: this party's partial decryptions, with proofs if asked -------------------

    template <class G>
    boost::asio::awaitable<void> contribute(G& rng)
    {
        std::vector<party_id> to;
        for (party_id r : receivers_)
            if (r != self_) to.push_back(r);
        const bool proofs = options_.verify_proofs && !to.empty();
        std::vector<partial_list> chunks(threads_);
        if (proofs) {
            auto rngs = fork_rngs(rng, threads_);
            co_await parallel_for(workers_, ciphertexts_.size(), threads_, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
                chunks[chunk] = traits::partial_decrypt_batch(share_, key_, batch().subspan(begin, end - begin), rngs[chunk], options_.sigma);
            });
        } else {
            co_await parallel_for(workers_, ciphertexts_.size(), threads_, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
                chunks[chunk] = traits::partial_decrypt_batch(share_, key_, batch().subspan(begin, end - begin));
            });
        }
        partial_list mine;
        mine.reserve(ciphertexts_.size());
        for (auto& chunk : chunks)
            for (auto& p : chunk) mine.push_back(std::move(p));
        if (mine.size() != ciphertexts_.size()) throw std::logic_error("threshold scheme: partial_decrypt_batch returned a list of the wrong length");
        const bytes message = encode(mine);
        for (party_id r : to) {
            try {
                co_await session_.send(r, tag(), message);
            } catch (const boost::system::system_error&) {
                // An offline receiver does not stop the others from decrypting.
            }
        }
        if (receiver_) pool_.emplace_back(self_, std::move(mine));
    }

    /// u8 version 1, the batch digest, u32 count, then each partial decryption (S::write_partial).
    bytes encode(const partial_list& partials) const
    {
        writer w;
        w.u8(1).raw(digest_).u32(static_cast<std::uint32_t>(partials.size()));
        for (const auto& p : partials) S::write_partial(w, p);
        return w.finish();
    }

    /// Decodes and checks party `from`'s message (its proofs on the worker threads); throws
    /// decode_error for anything wrong.
    partial_list decode(party_id from, const bytes& payload)
    {
        reader r(payload);
        if (r.u8() != 1) throw decode_error("unknown partial decryption message version");
        const auto digest = r.raw(digest_.size());
        if (!std::equal(digest.begin(), digest.end(), digest_.begin()))
            throw decode_error("partial decryptions of other ciphertexts or of another key");
        if (r.u32() != ciphertexts_.size()) throw decode_error("wrong number of partial decryptions");
        partial_list out;
        out.reserve(ciphertexts_.size());
        for (const auto& c : ciphertexts_) {
            auto p = S::read_partial(r, key_, c);
            if (S::partial_party(p) != from) throw decode_error("partial decryption names another party");
            if (S::has_proof(p) != options_.verify_proofs) throw decode_error("proof missing or unexpected");
            out.push_back(std::move(p));
        }
        r.expect_end();
        if (options_.verify_proofs) {
            std::vector<char> failed(threads_, 0);
            parallel_for_blocking(workers_, out.size(), threads_, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
                std::vector<verification_item<S>> items;
                items.reserve(end - begin);
                for (std::size_t i = begin; i < end; ++i) items.push_back({&ciphertexts_[i], &out[i]});
                failed[chunk] = traits::verify_batch(key_, std::span<const verification_item<S>>(items), verify_rngs_[chunk]).empty() ? 0 : 1;
            });
            if (std::find(failed.begin(), failed.end(), 1) != failed.end()) throw decode_error("proof of a partial decryption fails");
        }
        return out;
    }

    // ---- receivers: the first t+1 valid sets that combine ---------------------------------------

    /// Receives from the other contributors until t+1 valid sets combine for every ciphertext.
    /// Every arriving set is checked (and its proofs verified) as it arrives; a set that is
    /// malformed or fails a proof is faulty; sets that pass enter the pool, and the pool is
    /// complete once some t+1 of its sets, including the newest, combine.
    boost::asio::awaitable<std::vector<plaintext_type>> gather_and_combine()
    {
        std::optional<std::vector<plaintext_type>> plaintexts = complete();
        std::vector<party_id> ask;
        for (party_id p : contributors_)
            if (p != self_) ask.push_back(p);
        if (!plaintexts && !ask.empty()) {
            auto accept = [this, &plaintexts](party_id from, const bytes& payload) {
                try {
                    pool_.emplace_back(from, decode(from, payload));
                } catch (const decode_error&) {
                    mark(faulty_, from);
                    return false;
                }
                plaintexts = complete();
                return plaintexts.has_value();
            };
            const auto g = co_await session_.gather_first(tag(), ask, 1, accept);
            for (const auto& failure : g.failed) mark(unavailable_, failure.first);
        }
        if (!plaintexts) throw not_enough();
        blame_unused();
        co_return *std::move(plaintexts);
    }

    /// Tries the (t+1)-subsets of the pool that contain its newest set; on success records them.
    std::optional<std::vector<plaintext_type>> complete()
    {
        const std::size_t needed = S::threshold(key_) + 1;
        if (pool_.size() < needed) return std::nullopt;
        const std::size_t newest = pool_.size() - 1;
        // chosen = (needed-1 indices below `newest`, in lexicographic order) + newest.
        std::vector<std::size_t> chosen(needed);
        for (std::size_t k = 0; k + 1 < needed; ++k) chosen[k] = k;
        chosen.back() = newest;
        while (subsets_tried_ < max_subsets) {
            ++subsets_tried_;
            if (auto m = try_combine(chosen)) {
                used_.clear();
                for (std::size_t k : chosen) used_.push_back(pool_[k].first);
                return m;
            }
            std::size_t k = needed - 1;
            while (k > 0 && chosen[k - 1] == newest - needed + k) --k;
            if (k == 0) return std::nullopt;
            ++chosen[k - 1];
            for (std::size_t j = k; j + 1 < needed; ++j) chosen[j] = chosen[j - 1] + 1;
        }
        return std::nullopt;
    }

    /// Combines the pool's sets at `chosen` for every ciphertext; nothing if one does not combine.
    std::optional<std::vector<plaintext_type>> try_combine(const std::vector<std::size_t>& chosen) const
    {
        std::vector<std::span<const partial_type>> lists;
        lists.reserve(chosen.size());
        for (std::size_t k : chosen) lists.emplace_back(pool_[k].second);
        auto out = S::combine(key_, batch(), std::span<const std::span<const partial_type>>(lists));
        if (out && out->size() != ciphertexts_.size()) throw std::logic_error("threshold scheme: combine returned a list of the wrong length");
        return out;
    }

    /// A set in the pool but not used did not combine with others: it is faulty if it does not
    /// combine in place of one set of the successful subset either.
    void blame_unused()
    {
        std::vector<std::size_t> good;
        for (std::size_t k = 0; k < pool_.size(); ++k)
            if (contains(used_, pool_[k].first)) good.push_back(k);
        for (std::size_t k = 0; k < pool_.size(); ++k) {
            if (contains(used_, pool_[k].first)) continue;
            auto swapped = good;
            swapped.back() = k;
            std::sort(swapped.begin(), swapped.end());
            if (!try_combine(swapped)) mark(faulty_, pool_[k].first);
        }
    }

    void mark(std::vector<party_id>& list, party_id p)
    {
        if (!contains(list, p)) list.push_back(p);
    }

    result_type finish(std::vector<plaintext_type> plaintexts) const
    {
        result_type out;
        if (receiver_) out.plaintexts = std::move(plaintexts);
        out.used = used_;
        out.faulty = faulty_;
        out.unavailable = unavailable_;
        return out;
    }

    std::string progress() const
    {
        std::vector<party_id> valid;
        for (const auto& entry : pool_) valid.push_back(entry.first);
        std::string text = "valid partial decryptions from parties {" + describe_parties(valid) + "}, faulty {" +
                           describe_parties(faulty_) + "}, unavailable {" + describe_parties(unavailable_) + "}";
        if (pool_.size() >= S::threshold(key_) + 1) text += "; the valid ones do not combine";
        return text;
    }

    protocol_error not_enough() const
    {
        return protocol_error(make_error_code(errc::not_enough_shares), no_party,
                              context_ + ": " + std::to_string(S::threshold(key_) + 1) + " valid partial decryptions needed; " + progress());
    }

    static constexpr std::size_t max_subsets = 4096;

    Session& session_;
    share_type share_;
    public_data_type key_;
    std::vector<ciphertext_type> ciphertexts_;
    decrypt_options options_;
    std::string context_;
    batch_digest_bytes digest_;
    party_id self_;
    std::vector<party_id> receivers_, contributors_;
    bool receiver_ = false, contributor_ = false;
    std::vector<std::pair<party_id, partial_list>> pool_; // sets that passed their checks, in arrival order
    std::vector<party_id> faulty_, unavailable_, used_;
    std::size_t subsets_tried_ = 0;
    std::size_t threads_;
    std::vector<forked_rng> verify_rngs_; // one per worker chunk, for randomised batch verification
    boost::asio::thread_pool workers_;    // last: joined before the state its work uses is destroyed
};

template <threshold_scheme S, class Session, class G>
boost::asio::awaitable<decryption_result<typename S::plaintext_type>> run_decrypt(Session& session, typename S::share_type share,
                                                                                  typename S::public_data_type key,
                                                                                  std::vector<typename S::ciphertext_type> ciphertexts,
                                                                                  decrypt_options options, G& rng)
{
    using namespace boost::asio::experimental::awaitable_operators;
    const auto timeout = options.timeout;
    auto run = std::make_shared<decrypt_run<S, Session>>(session, std::move(share), std::move(key), std::move(ciphertexts), std::move(options));
    if (timeout.count() == 0) co_return co_await run->run(rng);
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, timeout);
    auto outcome = co_await (run->run(rng) || timer.async_wait(boost::asio::use_awaitable));
    if (outcome.index() == 1) throw run->deadline_passed();
    co_return std::get<0>(std::move(outcome));
}

/// Runs run_decrypt with a system_rng owned by the coroutine.
template <threshold_scheme S, class Session>
boost::asio::awaitable<decryption_result<typename S::plaintext_type>> run_decrypt_system_rng(
    Session& session, typename S::share_type share, typename S::public_data_type key, std::vector<typename S::ciphertext_type> ciphertexts,
    decrypt_options options)
{
    auto rng = std::make_unique<system_rng>();
    co_return co_await run_decrypt<S>(session, std::move(share), std::move(key), std::move(ciphertexts), std::move(options), *rng);
}

/// Checks the arguments of async_decrypt; returns the key's public data.
template <threshold_scheme S, class Session>
typename S::public_data_type check_decrypt_call(const Session& session, const typename S::share_type& share,
                                                const std::vector<typename S::ciphertext_type>& ciphertexts, const decrypt_options& options)
{
    auto key = S::public_data(share);
    if (session.self() != S::share_party(share)) throw std::invalid_argument("share: belongs to another party than the session's");
    if (session.party_count() != S::parties(key)) throw std::invalid_argument("share: made for another number of parties than the session's");
    for (const auto& c : ciphertexts) S::check_ciphertext(key, c);
    options.validate(S::parties(key), S::threshold(key));
    // One message carries a party's partial decryptions of the whole batch.
    const std::size_t limit = session.options().max_message_bytes;
    std::size_t size = 64;
    for (const auto& c : ciphertexts) {
        size += S::max_partial_bytes(key, c, options.verify_proofs);
        if (size > limit) throw std::invalid_argument("ciphertexts: the batch does not fit the session's max_message_bytes; split it");
    }
    return key;
}

} // namespace detail

/// Decrypts a batch of ciphertexts together with the other parties (docs/protocol.md §6 for the
/// default scheme). Every party calls it with the same ciphertexts and options on its own session.
///
/// Each contributor computes its partial decryptions (with proofs if `options.verify_proofs`) and
/// sends them, in one message, to every other receiver. Each receiver checks every set as it
/// arrives (session::gather_first) and combines the first t+1 valid sets that combine (its own
/// included), so the decryption succeeds while up to n−(t+1) contributors are offline, silent or
/// wrong. A wrong set (malformed, of other ciphertexts, failing its proof, or not combining with
/// the others) is recorded in `faulty` and replaced by a later party's. Late sets are discarded.
///
/// @tparam Scheme a type modelling dkg::threshold_scheme; by default (when not given) the scheme
///         of the share type, dkg::default_threshold_scheme_t<Share> (dkg::paillier_threshold_scheme<N>
///         for a dkg::key_share<N>). Name it to run another scheme: `async_decrypt<my_scheme>(...)`.
/// @tparam Session dkg::session<T> (or any type with its interface).
/// @tparam Share the scheme's share type (convertible to Scheme::share_type).
/// @tparam G a type modelling dkg::secure_rng.
/// @param session this party's established session; must outlive the operation. Receivers wait for
///        partial decryptions at most its `options().timeout`, which must therefore cover a
///        contributor's work on the whole batch (at 2048 bits with GMP and the default scheme about
///        15 ms per ciphertext, 55 ms with proofs, on an idle core, divided among `options.threads`);
///        split larger batches.
/// @param share this party's key share (copied; the copy is wiped when the operation ends).
/// @param ciphertexts the batch, identical at every party (compared through the scheme's digest of
///        the key and the ciphertexts).
/// @param options identical at every party; `options.id` distinguishes concurrent decryptions.
/// @param rng a cryptographic generator for the proofs, used only from the session's executor;
///        must outlive the operation.
/// @param token completion token; completion signature
///        `void(std::exception_ptr, dkg::decryption_result<Scheme::plaintext_type>)` (for a
///        dkg::key_share<N>: `dkg::decryption_result<N>`). The plaintexts are present at the
///        receivers only. On failure the exception is a dkg::protocol_error: errc::not_enough_shares
///        (its message names the parties whose partials were valid, faulty and unavailable),
///        errc::timeout when `options.timeout` passed, or the session's error.
/// @throws std::invalid_argument (at the call) if `share` is empty or not the session's party,
///         a ciphertext belongs to another key, `options` do not fit (see decrypt_options::validate),
///         or one party's partial decryptions of the batch would exceed the session's
///         max_message_bytes (split the batch).
template <class Scheme = detail::scheme_of_share, class Session, class Share, secure_rng G,
          class CompletionToken = boost::asio::default_completion_token_t<typename Session::executor_type>>
    requires threshold_scheme<detail::resolved_scheme_t<Scheme, Share>> &&
             std::convertible_to<const Share&, typename detail::resolved_scheme_t<Scheme, Share>::share_type>
auto async_decrypt(Session& session, const Share& share, std::vector<detail::ciphertext_of_t<detail::resolved_scheme_t<Scheme, Share>>> ciphertexts,
                   decrypt_options options, G& rng, CompletionToken&& token = {})
{
    using S = detail::resolved_scheme_t<Scheme, Share>;
    const typename S::share_type& own = share;
    auto key = detail::check_decrypt_call<S>(session, own, ciphertexts, options);
    return boost::asio::co_spawn(session.get_executor(),
                                 detail::run_decrypt<S>(session, own, std::move(key), std::move(ciphertexts), std::move(options), rng),
                                 std::forward<CompletionToken>(token));
}

/// `async_decrypt` drawing the proofs' randomness from a dkg::system_rng of its own.
template <class Scheme = detail::scheme_of_share, class Session, class Share,
          class CompletionToken = boost::asio::default_completion_token_t<typename Session::executor_type>>
    requires(!secure_rng<CompletionToken>) && threshold_scheme<detail::resolved_scheme_t<Scheme, Share>> &&
            std::convertible_to<const Share&, typename detail::resolved_scheme_t<Scheme, Share>::share_type>
auto async_decrypt(Session& session, const Share& share, std::vector<detail::ciphertext_of_t<detail::resolved_scheme_t<Scheme, Share>>> ciphertexts,
                   decrypt_options options, CompletionToken&& token = {})
{
    using S = detail::resolved_scheme_t<Scheme, Share>;
    const typename S::share_type& own = share;
    auto key = detail::check_decrypt_call<S>(session, own, ciphertexts, options);
    return boost::asio::co_spawn(session.get_executor(),
                                 detail::run_decrypt_system_rng<S>(session, own, std::move(key), std::move(ciphertexts), std::move(options)),
                                 std::forward<CompletionToken>(token));
}

/// Blocking form of `async_decrypt`: runs `context` (the execution context of the session's
/// transport, not run by any other thread) until this party's decryption has finished.
/// @tparam Scheme as for `async_decrypt`.
/// @return as the completion of `async_decrypt`: a dkg::decryption_result<Scheme::plaintext_type>.
/// @throws std::invalid_argument as `async_decrypt`; dkg::protocol_error on a failure.
template <class Scheme = detail::scheme_of_share, class Session, class Share>
    requires threshold_scheme<detail::resolved_scheme_t<Scheme, Share>> &&
             std::convertible_to<const Share&, typename detail::resolved_scheme_t<Scheme, Share>::share_type>
auto decrypt(boost::asio::io_context& context, Session& session, const Share& share,
             std::vector<detail::ciphertext_of_t<detail::resolved_scheme_t<Scheme, Share>>> ciphertexts, decrypt_options options)
{
    using S = detail::resolved_scheme_t<Scheme, Share>;
    return detail::run_until_complete<decryption_result<typename S::plaintext_type>>(
        context,
        [&](auto handler) { async_decrypt<S>(session, share, std::move(ciphertexts), std::move(options), std::move(handler)); },
        "threshold decrypt");
}

} // namespace dkg
