// Running every party of a key generation in one process: for single-machine use, tests, examples
// and benchmarks. Each party still has its own session, generator and worker threads, and talks to
// the others only through a transport (in-memory, or real TCP on the loopback interface).
#pragma once

#include <dkg/keygen.hpp>
#include <dkg/rng.hpp>
#include <dkg/session.hpp>
#include <dkg/transport/memory.hpp>
#include <dkg/transport/tcp.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

namespace dkg {

/// The transport an in-process run uses between its parties.
enum class in_process_transport {
    memory, ///< dkg::memory_network
    tcp,    ///< dkg::tcp_transport on 127.0.0.1, ports chosen by the system
};

/// Options of `generate_key_in_process`.
struct in_process_options {
    in_process_transport transport = in_process_transport::memory;
    session_options session;
    /// Every party's local options: `threads` and `arithmetic_executor` apply to each party (an
    /// executor given here is shared by all of them); `on_progress` is called with party 1's
    /// progress (on the io thread).
    keygen_options keygen;
};

/// Generates a key with all n parties in this process; element j-1 of the result is party j's share.
///
/// Every party gets its own dkg::system_rng and session, and its own worker threads
/// (options.keygen.threads each) unless options.keygen.arithmetic_executor is given.
/// @tparam Policies the layers (dkg/keygen/policies.hpp), the same for every party.
/// @throws std::invalid_argument for invalid parameters or options; the first party's
///         dkg::protocol_error if the run fails.
template <big_integer N, class Policies = keygen_policies<N>>
std::vector<key_share<N>> generate_key_in_process(std::size_t parties, const keygen_params& params, in_process_options options = {})
{
    params.validate(parties);
    options.keygen.validate();
    boost::asio::io_context context;
    std::vector<std::optional<key_share<N>>> shares(parties);
    std::vector<std::exception_ptr> errors(parties);
    std::vector<std::unique_ptr<system_rng>> rngs;
    for (std::size_t j = 0; j < parties; ++j) rngs.push_back(std::make_unique<system_rng>());

    std::size_t finished = 0;
    std::function<void()> on_all_finished = [] {};
    auto launch = [&](auto& sessions) {
        for (std::size_t j = 0; j < parties; ++j) {
            keygen_options local = options.keygen;
            if (j != 0) local.on_progress = {};
            async_generate_key<N, Policies>(*sessions[j], *rngs[j], params, std::move(local),
                                            [&, j](std::exception_ptr e, key_share<N> share) {
                                                errors[j] = e;
                                                if (!e) shares[j].emplace(std::move(share));
                                                if (++finished == parties) on_all_finished();
                                            });
        }
    };

    if (options.transport == in_process_transport::memory) {
        memory_network network(context, parties);
        std::vector<std::unique_ptr<session<memory_transport>>> sessions;
        for (std::size_t j = 1; j <= parties; ++j)
            sessions.push_back(std::make_unique<session<memory_transport>>(network.party(static_cast<party_id>(j)), options.session));
        launch(sessions);
        context.run();
    } else {
        // Bind every listener first (port 0), so the party list has the real ports.
        std::vector<boost::asio::ip::tcp::acceptor> listeners;
        std::vector<tcp_endpoint> endpoints;
        for (std::size_t j = 0; j < parties; ++j) {
            boost::asio::ip::tcp::acceptor a(context, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
            endpoints.push_back(tcp_endpoint{"127.0.0.1", a.local_endpoint().port()});
            listeners.push_back(std::move(a));
        }
        std::vector<std::unique_ptr<tcp_transport>> transports;
        for (std::size_t j = 0; j < parties; ++j)
            transports.push_back(std::make_unique<tcp_transport>(std::move(listeners[j]), static_cast<party_id>(j + 1), endpoints));
        std::vector<std::unique_ptr<session<tcp_transport>>> sessions;
        for (auto& t : transports) sessions.push_back(std::make_unique<session<tcp_transport>>(*t, options.session));
        std::size_t started = 0;
        std::exception_ptr start_error;
        auto shut_down = [&] {
            for (auto& t : transports) t->async_shutdown([](boost::system::error_code) {});
        };
        on_all_finished = shut_down;
        for (auto& t : transports)
            t->async_start([&](std::exception_ptr e) {
                if (e && !start_error) start_error = e;
                if (++started < parties) return;
                if (start_error)
                    shut_down();
                else
                    launch(sessions);
            });
        context.run();
        if (start_error) std::rethrow_exception(start_error);
    }
    for (const auto& e : errors)
        if (e) std::rethrow_exception(e);
    std::vector<key_share<N>> out;
    for (auto& s : shares) out.push_back(std::move(*s));
    return out;
}

} // namespace dkg
