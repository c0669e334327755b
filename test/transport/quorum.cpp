// The quorum start of the stream transports (tcp_options::start_quorum), over TCP and, when the
// build has OpenSSL, over TLS: a start with some parties offline, the parties it fails, a start
// with too few parties, an early start when everyone is there, and a party that comes too late.
#include <dkg/transport/tcp.hpp>
#if DKG_HAS_TLS
#include <dkg/transport/tls.hpp>
#endif

#include "transport/helpers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

using namespace transport_test;

namespace {

/// The quick timeouts of these tests; `quorum` parties must be connected.
template <class Options>
Options quick(Options o, std::size_t quorum, std::chrono::milliseconds window)
{
    o.connect_window = window;
    o.start_quorum = quorum;
    o.handshake_timeout = 2s;
    o.linger = 500ms;
    o.initial_backoff = 10ms;
    o.max_backoff = 100ms;
    return o;
}

/// n transports of type T on loopback ports the system picked, with the faults each reported.
template <class T>
class cluster {
public:
    /// `options(id)` gives party id's options (without on_fault).
    template <class MakeOptions>
    cluster(asio::io_context& io, std::size_t n, MakeOptions options)
    {
        std::vector<tcp::acceptor> acceptors;
        for (std::size_t i = 0; i < n; ++i) {
            tcp::acceptor a(io);
            const tcp::endpoint ep(asio::ip::address_v4::loopback(), 0);
            a.open(ep.protocol());
            a.bind(ep);
            endpoints_.push_back({"127.0.0.1", a.local_endpoint().port()});
            acceptors.push_back(std::move(a));
        }
        faults_.resize(n + 1);
        for (std::size_t i = 0; i < n; ++i) {
            const auto id = static_cast<dkg::party_id>(i + 1);
            auto o = options(id);
            o.on_fault = [this, id](dkg::party_id p, boost::system::error_code ec, std::string c) {
                std::lock_guard lock(mutex_);
                faults_[id].push_back({p, ec, std::move(c)});
            };
            parties_.push_back(std::make_unique<T>(std::move(acceptors[i]), id, endpoints_, std::move(o)));
        }
    }

    T& party(dkg::party_id id) { return *parties_[id - 1]; }

    /// The faults reported at `at` from `from` with `ec`.
    std::vector<fault_record> faults(dkg::party_id at, dkg::party_id from, boost::system::error_code ec)
    {
        std::lock_guard lock(mutex_);
        std::vector<fault_record> out;
        for (const auto& f : faults_[at])
            if (f.party == from && f.error == ec) out.push_back(f);
        return out;
    }

