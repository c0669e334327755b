// Helpers shared by the transport and session tests: running coroutines with a time limit,
// TCP clusters on free loopback ports, checked message streams, and a raw TCP peer.
#pragma once

#include <dkg/transport.hpp>
#include <dkg/transport/framing.hpp>
#include <dkg/transport/tcp.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace transport_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

/// Coroutines spawned with a record of how they ended.
class tasks {
public:
    template <class Executor, class Awaitable>
    void spawn(const Executor& ex, Awaitable&& a)
    {
        ++started_;
        asio::co_spawn(ex, std::forward<Awaitable>(a), [this](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& x) {
                    std::lock_guard lock(mutex_);
                    errors_.push_back(x.what());
                }
            }
            ++finished_;
        });
    }

    bool all_done() const { return finished_ == started_; }

    std::vector<std::string> errors() const
    {
        std::lock_guard lock(mutex_);
        return errors_;
    }

    /// Runs `io` until every task finished or `limit` passed; fails the test on a time-out or an error.
    void run(asio::io_context& io, std::chrono::milliseconds limit = 20s)
    {
        run_until(io, [this] { return all_done(); }, limit);
        io.restart();
        io.poll(); // what the tasks left ready (deliveries, completions)
        BOOST_REQUIRE_MESSAGE(all_done(), "tasks did not finish within " << limit.count() << " ms (" << finished_ << " of " << started_ << ")");
        for (const auto& e : errors()) BOOST_ERROR("task failed: " << e);
    }

    /// As `run`, with `threads` threads running `io` (the caller only waits).
    void run_threaded(asio::io_context& io, int threads, std::chrono::milliseconds limit = 20s)
    {
        io.restart();
        auto work = asio::make_work_guard(io);
        std::vector<std::thread> pool;
        for (int i = 0; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!all_done() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
        work.reset();
        io.stop();
        for (auto& t : pool) t.join();
        io.restart();
        BOOST_REQUIRE_MESSAGE(all_done(), "tasks did not finish within " << limit.count() << " ms (" << finished_ << " of " << started_ << ")");
        for (const auto& e : errors()) BOOST_ERROR("task failed: " << e);
    }

    static void run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit)
    {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        io.restart();
        while (!done() && std::chrono::steady_clock::now() < deadline) {
            io.run_one_for(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
            if (io.stopped()) io.restart();
        }
    }

private:
    std::atomic<std::size_t> started_ = 0, finished_ = 0;
    mutable std::mutex mutex_;
    std::vector<std::string> errors_;
};

/// A fault reported through on_fault.
struct fault_record {
    dkg::party_id party;
    boost::system::error_code error;
    std::string context;
};

/// n TCP transports on loopback ports the system picked (bound, not yet listening).
struct tcp_cluster {
    tcp_cluster(asio::io_context& io, std::size_t n, dkg::tcp_options options = {}, const asio::ip::address& address = asio::ip::address_v4::loopback(),
                const std::string& host = "")
    {
        std::vector<tcp::acceptor> acceptors;
        for (std::size_t i = 0; i < n; ++i) {
            tcp::acceptor a(io);
            const tcp::endpoint ep(address, 0);
            a.open(ep.protocol());
            a.bind(ep);
            endpoints.push_back({host.empty() ? address.to_string() : host, a.local_endpoint().port()});
            acceptors.push_back(std::move(a));
        }
        faults_.resize(n + 1);
        for (std::size_t i = 0; i < n; ++i) {
            auto o = options;
            o.on_fault = [this, i](dkg::party_id p, boost::system::error_code ec, std::string c) {
                std::lock_guard lock(mutex_);
                faults_[i + 1].push_back({p, ec, std::move(c)});
                changed_.notify_all();
            };
            parties.push_back(std::make_unique<dkg::tcp_transport>(std::move(acceptors[i]), static_cast<dkg::party_id>(i + 1), endpoints, o));
        }
    }

    dkg::tcp_transport& party(dkg::party_id id) { return *parties[id - 1]; }

    /// Starts every party and runs until all connected.
    void start(asio::io_context& io)
    {
        tasks t;
        for (auto& p : parties) t.spawn(p->get_executor(), p->async_start(asio::use_awaitable));
        t.run(io, 10s);
    }

