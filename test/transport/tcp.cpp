#include <dkg/transport/tcp.hpp>

#include "transport/helpers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <future>

using namespace transport_test;

static_assert(dkg::transport<dkg::tcp_transport>);

namespace {

dkg::tcp_options quick_options(std::chrono::milliseconds window = 5s)
{
    dkg::tcp_options o;
    o.connect_window = window;
    o.handshake_timeout = 2s;
    o.linger = 1s;
    o.initial_backoff = 10ms;
    o.max_backoff = 100ms;
    return o;
}

/// Starts the cluster, runs checked_traffic at every party, checks what arrived and shuts down.
void check_traffic(asio::io_context& io, tcp_cluster& cluster, std::uint32_t topics, std::uint32_t per_topic)
{
    const auto n = cluster.parties.size();
    cluster.start(io);
    tasks t;
    std::vector<std::size_t> received(n + 1, 0);
    for (dkg::party_id p = 1; p <= n; ++p)
        t.spawn(cluster.party(p).get_executor(), checked_traffic(cluster.party(p), topics, per_topic, received[p]));
    t.run(io, 30s);
    for (dkg::party_id p = 1; p <= n; ++p) {
        BOOST_TEST(received[p] == (n - 1) * topics * per_topic);
        BOOST_TEST(cluster.party(p).buffered_messages() == 0u);
    }
    cluster.shutdown(io);
    for (dkg::party_id p = 1; p <= n; ++p) BOOST_TEST(cluster.faults(p).empty(), "party " << p << " reported a fault");
}

/// Starts a receive on the transport's strand; the future holds the payload or the error.
std::future<bytes> receive_later(dkg::tcp_transport& t, dkg::party_id from, dkg::message_tag tg)
{
    return asio::co_spawn(t.get_executor(), t.async_receive(from, tg, asio::use_awaitable), asio::use_future);
}

/// The error a receive future ended with (success if it delivered a message).
boost::system::error_code error_of(std::future<bytes>& f, std::chrono::milliseconds limit = 5s)
{
    BOOST_REQUIRE_MESSAGE(f.wait_for(limit) == std::future_status::ready, "receive did not complete");
    try {
        f.get();
    } catch (const boost::system::system_error& e) {
        return e.code();
    }
    return {};
}

/// Party 2 of a 2-party network is a real transport (it accepts); the test plays party 1 through a
/// raw socket.
struct raw_fixture {
    raw_fixture(dkg::tcp_options options = quick_options()) : cluster(threads.io, 2, options)
    {
        cluster.parties.erase(cluster.parties.begin()); // party 1 is ours, by hand
        start = asio::co_spawn(real().get_executor(), real().async_start(asio::use_awaitable), asio::use_future);
    }

    ~raw_fixture()
    {
        try {
            threads.call(real().get_executor(), [this] {
                real().close();
                return 0;
            });
        } catch (...) {
        }
        threads.stop(); // before the cluster (whose fault log the transport writes to) goes away
    }

    dkg::tcp_transport& real() { return *cluster.parties[0]; }

    /// Connects as party 1 and completes the handshake.
    raw_peer& joined()
    {
        peer.connect(cluster.endpoints[1]);
        const auto h = peer.handshake(1, 2);
        BOOST_TEST(h.sender == 2u);
        BOOST_REQUIRE(start.wait_for(5s) == std::future_status::ready);
        start.get();
        return peer;
    }

    threaded_io threads;
    tcp_cluster cluster;
    asio::io_context raw_io;
    raw_peer peer{raw_io};
    std::future<void> start;
};

} // namespace

BOOST_AUTO_TEST_SUITE(tcp_transport)

