#include <dkg/testing/faulty_transport.hpp>

#include <dkg/testing/transport_archetype.hpp>
#include <dkg/transport/memory.hpp>

#include "transport/helpers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

using namespace transport_test;
using dkg::testing::fault_action;
using dkg::testing::fault_rule;
using faulty = dkg::testing::faulty_transport<dkg::memory_transport>;

static_assert(dkg::transport<faulty>);
static_assert(dkg::transport<dkg::testing::faulty_transport<dkg::testing::transport_archetype>>);
static_assert(dkg::transport<dkg::testing::faulty_transport<faulty>>);
static_assert(dkg::transport<dkg::testing::transport_archetype>);

namespace {

bytes numbered(std::uint8_t k) { return bytes(8, k); }

fault_rule rule(fault_action action, std::size_t nth)
{
    fault_rule r;
    r.action = action;
    r.nth = nth;
    return r;
}

/// A 3-party memory network where party 1 sends through a faulty_transport.
struct fixture {
    asio::io_context io;
    dkg::memory_network net{io, 3};
    faulty sender{net.party(1)};
    tasks t;

    /// Party 1 sends messages 1..count to party `to` on step 1, topic = k.
    void send_numbered(int count, dkg::party_id to = 2)
    {
        t.spawn(sender.get_executor(), [this, count, to]() -> asio::awaitable<void> {
            for (int k = 1; k <= count; ++k) co_await sender.async_send(to, tag(1, static_cast<std::uint32_t>(k)), numbered(static_cast<std::uint8_t>(k)), asio::use_awaitable);
        });
    }

