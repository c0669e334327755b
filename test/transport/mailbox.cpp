#include <dkg/transport/mailbox.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using bytes = std::vector<std::uint8_t>;
using box = dkg::mailbox<asio::io_context::executor_type>;

dkg::message_tag tag(std::uint32_t step, std::uint8_t session = 1)
{
    dkg::message_tag t;
    t.session[0] = session;
    t.step = step;
    return t;
}

bytes payload(std::uint8_t v, std::size_t size = 4) { return bytes(size, v); }

/// The outcome of one receive.
struct result {
    std::optional<boost::system::error_code> ec;
    bytes data;
    bool done() const { return ec.has_value(); }
};

auto into(result& r)
{
    return [&r](boost::system::error_code ec, bytes b) {
        r.ec = ec;
        r.data = std::move(b);
    };
}

// The executor requirement: any Asio executor, nothing else.
template <class E>
concept mailbox_executor = requires { typename dkg::mailbox<E>; };
static_assert(mailbox_executor<asio::io_context::executor_type>);
static_assert(mailbox_executor<asio::strand<asio::any_io_executor>>);
static_assert(!mailbox_executor<int>);
static_assert(!mailbox_executor<asio::io_context>);

struct fixture {
    asio::io_context io;
    box mailbox{io.get_executor(), 3, 10000};

