// Distributed threshold decryption over a session (docs/protocol.md §6): the contributors send
// their partial decryptions of a batch to the receivers, and each receiver combines the first t+1
// valid ones that arrive. Up to n−(t+1) parties may be offline, silent or wrong.
//
// Generic over the session type: dkg::session<T>, or any type with its interface.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/detail/blocking.hpp>
#include <dkg/detail/parallel.hpp>
#include <dkg/error.hpp>
#include <dkg/key_share.hpp>
#include <dkg/paillier.hpp>
#include <dkg/rng.hpp>
#include <dkg/session.hpp>
#include <dkg/steps.hpp>
#include <dkg/threshold.hpp>

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
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
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
    /// combine (C ≢ 1 mod N) are caught; a deliberately shifted partial then goes unnoticed.
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
template <big_integer N>
struct decryption_result {
    /// The plaintext residues in [0, N), in the order of the ciphertexts (see `to_signed` and
    /// `decode`); empty (std::nullopt) at a party that is not a receiver.
    std::optional<std::vector<N>> plaintexts;
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

/// Binds messages to the key and the exact ciphertexts (never to their text).
template <big_integer N>
sha256::digest batch_digest(const public_key<N>& key, const std::vector<ciphertext<N>>& ciphertexts)
{
    sha256 h;
    const std::string_view domain = "dkg/threshold/batch/v1";
    h.update_u64(domain.size()).update(domain);
    hash_integer(h, key.n());
    h.update_u64(ciphertexts.size());
    for (const auto& c : ciphertexts) hash_integer(h, c.value());
    return h.finish();
}

template <big_integer N, class Session>
class decrypt_run {
public:
    decrypt_run(Session& session, key_share<N> share, std::vector<ciphertext<N>> ciphertexts, decrypt_options options)
        : session_(session), share_(std::move(share)), key_(share_), ciphertexts_(std::move(ciphertexts)),
          options_(std::move(options)), context_(decryption_context(options_.id)),
          digest_(batch_digest(share_.public_key(), ciphertexts_)), threads_(worker_threads(options_.threads)), workers_(threads_)
    {
        for (party_id p = 1; p <= share_.parties(); ++p) {
            if (options_.receivers.empty() || contains(options_.receivers, p)) receivers_.push_back(p);
            if (options_.contributors.empty() || contains(options_.contributors, p)) contributors_.push_back(p);
        }
        receiver_ = contains(receivers_, share_.id());
        contributor_ = contains(contributors_, share_.id());
    }

    template <class G>
    boost::asio::awaitable<decryption_result<N>> run(G& rng)
    {
        if (ciphertexts_.empty()) co_return finish(std::vector<N>{});
        if (contributor_) co_await contribute(rng);
        if (!receiver_) co_return decryption_result<N>{};
        co_return finish(co_await gather_and_combine());
    }

    /// The error for a deadline that passed, naming what had arrived by then.
    protocol_error deadline_passed() const
    {
        return protocol_error(make_error_code(errc::timeout), no_party,
                              context_ + ": the deadline of " + std::to_string(options_.timeout.count()) + " ms passed; " + progress());
    }

private:
    using partial_list = std::vector<partial_decryption<N>>;

    static bool contains(const std::vector<party_id>& ids, party_id p) { return std::find(ids.begin(), ids.end(), p) != ids.end(); }

    /// Step 200; the decryption id in round (high 32 bits) and topic (low 32 bits).
    step_tag tag() const
    {
        return step_tag{threshold_steps::partials, static_cast<std::uint32_t>(options_.id >> 32),
                        static_cast<std::uint32_t>(options_.id & 0xffffffffu)};
    }

    // ---- contributors (docs/protocol.md §6: c_j = c^(2·Δ·s_j), with a proof) -------------------

