// Distributed threshold decryption over a session (docs/protocol.md §6): the contributors send
// their partial decryptions of a batch to the receivers, and each receiver combines the first t+1
// valid ones that arrive. Up to n−(t+1) parties may be offline, silent or wrong.
//
// Generic over the session type (dkg::session<T> from dkg/session.hpp, or any type with its
// interface), so this header does not include the session layer.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/error.hpp>
#include <dkg/key_share.hpp>
#include <dkg/paillier.hpp>
#include <dkg/rng.hpp>
#include <dkg/threshold.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
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

/// Message steps of threshold decryption (docs/protocol.md §6). The decryption id travels in the
/// tag's round (high 32 bits) and topic (low 32 bits).
namespace threshold_steps {
inline constexpr std::uint32_t partials = 200;           ///< a contributor's first chunk of partial decryptions
inline constexpr std::uint32_t partials_continued = 201; ///< its further chunks, in order
} // namespace threshold_steps

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

    /// @throws std::invalid_argument naming the option that does not fit n parties and threshold t:
    ///         ids outside 1..n or repeated, fewer than t+1 contributors, sigma = 0, negative timeout.
    void validate(std::size_t parties, std::size_t threshold) const
    {
        check_ids(receivers, parties, "receivers");
        check_ids(contributors, parties, "contributors");
        if (!contributors.empty() && contributors.size() < threshold + 1)
            throw std::invalid_argument("contributors: at least threshold+1 parties needed");
        if (sigma < 1) throw std::invalid_argument("sigma: must be at least 1");
        if (timeout.count() < 0) throw std::invalid_argument("timeout: must not be negative");
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
          digest_(batch_digest(share_.public_key(), ciphertexts_))
    {
        const party_id self = share_.id();
        for (party_id p = 1; p <= share_.parties(); ++p) {
            if (options_.receivers.empty() || contains(options_.receivers, p)) receivers_.push_back(p);
            if (options_.contributors.empty() || contains(options_.contributors, p)) contributors_.push_back(p);
        }
        receiver_ = contains(receivers_, self);
        contributor_ = contains(contributors_, self);
        chunk_items_ = chunk_capacity();
    }

    template <class G>
    boost::asio::awaitable<decryption_result<N>> run(G& rng)
    {
        if (ciphertexts_.empty()) co_return finish(std::vector<N>{});
        if (contributor_) co_await contribute(rng);
        if (!receiver_) co_return decryption_result<N>{};
        co_await collect(key_.threshold() + 1);
        co_return finish(co_await combine_pool());
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

    std::uint32_t id_high() const { return static_cast<std::uint32_t>(options_.id >> 32); }
    std::uint32_t id_low() const { return static_cast<std::uint32_t>(options_.id & 0xffffffffu); }

    std::size_t chunks() const { return (ciphertexts_.size() + chunk_items_ - 1) / chunk_items_; }

    /// How many partial decryptions fit in one message of the session's size limit.
    std::size_t chunk_capacity() const
    {
        const std::size_t value_bytes = 9 + (bit_length(share_.public_key().n_squared()) + 7) / 8;
        const std::size_t proof_bytes = options_.verify_proofs ? 10 + decryption_challenge_bits / 8 + (key_.max_exponent_bits() + 7) / 8 : 0;
        const std::size_t header_bytes = 64;
        const std::size_t limit = session_.options().max_message_bytes;
        const std::size_t per_item = value_bytes + proof_bytes;
        if (limit < header_bytes + per_item)
            throw std::invalid_argument("session: max_message_bytes is too small for one partial decryption");
        return (limit - header_bytes) / per_item;
    }

    // ---- contributors (docs/protocol.md §6: c_j = c^(2·Δ·s_j), with a proof) -------------------

    template <class G>
    boost::asio::awaitable<void> contribute(G& rng)
    {
        std::vector<party_id> to;
        for (party_id r : receivers_)
            if (r != share_.id()) to.push_back(r);
        const bool proofs = options_.verify_proofs && !to.empty();
        partial_list mine;
        mine.reserve(ciphertexts_.size());
        for (const auto& c : ciphertexts_)
            mine.push_back(proofs ? partial_decrypt_proved(share_, c, rng, options_.sigma) : partial_decrypt_unchecked(share_, c));
        std::vector<bytes> messages;
        for (std::size_t k = 0; k < chunks(); ++k) messages.push_back(encode_chunk(mine, k));
        for (party_id r : to) {
            try {
                for (std::size_t k = 0; k < messages.size(); ++k)
                    co_await session_.send(r, {k == 0 ? threshold_steps::partials : threshold_steps::partials_continued, id_high(), id_low()},
                                           messages[k]);
            } catch (const boost::system::system_error&) {
                // An offline receiver does not stop the others from decrypting.
            }
        }
        if (receiver_) add_to_pool(share_.id(), std::move(mine));
    }

    bytes encode_chunk(const partial_list& partials, std::size_t k) const
    {
        const std::size_t first = k * chunk_items_;
        const std::size_t count = std::min(chunk_items_, partials.size() - first);
        writer w;
        w.u8(1).raw(digest_).u32(static_cast<std::uint32_t>(partials.size())).u32(static_cast<std::uint32_t>(first)).u32(
            static_cast<std::uint32_t>(count));
        for (std::size_t i = first; i < first + count; ++i) write_partial(w, partials[i]);
        return w.finish();
    }

    /// Decodes and checks chunk k from party `from`; throws decode_error for anything wrong.
    void decode_chunk(party_id from, const bytes& payload, std::size_t k, partial_list& into) const
    {
        reader r(payload);
        if (r.u8() != 1) throw decode_error("unknown partial decryption message version");
        const auto digest = r.raw(digest_.size());
        if (!std::equal(digest.begin(), digest.end(), digest_.begin()))
            throw decode_error("partial decryptions of other ciphertexts or of another key");
        const std::size_t first = k * chunk_items_;
        if (r.u32() != ciphertexts_.size() || r.u32() != first) throw decode_error("unexpected batch position");
        const std::uint32_t count = r.u32();
        if (count != std::min(chunk_items_, ciphertexts_.size() - first)) throw decode_error("unexpected chunk size");
        for (std::size_t i = first; i < first + count; ++i) {
            auto p = read_partial(r, key_);
            if (p.party != from) throw decode_error("partial decryption names another party");
            if (p.proof.has_value() != options_.verify_proofs) throw decode_error("proof missing or unexpected");
            if (p.proof && !verify_proof(key_, ciphertexts_[i].value(), p)) throw decode_error("proof of a partial decryption fails");
            into.push_back(std::move(p));
        }
        r.expect_end();
    }

    // ---- receivers: gather the first valid partials -------------------------------------------

    void add_to_pool(party_id p, partial_list partials)
    {
        pool_.emplace_back(p, std::move(partials));
    }

    void mark(std::vector<party_id>& list, party_id p)
    {
        if (!contains(list, p)) list.push_back(p);
    }

    /// Asks parties not asked yet until the pool holds `wanted` complete sets or nobody is left.
    boost::asio::awaitable<void> collect(std::size_t wanted)
    {
        while (pool_.size() < wanted) {
            std::vector<party_id> ask;
            for (party_id p : contributors_)
                if (p != share_.id() && !contains(asked_, p)) ask.push_back(p);
            if (ask.empty()) throw not_enough(wanted);
            std::map<party_id, partial_list> first;
            auto accept = [this, &first](party_id from, const bytes& payload) {
                try {
                    partial_list got;
                    decode_chunk(from, payload, 0, got);
                    first[from] = std::move(got);
                    return true;
                } catch (const std::exception&) {
                    return false;
                }
            };
            const auto g = co_await session_.gather_first({threshold_steps::partials, id_high(), id_low()}, ask, wanted - pool_.size(), accept);
            for (party_id p : g.rejected) {
                asked_.push_back(p);
                mark(faulty_, p);
            }
            for (const auto& failure : g.failed) {
                asked_.push_back(failure.first);
                mark(unavailable_, failure.first);
            }
            for (const auto& accepted : g.accepted) {
                const party_id p = accepted.first;
                asked_.push_back(p);
                auto it = first.find(p);
                if (it == first.end()) continue;
                if (auto rest = co_await receive_rest(p, std::move(it->second))) add_to_pool(p, std::move(*rest));
            }
            if (g.accepted.empty() && g.rejected.empty() && g.failed.empty()) throw not_enough(wanted);
        }
    }

    /// The chunks after the first of party p's partial decryptions.
    boost::asio::awaitable<std::optional<partial_list>> receive_rest(party_id p, partial_list partials)
    {
        for (std::size_t k = 1; k < chunks(); ++k) {
            bool malformed = false;
            try {
                const bytes payload = co_await session_.receive(p, {threshold_steps::partials_continued, id_high(), id_low()});
                decode_chunk(p, payload, k, partials);
            } catch (const decode_error&) {
                malformed = true;
            } catch (const protocol_error&) {
                mark(unavailable_, p);
                co_return std::nullopt;
            }
            if (malformed) {
                mark(faulty_, p);
                co_return std::nullopt;
            }
        }
        co_return partials;
    }

    // ---- receivers: combine (docs/protocol.md §6), replacing partials that do not combine -------

    /// Combines the pool's sets at `chosen` for every ciphertext (or only those in `only`).
    std::optional<std::vector<N>> try_combine(const std::vector<std::size_t>& chosen, const std::vector<std::size_t>* only = nullptr) const
    {
        std::vector<party_id> ids;
        for (std::size_t k : chosen) ids.push_back(pool_[k].first);
        const auto mu = shamir::integer_lagrange_at_zero<N>(ids, key_.parties());
        std::vector<N> out;
        std::vector<const N*> values(chosen.size());
        const std::size_t count = only ? only->size() : ciphertexts_.size();
        for (std::size_t x = 0; x < count; ++x) {
            const std::size_t i = only ? (*only)[x] : x;
            for (std::size_t k = 0; k < chosen.size(); ++k) values[k] = &pool_[chosen[k]].second[i].value;
            auto m = combine_values<N>(key_, mu, values);
            if (!m) {
                failed_index_ = i;
                return std::nullopt;
            }
            out.push_back(*std::move(m));
        }
        return out;
    }

    boost::asio::awaitable<std::vector<N>> combine_pool()
    {
        const std::size_t needed = key_.threshold() + 1;
        std::vector<std::size_t> chosen(needed);
        for (std::size_t k = 0; k < needed; ++k) chosen[k] = k;
        if (auto m = try_combine(chosen)) {
            record_used(chosen);
            co_return *std::move(m);
        }
        // Some partial does not combine: look for t+1 sets that do, asking one more party each time
        // no subset of the pool works, then blame the sets that fail in place of a good one.
        std::vector<std::size_t> failing = {failed_index_};
        for (;;) {
            if (auto good = find_good_subset(failing)) {
                auto m = try_combine(*good);
                if (!m) {
                    failing.push_back(failed_index_);
                    continue;
                }
                blame_others(*good, failing);
                record_used(*good);
                co_return *std::move(m);
            }
            co_await collect(pool_.size() + 1);
        }
    }

    std::optional<std::vector<std::size_t>> find_good_subset(const std::vector<std::size_t>& failing) const
    {
        const std::size_t needed = key_.threshold() + 1;
        std::vector<std::size_t> chosen(needed);
        for (std::size_t k = 0; k < needed; ++k) chosen[k] = k;
        for (std::size_t tried = 0; tried < max_subsets; ++tried) {
            if (try_combine(chosen, &failing)) return chosen;
            // Next subset in lexicographic order.
            std::size_t k = needed;
            while (k > 0 && chosen[k - 1] == pool_.size() - needed + k - 1) --k;
            if (k == 0) return std::nullopt;
            ++chosen[k - 1];
            for (std::size_t j = k; j < needed; ++j) chosen[j] = chosen[j - 1] + 1;
        }
        throw protocol_error(make_error_code(errc::verification_failed), no_party,
                             context_ + ": too many partial decryptions do not combine; " + progress());
    }

    void blame_others(const std::vector<std::size_t>& good, const std::vector<std::size_t>& failing)
    {
        for (std::size_t k = 0; k < pool_.size(); ++k) {
            if (std::find(good.begin(), good.end(), k) != good.end()) continue;
            auto swapped = good;
            swapped.back() = k;
            if (!try_combine(swapped, &failing)) mark(faulty_, pool_[k].first);
        }
    }

    void record_used(const std::vector<std::size_t>& chosen)
    {
        used_.clear();
        for (std::size_t k : chosen) used_.push_back(pool_[k].first);
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
        return "valid partial decryptions from parties {" + describe_parties(valid) + "}, faulty {" + describe_parties(faulty_) +
               "}, unavailable {" + describe_parties(unavailable_) + "}";
    }

    protocol_error not_enough(std::size_t wanted) const
    {
        return protocol_error(make_error_code(errc::not_enough_shares), no_party,
                              context_ + ": " + std::to_string(wanted) + " valid partial decryptions needed; " + progress());
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
    std::size_t chunk_items_ = 1;
    std::vector<std::pair<party_id, partial_list>> pool_; // complete sets, in arrival order
    std::vector<party_id> asked_, faulty_, unavailable_, used_;
    mutable std::size_t failed_index_ = 0;
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
}

} // namespace detail

/// Decrypts a batch of ciphertexts together with the other parties (docs/protocol.md §6). Every
/// party calls it with the same ciphertexts and options on its own session.
///
/// Each contributor computes its partial decryptions (with proofs if `options.verify_proofs`) and
/// sends them to every receiver, in chunks that fit the session's message size limit. Each
/// receiver combines the first t+1 valid sets to arrive (its own included), so the decryption
/// succeeds while up to n−(t+1) contributors are offline, silent or wrong. A wrong set (malformed,
/// of other ciphertexts, failing its proof, or not combining) is recorded in `faulty` and replaced
/// by another party's. Partials that were not needed stay buffered in the session.
///
/// @tparam N a type modelling dkg::big_integer.
/// @tparam Session dkg::session<T> (any type with its interface).
/// @tparam G a type modelling dkg::secure_rng.
/// @param session this party's established session; must outlive the operation.
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
///         a ciphertext belongs to another key, or `options` do not fit (see decrypt_options::validate).
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
    std::optional<decryption_result<N>> result;
    std::exception_ptr error;
    async_decrypt(session, share, std::move(ciphertexts), std::move(options), [&](std::exception_ptr e, decryption_result<N> r) {
        error = e;
        if (!e) result.emplace(std::move(r));
    });
    context.restart();
    while (!result && !error) {
        if (context.run_one() == 0) break;
    }
    if (error) std::rethrow_exception(error);
    if (!result) throw protocol_error(make_error_code(errc::closed), no_party, "threshold decrypt: the execution context stopped");
    return std::move(*result);
}

} // namespace dkg
