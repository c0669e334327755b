// Transport benchmark: all-to-all exchanges (session::exchange) between 3 parties in one process,
// over the memory transport and over TCP on 127.0.0.1, with 1 KiB and 1 MiB messages.
//
// For each configuration it runs several timed runs of many exchanges and reports, over the runs,
// the median and the range of the time per exchange (every party sends one message to and receives
// one from every other) and of the throughput (payload bytes delivered per second, all parties).
//
//   benchmark_transport [--runs R] [--threads T] [--json]
#include <dkg/session.hpp>
#include <dkg/transport/memory.hpp>
#include <dkg/transport/tcp.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t parties = 3;

struct config {
    int runs = 7;
    int threads = 1;
    bool json = false;
};

struct measurement {
    std::string transport;
    std::size_t message_bytes = 0;
    int exchanges = 0;                // per run
    std::vector<double> seconds;      // per run
};

/// Runs `body(p)` for every party p = 1..n on `io` with `threads` threads until all have finished.
void run_all(asio::io_context& io, int threads, const std::function<asio::awaitable<void>(dkg::party_id)>& body,
             const std::function<asio::any_io_executor(dkg::party_id)>& executor)
{
    std::atomic<std::size_t> done{0};
    std::exception_ptr failure;
    for (dkg::party_id p = 1; p <= parties; ++p)
        asio::co_spawn(executor(p), body(p), [&](std::exception_ptr e) {
            if (e && !failure) failure = e;
            if (++done == parties) io.stop();
        });
    io.restart();
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
}

/// Times `runs` runs of `count` exchanges of `size`-byte messages over the given transports.
template <class Transport>
measurement measure(const std::string& name, asio::io_context& io, std::vector<Transport*> transports, std::size_t size, int count,
                    const config& cfg)
{
    measurement m{name, size, count, {}};
    const auto executor = [&](dkg::party_id p) -> asio::any_io_executor { return transports[p - 1]->get_executor(); };
    for (int run = -1; run < cfg.runs; ++run) { // run -1 warms up
        std::vector<std::unique_ptr<dkg::session<Transport>>> sessions;
        for (auto* t : transports) sessions.push_back(std::make_unique<dkg::session<Transport>>(*t));
        run_all(
            io, cfg.threads,
            [&](dkg::party_id p) -> asio::awaitable<void> {
                dkg::system_rng rng;
                co_await sessions[p - 1]->establish(rng);
            },
            executor);
        const auto begin = clock_type::now();
        run_all(
            io, cfg.threads,
            [&](dkg::party_id p) -> asio::awaitable<void> {
                auto& s = *sessions[p - 1];
                for (int i = 0; i < count; ++i) {
                    std::vector<dkg::bytes> out(parties, dkg::bytes(size, static_cast<std::uint8_t>(i)));
                    const auto in = co_await s.exchange({1000, static_cast<std::uint32_t>(i), 0}, std::move(out));
                    if (in[0].size() != size) throw std::runtime_error("bad message");
                }
            },
            executor);
        const double seconds = std::chrono::duration<double>(clock_type::now() - begin).count();
        if (run >= 0) m.seconds.push_back(seconds);
        // Sessions are destroyed here, on this thread, while the io_context is stopped.
    }
    return m;
}

struct summary {
    double median, low, high;
};

summary summarize(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    const double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return {median, v.front(), v.back()};
}

std::string size_name(std::size_t bytes) { return bytes >= (1u << 20) ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes >> 10) + " KiB"; }

/// Time per exchange (microseconds) and payload throughput (MB/s) over the runs.
std::pair<summary, summary> rates(const measurement& m)
{
    std::vector<double> per_exchange, throughput;
    const double bytes_per_exchange = static_cast<double>(parties * (parties - 1) * m.message_bytes);
    for (double s : m.seconds) {
        per_exchange.push_back(s / m.exchanges * 1e6);
        throughput.push_back(bytes_per_exchange * m.exchanges / s / 1e6);
    }
    return {summarize(per_exchange), summarize(throughput)};
}

