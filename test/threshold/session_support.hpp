// Parties with established sessions for the distributed-decryption tests: n parties over the
// memory transport in one io_context, or over loopback TCP with an io_context run by a thread.
#pragma once

#include <dkg/session.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/threshold/async_decrypt.hpp>
#include <dkg/transport/memory.hpp>
#include <dkg/transport/tcp.hpp>

#include "transport/helpers.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <exception>
#include <future>
#include <map>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

namespace test_support {

/// Decrypt options with id `id`, with or without proofs, and the other options at their defaults.
inline dkg::decrypt_options with_id(std::uint64_t id, bool proofs = true)
{
    dkg::decrypt_options o;
    o.id = id;
    o.verify_proofs = proofs;
    return o;
}

/// How one party's decryption ended: the exception (null on success) and its result.
template <class Plaintext>
using outcome = std::pair<std::exception_ptr, dkg::decryption_result<Plaintext>>;

/// n parties over the memory transport in one io_context, with established sessions.
struct memory_parties {
    using session_type = dkg::session<dkg::memory_transport>;

    boost::asio::io_context io;
    dkg::memory_network net;
    std::vector<std::unique_ptr<session_type>> sessions;
    std::vector<std::unique_ptr<dkg::testing::insecure_seeded_rng>> rngs;

    explicit memory_parties(std::size_t n, dkg::session_options options = {}) : net(io, n)
    {
        for (dkg::party_id j = 1; j <= n; ++j) {
            sessions.push_back(std::make_unique<session_type>(net.party(j), options));
            rngs.push_back(std::make_unique<dkg::testing::insecure_seeded_rng>(dkg::testing::default_test_seed, 500 + j));
        }
        for (auto& s : sessions) boost::asio::co_spawn(s->get_executor(), s->establish(*rngs[s->self() - 1]), boost::asio::detached);
        io.run();
        io.restart();
        for (auto& s : sessions) BOOST_TEST_REQUIRE(s->established());
    }

    session_type& session(dkg::party_id j) { return *sessions[j - 1]; }

    /// Starts party j's decryption with the default scheme of `share` (or `Scheme` if named); its
    /// outcome lands in `into[j]` once `io` has run.
    template <class Scheme = dkg::detail::scheme_of_share, class Share, class Ciphertext, class Plaintext>
    void start(dkg::party_id j, const Share& share, std::vector<Ciphertext> cts, dkg::decrypt_options options,
               std::map<dkg::party_id, outcome<Plaintext>>& into)
    {
        dkg::async_decrypt<Scheme>(session(j), share, std::move(cts), std::move(options), *rngs[j - 1],
                                   [&into, j](std::exception_ptr e, dkg::decryption_result<Plaintext> r) { into[j] = {e, std::move(r)}; });
    }
};

/// n parties over loopback TCP in one process, with established sessions; one thread runs the
/// io_context until the object is destroyed (which stops it before the sessions go away).
struct tcp_parties {
    using session_type = dkg::session<dkg::tcp_transport>;

    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work = boost::asio::make_work_guard(io);
    std::thread runner{[this] { io.run(); }};
    transport_test::tcp_cluster cluster;
    std::vector<std::unique_ptr<session_type>> sessions;
    std::vector<std::unique_ptr<dkg::testing::insecure_seeded_rng>> rngs;

    explicit tcp_parties(std::size_t n) : cluster(io, n)
    {
        try {
            std::vector<std::future<void>> ready;
            for (auto& t : cluster.parties) ready.push_back(t->async_start(boost::asio::use_future));
            for (auto& f : ready) f.get();
            ready.clear();
            for (dkg::party_id j = 1; j <= n; ++j) {
                sessions.push_back(std::make_unique<session_type>(*cluster.parties[j - 1]));
                rngs.push_back(std::make_unique<dkg::testing::insecure_seeded_rng>(dkg::testing::default_test_seed, 600 + j));
                ready.push_back(boost::asio::co_spawn(sessions.back()->get_executor(), sessions.back()->establish(*rngs.back()),
                                                      boost::asio::use_future));
            }
            for (auto& f : ready) f.get();
        } catch (...) {
            stop();
            throw;
        }
    }

    tcp_parties(const tcp_parties&) = delete;
    tcp_parties& operator=(const tcp_parties&) = delete;
    ~tcp_parties() { stop(); }

    session_type& session(dkg::party_id j) { return *sessions[j - 1]; }

    void stop()
    {
        if (!runner.joinable()) return;
        work.reset();
        io.stop();
        runner.join();
    }
};

} // namespace test_support
