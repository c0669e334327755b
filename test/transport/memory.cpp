#include <dkg/transport/memory.hpp>

#include "transport/helpers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <thread>

using namespace transport_test;

static_assert(dkg::transport<dkg::memory_transport>);

BOOST_AUTO_TEST_SUITE(memory_transport)

BOOST_AUTO_TEST_CASE(thousands_of_messages_arrive_once_in_order)
{
    for (std::size_t n : {2u, 3u, 5u, 7u}) {
        asio::io_context io;
        dkg::memory_network net(io, n);
        tasks t;
        std::vector<std::size_t> received(n + 1, 0);
        const std::uint32_t topics = 3, per_topic = n <= 3 ? 200 : 60;
        for (dkg::party_id p = 1; p <= n; ++p)
            t.spawn(net.party(p).get_executor(), checked_traffic(net.party(p), topics, per_topic, received[p]));
        t.run(io);
        for (dkg::party_id p = 1; p <= n; ++p) {
            BOOST_TEST(received[p] == (n - 1) * topics * per_topic);
            BOOST_TEST(net.party(p).buffered_messages() == 0u); // nothing left over: exactly once
            BOOST_TEST(net.party(p).pending_receives() == 0u);
        }
    }
}

BOOST_AUTO_TEST_CASE(multi_threaded_io_context)
{
    asio::io_context io;
    dkg::memory_network net(io, 4);
    tasks t;
    std::vector<std::size_t> received(5, 0);
    for (dkg::party_id p = 1; p <= 4; ++p) t.spawn(net.party(p).get_executor(), checked_traffic(net.party(p), 2, 100, received[p]));
    t.run_threaded(io, 2);
    for (dkg::party_id p = 1; p <= 4; ++p) BOOST_TEST(received[p] == 3u * 2u * 100u);
}

BOOST_AUTO_TEST_CASE(disconnect_fails_receives_after_buffered_messages)
{
    asio::io_context io;
    dkg::memory_network net(io, 3);
    tasks t;
    auto& a = net.party(1);
    auto& c = net.party(3);
    t.spawn(c.get_executor(), [&]() -> asio::awaitable<void> {
        co_await c.async_send(1, tag(1), bytes(3, 1), asio::use_awaitable);
        net.disconnect(3);
        BOOST_TEST(net.disconnected(3));
        auto [ec] = co_await c.async_send(1, tag(2), bytes(3, 2), asio::as_tuple(asio::use_awaitable));
        BOOST_TEST((ec == dkg::errc::closed));
        auto [ec2, p] = co_await c.async_receive(1, tag(1), asio::as_tuple(asio::use_awaitable));
        BOOST_TEST((ec2 == dkg::errc::closed));
    });
    t.run(io);
    t.spawn(a.get_executor(), [&]() -> asio::awaitable<void> {
        auto first = co_await a.async_receive(3, tag(1), asio::use_awaitable); // sent before the crash
        BOOST_TEST((first == bytes(3, 1)));
        auto [ec, p] = co_await a.async_receive(3, tag(2), asio::as_tuple(asio::use_awaitable));
        BOOST_TEST((ec == dkg::errc::peer_disconnected));
        auto [ec2] = co_await a.async_send(3, tag(1), bytes(1, 0), asio::as_tuple(asio::use_awaitable));
        BOOST_TEST((ec2 == dkg::errc::peer_disconnected));
        co_await a.async_send(2, tag(1), bytes(1, 7), asio::use_awaitable); // others are unaffected
    });
    t.spawn(net.party(2).get_executor(), [&]() -> asio::awaitable<void> {
        auto p = co_await net.party(2).async_receive(1, tag(1), asio::use_awaitable);
        BOOST_TEST((p == bytes(1, 7)));
    });
    t.run(io);
}