    /// Shuts every party down and runs until done.
    void shutdown(asio::io_context& io)
    {
        tasks t;
        for (auto& p : parties) t.spawn(p->get_executor(), p->async_shutdown(asio::use_awaitable));
        t.run(io, 10s);
    }

    /// The faults reported at party `at` so far.
    std::vector<fault_record> faults(dkg::party_id at)
    {
        std::lock_guard lock(mutex_);
        return faults_[at];
    }

    /// Waits (when the transports run on another thread) for a fault at party `at` from party
    /// `from` with error `ec`; returns it, or fails the test after `limit`.
    fault_record wait_fault(dkg::party_id at, dkg::party_id from, boost::system::error_code ec, std::chrono::milliseconds limit = 5s)
    {
        std::unique_lock lock(mutex_);
        const fault_record* found = nullptr;
        changed_.wait_for(lock, limit, [&] {
            for (const auto& f : faults_[at])
                if (f.party == from && f.error == ec) found = &f;
            return found != nullptr;
        });
        BOOST_REQUIRE_MESSAGE(found != nullptr, "no fault " << ec.message() << " from party " << from << " at party " << at);
        return *found;
    }

    std::vector<dkg::tcp_endpoint> endpoints;
    std::vector<std::unique_ptr<dkg::tcp_transport>> parties;

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::vector<fault_record>> faults_; // faults_[i]: reported at party i
};

/// An io_context run by a background thread (for tests that drive raw sockets synchronously).
struct threaded_io {
    threaded_io() : thread([this] { io.run(); }) {}
    ~threaded_io() { stop(); }

    /// Stops the thread (handlers still queued are not run).
    void stop()
    {
        if (!thread.joinable()) return;
        work.reset();
        io.stop();
        thread.join();
    }

    /// Runs `f` on `ex` (e.g. a transport's strand) and returns its result.
    template <class Executor, class F>
    auto call(const Executor& ex, F f) -> decltype(f())
    {
        auto promise = std::make_shared<std::promise<decltype(f())>>();
        auto result = promise->get_future();
        asio::post(ex, [promise, f = std::move(f)]() mutable {
            try {
                promise->set_value(f());
            } catch (...) {
                promise->set_exception(std::current_exception());
            }
        });
        return result.get();
    }

    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::thread thread;
};

/// Payload of the k-th checked message from `from` to `to` on `topic`: a header naming all four,
/// then filler whose length varies with k (0 .. ~9 KiB, sometimes 70 KiB).
inline std::vector<std::uint8_t> checked_payload(dkg::party_id from, dkg::party_id to, std::uint32_t topic, std::uint32_t k)
{
    std::uint32_t x = (from * 7919u) ^ (to * 104729u) ^ (topic * 1299709u) ^ (k * 2654435761u);
    x ^= x >> 13;
    std::size_t size = 16 + (x % 9000);
    if (x % 97 == 0) size = 70000;
    if (x % 31 == 0) size = 16;
    std::vector<std::uint8_t> p(size);
    const std::uint32_t head[4] = {from, to, topic, k};
    for (int i = 0; i < 4; ++i)
        for (int b = 0; b < 4; ++b) p[static_cast<std::size_t>(4 * i + b)] = static_cast<std::uint8_t>(head[i] >> (8 * b));
    for (std::size_t i = 16; i < size; ++i) p[i] = static_cast<std::uint8_t>(x + i * 31);
    return p;
}

using bytes = std::vector<std::uint8_t>;

/// A tag of the all-zero session.
inline dkg::message_tag tag(std::uint32_t step, std::uint32_t topic = 0)
{
    dkg::message_tag t;
    t.step = step;
    t.topic = topic;
    return t;
}

inline dkg::message_tag topic_tag(std::uint32_t topic)
{
    dkg::message_tag t;
    t.session[0] = 0x5a;
    t.step = 42;
    t.topic = topic;
    return t;
}