void print_table(const std::vector<measurement>& results, const config& cfg)
{
    std::printf("all-to-all exchange, %zu parties, %d runs, %d thread%s; median [min, max] over runs\n", parties, cfg.runs, cfg.threads,
                cfg.threads == 1 ? "" : "s");
    std::printf("%-9s %-8s %9s   %-32s %-30s\n", "transport", "message", "exchanges", "time per exchange", "throughput (payload MB/s)");
    for (const auto& m : results) {
        const auto [t, b] = rates(m);
        char time_text[64], rate_text[64];
        std::snprintf(time_text, sizeof time_text, "%.1f us [%.1f, %.1f]", t.median, t.low, t.high);
        std::snprintf(rate_text, sizeof rate_text, "%.1f [%.1f, %.1f]", b.median, b.low, b.high);
        std::printf("%-9s %-8s %9d   %-32s %-30s\n", m.transport.c_str(), size_name(m.message_bytes).c_str(), m.exchanges, time_text, rate_text);
    }
}

void print_json(const std::vector<measurement>& results, const config& cfg)
{
    std::printf("{\"benchmark\": \"transport\", \"parties\": %zu, \"runs\": %d, \"threads\": %d, \"results\": [", parties, cfg.runs, cfg.threads);
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& m = results[i];
        const auto [t, b] = rates(m);
        std::printf("%s\n  {\"name\": \"transport/%s/n=%zu/bytes=%zu\", \"transport\": \"%s\", \"message_bytes\": %zu, \"exchanges_per_run\": %d, "
                    "\"exchange_us\": {\"median\": %.2f, \"min\": %.2f, \"max\": %.2f}, "
                    "\"throughput_mb_per_s\": {\"median\": %.2f, \"min\": %.2f, \"max\": %.2f}}",
                    i ? "," : "", m.transport.c_str(), parties, m.message_bytes, m.transport.c_str(), m.message_bytes, m.exchanges, t.median, t.low,
                    t.high, b.median, b.low, b.high);
    }
    std::printf("\n]}\n");
}

int exchanges_for(std::size_t size) { return size >= (1u << 20) ? 20 : 2000; }

} // namespace

int main(int argc, char** argv)
{
    config cfg;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--json"))
            cfg.json = true;
        else if (!std::strcmp(argv[i], "--runs") && i + 1 < argc)
            cfg.runs = std::max(1, std::atoi(argv[++i]));
        else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
            cfg.threads = std::max(1, std::atoi(argv[++i]));
        else {
            std::fprintf(stderr, "usage: %s [--runs R] [--threads T] [--json]\n", argv[0]);
            return 2;
        }
    }
    try {
        const std::size_t sizes[] = {1024, std::size_t{1} << 20};
        std::vector<measurement> results;
        {
            asio::io_context io;
            dkg::memory_network net(io, parties);
            std::vector<dkg::memory_transport*> transports;
            for (dkg::party_id p = 1; p <= parties; ++p) transports.push_back(&net.party(p));
            for (auto size : sizes) results.push_back(measure("memory", io, transports, size, exchanges_for(size), cfg));
        }
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
            run_all(
                io, 1, [&](dkg::party_id p) -> asio::awaitable<void> { co_await transports[p - 1]->async_start(asio::use_awaitable); },
                [&](dkg::party_id p) -> asio::any_io_executor { return transports[p - 1]->get_executor(); });
            for (auto size : sizes) results.push_back(measure("tcp", io, transports, size, exchanges_for(size), cfg));
            run_all(
                io, 1, [&](dkg::party_id p) -> asio::awaitable<void> { co_await transports[p - 1]->async_shutdown(asio::use_awaitable); },
                [&](dkg::party_id p) -> asio::any_io_executor { return transports[p - 1]->get_executor(); });
        }
        if (cfg.json)
            print_json(results, cfg);
        else
            print_table(results, cfg);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "benchmark_transport: %s\n", e.what());
        return 1;
    }
    return 0;
}