    /// Shuts every party down and runs until done.
    void shutdown(asio::io_context& io)
    {
        tasks t;
        for (auto& p : parties_) t.spawn(p->get_executor(), p->async_shutdown(asio::use_awaitable));
        t.run(io, 10s);
    }

private:
    std::vector<dkg::tcp_endpoint> endpoints_;
    std::vector<std::unique_ptr<T>> parties_;
    std::mutex mutex_;
    std::vector<std::vector<fault_record>> faults_;
};

/// How one party's start ended.
struct start_result {
    bool done = false;
    std::exception_ptr error;
    std::chrono::steady_clock::duration took{};
};

/// Starts the listed parties at once; runs until every start completed.
template <class T>
std::vector<start_result> start(asio::io_context& io, cluster<T>& c, const std::vector<dkg::party_id>& which, std::size_t n,
                                std::chrono::milliseconds limit = 15s)
{
    std::vector<start_result> results(n + 1);
    const auto begin = std::chrono::steady_clock::now();
    for (auto p : which)
        c.party(p).async_start([&results, p, begin](std::exception_ptr e) {
            results[p] = {true, e, std::chrono::steady_clock::now() - begin};
        });
    tasks::run_until(
        io,
        [&] {
            for (auto p : which)
                if (!results[p].done) return false;
            return true;
        },
        limit);
    for (auto p : which) BOOST_REQUIRE_MESSAGE(results[p].done, "the start of party " << p << " did not complete");
    return results;
}

std::string error_text(std::exception_ptr e)
{
    try {
        if (e) std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    }
    return "no error";
}

/// Parties 1 and 3 of 3, with a quorum of 2, start without party 2; party 2 is failed at both,
/// and 1 and 3 talk as usual.
template <class T, class MakeOptions>
void start_without_an_offline_party(MakeOptions options)
{
    asio::io_context io;
    cluster<T> c(io, 3, options);
    // A send issued before the start (it is queued) fails once the start gives up on party 2.
    std::optional<boost::system::error_code> early_send;
    c.party(1).async_send(2, tag(7), bytes{1, 2, 3}, [&early_send](boost::system::error_code ec) { early_send = ec; });
    const auto r = start(io, c, {1, 3}, 3);
    for (dkg::party_id p : {1u, 3u}) {
        BOOST_REQUIRE_MESSAGE(!r[p].error, "party " << p << ": " << error_text(r[p].error));
        BOOST_TEST(r[p].took >= 700ms); // it waited for the window (of 1 s) to end
        BOOST_TEST(!c.party(p).connected(2));
        BOOST_TEST(c.party(p).connected(p == 1 ? 3 : 1));
        const auto f = c.faults(p, 2, dkg::errc::peer_disconnected);
        BOOST_REQUIRE_EQUAL(f.size(), 1u);
        BOOST_TEST_MESSAGE("fault at party " << p << ": " << f.front().context);
        BOOST_TEST(f.front().context.find("party 2 did not connect within 1000 ms; started without it (2 of 3 parties connected, 2 needed)") !=
                   std::string::npos);
    }
    tasks::run_until(io, [&] { return early_send.has_value(); }, 5s);
    BOOST_REQUIRE(early_send.has_value());
    BOOST_TEST((*early_send == dkg::errc::peer_disconnected));

    tasks t;
    for (dkg::party_id p : {1u, 3u}) {
        auto& tr = c.party(p);
        t.spawn(tr.get_executor(), [&tr]() -> asio::awaitable<void> {
            const dkg::party_id peer = tr.self() == 1 ? 3 : 1;
            // Receives from and sends to party 2 fail at once; the other peer is there.
            auto [ec, payload] = co_await tr.async_receive(2, tag(7), asio::as_tuple(asio::use_awaitable));
            if (ec != dkg::errc::peer_disconnected) throw std::runtime_error("receive from party 2: " + ec.message());
            bytes one(1, 1);
            auto [sent] = co_await tr.async_send(2, tag(7), std::move(one), asio::as_tuple(asio::use_awaitable));
            if (sent != dkg::errc::peer_disconnected) throw std::runtime_error("send to party 2: " + sent.message());
            co_await tr.async_send(peer, tag(8), checked_payload(tr.self(), peer, 8, 0), asio::use_awaitable);
            const auto got = co_await tr.async_receive(peer, tag(8), asio::use_awaitable);
            if (got != checked_payload(peer, tr.self(), 8, 0)) throw std::runtime_error("wrong payload");
        });
    }
    t.run(io, 10s);
    c.shutdown(io);
}

/// Only party 1 of 3 runs, with a quorum of 2: its start fails naming parties 2 and 3.
template <class T, class MakeOptions>
void too_few_parties_fail_the_start(MakeOptions options)
{
    asio::io_context io;
    cluster<T> c(io, 3, options);
    const auto r = start(io, c, {1}, 3);
    BOOST_REQUIRE(r[1].error);
    try {
        std::rethrow_exception(r[1].error);
    } catch (const dkg::protocol_error& e) {
        BOOST_TEST_MESSAGE(e.what());
        BOOST_TEST((e.code() == dkg::errc::timeout));
        BOOST_TEST(e.party() == 2u);
        BOOST_TEST(std::string(e.what()).find("parties 2, 3 did not connect within 1000 ms (1 of 3 parties connected, 2 needed)") !=
                   std::string::npos);
    }
    c.shutdown(io);
}

} // namespace

BOOST_AUTO_TEST_SUITE(quorum_start)

BOOST_AUTO_TEST_CASE(tcp_starts_without_an_offline_party)
{
    start_without_an_offline_party<dkg::tcp_transport>([](dkg::party_id) { return quick(dkg::tcp_options{}, 2, 1s); });
}

BOOST_AUTO_TEST_CASE(tcp_fails_below_the_quorum_naming_the_missing_parties)
{
    too_few_parties_fail_the_start<dkg::tcp_transport>([](dkg::party_id) { return quick(dkg::tcp_options{}, 2, 1s); });
}

