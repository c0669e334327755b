// Micro-benchmarks of the transport layer: one all-to-all exchange (session::exchange: every party
// sends one message to and receives one from each other party) among 3 parties in this process,
// over the memory transport and over TCP on 127.0.0.1, with 1 KiB and 1 MiB messages. All three
// parties run on the benchmark's thread, so its CPU time is the cost of an exchange (the kernel's
// work for TCP included) even when other programs share the machine; bytes_per_second counts the
// payload delivered to all parties.
#include "support.hpp"

#include <dkg/session.hpp>
#include <dkg/transport/memory.hpp>
#include <dkg/transport/tcp.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>

namespace dkg_micro {

namespace {

namespace asio = boost::asio;

constexpr std::size_t parties = 3;

/// Runs `body(p)` for every party p on `io` (this thread) until all have finished.
void run_all(asio::io_context& io, const std::function<asio::awaitable<void>(dkg::party_id)>& body,
             const std::function<asio::any_io_executor(dkg::party_id)>& executor)
{
    std::size_t done = 0;
    std::exception_ptr failure;
    for (dkg::party_id p = 1; p <= parties; ++p)
        asio::co_spawn(executor(p), body(p), [&](std::exception_ptr e) {
            if (e && !failure) failure = e;
            if (++done == parties) io.stop();
        });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
}

/// Times exchanges of `size`-byte messages among sessions over `transports`.
template <class Transport>
void time_exchanges(benchmark::State& state, asio::io_context& io, const std::vector<Transport*>& transports, std::size_t size)
{
    const auto executor = [&](dkg::party_id p) -> asio::any_io_executor { return transports[p - 1]->get_executor(); };
    std::vector<std::unique_ptr<dkg::session<Transport>>> sessions;
    for (auto* t : transports) sessions.push_back(std::make_unique<dkg::session<Transport>>(*t));
    run_all(
        io,
        [&](dkg::party_id p) -> asio::awaitable<void> {
            dkg::system_rng rng;
            co_await sessions[p - 1]->establish(rng);
        },
        executor);
    // Many exchanges per batch, so that starting the coroutines does not count.
    const std::size_t batch = size >= (std::size_t{1} << 20) ? 4 : 200;
    std::uint32_t round = 0;
    while (state.KeepRunningBatch(static_cast<benchmark::IterationCount>(batch))) {
        const std::uint32_t first = round;
        run_all(
            io,
            [&](dkg::party_id p) -> asio::awaitable<void> {
                auto& s = *sessions[p - 1];
                for (std::uint32_t r = first; r < first + batch; ++r) {
                    std::vector<dkg::bytes> out(parties, dkg::bytes(size, static_cast<std::uint8_t>(r)));
                    const auto in = co_await s.exchange({1000, r, 0}, std::move(out));
                    for (dkg::party_id j = 1; j <= parties; ++j)
                        if (j != p && in[j - 1].size() != size) throw std::runtime_error("an exchanged message has the wrong size");
                }
            },
            executor);
        round += static_cast<std::uint32_t>(batch);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * parties * (parties - 1) * size));
}

void exchange_memory(benchmark::State& state, std::size_t size)
{
    asio::io_context io;
    dkg::memory_network network(io, parties);
    std::vector<dkg::memory_transport*> transports;
    for (dkg::party_id p = 1; p <= parties; ++p) transports.push_back(&network.party(p));
    time_exchanges(state, io, transports, size);
}

void exchange_tcp(benchmark::State& state, std::size_t size)
{
    asio::io_context io;
    std::vector<dkg::tcp_endpoint> endpoints;
    std::vector<asio::ip::tcp::acceptor> acceptors;
    for (std::size_t p = 0; p < parties; ++p) {
        acceptors.emplace_back(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
        endpoints.push_back({"127.0.0.1", acceptors.back().local_endpoint().port()});
    }
    std::vector<std::unique_ptr<dkg::tcp_transport>> owned;
    std::vector<dkg::tcp_transport*> transports;
    for (std::size_t p = 0; p < parties; ++p) {
        owned.push_back(std::make_unique<dkg::tcp_transport>(std::move(acceptors[p]), static_cast<dkg::party_id>(p + 1), endpoints));
        transports.push_back(owned.back().get());
    }
    const auto executor = [&](dkg::party_id p) -> asio::any_io_executor { return transports[p - 1]->get_executor(); };
    run_all(io, [&](dkg::party_id p) -> asio::awaitable<void> { co_await transports[p - 1]->async_start(asio::use_awaitable); }, executor);
    time_exchanges(state, io, transports, size);
    run_all(io, [&](dkg::party_id p) -> asio::awaitable<void> { co_await transports[p - 1]->async_shutdown(asio::use_awaitable); }, executor);
}

} // namespace

void register_transport_benchmarks()
{
    for (const std::size_t size : {std::size_t{1} << 10, std::size_t{1} << 20}) {
        const std::string bytes = "/n=3/bytes=" + std::to_string(size);
        configure(benchmark::RegisterBenchmark(("transport/exchange/memory" + bytes).c_str(), exchange_memory, size));
        configure(benchmark::RegisterBenchmark(("transport/exchange/tcp" + bytes).c_str(), exchange_tcp, size));
    }
}

} // namespace dkg_micro