BOOST_AUTO_TEST_CASE(pending_receive_is_cancelled_by_a_timer)
{
    using namespace asio::experimental::awaitable_operators;
    asio::io_context io;
    dkg::memory_network net(io, 2);
    tasks t;
    auto& a = net.party(1);
    t.spawn(a.get_executor(), [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 20ms);
        auto r = co_await (a.async_receive(2, tag(1), asio::use_awaitable) || timer.async_wait(asio::use_awaitable));
        BOOST_TEST(r.index() == 1u);
        BOOST_TEST(a.pending_receives() == 0u);
        co_await net.party(2).async_send(1, tag(1), bytes(2, 9), asio::use_awaitable);
        auto p = co_await a.async_receive(2, tag(1), asio::use_awaitable); // the cancelled receive took nothing
        BOOST_TEST((p == bytes(2, 9)));
    });
    t.run(io);
}

BOOST_AUTO_TEST_CASE(buffer_limit_and_closed_sessions_are_reported)
{
    asio::io_context io;
    std::vector<fault_record> faults;
    dkg::memory_options options;
    options.max_buffered_bytes = 3000;
    options.on_fault = [&](dkg::party_id p, boost::system::error_code ec, std::string c) { faults.push_back({p, ec, c}); };
    dkg::memory_network net(io, 3, options);
    auto& a = net.party(1);
    dkg::message_tag closed = tag(1);
    closed.session[0] = 9;
    a.close_session(closed.session);
    tasks t;
    t.spawn(net.party(2).get_executor(), [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) co_await net.party(2).async_send(1, tag(5), bytes(1000, 1), asio::use_awaitable);
    });
    t.spawn(net.party(3).get_executor(), [&]() -> asio::awaitable<void> {
        co_await net.party(3).async_send(1, closed, bytes(10, 1), asio::use_awaitable);
        co_await net.party(3).async_send(1, tag(5), bytes(10, 3), asio::use_awaitable);
    });
    t.run(io);
    for (const auto& f : faults) BOOST_TEST_MESSAGE("fault " << f.party << " " << f.error.message() << " " << f.context);
    BOOST_REQUIRE(faults.size() == 2u);
    const auto by = [&](dkg::party_id p) { return faults[0].party == p ? faults[0] : faults[1]; };
    BOOST_TEST((by(2).error == dkg::errc::buffer_limit));
    BOOST_TEST((by(3).error == dkg::errc::wrong_session));
    BOOST_TEST(by(3).context.find("closed session") != std::string::npos);
    BOOST_TEST(a.buffered_bytes(2) == 0u);
    t.spawn(a.get_executor(), [&]() -> asio::awaitable<void> {
        auto [ec, p] = co_await a.async_receive(2, tag(5), asio::as_tuple(asio::use_awaitable));
        BOOST_TEST((ec == dkg::errc::buffer_limit));
        auto q = co_await a.async_receive(3, tag(5), asio::use_awaitable);
        BOOST_TEST((q == bytes(10, 3)));
    });
    t.run(io);
}

BOOST_AUTO_TEST_CASE(destroying_the_network_closes_pending_receives)
{
    asio::io_context io;
    auto net = std::make_unique<dkg::memory_network>(io, 2);
    boost::system::error_code result;
    net->party(1).async_receive(2, tag(1), [&](boost::system::error_code ec, bytes) { result = ec; });
    net.reset();
    io.run();
    BOOST_TEST((result == dkg::errc::closed));
}

BOOST_AUTO_TEST_CASE(rejects_bad_ids)
{
    asio::io_context io;
    BOOST_CHECK_THROW(dkg::memory_network(io, 0), std::invalid_argument);
    dkg::memory_network net(io, 2);
    BOOST_CHECK_THROW(net.party(3), std::invalid_argument);
    BOOST_CHECK_THROW(net.party(1).async_send(1, tag(1), bytes{}, [](boost::system::error_code) {}), std::invalid_argument);
    BOOST_CHECK_THROW(net.party(1).async_receive(0, tag(1), [](boost::system::error_code, bytes) {}), std::invalid_argument);
    BOOST_TEST(net.party(2).self() == 2u);
    BOOST_TEST(net.party(2).party_count() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
