#include <dkg/session.hpp>

#include <dkg/testing/faulty_transport.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/testing/transport_archetype.hpp>
#include <dkg/transport/memory.hpp>
#include <dkg/transport/tcp.hpp>

#include "transport/helpers.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

using namespace transport_test;

// The session asks nothing of a transport beyond the concept: every member compiles with the archetype.
template class dkg::session<dkg::testing::transport_archetype>;
template class dkg::session<dkg::testing::faulty_transport<dkg::memory_transport>>;
template class dkg::session<dkg::tcp_transport>;

namespace {

using bytes = dkg::bytes;
using memory_session = dkg::session<dkg::memory_transport>;

dkg::session_options with_timeout(std::chrono::milliseconds t)
{
    dkg::session_options o;
    o.timeout = t;
    return o;
}

bytes filled(std::size_t size, std::uint8_t v) { return bytes(size, v); }

/// Runs `body(session, network)` for every party of a memory network after establishing its session.
template <class Body>
void run_memory(std::size_t n, Body body, dkg::session_options options = {}, std::chrono::milliseconds limit = 20s)
{
    asio::io_context io;
    dkg::memory_network net(io, n);
    tasks t;
    for (dkg::party_id p = 1; p <= n; ++p) {
        auto& tr = net.party(p);
        t.spawn(tr.get_executor(), [&tr, &net, &body, options]() -> asio::awaitable<void> {
            memory_session s(tr, options);
            dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, tr.self());
            co_await s.establish(rng);
            co_await body(s, net);
        });
    }
    t.run(io, limit);
}

/// As run_memory, over TCP on loopback.
template <class Body>
void run_tcp(std::size_t n, Body body, dkg::session_options options = {}, std::chrono::milliseconds limit = 20s)
{
    asio::io_context io;
    dkg::tcp_options o;
    o.connect_window = 5s;
    tcp_cluster cluster(io, n, o);
    cluster.start(io);
    tasks t;
    for (dkg::party_id p = 1; p <= n; ++p) {
        auto& tr = cluster.party(p);
        t.spawn(tr.get_executor(), [&tr, &body, options]() -> asio::awaitable<void> {
            dkg::session s(tr, options);
            dkg::system_rng rng;
            co_await s.establish(rng);
            co_await body(s);
        });
    }
    t.run(io, limit);
    cluster.shutdown(io);
}

/// Waits `d` on the calling coroutine's executor.
asio::awaitable<void> sleep(std::chrono::milliseconds d)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::use_awaitable);
}

/// Checks that `f` throws a protocol_error with code `ec` naming `party`.
template <class F>
asio::awaitable<void> expect_fault(F f, boost::system::error_code ec, dkg::party_id party)
{
    try {
        co_await f();
    } catch (const dkg::protocol_error& e) {
        if (e.code() != ec || e.party() != party)
            throw std::runtime_error(std::string("unexpected protocol_error: ") + e.what());
        co_return;
    }
    throw std::runtime_error("expected a protocol_error: " + ec.message());
}

} // namespace

BOOST_AUTO_TEST_SUITE(session)

BOOST_AUTO_TEST_CASE(establish_agrees_on_one_id)
{
    for (std::size_t n : {2u, 3u, 5u, 7u}) {
        std::vector<dkg::session_id> first(n + 1), second(n + 1);
        run_memory(n, [&](memory_session& s, dkg::memory_network&) -> asio::awaitable<void> {
            if (!s.established()) throw std::runtime_error("not established");
            first[s.self()] = s.id();
            // A second run on the same transport gets a new id.
            memory_session again(s.transport());
            dkg::system_rng rng;
            co_await again.establish(rng);
            second[s.self()] = again.id();
        });
        for (dkg::party_id p = 1; p <= n; ++p) {
            BOOST_TEST((first[p] == first[1]));
            BOOST_TEST((second[p] == second[1]));
        }
        BOOST_TEST((first[1] != dkg::session_id{}));
        BOOST_TEST((first[1] != second[1]));
    }
}