    void run()
    {
        io.restart();
        io.run();
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(mailbox)

BOOST_FIXTURE_TEST_CASE(buffers_early_messages_fifo_per_key, fixture)
{
    BOOST_TEST(!mailbox.deliver(2, tag(1), payload(1)));
    BOOST_TEST(!mailbox.deliver(2, tag(1), payload(2)));
    BOOST_TEST(!mailbox.deliver(2, tag(2), payload(3)));
    BOOST_TEST(!mailbox.deliver(3, tag(1), payload(4)));
    BOOST_TEST(mailbox.buffered_messages() == 4u);
    BOOST_TEST(mailbox.buffered_bytes(2) == 3 * (4 + box::message_overhead));

    result a, b, c, d, e;
    mailbox.async_receive(2, tag(2), into(a));
    mailbox.async_receive(2, tag(1), into(b));
    mailbox.async_receive(2, tag(1), into(c));
    mailbox.async_receive(3, tag(1), into(d));
    mailbox.async_receive(3, tag(1, 2), into(e)); // another session: nothing buffered
    BOOST_TEST(!a.done()); // never completed inside the initiating call
    run();
    BOOST_TEST((a.ec && !*a.ec && a.data == payload(3)));
    BOOST_TEST((b.data == payload(1)));
    BOOST_TEST((c.data == payload(2)));
    BOOST_TEST((d.data == payload(4)));
    BOOST_TEST(!e.done());
    BOOST_TEST(mailbox.buffered_messages() == 0u);
    BOOST_TEST(mailbox.buffered_bytes(2) == 0u);
    BOOST_TEST(mailbox.pending_receives() == 1u);
}

BOOST_FIXTURE_TEST_CASE(pending_receives_are_served_in_order, fixture)
{
    result a, b;
    mailbox.async_receive(1, tag(7), into(a));
    mailbox.async_receive(1, tag(7), into(b));
    BOOST_TEST(mailbox.pending_receives() == 2u);
    BOOST_TEST(!mailbox.deliver(1, tag(7), payload(10)));
    BOOST_TEST(!a.done()); // posted, not invoked by deliver
    BOOST_TEST(!mailbox.deliver(1, tag(7), payload(11)));
    run();
    BOOST_TEST((a.data == payload(10)));
    BOOST_TEST((b.data == payload(11)));
    BOOST_TEST(mailbox.pending_receives() == 0u);
    BOOST_TEST(mailbox.buffered_messages() == 0u);
}

BOOST_FIXTURE_TEST_CASE(cancellation_consumes_nothing, fixture)
{
    for (auto type : {asio::cancellation_type::terminal, asio::cancellation_type::partial, asio::cancellation_type::total}) {
        asio::cancellation_signal signal;
        result cancelled, next;
        mailbox.async_receive(2, tag(3), asio::bind_cancellation_slot(signal.slot(), into(cancelled)));
        BOOST_TEST(mailbox.pending_receives() == 1u);
        signal.emit(type);
        BOOST_TEST(mailbox.pending_receives() == 0u);
        BOOST_TEST(!mailbox.deliver(2, tag(3), payload(5)));
        mailbox.async_receive(2, tag(3), into(next));
        run();
        BOOST_TEST((cancelled.ec && *cancelled.ec == asio::error::operation_aborted));
        BOOST_TEST(cancelled.data.empty());
        BOOST_TEST((next.data == payload(5)));
        signal.emit(type); // after completion: no effect
    }
    BOOST_TEST(mailbox.buffered_messages() == 0u);
}

BOOST_FIXTURE_TEST_CASE(handlers_run_on_their_associated_executor, fixture)
{
    auto strand = asio::make_strand(io);
    bool on_strand = false;
    mailbox.async_receive(3, tag(1), asio::bind_executor(strand, [&](boost::system::error_code, bytes) { on_strand = strand.running_in_this_thread(); }));
    BOOST_TEST(!mailbox.deliver(3, tag(1), payload(1)));
    run();
    BOOST_TEST(on_strand);
}

BOOST_FIXTURE_TEST_CASE(failed_party_delivers_buffered_then_fails, fixture)
{
    BOOST_TEST(!mailbox.deliver(2, tag(1), payload(1)));
    result pending, buffered, after;
    mailbox.async_receive(2, tag(2), into(pending));
    mailbox.fail_party(2, dkg::errc::peer_disconnected);
    mailbox.async_receive(2, tag(1), into(buffered));
    mailbox.async_receive(2, tag(1), into(after));
    BOOST_TEST((mailbox.deliver(2, tag(1), payload(9)) == dkg::errc::closed)); // dropped
    result other;
    mailbox.async_receive(3, tag(1), into(other));
    BOOST_TEST(!mailbox.deliver(3, tag(1), payload(3)));
    run();
    BOOST_TEST((pending.ec && *pending.ec == dkg::errc::peer_disconnected));
    BOOST_TEST((buffered.ec && !*buffered.ec && buffered.data == payload(1)));
    BOOST_TEST((after.ec && *after.ec == dkg::errc::peer_disconnected));
    BOOST_TEST((other.data == payload(3))); // other parties are unaffected
    BOOST_TEST((mailbox.party_error(2) == dkg::errc::peer_disconnected));
}

BOOST_FIXTURE_TEST_CASE(buffer_bound_fails_the_sender_and_frees_memory, fixture)
{
    // 10000 bytes per sender: two messages of 4000 (+256 overhead) fit, a third does not.
    BOOST_TEST(!mailbox.deliver(2, tag(1), payload(1, 4000)));
    BOOST_TEST(!mailbox.deliver(2, tag(2), payload(2, 4000)));
    BOOST_TEST(!mailbox.deliver(3, tag(1), payload(3, 4000)));
    result pending;
    mailbox.async_receive(2, tag(9), into(pending));
    BOOST_TEST((mailbox.deliver(2, tag(3), payload(4, 4000)) == dkg::errc::buffer_limit));
    BOOST_TEST((mailbox.deliver(2, tag(3), payload(4, 10)) == dkg::errc::closed)); // reported once
    BOOST_TEST(mailbox.buffered_bytes(2) == 0u);
    BOOST_TEST(mailbox.buffered_messages() == 1u);
    result later, other;
    mailbox.async_receive(2, tag(1), into(later));
    mailbox.async_receive(3, tag(1), into(other));
    run();
    BOOST_TEST((pending.ec && *pending.ec == dkg::errc::buffer_limit));
    BOOST_TEST((later.ec && *later.ec == dkg::errc::buffer_limit));
    BOOST_TEST((other.data == payload(3, 4000)));
    // Floods of empty messages are bounded too.
    box small(io.get_executor(), 2, 10 * box::message_overhead);
    std::size_t accepted = 0;
    while (!small.deliver(1, tag(1), bytes{})) ++accepted;
    BOOST_TEST(accepted == 10u);
}

BOOST_FIXTURE_TEST_CASE(closed_session_is_dropped_and_refused, fixture)
{
    BOOST_TEST(!mailbox.deliver(2, tag(1, 7), payload(1)));
    BOOST_TEST(!mailbox.deliver(2, tag(1, 8), payload(2)));
    result pending;
    mailbox.async_receive(3, tag(5, 7), into(pending));
    dkg::session_id closed{};
    closed[0] = 7;
    mailbox.close_session(closed);
    BOOST_TEST(mailbox.session_closed(closed));
    BOOST_TEST(mailbox.buffered_messages() == 1u);
    BOOST_TEST(mailbox.buffered_bytes(2) == 4 + box::message_overhead);
    BOOST_TEST((mailbox.deliver(2, tag(1, 7), payload(3)) == dkg::errc::wrong_session));
    result again, other;
    mailbox.async_receive(2, tag(1, 7), into(again));
    mailbox.async_receive(2, tag(1, 8), into(other));
    run();
    BOOST_TEST((pending.ec && *pending.ec == dkg::errc::closed));
    BOOST_TEST((again.ec && *again.ec == dkg::errc::closed));
    BOOST_TEST((other.data == payload(2)));
}

BOOST_FIXTURE_TEST_CASE(discard_next_drops_one_message, fixture)
{
    BOOST_TEST(!mailbox.deliver(1, tag(4), payload(1)));
    mailbox.discard_next(1, tag(4)); // the buffered one
    BOOST_TEST(mailbox.buffered_messages() == 0u);
    mailbox.discard_next(1, tag(4)); // the next to arrive
    BOOST_TEST(!mailbox.deliver(1, tag(4), payload(2)));
    BOOST_TEST(mailbox.buffered_messages() == 0u);
    BOOST_TEST(!mailbox.deliver(1, tag(4), payload(3)));
    result r;
    mailbox.async_receive(1, tag(4), into(r));
    run();
    BOOST_TEST((r.data == payload(3)));
}

BOOST_FIXTURE_TEST_CASE(close_fails_everything, fixture)
{
    BOOST_TEST(!mailbox.deliver(1, tag(1), payload(1)));
    result pending, later;
    mailbox.async_receive(2, tag(1), into(pending));
    mailbox.close(dkg::errc::closed);
    mailbox.async_receive(1, tag(1), into(later));
    BOOST_TEST((mailbox.deliver(1, tag(1), payload(1)) == dkg::errc::closed));
    run();
    BOOST_TEST((pending.ec && *pending.ec == dkg::errc::closed));
    BOOST_TEST((later.ec && *later.ec == dkg::errc::closed));
    BOOST_TEST(mailbox.buffered_messages() == 0u);
}

BOOST_FIXTURE_TEST_CASE(rejects_bad_party_ids, fixture)
{
    BOOST_CHECK_THROW(mailbox.async_receive(0, tag(1), [](boost::system::error_code, bytes) {}), std::invalid_argument);
    BOOST_CHECK_THROW(mailbox.async_receive(4, tag(1), [](boost::system::error_code, bytes) {}), std::invalid_argument);
    BOOST_TEST((mailbox.deliver(4, tag(1), payload(1)) == dkg::errc::unknown_party));
    BOOST_TEST((mailbox.deliver(0, tag(1), payload(1)) == dkg::errc::unknown_party));
}

BOOST_AUTO_TEST_CASE(needs_at_least_one_party)
{
    asio::io_context io;
    BOOST_CHECK_THROW(box(io.get_executor(), 0, 1000), std::invalid_argument);
    box one(io.get_executor(), 1, 0);
    BOOST_TEST(one.party_count() == 1u);
    BOOST_CHECK_THROW(one.async_receive(2, tag(1), [](boost::system::error_code, bytes) {}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(destruction_with_pending_receives_is_safe)
{
    asio::io_context io;
    asio::cancellation_signal signal;
    bool called = false;
    {
        box m(io.get_executor(), 2, 1000);
        m.async_receive(1, tag(1), asio::bind_cancellation_slot(signal.slot(), [&](boost::system::error_code, bytes) { called = true; }));
    }
    signal.emit(asio::cancellation_type::terminal); // the mailbox cleared its handler
    io.run();
    BOOST_TEST(!called);
}

BOOST_AUTO_TEST_SUITE_END()