    template <class G>
    boost::asio::awaitable<void> contribute(G& rng)
    {
        std::vector<party_id> to;
        for (party_id r : receivers_)
            if (r != share_.id()) to.push_back(r);
        const bool proofs = options_.verify_proofs && !to.empty();
        partial_list mine(ciphertexts_.size());
        if (proofs) {
            auto rngs = fork_rngs(rng, threads_);
            co_await parallel_for(workers_, mine.size(), threads_, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
                for (std::size_t i = begin; i < end; ++i) mine[i] = partial_decrypt_proved(share_, ciphertexts_[i], rngs[chunk], options_.sigma);
            });
        } else {
            co_await parallel_for(workers_, mine.size(), threads_, [&](std::size_t begin, std::size_t end) {
                for (std::size_t i = begin; i < end; ++i) mine[i] = partial_decrypt_unchecked(share_, ciphertexts_[i]);
            });
        }
        const bytes message = encode(mine);
        for (party_id r : to) {
            try {
                co_await session_.send(r, tag(), message);
            } catch (const boost::system::system_error&) {
                // An offline receiver does not stop the others from decrypting.
            }
        }
        if (receiver_) pool_.emplace_back(share_.id(), std::move(mine));
    }

    /// u8 version 1, the batch digest, u32 count, then each partial decryption (detail::write_partial).
    bytes encode(const partial_list& partials) const
    {
        writer w;
        w.u8(1).raw(digest_).u32(static_cast<std::uint32_t>(partials.size()));
        for (const auto& p : partials) write_partial(w, p);
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
        for (std::size_t i = 0; i < ciphertexts_.size(); ++i) {
            auto p = read_partial(r, key_);
            if (p.party != from) throw decode_error("partial decryption names another party");
            if (p.proof.has_value() != options_.verify_proofs) throw decode_error("proof missing or unexpected");
            out.push_back(std::move(p));
        }
        r.expect_end();
        if (options_.verify_proofs) {
            std::vector<char> valid(out.size(), 0);
            parallel_for_blocking(workers_, out.size(), threads_, [&](std::size_t begin, std::size_t end) {
                for (std::size_t i = begin; i < end; ++i) valid[i] = verify_proof(key_, ciphertexts_[i].value(), out[i]) ? 1 : 0;
            });
            if (std::find(valid.begin(), valid.end(), 0) != valid.end()) throw decode_error("proof of a partial decryption fails");
        }
        return out;
    }

    // ---- receivers: the first t+1 valid sets that combine (docs/protocol.md §6) ----------------

