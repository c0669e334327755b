// Fault-injection runs shared by the fault matrix and the secret-hygiene tests: every party of a
// key generation or a threshold decryption runs over the memory transport, behind a
// faulty_transport (drop, delay, duplicate, corrupt, truncate, disconnect) and a crash switch
// (memory_network::disconnect at the party's first message of a given step). Each run records
// every party's outcome, its time, and every text the library produced (exception messages,
// warnings, transport fault reports), so that tests can check both what failed and what was said.
#pragma once

#include <dkg/diagnostics.hpp>
#include <dkg/keygen.hpp>
#include <dkg/session.hpp>
#include <dkg/testing/faulty_transport.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/threshold/async_decrypt.hpp>
#include <dkg/transport/memory.hpp>

#include "backends.hpp"
#include "observing_key_sharing.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define DKG_FAULTS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define DKG_FAULTS_SANITIZED 1
#endif
#endif

namespace faults {

/// GMP when it is available (test_support::fast_int).
using N = test_support::fast_int;

#if defined(DKG_FAULTS_SANITIZED)
/// Sanitizers slow every step down several times: timeouts and time bounds grow with them.
inline constexpr int slowdown = 6;
#else
inline constexpr int slowdown = 1;
#endif

/// The session timeout of the fault tests.
inline constexpr std::chrono::milliseconds session_timeout{400 * slowdown};
using clock = std::chrono::steady_clock;
using dkg::testing::fault_action;
using dkg::testing::fault_rule;

/// Every text the library produced during a run (never expected to contain a secret).
struct texts {
    std::mutex mutex;
    std::vector<std::string> all;

    void add(std::string text)
    {
        std::lock_guard lock(mutex);
        all.push_back(std::move(text));
    }
};

/// Routes dkg's warnings into `into` while alive.
class capture_warnings {
public:
    explicit capture_warnings(texts& into)
        : previous_(dkg::set_warning_handler([&into](std::string_view w) { into.add("warning: " + std::string(w)); }))
    {
    }
    ~capture_warnings() { dkg::set_warning_handler(std::move(previous_)); }

private:
    dkg::warning_handler previous_;
};

/// A memory transport that crashes its party (memory_network::disconnect) when the party sends its
/// first message of `crash_step`; that message is not delivered.
class crashing_transport {
public:
    using executor_type = dkg::memory_transport::executor_type;

    crashing_transport(dkg::memory_network& net, dkg::party_id self) : net_(net), inner_(net.party(self)) {}

    /// Crash at the first message of this step (nothing: never).
    std::optional<std::uint32_t> crash_step;
    bool crashed() const noexcept { return crashed_; }

    executor_type get_executor() const { return inner_.get_executor(); }
    dkg::party_id self() const noexcept { return inner_.self(); }
    std::size_t party_count() const noexcept { return inner_.party_count(); }

    template <class CompletionToken>
    auto async_send(dkg::party_id to, const dkg::message_tag& tag, std::vector<std::uint8_t> payload, CompletionToken&& token)
    {
        if (crash_step && tag.step == *crash_step && !crashed_) {
            crashed_ = true;
            net_.disconnect(self());
        }
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
    dkg::memory_network& net_;
    dkg::memory_transport& inner_;
    bool crashed_ = false;
};

using faulty = dkg::testing::faulty_transport<crashing_transport>;
using session = dkg::session<faulty>;

/// The fault one party injects.
struct fault {
    dkg::party_id party = 2;
    std::vector<fault_rule> rules;
    std::optional<std::uint32_t> crash_step;
};

/// Rules applying `action` to the first message of `step` to every other party (n-1 messages).
inline std::vector<fault_rule> first_round(fault_action action, std::uint32_t step, std::size_t parties, dkg::party_id self,
                                           std::chrono::milliseconds delay = {}, std::size_t byte_index = 0)
{
    std::vector<fault_rule> rules;
    for (dkg::party_id to = 1; to <= parties; ++to) {
        if (to == self) continue;
        fault_rule r;
        r.action = action;
        r.step = step;
        r.to = to;
        r.nth = 1;
        r.delay = delay;
        r.byte_index = byte_index;
        rules.push_back(r);
    }
    return rules;
}

template <class Result>
struct party_outcome {
    std::optional<Result> result;
    std::exception_ptr error;
    clock::duration elapsed{};
    bool finished = false;
};

/// n parties over the memory transport, each behind a crash switch and a faulty_transport.
struct network {
    boost::asio::io_context io;
    texts& said;
    dkg::memory_network net;
    std::vector<std::unique_ptr<crashing_transport>> crashers;
    std::vector<std::unique_ptr<faulty>> transports;
    std::vector<std::unique_ptr<session>> sessions;
    std::vector<std::unique_ptr<dkg::testing::insecure_seeded_rng>> rngs;