BOOST_AUTO_TEST_CASE(establish_checks_n_and_message_size)
{
    for (int variant = 0; variant < 2; ++variant) {
        asio::io_context io;
        dkg::memory_network net(io, 3);
        tasks t;
        // Party 3 is configured for 4 parties (variant 0) or sends a short message (variant 1).
        auto& liar = net.party(3);
        t.spawn(liar.get_executor(), [&liar, variant]() -> asio::awaitable<void> {
            dkg::message_tag tag;
            tag.step = dkg::steps::establish;
            // g++ 12 mishandles braced lists and ?: temporaries inside co_await expressions: avoid both.
            for (dkg::party_id j = 1; j <= 2; ++j) {
                dkg::writer w;
                w.u32(4).raw(filled(16, 1));
                bytes message = variant == 0 ? w.finish() : filled(5, 0);
                co_await liar.async_send(j, tag, std::move(message), asio::use_awaitable);
            }
        });
        for (dkg::party_id p : {1u, 2u}) {
            auto& tr = net.party(p);
            t.spawn(tr.get_executor(), [&tr, variant]() -> asio::awaitable<void> {
                memory_session s(tr, with_timeout(2s));
                dkg::system_rng rng;
                co_await expect_fault([&]() -> asio::awaitable<void> { co_await s.establish(rng); },
                                      variant == 0 ? dkg::errc::inconsistent_result : dkg::errc::malformed_message, 3);
                if (s.established()) throw std::runtime_error("established despite a bad round 0");
            });
        }
        t.run(io);
    }
}

