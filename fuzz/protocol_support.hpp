// Running real protocol sessions in the fuzzers: a transport wrapper that lets a harness see and
// replace the payload of every message one party sends, and the message steps a harness targets.
// Used by fuzz_protocol (to replace one message with the fuzzer's bytes) and by make_corpus (to
// record the real messages as seeds).
#pragma once

#include <dkg/keygen.hpp>
#include <dkg/session.hpp>
#include <dkg/threshold/async_decrypt.hpp>
#include <dkg/transport.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace dkg_fuzz {

/// Called for every message the wrapped party sends; may change the payload.
using tap = std::function<void(dkg::party_id to, const dkg::message_tag& tag, std::vector<std::uint8_t>& payload)>;

/// Forwards to `Inner`, passing every outgoing payload through a tap first.
template <dkg::transport Inner>
class tap_transport {
public:
    using executor_type = typename Inner::executor_type;

    tap_transport(Inner& inner, tap on_send) : inner_(inner), on_send_(std::move(on_send)) {}

    executor_type get_executor() const { return inner_.get_executor(); }
    dkg::party_id self() const noexcept { return inner_.self(); }
    std::size_t party_count() const noexcept { return static_cast<std::size_t>(inner_.party_count()); }

    template <class CompletionToken>
    auto async_send(dkg::party_id to, const dkg::message_tag& tag, std::vector<std::uint8_t> payload, CompletionToken&& token)
    {
        if (on_send_) on_send_(to, tag, payload);
        return inner_.async_send(to, tag, std::move(payload), std::forward<CompletionToken>(token));
    }

    template <class CompletionToken>
    auto async_receive(dkg::party_id from, const dkg::message_tag& tag, CompletionToken&& token)
    {
        return inner_.async_receive(from, tag, std::forward<CompletionToken>(token));
    }

    void close_session(const dkg::session_id& id) { inner_.close_session(id); }
    void discard_next(dkg::party_id from, const dkg::message_tag& tag) { inner_.discard_next(from, tag); }

private:
    Inner& inner_;
    tap on_send_;
};

/// The steps fuzz_protocol can target, by index (the second input byte).
inline constexpr std::array<std::uint32_t, 12> target_steps = {
    dkg::steps::establish,          dkg::keygen_steps::setup,         dkg::keygen_steps::sieve_share,
    dkg::keygen_steps::sieve_reduce, dkg::keygen_steps::modulus_shares, dkg::keygen_steps::modulus_open,
    dkg::keygen_steps::biprime_first, dkg::keygen_steps::biprime_rest,  dkg::keygen_steps::key_shares,
    dkg::keygen_steps::key_reduce,   dkg::keygen_steps::key_open,      dkg::threshold_steps::partials,
};

/// Establishes `session`, then decrypts `batch` with `share` (one party of a decryption).
template <class Session, class N, class G>
boost::asio::awaitable<dkg::decryption_result<N>> establish_and_decrypt(Session& session, const dkg::key_share<N>& share,
                                                                         std::vector<dkg::ciphertext<N>> batch, dkg::decrypt_options options,
                                                                         G& rng)
{
    co_await session.establish(rng);
    co_return co_await dkg::async_decrypt(session, share, std::move(batch), std::move(options), rng, boost::asio::use_awaitable);
}

/// Key-generation parameters of the harness: the smallest key, so that a run takes milliseconds.
inline dkg::keygen_params keygen_params(bool trial_division)
{
    dkg::keygen_params p;
    p.key_length = 64;
    p.corruption_threshold = 1;
    p.candidates = trial_division ? dkg::candidate_method::trial_division : dkg::candidate_method::distributed_sieve;
    p.max_batches = 64;
    return p;
}

} // namespace dkg_fuzz