    network(std::size_t n, texts& into, std::chrono::milliseconds timeout, const std::vector<fault>& faults, std::uint64_t seed)
        : said(into), net(io, n, memory_options(into))
    {
        dkg::session_options options;
        options.timeout = timeout;
        for (dkg::party_id j = 1; j <= n; ++j) {
            crashers.push_back(std::make_unique<crashing_transport>(net, j));
            transports.push_back(std::make_unique<faulty>(*crashers.back()));
            for (const auto& f : faults) {
                if (f.party != j) continue;
                crashers.back()->crash_step = f.crash_step;
                for (const auto& r : f.rules) transports.back()->add_rule(r);
            }
            sessions.push_back(std::make_unique<session>(*transports.back(), options));
            rngs.push_back(std::make_unique<dkg::testing::insecure_seeded_rng>(seed, j));
        }
    }

    static dkg::memory_options memory_options(texts& into)
    {
        dkg::memory_options o;
        o.on_fault = [&into](dkg::party_id p, boost::system::error_code ec, std::string context) {
            into.add("transport fault: party " + std::to_string(p) + ": " + ec.message() + " (" + context + ")");
        };
        return o;
    }

    /// Records `e`'s message among the run's texts.
    void record(const std::exception_ptr& e)
    {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            said.add(std::string("error: ") + ex.what());
        }
    }
};

/// Outcome of a run: one entry per party, and the run's wall time.
template <class Result>
struct run_outcome {
    std::vector<party_outcome<Result>> parties;
    clock::duration elapsed{};
    std::vector<dkg::testing::fault_stats> stats; ///< each party's faulty_transport statistics
    std::vector<bool> crashed;

    const party_outcome<Result>& party(dkg::party_id j) const { return parties.at(j - 1); }
};

/// Runs `start(j, on_done)` for every party j (0-based) on `w` and collects the outcomes.
template <class Result, class Start>
run_outcome<Result> run_all(network& w, std::size_t n, Start&& start_party)
{
    run_outcome<Result> out;
    out.parties.resize(n);
    const auto start = clock::now();
    for (std::size_t j = 0; j < n; ++j)
        start_party(j, [&out, &w, start, j](std::exception_ptr e, Result r) {
            auto& p = out.parties[j];
            p.finished = true;
            p.elapsed = clock::now() - start;
            p.error = e;
            w.record(e);
            if (!e) p.result.emplace(std::move(r));
        });
    w.io.run();
    out.elapsed = clock::now() - start;
    for (std::size_t j = 0; j < n; ++j) {
        out.stats.push_back(w.transports[j]->stats());
        out.crashed.push_back(w.crashers[j]->crashed());
    }
    return out;
}

/// Key generation of `n` parties with `params`, the given faults and session timeout.
inline run_outcome<dkg::key_share<N>> run_keygen(std::size_t n, const dkg::keygen_params& params, std::chrono::milliseconds timeout,
                                                 const std::vector<fault>& faults, texts& said, std::uint64_t seed = 11)
{
    capture_warnings warnings(said);
    network w(n, said, timeout, faults, seed);
    return run_all<dkg::key_share<N>>(w, n, [&](std::size_t j, auto on_done) {
        dkg::async_generate_key<N, test_support::observed<dkg::keygen_policies<N>>>(*w.sessions[j], *w.rngs[j], params, {}, std::move(on_done));
    });
}

/// Establishes every session (without faults: the rules of a decryption test name its step), then
/// decrypts `ciphertexts` at every party with `options`, with the threshold scheme of the share type
/// (dkg::default_threshold_scheme: any scheme, not only the default one, runs through the matrix).
template <class Share, class Ciphertext, class Plaintext = typename dkg::default_threshold_scheme_t<Share>::plaintext_type>
run_outcome<dkg::decryption_result<Plaintext>> run_decrypt(const std::vector<Share>& shares, const std::vector<Ciphertext>& ciphertexts,
                                                           const dkg::decrypt_options& options, std::chrono::milliseconds timeout,
                                                           const std::vector<fault>& faults, texts& said, std::uint64_t seed = 12)
{
    const std::size_t n = shares.size();
    capture_warnings warnings(said);
    network w(n, said, timeout, faults, seed);
    for (std::size_t j = 0; j < n; ++j) w.sessions[j]->async_establish(*w.rngs[j], [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    w.io.run();
    w.io.restart();
    return run_all<dkg::decryption_result<Plaintext>>(w, n, [&](std::size_t j, auto on_done) {
        dkg::async_decrypt(*w.sessions[j], shares[j], ciphertexts, options, *w.rngs[j], std::move(on_done));
    });
}

/// The protocol_error of a failed party (a test error if it failed otherwise or did not fail).
template <class Result>
std::optional<dkg::protocol_error> protocol_error_of(const party_outcome<Result>& p)
{
    if (!p.error) return std::nullopt;
    try {
        std::rethrow_exception(p.error);
    } catch (const dkg::protocol_error& e) {
        return e;
    } catch (const std::exception& e) {
        BOOST_ERROR("failed with something else than a protocol_error: " << e.what());
    }
    return std::nullopt;
}

} // namespace faults