/// Every party sends `per_topic` checked messages to every other party on each of `topics` topics,
/// while receiving theirs; each received message must be the expected one (right sender, topic,
/// position and contents), so every message arrives exactly once and in order per tag.
template <class Transport>
asio::awaitable<void> checked_traffic(Transport& t, std::uint32_t topics, std::uint32_t per_topic, std::size_t& received)
{
    const auto n = static_cast<dkg::party_id>(t.party_count());
    auto sender = [&t, n, topics, per_topic]() -> asio::awaitable<void> {
        for (std::uint32_t k = 0; k < per_topic; ++k)
            for (std::uint32_t topic = 0; topic < topics; ++topic)
                for (dkg::party_id j = 1; j <= n; ++j)
                    if (j != t.self()) co_await t.async_send(j, topic_tag(topic), checked_payload(t.self(), j, topic, k), asio::use_awaitable);
    };
    auto receiver = [&t, &received](dkg::party_id from, std::uint32_t topic, std::uint32_t count) -> asio::awaitable<void> {
        for (std::uint32_t k = 0; k < count; ++k) {
            auto p = co_await t.async_receive(from, topic_tag(topic), asio::use_awaitable);
            if (p != checked_payload(from, t.self(), topic, k))
                throw std::runtime_error("party " + std::to_string(t.self()) + ": wrong message " + std::to_string(k) + " from " + std::to_string(from) +
                                         " topic " + std::to_string(topic));
            ++received;
        }
    };
    // Receivers run concurrently (one per sender and topic, in reverse topic order to exercise buffering).
    std::size_t pending = 0;
    std::exception_ptr failure;
    auto ex = co_await asio::this_coro::executor;
    for (dkg::party_id j = 1; j <= n; ++j) {
        if (j == t.self()) continue;
        for (std::uint32_t topic = topics; topic-- > 0;) {
            ++pending;
            asio::co_spawn(ex, receiver(j, topic, per_topic), [&pending, &failure](std::exception_ptr e) {
                --pending;
                if (e && !failure) failure = e;
            });
        }
    }
    co_await sender();
    asio::steady_timer poll(ex);
    while (pending > 0) {
        poll.expires_after(1ms);
        co_await poll.async_wait(asio::use_awaitable);
    }
    if (failure) std::rethrow_exception(failure);
}

/// A hand-driven TCP peer for fault tests: connects to a transport and writes raw bytes.
struct raw_peer {
    explicit raw_peer(asio::io_context& io) : socket(io) {}

    /// Connects, retrying while the transport has not started listening yet.
    void connect(const dkg::tcp_endpoint& ep)
    {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        boost::system::error_code ec;
        do {
            if (socket.is_open()) socket.close();
            socket.connect(tcp::endpoint(asio::ip::make_address(ep.host), ep.port), ec);
            if (ec) std::this_thread::sleep_for(5ms);
        } while (ec && std::chrono::steady_clock::now() < deadline);
        BOOST_REQUIRE_MESSAGE(!ec, "cannot connect to " << ep.to_string() << ": " << ec.message());
    }

    void write(const std::vector<std::uint8_t>& bytes) { asio::write(socket, asio::buffer(bytes)); }

    /// Sends a hello as party `as` of `n`, and reads the transport's answer (its hello).
    dkg::framing::hello handshake(dkg::party_id as, std::uint32_t n, const std::string& network_id = "")
    {
        write(dkg::framing::encode_hello({dkg::framing::version, as, n, network_id}));
        return read_hello();
    }

    dkg::framing::hello read_hello()
    {
        std::array<std::uint8_t, dkg::framing::header_size> header{};
        asio::read(socket, asio::buffer(header));
        const auto h = dkg::framing::decode_header(header, 1 << 20);
        std::vector<std::uint8_t> body(h.body_size);
        asio::read(socket, asio::buffer(body));
        BOOST_REQUIRE(h.type == dkg::framing::frame_type::hello);
        return dkg::framing::decode_hello(body);
    }

    /// A message frame with the next sequence number.
    std::vector<std::uint8_t> message(dkg::party_id sender, const dkg::message_tag& tag, const std::vector<std::uint8_t>& payload)
    {
        return dkg::framing::encode_message({sender, next_sequence++, tag}, payload);
    }

    tcp::socket socket;
    std::uint64_t next_sequence = 1;
};

} // namespace transport_test