BOOST_AUTO_TEST_CASE(rejects_bad_configuration)
{
    asio::io_context io;
    const auto parties = dkg::parse_party_list("127.0.0.1:7000,127.0.0.1:7001");
    BOOST_CHECK_THROW(dkg::tcp_transport(io, 0, parties), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::tcp_transport(io, 3, parties), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::tcp_transport(io, 1, {}), std::invalid_argument);
    dkg::tcp_options o;
    o.network_id = std::string(65, 'x');
    BOOST_CHECK_THROW(dkg::tcp_transport(io, 1, parties, o), std::invalid_argument);
    dkg::tcp_transport t(io, 1, parties);
    BOOST_CHECK_THROW(t.async_send(1, tag(1), bytes{}, [](boost::system::error_code) {}), std::invalid_argument);
    BOOST_CHECK_THROW(t.async_receive(3, tag(1), [](boost::system::error_code, bytes) {}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(thousands_of_messages_arrive_once_in_order)
{
    for (std::size_t n : {2u, 3u, 5u, 7u}) {
        asio::io_context io;
        tcp_cluster cluster(io, n, quick_options());
        check_traffic(io, cluster, 3, n <= 3 ? 150 : 25);
    }
}

BOOST_AUTO_TEST_CASE(two_threads_and_large_messages)
{
    asio::io_context io;
    tcp_cluster cluster(io, 3, quick_options());
    cluster.start(io);
    tasks t;
    for (dkg::party_id p = 1; p <= 3; ++p) {
        auto& me = cluster.party(p);
        t.spawn(me.get_executor(), [&me]() -> asio::awaitable<void> {
            for (std::uint32_t round = 0; round < 3; ++round) {
                for (dkg::party_id j = 1; j <= 3; ++j)
                    if (j != me.self()) co_await me.async_send(j, tag(round), bytes(3u << 20, static_cast<std::uint8_t>(me.self() + round)), asio::use_awaitable);
                for (dkg::party_id j = 1; j <= 3; ++j) {
                    if (j == me.self()) continue;
                    auto p = co_await me.async_receive(j, tag(round), asio::use_awaitable);
                    if (p != bytes(3u << 20, static_cast<std::uint8_t>(j + round))) throw std::runtime_error("wrong large message");
                }
            }
        });
    }
    t.run_threaded(io, 2);
    cluster.shutdown(io);
}

BOOST_AUTO_TEST_CASE(parties_start_in_any_order)
{
    asio::io_context io;
    tcp_cluster cluster(io, 4, quick_options());
    tasks t;
    // Party 3 starts first, then 1, then 4, and 2 only after 400 ms: until then its port refuses
    // connections (bound, not listening) and the others retry.
    const std::array<std::pair<dkg::party_id, int>, 4> plan{{{3, 0}, {1, 50}, {4, 100}, {2, 400}}};
    for (const auto& step : plan) {
        auto& me = cluster.party(step.first);
        const int delay = step.second;
        t.spawn(me.get_executor(), [&me, delay]() -> asio::awaitable<void> {
            asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(delay));
            co_await timer.async_wait(asio::use_awaitable);
            co_await me.async_start(asio::use_awaitable);
            for (dkg::party_id j = 1; j <= me.party_count(); ++j)
                if (j != me.self() && !me.connected(j)) throw std::runtime_error("not connected");
        });
    }
    t.run(io, 10s);
    cluster.shutdown(io);
}

BOOST_AUTO_TEST_CASE(start_fails_naming_the_missing_party)
{
    asio::io_context io;
    tcp_cluster cluster(io, 3, quick_options(400ms));
    tasks t;
    std::vector<std::string> messages;
    for (dkg::party_id p : {1u, 2u}) {
        auto& me = cluster.party(p);
        t.spawn(me.get_executor(), [&me, &messages]() -> asio::awaitable<void> {
            const auto begin = std::chrono::steady_clock::now();
            try {
                co_await me.async_start(asio::use_awaitable);
                throw std::runtime_error("start succeeded without party 3");
            } catch (const dkg::protocol_error& e) {
                if (e.code() != dkg::errc::timeout || e.party() != 3) throw;
                messages.push_back(e.what());
            }
            if (std::chrono::steady_clock::now() - begin > 2s) throw std::runtime_error("start failed too late");
            auto [ec] = co_await me.async_send(me.self() == 1 ? 2 : 1, tag(1), bytes(1, 1), asio::as_tuple(asio::use_awaitable));
            if (ec != dkg::errc::closed) throw std::runtime_error("transport not closed after a failed start");
        });
    }
    t.run(io, 5s);
    BOOST_REQUIRE(messages.size() == 2u);
    for (const auto& m : messages) BOOST_TEST(m.find("parties 3 did not connect") != std::string::npos, m);
}

BOOST_AUTO_TEST_CASE(ipv6_loopback_and_localhost)
{
    {
        asio::io_context io;
        tcp_cluster cluster(io, 3, quick_options(), asio::ip::address_v6::loopback());
        BOOST_TEST(cluster.endpoints[0].to_string().front() == '[');
        check_traffic(io, cluster, 1, 20);
    }
    {
        // Listening on 127.0.0.1, named "localhost" in the party list: peers resolve the name.
        asio::io_context io;
        tcp_cluster cluster(io, 3, quick_options(), asio::ip::address_v4::loopback(), "localhost");
        BOOST_TEST(cluster.endpoints[2].host == "localhost");
        check_traffic(io, cluster, 1, 20);
    }
    {
        // The transport resolves and binds "localhost" itself (every address it resolves to).
        asio::io_context io;
        tcp::acceptor probe(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
        const auto port = probe.local_endpoint().port();
        probe.close();
        dkg::tcp_transport a(io, 1, {{"localhost", port}, {"127.0.0.1", 1}}, quick_options());
        tasks t;
        t.spawn(a.get_executor(), a.async_start(asio::use_awaitable)); // party 2 never answers
        tasks::run_until(io, [&] { return !a.local_endpoints().empty(); }, 2s);
        BOOST_TEST(!a.local_endpoints().empty());
        for (const auto& ep : a.local_endpoints()) BOOST_TEST(ep.address().is_loopback());
        a.close();
        io.run_for(200ms);
    }
}

BOOST_AUTO_TEST_CASE(peer_shutdown_fails_receives_and_others_continue)
{
    asio::io_context io;
    tcp_cluster cluster(io, 3, quick_options());
    cluster.start(io);
    tasks t;
    auto& a = cluster.party(1);
    auto& b = cluster.party(2);
    auto& c = cluster.party(3);
    t.spawn(c.get_executor(), [&]() -> asio::awaitable<void> {
        co_await c.async_send(1, tag(1), bytes(5, 3), asio::use_awaitable);
        co_await c.async_shutdown(asio::use_awaitable);
    });
    for (auto* me : {&a, &b}) {
        t.spawn(me->get_executor(), [me, &a]() -> asio::awaitable<void> {
            if (me == &a) {
                auto first = co_await a.async_receive(3, tag(1), asio::use_awaitable); // sent before the goodbye
                if (first != bytes(5, 3)) throw std::runtime_error("lost message");
            }
            auto [ec, p] = co_await me->async_receive(3, tag(2), asio::as_tuple(asio::use_awaitable));
            if (ec != dkg::errc::peer_disconnected) throw std::runtime_error("expected peer_disconnected, got " + ec.message());
            auto [ec2] = co_await me->async_send(3, tag(2), bytes(1, 0), asio::as_tuple(asio::use_awaitable));
            if (ec2 != dkg::errc::peer_disconnected) throw std::runtime_error("send to a closed peer: " + ec2.message());
            const dkg::party_id other = me == &a ? 2 : 1;
            co_await me->async_send(other, tag(3), bytes(2, static_cast<std::uint8_t>(me->self())), asio::use_awaitable);
            auto q = co_await me->async_receive(other, tag(3), asio::use_awaitable);
            if (q != bytes(2, static_cast<std::uint8_t>(other))) throw std::runtime_error("1 <-> 2 broken");
        });
    }
    t.run(io, 5s);
    cluster.shutdown(io);
    for (dkg::party_id p = 1; p <= 3; ++p) BOOST_TEST(cluster.faults(p).empty()); // a goodbye is not a fault
}

BOOST_AUTO_TEST_CASE(pending_receive_is_cancelled)
{
    using namespace asio::experimental::awaitable_operators;
    asio::io_context io;
    tcp_cluster cluster(io, 2, quick_options());
    cluster.start(io);
    tasks t;
    auto& a = cluster.party(1);
    t.spawn(a.get_executor(), [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 30ms);
        auto r = co_await (a.async_receive(2, tag(1), asio::use_awaitable) || timer.async_wait(asio::use_awaitable));
        if (r.index() != 1) throw std::runtime_error("receive completed without a message");
        co_await cluster.party(2).async_send(1, tag(1), bytes(3, 7), asio::use_awaitable);
        auto p = co_await a.async_receive(2, tag(1), asio::use_awaitable);
        if (p != bytes(3, 7)) throw std::runtime_error("the cancelled receive consumed the message");
    });
    t.run(io, 5s);
    cluster.shutdown(io);
}

// ---- peer faults, driven through a raw socket playing party 1 ------------------------------------

BOOST_AUTO_TEST_CASE(oversized_frame)
{
    auto options = quick_options();
    options.max_frame_size = 1000;
    raw_fixture f(options);
    auto& peer = f.joined();
    auto pending = receive_later(f.real(), 1, tag(1));
    peer.write(peer.message(1, tag(1), bytes(2000, 1))); // body 2040 > 1000: refused from the header alone
    const auto fault = f.cluster.wait_fault(2, 1, dkg::errc::message_too_large);
    BOOST_TEST(fault.context.find("2040") != std::string::npos);
    BOOST_TEST((error_of(pending) == dkg::errc::message_too_large));
    BOOST_TEST(!f.threads.call(f.real().get_executor(), [&] { return f.real().connected(1); }));
}

BOOST_AUTO_TEST_CASE(truncated_frame)
{
    raw_fixture f;
    auto& peer = f.joined();
    auto pending = receive_later(f.real(), 1, tag(1));
    auto frame = peer.message(1, tag(1), bytes(500, 1));
    frame.resize(300);
    peer.write(frame);
    peer.socket.close();
    const auto fault = f.cluster.wait_fault(2, 1, dkg::errc::malformed_message);
    BOOST_TEST(fault.context.find("truncated") != std::string::npos);
    BOOST_TEST((error_of(pending) == dkg::errc::peer_disconnected));
}

BOOST_AUTO_TEST_CASE(garbage_frame)
{
    raw_fixture f;
    auto& peer = f.joined();
    auto pending = receive_later(f.real(), 1, tag(1));
    peer.write(bytes{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1', '\r', '\n'});
    const auto fault = f.cluster.wait_fault(2, 1, dkg::errc::malformed_message);
    BOOST_TEST(fault.context.find("magic") != std::string::npos);
    BOOST_TEST((error_of(pending) == dkg::errc::malformed_message));
}

BOOST_AUTO_TEST_CASE(wrong_version)
{
    {
        // Before the hello: the party is not known yet.
        raw_fixture f;
        f.peer.connect(f.cluster.endpoints[1]);
        auto hello = dkg::framing::encode_hello({dkg::framing::version, 1, 2, ""});
        hello[4] = 2;
        f.peer.write(hello);
        const auto fault = f.cluster.wait_fault(2, dkg::no_party, dkg::errc::unsupported_version);
        BOOST_TEST(fault.context.find("127.0.0.1") != std::string::npos);
    }
    {
        // After the hello.
        raw_fixture f;
        auto& peer = f.joined();
        auto pending = receive_later(f.real(), 1, tag(1));
        auto frame = peer.message(1, tag(1), bytes(10, 1));
        frame[4] = 9;
        peer.write(frame);
        f.cluster.wait_fault(2, 1, dkg::errc::unsupported_version);
        BOOST_TEST((error_of(pending) == dkg::errc::unsupported_version));
    }
    {
        // A hello announcing another protocol version is refused with a goodbye saying why.
        raw_fixture f;
        f.peer.connect(f.cluster.endpoints[1]);
        f.peer.write(dkg::framing::encode_hello({7, 1, 2, ""}));
        f.cluster.wait_fault(2, dkg::no_party, dkg::errc::unsupported_version);
        std::array<std::uint8_t, dkg::framing::header_size + dkg::framing::goodbye_size> answer{};
        asio::read(f.peer.socket, asio::buffer(answer));
        BOOST_TEST((dkg::framing::decode_header(answer, 0).type == dkg::framing::frame_type::goodbye));
        BOOST_TEST(dkg::framing::decode_goodbye(std::span<const std::uint8_t>(answer).subspan(dkg::framing::header_size)) ==
                   static_cast<std::uint32_t>(dkg::errc::unsupported_version));
    }
}

BOOST_AUTO_TEST_CASE(unknown_party_id)
{
    {
        raw_fixture f;
        f.peer.connect(f.cluster.endpoints[1]);
        f.peer.write(dkg::framing::encode_hello({dkg::framing::version, 7, 2, ""}));
        const auto fault = f.cluster.wait_fault(2, 7, dkg::errc::unknown_party);
        BOOST_TEST(fault.context.find("unknown party id 7") != std::string::npos);
    }
    {
        // A message frame claiming another sender than the hello.
        raw_fixture f;
        auto& peer = f.joined();
        auto pending = receive_later(f.real(), 1, tag(1));
        peer.write(peer.message(2, tag(1), bytes(10, 1)));
        f.cluster.wait_fault(2, 1, dkg::errc::unknown_party);
        BOOST_TEST((error_of(pending) == dkg::errc::unknown_party));
    }
    {
        // Wrong n and wrong network id.
        raw_fixture f;
        f.peer.connect(f.cluster.endpoints[1]);
        f.peer.write(dkg::framing::encode_hello({dkg::framing::version, 1, 3, ""}));
        f.cluster.wait_fault(2, 1, dkg::errc::inconsistent_result);
        raw_peer other(f.raw_io);
        other.connect(f.cluster.endpoints[1]);
        other.write(dkg::framing::encode_hello({dkg::framing::version, 1, 2, "another-cluster"}));
        f.cluster.wait_fault(2, 1, dkg::errc::wrong_session);
    }
}

BOOST_AUTO_TEST_CASE(duplicate_hello_and_duplicate_message)
{
    {
        raw_fixture f;
        auto& peer = f.joined();
        // A second connection claiming party 1 is refused; the first one is unaffected.
        raw_peer intruder(f.raw_io);
        intruder.connect(f.cluster.endpoints[1]);
        intruder.write(dkg::framing::encode_hello({dkg::framing::version, 1, 2, ""}));
        f.cluster.wait_fault(2, 1, dkg::errc::duplicate_message);
        auto ok = receive_later(f.real(), 1, tag(1));
        peer.write(peer.message(1, tag(1), bytes(4, 4)));
        BOOST_TEST(!error_of(ok));
        // A second hello on the established connection closes it.
        auto pending = receive_later(f.real(), 1, tag(2));
        peer.write(dkg::framing::encode_hello({dkg::framing::version, 1, 2, ""}));
        BOOST_TEST((error_of(pending) == dkg::errc::duplicate_message));
    }
    {
        // A replayed message frame (same sequence number) is a duplicate.
        raw_fixture f;
        auto& peer = f.joined();
        const auto frame = peer.message(1, tag(1), bytes(8, 1));
        peer.write(frame);
        auto first = receive_later(f.real(), 1, tag(1));
        BOOST_TEST(!error_of(first));
        auto second = receive_later(f.real(), 1, tag(1));
        peer.write(frame);
        const auto fault = f.cluster.wait_fault(2, 1, dkg::errc::duplicate_message);
        BOOST_TEST(fault.context.find("sequence number 1, expected 2") != std::string::npos);
        BOOST_TEST((error_of(second) == dkg::errc::duplicate_message));
    }
}

BOOST_AUTO_TEST_CASE(message_for_a_closed_session)
{
    raw_fixture f;
    auto& peer = f.joined();
    dkg::message_tag old = tag(1);
    old.session[0] = 0xee;
    f.threads.call(f.real().get_executor(), [&] {
        f.real().close_session(old.session);
        return 0;
    });
    peer.write(peer.message(1, old, bytes(100, 1)));
    const auto fault = f.cluster.wait_fault(2, 1, dkg::errc::wrong_session);
    BOOST_TEST(fault.context.find("closed session") != std::string::npos);
    // Dropped, not buffered; the connection stays up for other sessions.
    BOOST_TEST(f.threads.call(f.real().get_executor(), [&] { return f.real().buffered_messages(); }) == 0u);
    auto next = receive_later(f.real(), 1, tag(2));
    peer.write(peer.message(1, tag(2), bytes(3, 3)));
    BOOST_TEST(!error_of(next));
}

BOOST_AUTO_TEST_CASE(buffer_flood_is_bounded)
{
    auto options = quick_options();
    options.max_buffered_bytes = 64 * 1024;
    raw_fixture f(options);
    auto& peer = f.joined();
    bytes flood;
    for (std::uint32_t i = 0; i < 40; ++i) {
        const auto frame = peer.message(1, tag(1000 + i), bytes(4000, 1));
        flood.insert(flood.end(), frame.begin(), frame.end());
    }
    boost::system::error_code ignored;
    asio::write(peer.socket, asio::buffer(flood), ignored); // the transport may close before reading it all
    f.cluster.wait_fault(2, 1, dkg::errc::buffer_limit);
    BOOST_TEST(f.threads.call(f.real().get_executor(), [&] { return f.real().buffered_bytes(1); }) == 0u);
    auto pending = receive_later(f.real(), 1, tag(1000));
    BOOST_TEST((error_of(pending) == dkg::errc::buffer_limit));
}

BOOST_AUTO_TEST_CASE(silent_connection_times_out_in_the_handshake)
{
    auto options = quick_options();
    options.handshake_timeout = 200ms;
    raw_fixture f(options);
    f.peer.connect(f.cluster.endpoints[1]); // and never says hello
    f.cluster.wait_fault(2, dkg::no_party, dkg::errc::timeout);
    std::array<std::uint8_t, 1> b{};
    boost::system::error_code ec;
    asio::read(f.peer.socket, asio::buffer(b), ec);
    BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset));
}

BOOST_AUTO_TEST_CASE(crash_without_goodbye)
{
    raw_fixture f;
    auto& peer = f.joined();
    auto pending = receive_later(f.real(), 1, tag(1));
    peer.socket.close();
    f.cluster.wait_fault(2, 1, dkg::errc::peer_disconnected);
    BOOST_TEST((error_of(pending) == dkg::errc::peer_disconnected));
}

BOOST_AUTO_TEST_CASE(peer_that_does_not_read_fails_the_write)
{
    auto options = quick_options();
    options.write_timeout = 300ms;
    raw_fixture f(options);
    f.joined(); // and never reads
    auto sent = asio::co_spawn(f.real().get_executor(), f.real().async_send(1, tag(1), bytes(64u << 20, 1), asio::use_awaitable), asio::use_future);
    BOOST_REQUIRE(sent.wait_for(5s) == std::future_status::ready);
    BOOST_CHECK_EXCEPTION(sent.get(), boost::system::system_error, [](const auto& e) { return e.code() == dkg::errc::peer_disconnected; });
    f.cluster.wait_fault(2, 1, dkg::errc::timeout);
}

BOOST_AUTO_TEST_SUITE_END()