    /// What party `at` receives from party 1 on step 1 topic k within `wait` (empty optional: nothing).
    std::optional<bytes> received(int k, dkg::party_id at = 2, std::chrono::milliseconds wait = 50ms)
    {
        using namespace asio::experimental::awaitable_operators;
        std::optional<bytes> out;
        auto& me = net.party(at);
        t.spawn(me.get_executor(), [&]() -> asio::awaitable<void> {
            asio::steady_timer timer(co_await asio::this_coro::executor, wait);
            auto r = co_await (me.async_receive(1, tag(1, static_cast<std::uint32_t>(k)), asio::use_awaitable) || timer.async_wait(asio::use_awaitable));
            if (r.index() == 0) out = std::get<0>(r);
        });
        t.run(io);
        return out;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(faulty_transport)

BOOST_FIXTURE_TEST_CASE(passes_messages_through_without_rules, fixture)
{
    send_numbered(3);
    t.run(io);
    for (int k = 1; k <= 3; ++k) BOOST_TEST((received(k) == numbered(static_cast<std::uint8_t>(k))));
    BOOST_TEST(sender.stats().sent == 3u);
    BOOST_TEST(sender.self() == 1u);
    BOOST_TEST(sender.party_count() == 3u);
}

BOOST_FIXTURE_TEST_CASE(drop, fixture)
{
    sender.add_rule(rule(fault_action::drop, 2));
    send_numbered(3);
    t.run(io);
    BOOST_TEST(received(1).has_value());
    BOOST_TEST(!received(2).has_value());
    BOOST_TEST(received(3).has_value());
    BOOST_TEST(sender.stats().dropped == 1u);
}

BOOST_FIXTURE_TEST_CASE(delay, fixture)
{
    fault_rule r = rule(fault_action::delay, 1);
    r.delay = 150ms;
    sender.add_rule(r);
    const auto begin = std::chrono::steady_clock::now();
    send_numbered(2);
    t.run(io);
    BOOST_TEST(received(2).has_value()); // the second message overtakes the delayed first
    BOOST_TEST((!received(1, 2, 20ms).has_value()));
    BOOST_TEST((received(1, 2, 1s) == numbered(1)));
    BOOST_TEST((std::chrono::steady_clock::now() - begin >= 150ms));
    BOOST_TEST(sender.stats().delayed == 1u);
}

BOOST_FIXTURE_TEST_CASE(duplicate, fixture)
{
    sender.add_rule(rule(fault_action::duplicate, 1));
    send_numbered(1);
    t.run(io);
    BOOST_TEST((received(1) == numbered(1)));
    BOOST_TEST((received(1) == numbered(1))); // the copy
    BOOST_TEST(!received(1).has_value());
    BOOST_TEST(sender.stats().duplicated == 1u);
}

BOOST_FIXTURE_TEST_CASE(corrupt_and_truncate, fixture)
{
    fault_rule corrupt = rule(fault_action::corrupt, 1);
    corrupt.byte_index = 3;
    fault_rule truncate = rule(fault_action::truncate, 2);
    fault_rule keep3 = rule(fault_action::truncate, 3);
    keep3.keep = 3;
    sender.add_rule(corrupt).add_rule(truncate).add_rule(keep3);
    send_numbered(3);
    t.run(io);
    auto flipped = numbered(1);
    flipped[3] ^= 0xff;
    BOOST_TEST((received(1) == flipped));
    BOOST_TEST((received(2) == bytes(4, 2)));
    BOOST_TEST((received(3) == bytes(3, 3)));
    BOOST_TEST(sender.stats().corrupted == 1u);
    BOOST_TEST(sender.stats().truncated == 2u);
}

BOOST_FIXTURE_TEST_CASE(filters_by_destination_and_step, fixture)
{
    fault_rule to3 = rule(fault_action::drop, 1);
    to3.to = 3;
    fault_rule step7 = rule(fault_action::drop, 1);
    step7.step = 7;
    sender.add_rule(to3).add_rule(step7);
    send_numbered(2, 2); // not to 3, not step 7: untouched
    send_numbered(2, 3); // the first to 3 is dropped
    t.run(io);
    BOOST_TEST(received(1, 2).has_value());
    BOOST_TEST(!received(1, 3).has_value());
    BOOST_TEST(received(2, 3).has_value());
    t.spawn(sender.get_executor(), [this]() -> asio::awaitable<void> {
        co_await sender.async_send(2, tag(7), numbered(9), asio::use_awaitable);
        co_await sender.async_send(2, tag(7), numbered(10), asio::use_awaitable);
    });
    t.run(io);
    t.spawn(net.party(2).get_executor(), [this]() -> asio::awaitable<void> {
        auto p = co_await net.party(2).async_receive(1, tag(7), asio::use_awaitable);
        BOOST_TEST((p == numbered(10)));
    });
    t.run(io);
    BOOST_TEST(sender.stats().dropped == 2u);
}

BOOST_FIXTURE_TEST_CASE(disconnect_after_k_messages, fixture)
{
    sender.add_rule(rule(fault_action::disconnect, 2));
    boost::system::error_code pending_error, later_send;
    t.spawn(sender.get_executor(), [&]() -> asio::awaitable<void> {
        auto pending = [&]() -> asio::awaitable<void> {
            auto [ec, p] = co_await sender.async_receive(2, tag(5), asio::as_tuple(asio::use_awaitable));
            pending_error = ec;
        };
        asio::co_spawn(sender.get_executor(), pending, asio::detached);
        for (int k = 1; k <= 2; ++k) co_await sender.async_send(2, tag(1, static_cast<std::uint32_t>(k)), numbered(static_cast<std::uint8_t>(k)), asio::use_awaitable);
        auto [ec] = co_await sender.async_send(2, tag(1, 3), numbered(3), asio::as_tuple(asio::use_awaitable));
        later_send = ec;
    });
    t.run(io);
    BOOST_TEST(sender.disconnected());
    BOOST_TEST((later_send == dkg::errc::closed));
    BOOST_TEST(received(1).has_value());
    BOOST_TEST(received(2).has_value());
    BOOST_TEST(!received(3).has_value());
    BOOST_TEST((pending_error == dkg::errc::closed)); // a receive pending at the disconnect
    t.spawn(sender.get_executor(), [&]() -> asio::awaitable<void> {
        auto [ec, p] = co_await sender.async_receive(3, tag(1), asio::as_tuple(asio::use_awaitable));
        BOOST_TEST((ec == dkg::errc::closed));
    });
    t.run(io);
}

BOOST_FIXTURE_TEST_CASE(latency_delays_every_message_in_order, fixture)
{
    sender.set_latency(40ms);
    const auto begin = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration send_time{};
    t.spawn(sender.get_executor(), [&]() -> asio::awaitable<void> {
        for (int k = 1; k <= 20; ++k) co_await sender.async_send(2, tag(1), numbered(static_cast<std::uint8_t>(k)), asio::use_awaitable);
        send_time = std::chrono::steady_clock::now() - begin; // sends complete at once
    });
    std::vector<bytes> got;
    t.spawn(net.party(2).get_executor(), [&]() -> asio::awaitable<void> {
        for (int k = 1; k <= 20; ++k) got.push_back(co_await net.party(2).async_receive(1, tag(1), asio::use_awaitable));
    });
    t.run(io);
    const auto elapsed = std::chrono::steady_clock::now() - begin;
    BOOST_TEST((send_time < 30ms));
    BOOST_TEST((elapsed >= 40ms));
    BOOST_TEST((elapsed < 1s));
    BOOST_REQUIRE(got.size() == 20u);
    for (int k = 1; k <= 20; ++k) BOOST_TEST((got[static_cast<std::size_t>(k - 1)] == numbered(static_cast<std::uint8_t>(k))));
}

BOOST_FIXTURE_TEST_CASE(cancellation_passes_through, fixture)
{
    using namespace asio::experimental::awaitable_operators;
    t.spawn(sender.get_executor(), [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 20ms);
        auto r = co_await (sender.async_receive(2, tag(1), asio::use_awaitable) || timer.async_wait(asio::use_awaitable));
        BOOST_TEST(r.index() == 1u);
        BOOST_TEST(net.party(1).pending_receives() == 0u);
    });
    t.run(io);
}

BOOST_AUTO_TEST_SUITE_END()