BOOST_AUTO_TEST_CASE(tcp_starts_early_when_everyone_is_connected)
{
    asio::io_context io;
    cluster<dkg::tcp_transport> c(io, 3, [](dkg::party_id) { return quick(dkg::tcp_options{}, 2, 20s); });
    const auto r = start(io, c, {1, 2, 3}, 3);
    for (dkg::party_id p = 1; p <= 3; ++p) {
        BOOST_REQUIRE_MESSAGE(!r[p].error, error_text(r[p].error));
        BOOST_TEST(r[p].took < 10s);
        for (dkg::party_id q = 1; q <= 3; ++q)
            if (q != p) BOOST_TEST(c.party(p).connected(q));
    }
    c.shutdown(io);
}

BOOST_AUTO_TEST_CASE(tcp_a_party_that_comes_late_is_refused)
{
    asio::io_context io;
    cluster<dkg::tcp_transport> c(io, 3, [](dkg::party_id id) { return quick(dkg::tcp_options{}, 2, id == 2 ? 800ms : 400ms); });
    const auto first = start(io, c, {1, 3}, 3);
    for (dkg::party_id p : {1u, 3u}) BOOST_REQUIRE_MESSAGE(!first[p].error, error_text(first[p].error));
    // Party 2 starts now: party 3 refuses its connection (party 1, which would connect to it, no
    // longer tries), so its start fails.
    const auto late = start(io, c, {2}, 3);
    BOOST_REQUIRE(late[2].error);
    BOOST_TEST_MESSAGE(error_text(late[2].error));
    BOOST_TEST(error_text(late[2].error).find("did not connect") != std::string::npos);
    const auto refused = c.faults(3, 2, dkg::errc::timeout);
    BOOST_REQUIRE(!refused.empty());
    BOOST_TEST(refused.front().context.find("party 2 connected after the start completed without it") != std::string::npos);
    BOOST_TEST(!c.party(3).connected(2));
    c.shutdown(io);
}

BOOST_AUTO_TEST_CASE(a_quorum_above_n_is_refused)
{
    asio::io_context io;
    const std::vector<dkg::tcp_endpoint> parties{{"127.0.0.1", 1}, {"127.0.0.1", 2}};
    dkg::tcp_options o;
    o.start_quorum = 3;
    BOOST_CHECK_THROW(dkg::tcp_transport(io, 1, parties, o), std::invalid_argument);
    o.start_quorum = 1; // this party alone: allowed
    BOOST_CHECK_NO_THROW(dkg::tcp_transport(io, 1, parties, o));
}

#if DKG_HAS_TLS && defined(DKG_SOURCE_DIR)

namespace {

/// Certificates for parties 1..3, made once by scripts/make_test_certificates.sh.
const std::filesystem::path& certificate_dir()
{
    static const struct made {
        std::filesystem::path dir = std::filesystem::temp_directory_path() / ("dkg-quorum-test-" + std::to_string(::getpid()));
        made()
        {
            std::filesystem::remove_all(dir);
            std::filesystem::create_directories(dir);
            const std::string command =
                "bash '" DKG_SOURCE_DIR "/scripts/make_test_certificates.sh' '" + dir.string() + "' 3 >'" + (dir / "make.log").string() + "' 2>&1";
            if (std::system(command.c_str()) != 0) throw std::runtime_error("cannot make the test certificates: " + command);
        }
        ~made()
        {
            std::error_code ignored;
            std::filesystem::remove_all(dir, ignored);
        }
    } certificates;
    return certificates.dir;
}

dkg::tls_options tls_party(dkg::party_id id)
{
    const auto& dir = certificate_dir();
    auto o = quick(dkg::tls_options{}, 2, 1s);
    o.ca_file = (dir / "ca.pem").string();
    o.certificate_chain_file = (dir / ("party-" + std::to_string(id) + ".pem")).string();
    o.private_key_file = (dir / ("party-" + std::to_string(id) + ".key")).string();
    return o;
}

} // namespace

BOOST_AUTO_TEST_CASE(tls_starts_without_an_offline_party)
{
    start_without_an_offline_party<dkg::tls_transport>(tls_party);
}

BOOST_AUTO_TEST_CASE(tls_fails_below_the_quorum_naming_the_missing_parties)
{
    too_few_parties_fail_the_start<dkg::tls_transport>(tls_party);
}

#endif

BOOST_AUTO_TEST_SUITE_END()