    /// Receives from the other contributors until t+1 valid sets combine for every ciphertext.
    /// Every arriving set is checked (and its proofs verified) as it arrives; a set that is
    /// malformed or fails a proof is faulty; sets that pass enter the pool, and the pool is
    /// complete once some t+1 of its sets, including the newest, combine.
    boost::asio::awaitable<std::vector<N>> gather_and_combine()
    {
        std::optional<std::vector<N>> plaintexts = complete();
        std::vector<party_id> ask;
        for (party_id p : contributors_)
            if (p != share_.id()) ask.push_back(p);
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
    std::optional<std::vector<N>> complete()
    {
        const std::size_t needed = key_.threshold() + 1;
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
    std::optional<std::vector<N>> try_combine(const std::vector<std::size_t>& chosen) const
    {
        std::vector<party_id> ids;
        for (std::size_t k : chosen) ids.push_back(pool_[k].first);
        const auto mu = shamir::integer_lagrange_at_zero<N>(ids, key_.parties());
        std::vector<N> out;
        out.reserve(ciphertexts_.size());
        std::vector<const N*> values(chosen.size());
        for (std::size_t i = 0; i < ciphertexts_.size(); ++i) {
            for (std::size_t k = 0; k < chosen.size(); ++k) values[k] = &pool_[chosen[k]].second[i].value;
            auto m = combine_values<N>(key_, mu, values);
            if (!m) return std::nullopt;
            out.push_back(*std::move(m));
        }
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

    decryption_result<N> finish(std::vector<N> plaintexts) const
    {
        decryption_result<N> out;
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
        if (pool_.size() >= key_.threshold() + 1) text += "; the valid ones do not combine";
        return text;
    }

    protocol_error not_enough() const
    {
        return protocol_error(make_error_code(errc::not_enough_shares), no_party,
                              context_ + ": " + std::to_string(key_.threshold() + 1) + " valid partial decryptions needed; " + progress());
    }

    static constexpr std::size_t max_subsets = 4096;

    Session& session_;
    key_share<N> share_;
    threshold_key<N> key_;
    std::vector<ciphertext<N>> ciphertexts_;
    decrypt_options options_;
    std::string context_;
    sha256::digest digest_;
    std::vector<party_id> receivers_, contributors_;
    bool receiver_ = false, contributor_ = false;
    std::vector<std::pair<party_id, partial_list>> pool_; // sets that passed their checks, in arrival order
    std::vector<party_id> faulty_, unavailable_, used_;
    std::size_t subsets_tried_ = 0;
    std::size_t threads_;
    boost::asio::thread_pool workers_; // last: joined before the state its work uses is destroyed
};

template <big_integer N, class Session, class G>
boost::asio::awaitable<decryption_result<N>> run_decrypt(Session& session, key_share<N> share, std::vector<ciphertext<N>> ciphertexts,
                                                         decrypt_options options, G& rng)
{
    using namespace boost::asio::experimental::awaitable_operators;
    const auto timeout = options.timeout;
    auto run = std::make_shared<decrypt_run<N, Session>>(session, std::move(share), std::move(ciphertexts), std::move(options));
    if (timeout.count() == 0) co_return co_await run->run(rng);
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, timeout);
    auto outcome = co_await (run->run(rng) || timer.async_wait(boost::asio::use_awaitable));
    if (outcome.index() == 1) throw run->deadline_passed();
    co_return std::get<0>(std::move(outcome));
}

/// Runs run_decrypt with a system_rng owned by the coroutine.
template <big_integer N, class Session>
boost::asio::awaitable<decryption_result<N>> run_decrypt_system_rng(Session& session, key_share<N> share,
                                                                    std::vector<ciphertext<N>> ciphertexts, decrypt_options options)
{
    auto rng = std::make_unique<system_rng>();
    co_return co_await run_decrypt<N>(session, std::move(share), std::move(ciphertexts), std::move(options), *rng);
}

template <big_integer N, class Session>
void check_decrypt_call(const Session& session, const key_share<N>& share, const std::vector<ciphertext<N>>& ciphertexts,
                        const decrypt_options& options)
{
    require_share(share);
    if (session.self() != share.id()) throw std::invalid_argument("share: belongs to another party than the session's");
    if (session.party_count() != share.parties()) throw std::invalid_argument("share: made for another number of parties than the session's");
    for (const auto& c : ciphertexts) require_key(share.public_key(), c);
    options.validate(share.parties(), share.threshold());
    // One message carries a party's partial decryptions of the whole batch.
    const threshold_key<N> key(share);
    const std::size_t value_bytes = 14 + (bit_length(share.public_key().n_squared()) + 7) / 8;
    const std::size_t proof_bytes = options.verify_proofs ? 10 + decryption_challenge_bits / 8 + (key.max_exponent_bits() + 7) / 8 : 0;
    if (64 + ciphertexts.size() * (value_bytes + proof_bytes) > session.options().max_message_bytes)
        throw std::invalid_argument("ciphertexts: the batch does not fit the session's max_message_bytes; split it");
}

} // namespace detail

/// Decrypts a batch of ciphertexts together with the other parties (docs/protocol.md §6). Every
/// party calls it with the same ciphertexts and options on its own session.
///
/// Each contributor computes its partial decryptions (with proofs if `options.verify_proofs`) and
/// sends them, in one message, to every other receiver. Each receiver checks every set as it
/// arrives (session::gather_first) and combines the first t+1 valid sets that combine (its own
/// included), so the decryption succeeds while up to n−(t+1) contributors are offline, silent or
/// wrong. A wrong set (malformed, of other ciphertexts, failing its proof, or not combining with
/// the others) is recorded in `faulty` and replaced by a later party's. Late sets are discarded.
///
/// @tparam N a type modelling dkg::big_integer.
/// @tparam Session dkg::session<T> (or any type with its interface).
/// @tparam G a type modelling dkg::secure_rng.
/// @param session this party's established session; must outlive the operation. Receivers wait for
///        partial decryptions at most its `options().timeout`, which must therefore cover a
///        contributor's work on the whole batch (at 2048 bits with GMP about 15 ms per ciphertext,
///        55 ms with proofs, on an idle core, divided among `options.threads`); split larger batches.
/// @param share this party's key share (copied; the copy is wiped when the operation ends).
/// @param ciphertexts the batch, identical at every party (compared through a digest of the values).
/// @param options identical at every party; `options.id` distinguishes concurrent decryptions.
/// @param rng a cryptographic generator for the proofs, used only from the session's executor;
///        must outlive the operation.
/// @param token completion token; completion signature
///        `void(std::exception_ptr, dkg::decryption_result<N>)`. The plaintexts are present at the
///        receivers only. On failure the exception is a dkg::protocol_error: errc::not_enough_shares
///        (its message names the parties whose partials were valid, faulty and unavailable),
///        errc::timeout when `options.timeout` passed, or the session's error.
/// @throws std::invalid_argument (at the call) if `share` is empty or not the session's party,
///         a ciphertext belongs to another key, `options` do not fit (see decrypt_options::validate),
///         or one party's partial decryptions of the batch would exceed the session's
///         max_message_bytes (split the batch).
template <big_integer N, class Session, secure_rng G,
          class CompletionToken = boost::asio::default_completion_token_t<typename Session::executor_type>>
auto async_decrypt(Session& session, const key_share<N>& share, std::vector<ciphertext<N>> ciphertexts, decrypt_options options,
                   G& rng, CompletionToken&& token = {})
{
    detail::check_decrypt_call(session, share, ciphertexts, options);
    return boost::asio::co_spawn(session.get_executor(),
                                 detail::run_decrypt<N>(session, share, std::move(ciphertexts), std::move(options), rng),
                                 std::forward<CompletionToken>(token));
}

/// `async_decrypt` drawing the proofs' randomness from a dkg::system_rng of its own.
template <big_integer N, class Session,
          class CompletionToken = boost::asio::default_completion_token_t<typename Session::executor_type>>
    requires(!secure_rng<CompletionToken>)
auto async_decrypt(Session& session, const key_share<N>& share, std::vector<ciphertext<N>> ciphertexts, decrypt_options options,
                   CompletionToken&& token = {})
{
    detail::check_decrypt_call(session, share, ciphertexts, options);
    return boost::asio::co_spawn(session.get_executor(),
                                 detail::run_decrypt_system_rng<N>(session, share, std::move(ciphertexts), std::move(options)),
                                 std::forward<CompletionToken>(token));
}

/// Blocking form of `async_decrypt`: runs `context` (the execution context of the session's
/// transport, not run by any other thread) until this party's decryption has finished.
/// @return as the completion of `async_decrypt`.
/// @throws std::invalid_argument as `async_decrypt`; dkg::protocol_error on a failure.
template <big_integer N, class Session>
decryption_result<N> decrypt(boost::asio::io_context& context, Session& session, const key_share<N>& share,
                             std::vector<ciphertext<N>> ciphertexts, decrypt_options options)
{
    return detail::run_until_complete<decryption_result<N>>(
        context,
        [&](auto handler) { async_decrypt(session, share, std::move(ciphertexts), std::move(options), std::move(handler)); },
        "threshold decrypt");
}

} // namespace dkg