namespace {

/// Whether awaiting `f()` throws E.
template <class E, class F>
asio::awaitable<bool> throws(F f)
{
    try {
        co_await f();
    } catch (const E&) {
        co_return true;
    }
    co_return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(operations_require_establish_and_valid_arguments)
{
    asio::io_context io;
    dkg::memory_network net(io, 3);
    BOOST_CHECK_THROW(memory_session(net.party(1), with_timeout(0ms)), std::invalid_argument);
    tasks t;
    std::vector<bool> checks;
    t.spawn(net.party(1).get_executor(), [&]() -> asio::awaitable<void> {
        memory_session s(net.party(1));
        checks.push_back(!s.established() && s.id() == dkg::session_id{});
        checks.push_back(co_await throws<std::logic_error>([&]() -> asio::awaitable<void> { co_await s.receive(2, {100, 0, 0}); }));
        checks.push_back(co_await throws<std::logic_error>([&]() -> asio::awaitable<void> { co_await s.broadcast({100, 0, 0}, bytes{}); }));
        dkg::system_rng rng;
        co_await s.establish(rng);
        checks.push_back(co_await throws<std::logic_error>([&]() -> asio::awaitable<void> { co_await s.establish(rng); }));
        checks.push_back(co_await throws<std::invalid_argument>([&]() -> asio::awaitable<void> { co_await s.send(1, {100, 0, 0}, bytes{}); }));
        checks.push_back(co_await throws<std::invalid_argument>([&]() -> asio::awaitable<void> { co_await s.receive(4, {100, 0, 0}); }));
        checks.push_back(co_await throws<std::invalid_argument>(
            [&]() -> asio::awaitable<void> { co_await s.exchange({100, 0, 0}, std::vector<bytes>(2)); }));
        checks.push_back(co_await throws<std::invalid_argument>([&]() -> asio::awaitable<void> {
            std::vector<dkg::party_id> twice{2, 2};
            co_await s.gather_first({100, 0, 0}, twice, 1, {});
        }));
        checks.push_back(co_await throws<std::invalid_argument>([&]() -> asio::awaitable<void> {
            std::vector<dkg::party_id> self{1};
            co_await s.gather_first({100, 0, 0}, self, 1, {});
        }));
    });
    for (dkg::party_id p : {2u, 3u}) {
        t.spawn(net.party(p).get_executor(), [&net, p]() -> asio::awaitable<void> {
            memory_session other(net.party(p));
            dkg::system_rng rng;
            co_await other.establish(rng);
        });
    }
    t.run(io);
    BOOST_TEST(checks.size() == 9u);
    for (std::size_t i = 0; i < checks.size(); ++i) BOOST_TEST(checks[i], "check " << i);
}

BOOST_AUTO_TEST_CASE(exchange_all_gather_broadcast_send_receive)
{
    constexpr std::size_t n = 4;
    run_memory(n, [](memory_session& s, dkg::memory_network&) -> asio::awaitable<void> {
        const auto me = static_cast<std::uint8_t>(s.self());
        std::vector<bytes> out(n);
        for (std::size_t j = 0; j < n; ++j) out[j] = filled(10 + j, static_cast<std::uint8_t>(16 * me + j + 1));
        const auto got = co_await s.exchange({101, 0, 0}, out);
        for (dkg::party_id j = 1; j <= n; ++j) {
            const auto expected = j == s.self() ? out[j - 1] : filled(10 + s.self() - 1, static_cast<std::uint8_t>(16 * j + s.self()));
            if (got[j - 1] != expected) throw std::runtime_error("exchange: wrong message from " + std::to_string(j));
        }
        const auto all = co_await s.all_gather({102, 0, 0}, filled(3, me));
        for (dkg::party_id j = 1; j <= n; ++j)
            if (all[j - 1] != filled(3, static_cast<std::uint8_t>(j))) throw std::runtime_error("all_gather");
        if (s.self() == 1) {
            co_await s.broadcast({103, 0, 0}, filled(7, 0xb1));
            for (dkg::party_id j = 2; j <= n; ++j) co_await s.send(j, {104, 0, j}, filled(j, 0xc1));
        } else {
            if (co_await s.receive(1, {103, 0, 0}) != filled(7, 0xb1)) throw std::runtime_error("broadcast");
            if (co_await s.receive(1, {104, 0, s.self()}) != filled(s.self(), 0xc1)) throw std::runtime_error("send");
        }
    });
}

BOOST_AUTO_TEST_CASE(sessions_and_rounds_never_mix)
{
    // Two sessions on the same transports, used concurrently with the same step tags.
    asio::io_context io;
    dkg::memory_network net(io, 3);
    tasks t;
    for (dkg::party_id p = 1; p <= 3; ++p) {
        auto& tr = net.party(p);
        t.spawn(tr.get_executor(), [&tr]() -> asio::awaitable<void> {
            memory_session a(tr), b(tr);
            dkg::system_rng rng;
            co_await a.establish(rng);
            co_await b.establish(rng);
            if (a.id() == b.id()) throw std::runtime_error("same id");
            for (std::uint32_t round = 0; round < 20; ++round) {
                // Session b's round first at even rounds, a's first at odd rounds.
                auto& first = round % 2 ? a : b;
                auto& second = round % 2 ? b : a;
                const auto x = co_await first.all_gather({110, round, 0}, filled(2, static_cast<std::uint8_t>(round % 2 ? 'a' : 'b')));
                const auto y = co_await second.all_gather({110, round, 0}, filled(2, static_cast<std::uint8_t>(round % 2 ? 'b' : 'a')));
                for (const auto& m : x)
                    if (m != filled(2, static_cast<std::uint8_t>(round % 2 ? 'a' : 'b'))) throw std::runtime_error("sessions mixed");
                for (const auto& m : y)
                    if (m != filled(2, static_cast<std::uint8_t>(round % 2 ? 'b' : 'a'))) throw std::runtime_error("sessions mixed");
            }
        });
    }
    t.run(io);
    for (dkg::party_id p = 1; p <= 3; ++p) BOOST_TEST(net.party(p).buffered_messages() == 0u);
}

BOOST_AUTO_TEST_CASE(establish_with_uses_an_agreed_id_without_messages)
{
    asio::io_context io;
    dkg::memory_network net(io, 3);
    dkg::session_id agreed{};
    agreed[0] = 0x17;
    agreed[15] = 0x42;
    dkg::session_id other = agreed;
    other[1] = 1;
    tasks t;
    for (dkg::party_id p = 1; p <= 3; ++p) {
        auto& tr = net.party(p);
        t.spawn(tr.get_executor(), [&tr, agreed, other]() -> asio::awaitable<void> {
            memory_session s(tr, with_timeout(300ms));
            if (s.established()) throw std::runtime_error("established too early");
            s.establish_with(agreed);
            if (!s.established() || s.id() != agreed) throw std::runtime_error("not established with the agreed id");
            if (s.stats().messages_sent != 0 || s.stats().messages_received != 0) throw std::runtime_error("establish_with sent messages");
            // Twice, or after establish, is a logic error; the all-zero id is reserved.
            bool refused = false;
            try {
                s.establish_with(agreed);
            } catch (const std::logic_error&) {
                refused = true;
            }
            if (!refused) throw std::runtime_error("established twice");
            memory_session z(tr);
            refused = false;
            try {
                z.establish_with(dkg::session_id{});
            } catch (const std::invalid_argument&) {
                refused = true;
            }
            if (!refused || z.established()) throw std::runtime_error("the all-zero id was taken");
            const auto all = co_await s.all_gather({130, 0, 0}, filled(3, static_cast<std::uint8_t>(tr.self())));
            for (dkg::party_id j = 1; j <= 3; ++j)
                if (all[j - 1] != filled(3, static_cast<std::uint8_t>(j))) throw std::runtime_error("wrong payload");
            // A session with another id never sees these messages: party 1 waits in vain on it.
            memory_session o(tr, with_timeout(300ms));
            o.establish_with(other);
            if (tr.self() == 1) {
                co_await expect_fault([&o]() { return o.receive(2, {131, 0, 0}); }, dkg::errc::timeout, 2);
                const auto b = co_await s.receive(2, {131, 0, 0});
                if (b != filled(1, 9)) throw std::runtime_error("wrong payload on the agreed id");
            } else if (tr.self() == 2) {
                co_await s.send(1, {131, 0, 0}, filled(1, 9));
            }
        });
    }
    t.run(io);
}

BOOST_AUTO_TEST_CASE(establish_with_works_while_a_party_is_offline)
{
    // Parties 1 and 3 of 3 start over TCP with a start quorum of 2 and agree on an id out of band:
    // no round 0 with the offline party 2, and every receive from it fails at once naming it.
    asio::io_context io;
    dkg::tcp_options o;
    o.connect_window = 1s;
    o.initial_backoff = 10ms;
    o.max_backoff = 100ms;
    o.start_quorum = 2;
    tcp_cluster cluster(io, 3, o);
    dkg::session_id agreed{};
    agreed.fill(0xa5);
    tasks t;
    for (dkg::party_id p : {1u, 3u}) {
        auto& tr = cluster.party(p);
        t.spawn(tr.get_executor(), [&tr, agreed]() -> asio::awaitable<void> {
            co_await tr.async_start(asio::use_awaitable);
            dkg::session s(tr, with_timeout(5s));
            s.establish_with(agreed);
            const dkg::party_id peer = tr.self() == 1 ? 3 : 1;
            co_await s.send(peer, {140, 0, 0}, filled(4, static_cast<std::uint8_t>(tr.self())));
            const auto b = co_await s.receive(peer, {140, 0, 0});
            if (b != filled(4, static_cast<std::uint8_t>(peer))) throw std::runtime_error("wrong payload");
            co_await expect_fault([&s]() { return s.receive(2, {140, 0, 0}); }, dkg::errc::peer_disconnected, 2);
            co_await expect_fault([&s]() { return s.send(2, {140, 0, 0}, filled(1, 0)); }, dkg::errc::peer_disconnected, 2);
        });
    }
    t.run(io, 10s);
    cluster.parties.erase(cluster.parties.begin() + 1); // party 2, never started
    tasks down;
    for (auto& p : cluster.parties) down.spawn(p->get_executor(), p->async_shutdown(asio::use_awaitable));
    down.run(io, 10s);
}

BOOST_AUTO_TEST_CASE(many_rounds_over_tcp)
{
    constexpr std::size_t n = 5;
    std::vector<dkg::session_id> ids(n + 1);
    std::vector<dkg::session_stats> stats(n + 1);
    run_tcp(
        n,
        [&ids, &stats](dkg::session<dkg::tcp_transport>& s) -> asio::awaitable<void> {
            ids[s.self()] = s.id();
            for (std::uint32_t round = 0; round < 150; ++round) {
                const auto all = co_await s.all_gather({120, round, 0}, checked_payload(s.self(), 0, 120, round));
                for (dkg::party_id j = 1; j <= n; ++j)
                    if (all[j - 1] != checked_payload(j, 0, 120, round)) throw std::runtime_error("wrong payload");
            }
            stats[s.self()] = s.stats();
        },
        with_timeout(5s), 30s);
    for (dkg::party_id p = 1; p <= n; ++p) {
        BOOST_TEST((ids[p] == ids[1]));
        BOOST_TEST(stats[p].messages_sent == 151u * (n - 1)); // 150 rounds and round 0
        BOOST_TEST(stats[p].messages_received == 151u * (n - 1));
    }
}

BOOST_AUTO_TEST_CASE(silent_party_times_out_naming_it)
{
    std::vector<std::string> errors;
    run_memory(
        3,
        [&errors](memory_session& s, dkg::memory_network&) -> asio::awaitable<void> {
            if (s.self() == 3) co_return; // and never answers
            const auto begin = std::chrono::steady_clock::now();
            co_await expect_fault([&]() -> asio::awaitable<void> { co_await s.receive(3, {130, 0, 0}); }, dkg::errc::timeout, 3);
            const auto waited = std::chrono::steady_clock::now() - begin;
            if (waited < 300ms || waited > 1s) throw std::runtime_error("timeout not applied");
            try {
                co_await s.exchange({132, 0, 0}, std::vector<bytes>(3));
            } catch (const dkg::protocol_error& e) {
                if (e.code() != dkg::errc::timeout || e.party() != 3) throw;
                errors.push_back(e.what());
            }
        },
        with_timeout(300ms));
    BOOST_REQUIRE(errors.size() == 2u);
    BOOST_TEST(errors[0].find("party 3: timed out") == 0u, errors[0]);
    BOOST_TEST(errors[0].find("exchange step 132") != std::string::npos, errors[0]);
    // Over TCP: party 3 stays connected but never answers.
    run_tcp(
        3,
        [](dkg::session<dkg::tcp_transport>& s) -> asio::awaitable<void> {
            if (s.self() == 3) {
                co_await sleep(500ms); // outlives the others' timeout
                co_return;
            }
            const auto begin = std::chrono::steady_clock::now();
            co_await expect_fault([&]() -> asio::awaitable<void> { co_await s.all_gather({134, 0, 0}, bytes(1, 1)); }, dkg::errc::timeout, 3);
            if (std::chrono::steady_clock::now() - begin > 1s) throw std::runtime_error("timeout not applied");
        },
        with_timeout(250ms));
}

BOOST_AUTO_TEST_CASE(exchange_lists_every_silent_party)
{
    std::string message;
    run_memory(
        4,
        [&message](memory_session& s, dkg::memory_network&) -> asio::awaitable<void> {
            if (s.self() != 1) co_return;
            try {
                co_await s.all_gather({133, 0, 0}, bytes(1, 1));
            } catch (const dkg::protocol_error& e) {
                message = e.what();
            }
        },
        with_timeout(200ms));
    BOOST_TEST(message.find("party 2: timed out") == 0u, message);
    BOOST_TEST(message.find("no answer from parties 2, 3, 4") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(disconnect_names_the_party)
{
    run_memory(3, [](memory_session& s, dkg::memory_network& net) -> asio::awaitable<void> {
        if (s.self() == 3) {
            net.disconnect(3);
            co_return;
        }
        const auto begin = std::chrono::steady_clock::now();
        co_await expect_fault([&]() -> asio::awaitable<void> { co_await s.all_gather({140, 0, 0}, bytes(1, 1)); }, dkg::errc::peer_disconnected, 3);
        if (std::chrono::steady_clock::now() - begin > 1s) throw std::runtime_error("waited for the timeout");
    });
    // Over TCP: party 3 shuts down; 1 and 2 get peer_disconnected naming it, and go on between them.
    run_tcp(3, [](dkg::session<dkg::tcp_transport>& s) -> asio::awaitable<void> {
        if (s.self() == 3) {
            co_await s.transport().async_shutdown(asio::use_awaitable);
            co_return;
        }
        co_await expect_fault([&]() -> asio::awaitable<void> { co_await s.receive(3, {141, 0, 0}); }, dkg::errc::peer_disconnected, 3);
        const dkg::party_id other = s.self() == 1 ? 2 : 1;
        co_await s.send(other, {142, 0, 0}, bytes(2, 2));
        if (co_await s.receive(other, {142, 0, 0}) != bytes(2, 2)) throw std::runtime_error("1 <-> 2 broken");
    });
}

BOOST_AUTO_TEST_CASE(oversized_payload_names_the_sender)
{
    dkg::session_options o;
    o.max_message_bytes = 100;
    run_memory(
        2,
        [](memory_session& s, dkg::memory_network&) -> asio::awaitable<void> {
            if (s.self() == 2) {
                co_await s.send(1, {150, 0, 0}, bytes(101, 1));
                co_await s.send(1, {151, 0, 0}, bytes(100, 1));
                co_return;
            }
            co_await expect_fault([&]() -> asio::awaitable<void> { co_await s.receive(2, {150, 0, 0}); }, dkg::errc::message_too_large, 2);
            if ((co_await s.receive(2, {151, 0, 0})).size() != 100u) throw std::runtime_error("limit is inclusive");
        },
        o);
}

// ---- gather_first --------------------------------------------------------------------------------

namespace {

/// A 5-party network where party 1 gathers; `others(s, net)` runs at parties 2..5.
template <class Gather, class Others>
void run_gather(Gather gather, Others others, dkg::session_options options = with_timeout(2s))
{
    run_memory(
        5,
        [&gather, &others](memory_session& s, dkg::memory_network& net) -> asio::awaitable<void> {
            if (s.self() == 1)
                co_await gather(s, net);
            else
                co_await others(s, net);
        },
        options);
}

const auto accept_all = [](dkg::party_id, const bytes&) { return true; };

} // namespace

BOOST_AUTO_TEST_CASE(gather_first_returns_when_enough_arrived)
{
    run_gather(
        [](memory_session& s, dkg::memory_network& net) -> asio::awaitable<void> {
            const auto begin = std::chrono::steady_clock::now();
            std::vector<dkg::party_id> from{2, 3, 4, 5};
            auto r = co_await s.gather_first({160, 0, 0}, from, 2, accept_all);
            const auto waited = std::chrono::steady_clock::now() - begin;
            if (waited > 150ms) throw std::runtime_error("waited for the slow parties");
            if (r.accepted.size() != 2 || !r.rejected.empty() || !r.failed.empty()) throw std::runtime_error("wrong result");
            std::set<dkg::party_id> fast{r.accepted[0].first, r.accepted[1].first};
            if (fast != std::set<dkg::party_id>{2, 3} || r.accepted[0].second != bytes(1, static_cast<std::uint8_t>(r.accepted[0].first)))
                throw std::runtime_error("wrong parties");
            if (net.party(1).pending_receives() != 0) throw std::runtime_error("receives left pending");
            // The slow answers arrive later and are discarded, not buffered.
            co_await sleep(300ms);
            if (net.party(1).buffered_messages() != 0) throw std::runtime_error("late answers kept");
            if (s.stats().messages_received != 4 + 2) throw std::runtime_error("stats");
        },
        [](memory_session& s, dkg::memory_network&) -> asio::awaitable<void> {
            if (s.self() >= 4) co_await sleep(200ms);
            co_await s.send(1, {160, 0, 0}, bytes(1, static_cast<std::uint8_t>(s.self())));
        });
}

BOOST_AUTO_TEST_CASE(gather_first_reports_rejected_and_failed_parties)
{
    run_gather(
        [](memory_session& s, dkg::memory_network&) -> asio::awaitable<void> {
            co_await sleep(50ms); // everything has arrived (or failed)
            std::vector<dkg::party_id> from{5, 4, 2, 3};
            auto r = co_await s.gather_first({161, 0, 0}, from, 2, [](dkg::party_id, const bytes& b) { return b.size() == 1; });
            if (r.accepted.size() != 2 || r.accepted[0].first != 2 || r.accepted[1].first != 3) throw std::runtime_error("accepted");
            if (r.rejected != std::vector<dkg::party_id>{4}) throw std::runtime_error("rejected");
            if (r.failed.size() != 1 || r.failed[0].first != 5 || r.failed[0].second != dkg::errc::peer_disconnected)
                throw std::runtime_error("failed");
        },
        [](memory_session& s, dkg::memory_network& net) -> asio::awaitable<void> {
            if (s.self() == 5) {
                net.disconnect(5);
                co_return;
            }
            co_await s.send(1, {161, 0, 0}, bytes(s.self() == 4 ? 2 : 1, 1));
        });
}

BOOST_AUTO_TEST_CASE(gather_first_with_too_few_answers_times_out)
{
    run_gather(
        [](memory_session& s, dkg::memory_network& net) -> asio::awaitable<void> {
            const auto begin = std::chrono::steady_clock::now();
            std::vector<dkg::party_id> from{2, 3, 4};
            auto r = co_await s.gather_first({162, 0, 0}, from, 3, accept_all);
            const auto waited = std::chrono::steady_clock::now() - begin;
            if (waited < 250ms || waited > 1s) throw std::runtime_error("timeout not applied");
            if (r.accepted.size() != 1 || r.accepted[0].first != 2) throw std::runtime_error("accepted");
            if (r.failed.size() != 2) throw std::runtime_error("failed");
            for (const auto& [p, ec] : r.failed)
                if ((p != 3 && p != 4) || ec != dkg::errc::timeout) throw std::runtime_error("failed entry");
            if (net.party(1).pending_receives() != 0) throw std::runtime_error("receives left pending");
            // Needed more than listed: waits for all, no error.
            std::vector<dkg::party_id> only5{5};
            auto all = co_await s.gather_first({163, 0, 0}, only5, 2, accept_all);
            if (all.accepted.size() != 1) throw std::runtime_error("needed > listed");
        },
        [](memory_session& s, dkg::memory_network&) -> asio::awaitable<void> {
            if (s.self() == 2) co_await s.send(1, {162, 0, 0}, bytes(1, 2));
            if (s.self() == 5) co_await s.send(1, {163, 0, 0}, bytes(1, 5));
        },
        with_timeout(300ms));
}

BOOST_AUTO_TEST_CASE(gather_first_rethrows_from_accept)
{
    run_gather(
        [](memory_session& s, dkg::memory_network& net) -> asio::awaitable<void> {
            std::vector<dkg::party_id> from{2, 3, 4, 5};
            try {
                co_await s.gather_first({164, 0, 0}, from, 4, [](dkg::party_id p, const bytes&) -> bool {
                    if (p == 2) throw std::domain_error("bad share");
                    return true;
                });
                throw std::runtime_error("accept's exception lost");
            } catch (const std::domain_error&) {
            }
            if (net.party(1).pending_receives() != 0) throw std::runtime_error("receives left pending");
        },
        [](memory_session& s, dkg::memory_network&) -> asio::awaitable<void> {
            if (s.self() == 2) co_await s.send(1, {164, 0, 0}, bytes(1, 2));
        },
        with_timeout(1s));
}

// ---- cancellation, user messages, close on destroy, faulty transports ------------------------------

BOOST_AUTO_TEST_CASE(caller_cancellation_consumes_nothing)
{
    using namespace asio::experimental::awaitable_operators;
    run_memory(2, [](memory_session& s, dkg::memory_network&) -> asio::awaitable<void> {
        if (s.self() == 2) {
            co_await sleep(100ms);
            co_await s.send(1, {170, 0, 0}, bytes(3, 3));
            co_return;
        }
        auto r = co_await (s.receive(2, {170, 0, 0}) || sleep(20ms));
        if (r.index() != 1) throw std::runtime_error("receive won");
        if (s.transport().pending_receives() != 0) throw std::runtime_error("receive still pending");
        if (co_await s.receive(2, {170, 0, 0}) != bytes(3, 3)) throw std::runtime_error("message lost");
    });
}

BOOST_AUTO_TEST_CASE(user_messages_are_fifo_per_topic)
{
    run_memory(3, [](memory_session& s, dkg::memory_network&) -> asio::awaitable<void> {
        if (s.self() == 1) {
            for (std::uint8_t k = 0; k < 50; ++k)
                for (std::uint32_t topic = 1; topic <= 2; ++topic)
                    co_await s.async_send_user(2, topic, bytes(1 + k % 5, static_cast<std::uint8_t>(k + topic)), asio::use_awaitable);
            // Callback style.
            bool sent = false;
            s.async_send_user(3, 9, bytes(1, 9), [&sent](std::exception_ptr e) { sent = !e; });
            co_await sleep(20ms);
            if (!sent) throw std::runtime_error("callback not called");
        } else if (s.self() == 2) {
            for (std::uint32_t topic = 2; topic >= 1; --topic)
                for (std::uint8_t k = 0; k < 50; ++k) {
                    auto m = co_await s.async_receive_user(1, topic, asio::use_awaitable);
                    if (m != bytes(1 + k % 5, static_cast<std::uint8_t>(k + topic))) throw std::runtime_error("user message out of order");
                }
        } else {
            if (co_await s.async_receive_user(1, 9, asio::use_awaitable) != bytes(1, 9)) throw std::runtime_error("user message");
        }
    });
}

BOOST_AUTO_TEST_CASE(destroyed_session_drops_late_messages)
{
    asio::io_context io;
    std::vector<fault_record> faults;
    dkg::memory_options mo;
    mo.on_fault = [&](dkg::party_id p, boost::system::error_code ec, std::string c) { faults.push_back({p, ec, c}); };
    dkg::memory_network net(io, 2, mo);
    tasks t;
    for (dkg::party_id p = 1; p <= 2; ++p) {
        auto& tr = net.party(p);
        t.spawn(tr.get_executor(), [&tr]() -> asio::awaitable<void> {
            {
                memory_session s(tr);
                dkg::system_rng rng;
                co_await s.establish(rng);
                if (tr.self() == 2) {
                    co_await s.send(1, {180, 0, 0}, bytes(10, 1)); // never received: dropped when 1 closes the session
                    co_await sleep(50ms);
                    co_await s.send(1, {181, 0, 0}, bytes(10, 1)); // after: refused
                    co_return;
                }
                co_await sleep(20ms);
            }
            co_await sleep(100ms);
            if (tr.buffered_messages() != 0) throw std::runtime_error("messages of a closed session kept");
        });
    }
    t.run(io);
    BOOST_REQUIRE(faults.size() == 1u);
    BOOST_TEST(faults[0].party == 2u);
    BOOST_TEST((faults[0].error == dkg::errc::wrong_session));
}

BOOST_AUTO_TEST_CASE(over_faulty_transports)
{
    using faulty = dkg::testing::faulty_transport<dkg::memory_transport>;
    for (int variant = 0; variant < 2; ++variant) {
        asio::io_context io;
        dkg::memory_network net(io, 3);
        std::vector<std::unique_ptr<faulty>> parties;
        for (dkg::party_id p = 1; p <= 3; ++p) parties.push_back(std::make_unique<faulty>(net.party(p)));
        if (variant == 0) {
            // A 50 ms round trip (25 ms each way) at every party.
            for (auto& f : parties) f->set_latency(25ms);
        } else {
            // Party 2 loses its message of step 190 to party 1.
            dkg::testing::fault_rule drop;
            drop.to = 1;
            drop.step = 190;
            parties[1]->add_rule(drop);
        }
        tasks t;
        std::vector<std::chrono::steady_clock::duration> took(4);
        for (dkg::party_id p = 1; p <= 3; ++p) {
            auto& tr = *parties[p - 1];
            t.spawn(tr.get_executor(), [&tr, &took, variant]() -> asio::awaitable<void> {
                dkg::session s(tr, with_timeout(400ms));
                dkg::system_rng rng;
                co_await s.establish(rng);
                const auto begin = std::chrono::steady_clock::now();
                if (variant == 0) {
                    for (std::uint32_t round = 0; round < 4; ++round) co_await s.all_gather({190, round, 0}, bytes(100, 1));
                    took[tr.self()] = std::chrono::steady_clock::now() - begin;
                } else if (tr.self() == 1) {
                    co_await expect_fault([&]() -> asio::awaitable<void> { co_await s.all_gather({190, 0, 0}, bytes(1, 1)); }, dkg::errc::timeout, 2);
                } else {
                    co_await s.all_gather({190, 0, 0}, bytes(1, 1));
                }
            });
        }
        t.run(io);
        if (variant == 0)
            for (dkg::party_id p = 1; p <= 3; ++p) {
                BOOST_TEST(took[p] >= 4 * 25ms); // one one-way delay per round
                BOOST_TEST((took[p] < 400ms));
            }
        else
            BOOST_TEST(parties[1]->stats().dropped == 1u);
    }
}

BOOST_AUTO_TEST_SUITE_END()
