#include <dkg/transport/tls.hpp>

#include <dkg/bigint.hpp>
#include <dkg/keygen.hpp>
#include <dkg/session.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/threshold.hpp>

#include "backends.hpp"
#include "threshold_support.hpp"
#include "transport/helpers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <optional>
#include <sstream>

#include <unistd.h>

#ifndef DKG_SOURCE_DIR
#error "DKG_SOURCE_DIR must name the source tree (the tests run scripts/make_test_certificates.sh)"
#endif

using namespace transport_test;
using test_support::invalid_argument_text;
namespace ssl = asio::ssl;
namespace fs = std::filesystem;

static_assert(dkg::transport<dkg::tls_transport>);

namespace {

/// Test certificates, made once per run by scripts/make_test_certificates.sh in a new temporary
/// directory that is removed at exit: a CA and parties 1..3, an expired certificate and one from an
/// unknown CA for party 2, and in alpha/ a CA and parties 1..2 of network "alpha".
class certificates {
public:
    static const certificates& get()
    {
        static const certificates instance;
        return instance;
    }

    /// A file of the set, e.g. "party-1.pem", or "alpha/ca.pem".
    std::string file(const std::string& name) const { return (dir_ / name).string(); }

    static std::string read(const std::string& path)
    {
        std::ifstream in(path);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    certificates(const certificates&) = delete;
    certificates& operator=(const certificates&) = delete;

private:
    certificates() : dir_(fs::temp_directory_path() / ("dkg-tls-test-" + std::to_string(::getpid())))
    {
        fs::remove_all(dir_);
        make(dir_, "3 --expired 2");
        make(dir_ / "alpha", "2 --network alpha");
        const auto key = file("party-1.key"), encrypted = file("party-1-encrypted.key");
        const std::string command = "openssl pkey -in '" + key + "' -aes-256-cbc -passout pass:correct-horse -out '" + encrypted + "' 2>/dev/null";
        if (std::system(command.c_str()) != 0) throw std::runtime_error("cannot encrypt a test key: " + command);
    }

    ~certificates()
    {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    static void make(const fs::path& out, const std::string& arguments)
    {
        fs::create_directories(out);
        const auto log = (out / "make.log").string();
        const std::string command =
            "bash '" DKG_SOURCE_DIR "/scripts/make_test_certificates.sh' '" + out.string() + "' " + arguments + " >'" + log + "' 2>&1";
        if (std::system(command.c_str()) != 0) throw std::runtime_error("cannot make the test certificates: " + command + ": " + read(log));
    }

    fs::path dir_;
};

/// TCP options with quick timeouts.
dkg::tcp_options plain_options(std::chrono::milliseconds window)
{
    return {.connect_window = window,
            .initial_backoff = 10ms,
            .max_backoff = 100ms,
            .handshake_timeout = 2s,
            .linger = 1s,
            .network_id = {},
            .on_fault = {}};
}

/// Options of party `id` with quick timeouts; `credentials` names the certificate and key files
/// ("party-<id>" by default, "expired-party-2", "alpha/party-1", ...).
dkg::tls_options party_options(dkg::party_id id, std::string credentials = "", std::chrono::milliseconds window = 5s)
{
    const auto& certs = certificates::get();
    if (credentials.empty()) credentials = "party-" + std::to_string(id);
    const auto slash = credentials.rfind('/');
    dkg::tls_options o;
    static_cast<dkg::tcp_options&>(o) = plain_options(window);
    o.ca_file = certs.file(slash == std::string::npos ? "ca.pem" : credentials.substr(0, slash) + "/ca.pem");
    o.certificate_chain_file = certs.file(credentials + ".pem");
    o.private_key_file = certs.file(credentials + ".key");
    return o;
}

/// Faults reported at each party; safe to use while the transports run on another thread.
class fault_log {
public:
    dkg::fault_handler at(dkg::party_id party)
    {
        return [this, party](dkg::party_id from, boost::system::error_code ec, std::string context) {
            std::lock_guard lock(mutex_);
            records_.push_back({party, {from, ec, std::move(context)}});
        };
    }

    /// The first fault at `party` from `from` with `ec`, waiting up to `limit` for it.
    std::optional<fault_record> find(dkg::party_id party, dkg::party_id from, boost::system::error_code ec, std::chrono::milliseconds limit = 0ms)
    {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (true) {
            {
                std::lock_guard lock(mutex_);
                for (const auto& [where, f] : records_) {
                    if (where != party || f.party != from || f.error != ec) continue;
                    BOOST_TEST_MESSAGE("fault at party " << party << " from " << from << ": " << ec.message() << " (" << f.context << ")");
                    return f;
                }
            }
            if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
            std::this_thread::sleep_for(5ms);
        }
    }

    /// Every fault at `party`, one a line (for messages).
    std::string describe(dkg::party_id party)
    {
        std::lock_guard lock(mutex_);
        std::string out;
        for (const auto& [where, f] : records_)
            if (where == party) out += "\n  from " + std::to_string(f.party) + ": " + f.error.message() + " (" + f.context + ")";
        return out;
    }

    bool empty(dkg::party_id party)
    {
        std::lock_guard lock(mutex_);
        for (const auto& r : records_)
            if (r.first == party) return false;
        return true;
    }

private:
    std::mutex mutex_;
    std::vector<std::pair<dkg::party_id, fault_record>> records_;
};

/// Listeners bound on free loopback ports (not listening yet), and the party list naming them.
struct loopback_ports {
    loopback_ports(asio::io_context& io, std::size_t n)
    {
        for (std::size_t i = 0; i < n; ++i) {
            acceptors.emplace_back(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
            endpoints.push_back({"127.0.0.1", acceptors.back().local_endpoint().port()});
        }
    }

    tcp::acceptor take(dkg::party_id id) { return std::move(acceptors[id - 1]); }

    std::vector<tcp::acceptor> acceptors;
    std::vector<dkg::tcp_endpoint> endpoints;
};

/// n TLS parties on loopback, party i with options[i-1] (on_fault set to the log).
struct tls_network {
    tls_network(asio::io_context& io, std::vector<dkg::tls_options> options) : ports(io, options.size())
    {
        for (std::size_t i = 0; i < options.size(); ++i) {
            const auto id = static_cast<dkg::party_id>(i + 1);
            options[i].on_fault = faults.at(id);
            parties.push_back(std::make_unique<dkg::tls_transport>(ports.take(id), id, ports.endpoints, options[i]));
        }
    }

    dkg::tls_transport& party(dkg::party_id id) { return *parties[id - 1]; }

    void start(asio::io_context& io)
    {
        on_every_party(io, [](dkg::tls_transport& p) { return p.async_start(asio::use_awaitable); });
    }

    void shutdown(asio::io_context& io)
    {
        on_every_party(io, [](dkg::tls_transport& p) { return p.async_shutdown(asio::use_awaitable); });
    }

    /// Runs `operation(party)` at every party and waits for all of them (failing on an error).
    template <class Operation>
    void on_every_party(asio::io_context& io, Operation operation)
    {
        tasks t;
        for (auto& p : parties) t.spawn(p->get_executor(), operation(*p));
        t.run(io, 10s);
    }

    fault_log faults;
    loopback_ports ports;
    std::vector<std::unique_ptr<dkg::tls_transport>> parties;
};

/// How one party's async_start ended.
struct start_outcome {
    bool done = false;
    std::optional<dkg::protocol_error> error;
    std::chrono::steady_clock::duration took{};

    /// Starts `t` and records the outcome here (run the transport's io_context afterwards).
    template <class Transport>
    void start(Transport& t)
    {
        const auto begin = std::chrono::steady_clock::now();
        t.async_start([this, begin](std::exception_ptr e) {
            took = std::chrono::steady_clock::now() - begin;
            done = true;
            try {
                if (e) std::rethrow_exception(e);
            } catch (const dkg::protocol_error& x) {
                error = x;
            }
        });
    }

    /// Checks that the start failed with errc::timeout naming `party`, within the connect window
    /// plus a second, with `text` in its message.
    void check_refused(dkg::party_id party, std::chrono::milliseconds window, const std::string& text = "") const
    {
        BOOST_REQUIRE(done);
        BOOST_REQUIRE_MESSAGE(error.has_value(), "the start succeeded");
        BOOST_TEST_MESSAGE("start error: " << error->what());
        BOOST_TEST((error->code() == dkg::errc::timeout), error->what());
        BOOST_TEST(error->party() == party, error->what());
        BOOST_TEST(std::string(error->what()).find(text) != std::string::npos, "\"" << text << "\" not in: " << error->what());
        BOOST_TEST((took < window + 1s), error->what());
    }
};

/// Runs `io` until every outcome is known.
void run_starts(asio::io_context& io, std::vector<start_outcome>& outcomes, std::chrono::milliseconds limit = 10s)
{
    tasks::run_until(
        io,
        [&] {
            for (const auto& o : outcomes)
                if (!o.done) return false;
            return true;
        },
        limit);
}

/// Party 1 of type Client and party 2 of type Server (which may differ: TCP and TLS), both started
/// until they fail or connect.
template <class Client, class Server>
struct mixed_pair {
    mixed_pair(typename Client::options_type client_options, typename Server::options_type server_options)
    {
        client_options.on_fault = faults.at(1);
        server_options.on_fault = faults.at(2);
        Client client(ports.take(1), 1, ports.endpoints, client_options);
        Server server(ports.take(2), 2, ports.endpoints, server_options);
        outcomes[0].start(client);
        outcomes[1].start(server);
        run_starts(io, outcomes);
    }

    asio::io_context io;
    fault_log faults;
    loopback_ports ports{io, 2};
    std::vector<start_outcome> outcomes = std::vector<start_outcome>(2);
};

/// A TLS client driven by hand for fault tests: a raw_peer's socket inside TLS, with the given
/// credentials (which need not be its own).
struct raw_tls_peer {
    raw_tls_peer(asio::io_context& io, const std::string& credentials) : raw(io), context(make_context(credentials)), stream(raw.socket, context) {}

    static ssl::context make_context(const std::string& credentials)
    {
        const auto& certs = certificates::get();
        ssl::context c(ssl::context::tls);
        c.load_verify_file(certs.file("ca.pem"));
        c.use_certificate_chain_file(certs.file(credentials + ".pem"));
        c.use_private_key_file(certs.file(credentials + ".key"), ssl::context::pem);
        c.set_verify_mode(ssl::verify_peer);
        return c;
    }

    void connect(const dkg::tcp_endpoint& ep)
    {
        raw.connect(ep);
        stream.handshake(ssl::stream_base::client);
    }

    void write(const bytes& data) { asio::write(stream, asio::buffer(data)); }

    /// Reads one frame: its type and body.
    std::pair<dkg::framing::frame_type, bytes> read_frame()
    {
        std::array<std::uint8_t, dkg::framing::header_size> header{};
        asio::read(stream, asio::buffer(header));
        const auto h = dkg::framing::decode_header(header, 1 << 20);
        bytes body(h.body_size);
        asio::read(stream, asio::buffer(body));
        return {h.type, body};
    }

    raw_peer raw;
    ssl::context context;
    ssl::stream<tcp::socket&> stream;
};

/// Party 2 of a 2-party network is a real TLS transport on a background thread; the test plays
/// party 1 through a raw TLS client with party 1's certificate.
struct raw_tls_fixture {
    raw_tls_fixture()
    {
        auto options = party_options(2);
        options.on_fault = faults.at(2);
        transport = std::make_unique<dkg::tls_transport>(ports.take(2), 2, ports.endpoints, options);
        start = asio::co_spawn(transport->get_executor(), transport->async_start(asio::use_awaitable), asio::use_future);
    }

    ~raw_tls_fixture()
    {
        try {
            threads.call(transport->get_executor(), [this] {
                transport->close();
                return 0;
            });
        } catch (...) {
        }
        threads.stop();
    }

    /// Connects as party 1 and completes the hello handshake.
    raw_tls_peer& joined()
    {
        peer.connect(ports.endpoints[1]);
        peer.write(dkg::framing::encode_hello({dkg::framing::version, 1, 2, ""}));
        const auto [type, body] = peer.read_frame();
        BOOST_REQUIRE((type == dkg::framing::frame_type::hello));
        BOOST_TEST(dkg::framing::decode_hello(body).sender == 2u);
        BOOST_REQUIRE(start.wait_for(5s) == std::future_status::ready);
        start.get();
        return peer;
    }

    std::future<bytes> receive_later(const dkg::message_tag& tg)
    {
        return asio::co_spawn(transport->get_executor(), transport->async_receive(1, tg, asio::use_awaitable), asio::use_future);
    }

    fault_log faults;
    threaded_io threads;
    loopback_ports ports{threads.io, 2};
    std::unique_ptr<dkg::tls_transport> transport;
    std::future<void> start;
    asio::io_context raw_io;
    raw_tls_peer peer{raw_io, "party-1"};
};

boost::system::error_code error_of(std::future<bytes>& f)
{
    BOOST_REQUIRE_MESSAGE(f.wait_for(5s) == std::future_status::ready, "receive did not complete");
    try {
        f.get();
    } catch (const boost::system::system_error& e) {
        return e.code();
    }
    return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_SUITE(tls_transport)

BOOST_AUTO_TEST_CASE(certificate_names_bind_party_ids)
{
    using dkg::detail::party_of_name;
    BOOST_TEST(dkg::tls_party_name(7) == "dkg-party-7");
    BOOST_TEST(dkg::tls_party_name(7, "alpha") == "dkg-party-7.alpha");
    BOOST_TEST(party_of_name("dkg-party-2", "", false) == 2u);
    BOOST_TEST(party_of_name("dkg-party-4294967295", "", false) == 4294967295u);
    BOOST_TEST(party_of_name("dkg-party-2.alpha", "alpha", false) == 2u);
    BOOST_TEST(party_of_name("dkg-party-2", "alpha", false) == 2u);
    BOOST_TEST(party_of_name("dkg-party-2", "alpha", true) == dkg::no_party);
    BOOST_TEST(party_of_name("dkg-party-2.alpha", "alpha", true) == 2u);
    for (const char* name : {"dkg-party-2.alpha", "dkg-party-2.beta", "dkg-party-02", "dkg-party-0", "dkg-party-", "dkg-party-2x", "xdkg-party-2",
                             "DKG-PARTY-2", "dkg-party-4294967296", "dkg-party-2.", "node2.example.org"})
        BOOST_TEST(party_of_name(name, "", false) == dkg::no_party, name);
    BOOST_TEST(party_of_name("dkg-party-2.beta", "alpha", false) == dkg::no_party);
    BOOST_TEST(party_of_name(std::string("dkg-party-2\0.alpha", 18), "alpha", false) == dkg::no_party);
}

BOOST_AUTO_TEST_CASE(rejects_bad_configuration)
{
    asio::io_context io;
    const auto parties = dkg::parse_party_list("127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002");
    const auto make = [&](dkg::party_id id, dkg::tls_options o) { return invalid_argument_text([&] { dkg::tls_transport t(io, id, parties, o); }); };

    BOOST_TEST(contains(make(1, {}), "ca_file"));
    auto o = party_options(1);
    o.ca_file = certificates::get().file("missing.pem");
    BOOST_TEST(contains(make(1, o), "missing.pem"));
    o = party_options(1);
    o.ca_pem = certificates::read(o.ca_file);
    BOOST_TEST(contains(make(1, o), "exactly one of ca_file and ca_pem"));
    o = party_options(1);
    o.private_key_file = certificates::get().file("party-2.key");
    const auto mismatch = make(1, o);
    BOOST_TEST(contains(mismatch, "private_key"), mismatch);
    o = party_options(1);
    o.private_key_file.clear();
    o.private_key_pem = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0IGtleSBtYXRlcmlhbA==\n-----END PRIVATE KEY-----\n";
    const auto garbage = make(1, o);
    BOOST_TEST(contains(garbage, "cannot load private_key (PEM text)"), garbage);
    BOOST_TEST(!contains(garbage, "c2VjcmV0"), garbage); // no key material in messages
    o = party_options(1);
    o.private_key_file = certificates::get().file("party-1-encrypted.key");
    const auto no_password = make(1, o);
    BOOST_TEST(contains(no_password, "cannot load private_key file"), no_password);
    o.private_key_password = "battery-staple";
    const auto wrong_password = make(1, o);
    BOOST_TEST(contains(wrong_password, "cannot load private_key file"), wrong_password);
    BOOST_TEST(!contains(wrong_password, "battery"), wrong_password);
    o.private_key_password = "correct-horse";
    BOOST_CHECK_NO_THROW(dkg::tls_transport(io, 1, parties, o));
    o = party_options(1);
    o.network_id = "alpha";
    o.require_network_name = true;
    BOOST_TEST(contains(make(1, o), "does not name it"));
    o.network_id.clear();
    BOOST_TEST(contains(make(1, o), "require_network_name needs a network id"));
    o = party_options(2, "party-3");
    const auto other = make(2, o);
    BOOST_TEST(contains(other, "this party's certificate does not name it"), other);
    BOOST_TEST(contains(other, "names party 3, not party 2"), other);
    BOOST_CHECK_NO_THROW(dkg::tls_transport(io, 1, parties, party_options(1)));
    BOOST_TEST(contains(make(4, party_options(1)), "own id 4 is not in 1..3"));
}

BOOST_AUTO_TEST_CASE(messages_round_trip_between_three_parties)
{
    asio::io_context io;
    // Party 3's credentials are given as PEM text.
    auto third = party_options(3);
    third.ca_pem = certificates::read(std::exchange(third.ca_file, ""));
    third.certificate_chain_pem = certificates::read(std::exchange(third.certificate_chain_file, ""));
    third.private_key_pem = certificates::read(std::exchange(third.private_key_file, ""));
    tls_network net(io, {party_options(1), party_options(2), third});
    net.start(io);
    tasks t;
    std::vector<std::size_t> received(4, 0);
    for (dkg::party_id p = 1; p <= 3; ++p) t.spawn(net.party(p).get_executor(), checked_traffic(net.party(p), 3, 40, received[p]));
    t.run(io, 30s);
    for (dkg::party_id p = 1; p <= 3; ++p) {
        BOOST_TEST(received[p] == 2u * 3u * 40u);
        BOOST_TEST(net.party(p).buffered_messages() == 0u);
    }
    // A large message, in TLS records of at most 16 KiB.
    tasks big;
    big.spawn(net.party(1).get_executor(), net.party(1).async_send(2, tag(7), bytes(3u << 20, 0xab), asio::use_awaitable));
    big.spawn(net.party(2).get_executor(), [&]() -> asio::awaitable<void> {
        auto p = co_await net.party(2).async_receive(1, tag(7), asio::use_awaitable);
        if (p != bytes(3u << 20, 0xab)) throw std::runtime_error("large message damaged");
    });
    big.run(io, 20s);
    net.shutdown(io);
    for (dkg::party_id p = 1; p <= 3; ++p) BOOST_TEST(net.faults.empty(p), "party " << p << ":" << net.faults.describe(p));
}

BOOST_AUTO_TEST_CASE(certificates_bound_to_a_network)
{
    asio::io_context io;
    auto one = party_options(1, "alpha/party-1");
    auto two = party_options(2, "alpha/party-2");
    one.network_id = two.network_id = "alpha";
    one.require_network_name = two.require_network_name = true;
    tls_network net(io, {one, two});
    net.start(io);
    tasks t;
    t.spawn(net.party(1).get_executor(), net.party(1).async_send(2, tag(1), bytes(5, 1), asio::use_awaitable));
    t.spawn(net.party(2).get_executor(), [&]() -> asio::awaitable<void> {
        if (co_await net.party(2).async_receive(1, tag(1), asio::use_awaitable) != bytes(5, 1)) throw std::runtime_error("wrong message");
    });
    t.run(io, 5s);
    net.shutdown(io);
    // Without the network id these certificates name no party.
    auto plain = party_options(1, "alpha/party-1");
    BOOST_TEST(contains(invalid_argument_text([&] { dkg::tls_transport x(io, 1, net.ports.endpoints, plain); }), "names no party"));
}

BOOST_AUTO_TEST_CASE(peer_shutdown_is_not_a_fault)
{
    asio::io_context io;
    tls_network net(io, {party_options(1), party_options(2), party_options(3)});
    net.start(io);
    tasks t;
    t.spawn(net.party(3).get_executor(), [&]() -> asio::awaitable<void> {
        co_await net.party(3).async_send(1, tag(1), bytes(5, 3), asio::use_awaitable);
        co_await net.party(3).async_shutdown(asio::use_awaitable);
    });
    for (dkg::party_id p : {1u, 2u}) {
        auto& me = net.party(p);
        t.spawn(me.get_executor(), [&me]() -> asio::awaitable<void> {
            if (me.self() == 1) {
                auto first = co_await me.async_receive(3, tag(1), asio::use_awaitable); // sent before the goodbye
                if (first != bytes(5, 3)) throw std::runtime_error("lost message");
            }
            auto [ec, p] = co_await me.async_receive(3, tag(2), asio::as_tuple(asio::use_awaitable));
            if (ec != dkg::errc::peer_disconnected) throw std::runtime_error("expected peer_disconnected, got " + ec.message());
        });
    }
    t.run(io, 5s);
    net.shutdown(io);
    for (dkg::party_id p = 1; p <= 3; ++p) BOOST_TEST(net.faults.empty(p), "party " << p << ":" << net.faults.describe(p));
}

// ---- refused peers -------------------------------------------------------------------------------

/// Party 2 presents `credentials` in a 3-party network: every party's start fails within the
/// window, parties 1 and 3 naming party 2, and the refusals are reported with the reasons given.
void check_party_2_refused(const std::string& credentials, const std::string& reason_at_1, const std::string& reason_at_3)
{
    const auto window = 1500ms;
    asio::io_context io;
    tls_network net(io, {party_options(1, "", window), party_options(2, credentials, window), party_options(3, "", window)});
    std::vector<start_outcome> outcomes(3);
    for (dkg::party_id p = 1; p <= 3; ++p) outcomes[p - 1].start(net.party(p));
    run_starts(io, outcomes);
    // Party 1 connects to party 2 and refuses its certificate; party 3 refuses party 2's connection.
    outcomes[0].check_refused(2, window, "party 2: TLS handshake failed");
    outcomes[0].check_refused(2, window, reason_at_1);
    outcomes[1].check_refused(1, window);
    // Party 3's error says why: it refused a connection whose certificate it could not accept.
    outcomes[2].check_refused(2, window, "party 2: no connection from it (a connection from 127.0.0.1:");
    outcomes[2].check_refused(2, window, reason_at_3);
    const auto at_1 = net.faults.find(1, 2, dkg::errc::verification_failed);
    BOOST_REQUIRE_MESSAGE(at_1, "no fault at party 1:" << net.faults.describe(1));
    BOOST_TEST(contains(at_1->context, "127.0.0.1:" + std::to_string(net.ports.endpoints[1].port)), at_1->context);
    BOOST_TEST(contains(at_1->context, reason_at_1), at_1->context);
    const auto at_3 = net.faults.find(3, dkg::no_party, dkg::errc::verification_failed);
    BOOST_REQUIRE_MESSAGE(at_3, "no fault at party 3:" << net.faults.describe(3));
    BOOST_TEST(contains(at_3->context, "handshake with 127.0.0.1:"), at_3->context);
    BOOST_TEST(contains(at_3->context, reason_at_3), at_3->context);
    // Party 2 sees its connection to party 3 refused.
    BOOST_TEST(contains(outcomes[1].error->what(), "party 3: "), outcomes[1].error->what());
    BOOST_TEST(net.faults.find(2, 3, dkg::errc::verification_failed).has_value(), "party 2:" << net.faults.describe(2));
}

BOOST_AUTO_TEST_CASE(certificate_of_an_unknown_ca_is_refused)
{
    check_party_2_refused("other-ca-party-2", "unable to get local issuer certificate", "unable to get local issuer certificate");
}

BOOST_AUTO_TEST_CASE(expired_certificate_is_refused)
{
    check_party_2_refused("expired-party-2", "certificate has expired", "certificate has expired");
}

BOOST_AUTO_TEST_CASE(certificate_of_another_party_is_refused)
{
    // Party 2 presents party 3's (valid) certificate, as a client to party 3 and as a server to
    // party 1. Parties 1 and 3 run on a background thread.
    const auto window = 1500ms;
    fault_log faults;
    threaded_io threads;
    loopback_ports ports(threads.io, 3);
    auto one = party_options(1, "", window);
    auto three = party_options(3, "", window);
    one.on_fault = faults.at(1);
    three.on_fault = faults.at(3);
    dkg::tls_transport party_1(ports.take(1), 1, ports.endpoints, one);
    dkg::tls_transport party_3(ports.take(3), 3, ports.endpoints, three);

    // The server side of the impostor: accepts on party 2's port and completes TLS handshakes.
    auto server_context = raw_tls_peer::make_context("party-3");
    auto acceptor = std::make_shared<tcp::acceptor>(ports.take(2));
    acceptor->listen();
    std::function<void()> accept;
    accept = [&] {
        acceptor->async_accept([&, acceptor](boost::system::error_code ec, tcp::socket s) {
            if (ec) return;
            auto stream = std::make_shared<ssl::stream<tcp::socket>>(std::move(s), server_context);
            stream->async_handshake(ssl::stream_base::server, [stream](boost::system::error_code) {
                auto buffer = std::make_shared<std::array<std::uint8_t, 64>>();
                stream->async_read_some(asio::buffer(*buffer), [stream, buffer](boost::system::error_code, std::size_t) {});
            });
            accept();
        });
    };
    struct stop_first {
        threaded_io& threads;
        ~stop_first() { threads.stop(); } // before the handlers' objects go away, even on failure
    } guard{threads};
    threads.call(threads.io.get_executor(), [&] {
        accept();
        return 0;
    });
    auto started_1 = asio::co_spawn(party_1.get_executor(), party_1.async_start(asio::use_awaitable), asio::use_future);
    auto started_3 = asio::co_spawn(party_3.get_executor(), party_3.async_start(asio::use_awaitable), asio::use_future);

    // The client side: a valid TLS handshake with party 3, then a hello claiming party 2.
    asio::io_context raw_io;
    raw_tls_peer impostor(raw_io, "party-3");
    impostor.connect(ports.endpoints[2]);
    impostor.write(dkg::framing::encode_hello({dkg::framing::version, 2, 3, ""}));
    const auto [type, body] = impostor.read_frame();
    BOOST_TEST((type == dkg::framing::frame_type::goodbye));
    BOOST_TEST(dkg::framing::decode_goodbye(body) == static_cast<std::uint32_t>(dkg::errc::verification_failed));
    const auto at_3 = faults.find(3, 2, dkg::errc::verification_failed, 5s);
    BOOST_REQUIRE_MESSAGE(at_3, "no fault at party 3:" << faults.describe(3));
    BOOST_TEST(contains(at_3->context, "names party 3, not party 2"), at_3->context);
    BOOST_TEST(contains(at_3->context, "from 127.0.0.1:"), at_3->context);

    const auto at_1 = faults.find(1, 2, dkg::errc::verification_failed, 5s);
    BOOST_REQUIRE_MESSAGE(at_1, "no fault at party 1:" << faults.describe(1));
    BOOST_TEST(contains(at_1->context, "names party 3, not party 2"), at_1->context);
    for (auto* started : {&started_1, &started_3}) {
        BOOST_REQUIRE(started->wait_for(window + 2s) == std::future_status::ready);
        try {
            started->get();
            BOOST_ERROR("the start succeeded");
        } catch (const dkg::protocol_error& e) {
            BOOST_TEST((e.code() == dkg::errc::timeout));
            BOOST_TEST(e.party() == 2u, e.what());
            if (started == &started_1) BOOST_TEST(contains(e.what(), "party 2: the certificate"), e.what());
            if (started == &started_3)
                BOOST_TEST((contains(e.what(), "party 2: refused its connection from 127.0.0.1:") && contains(e.what(), "names party 3, not party 2")),
                           e.what());
        }
    }
}

BOOST_AUTO_TEST_CASE(plain_tcp_and_tls_do_not_mix)
{
    const auto window = 1000ms;
    {
        // A TCP client and a TLS server.
        mixed_pair<dkg::tcp_transport, dkg::tls_transport> pair(plain_options(window), party_options(2, "", window));
        pair.outcomes[0].check_refused(2, window, "party 2: connection closed during handshake");
        pair.outcomes[1].check_refused(1, window);
        const auto refused = pair.faults.find(2, dkg::no_party, dkg::errc::verification_failed);
        BOOST_REQUIRE_MESSAGE(refused, "no fault at the TLS party:" << pair.faults.describe(2));
        BOOST_TEST(contains(refused->context, "handshake with 127.0.0.1:"), refused->context);
        BOOST_TEST(contains(refused->context, "is the peer using TLS?"), refused->context);
    }
    {
        // A TLS client and a TCP server.
        mixed_pair<dkg::tls_transport, dkg::tcp_transport> pair(party_options(1, "", window), plain_options(window));
        pair.outcomes[0].check_refused(2, window, "party 2: TLS handshake failed");
        pair.outcomes[1].check_refused(1, window);
        const auto refused = pair.faults.find(1, 2, dkg::errc::verification_failed);
        BOOST_REQUIRE_MESSAGE(refused, "no fault at the TLS party:" << pair.faults.describe(1));
        BOOST_TEST(contains(refused->context, "handshake with 127.0.0.1:" + std::to_string(pair.ports.endpoints[1].port)), refused->context);
        BOOST_TEST(contains(refused->context, "is the peer using TLS?"), refused->context);
        const auto plain = pair.faults.find(2, dkg::no_party, dkg::errc::malformed_message);
        BOOST_REQUIRE_MESSAGE(plain, "no fault at the TCP party:" << pair.faults.describe(2));
        BOOST_TEST(contains(plain->context, "magic"), plain->context);
    }
}

// ---- peer faults inside TLS, driven by a raw TLS client playing party 1 ----------------------------

BOOST_AUTO_TEST_CASE(peer_faults_name_the_party)
{
    {
        raw_tls_fixture f;
        auto& peer = f.joined();
        auto ok = f.receive_later(tag(1));
        peer.write(peer.raw.message(1, tag(1), bytes(100, 1)));
        BOOST_TEST(!error_of(ok));
        auto pending = f.receive_later(tag(2));
        peer.write(bytes{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1', '\r', '\n'});
        const auto fault = f.faults.find(2, 1, dkg::errc::malformed_message, 5s);
        BOOST_REQUIRE(fault);
        BOOST_TEST(contains(fault->context, "magic"));
        BOOST_TEST((error_of(pending) == dkg::errc::malformed_message));
    }
    {
        // A frame cut short by a connection closed without TLS close_notify.
        raw_tls_fixture f;
        auto& peer = f.joined();
        auto pending = f.receive_later(tag(1));
        auto frame = peer.raw.message(1, tag(1), bytes(500, 1));
        frame.resize(300);
        peer.write(frame);
        peer.raw.socket.close();
        const auto fault = f.faults.find(2, 1, dkg::errc::malformed_message, 5s);
        BOOST_REQUIRE_MESSAGE(fault, "faults:" << f.faults.describe(2));
        BOOST_TEST(contains(fault->context, "truncated frame"), fault->context);
        BOOST_TEST((error_of(pending) == dkg::errc::peer_disconnected));
    }
    {
        // A crash between frames.
        raw_tls_fixture f;
        auto& peer = f.joined();
        auto pending = f.receive_later(tag(1));
        peer.raw.socket.close();
        const auto fault = f.faults.find(2, 1, dkg::errc::peer_disconnected, 5s);
        BOOST_REQUIRE_MESSAGE(fault, "faults:" << f.faults.describe(2));
        BOOST_TEST(contains(fault->context, "connection closed without goodbye"), fault->context);
        BOOST_TEST((error_of(pending) == dkg::errc::peer_disconnected));
    }
}

// ---- key generation and decryption over TLS ------------------------------------------------------

BOOST_AUTO_TEST_CASE(key_generation_over_tls)
{
    using N = test_support::fast_int;
    const std::size_t n = 3;
    asio::io_context io;
    tls_network net(io, {party_options(1, "", 10s), party_options(2, "", 10s), party_options(3, "", 10s)});
    net.start(io);
    dkg::keygen_params params;
    params.key_length = 256;
    params.corruption_threshold = 1;
    std::vector<std::unique_ptr<dkg::session<dkg::tls_transport>>> sessions;
    std::vector<std::unique_ptr<dkg::testing::insecure_seeded_rng>> rngs;
    std::vector<std::optional<dkg::key_share<N>>> shares(n);
    std::vector<std::string> errors;
    std::size_t finished = 0;
    for (dkg::party_id j = 1; j <= n; ++j) {
        sessions.push_back(std::make_unique<dkg::session<dkg::tls_transport>>(net.party(j)));
        rngs.push_back(std::make_unique<dkg::testing::insecure_seeded_rng>(31, j));
    }
    for (std::size_t j = 0; j < n; ++j)
        dkg::async_generate_key<N>(*sessions[j], *rngs[j], params, {}, [&, j](std::exception_ptr e, dkg::key_share<N> share) {
            ++finished;
            try {
                if (e) std::rethrow_exception(e);
                shares[j].emplace(std::move(share));
            } catch (const std::exception& x) {
                errors.push_back(x.what());
            }
        });
    tasks::run_until(io, [&] { return finished == n; }, 120s);
    BOOST_REQUIRE_MESSAGE(finished == n, "key generation did not finish");
    for (const auto& e : errors) BOOST_ERROR("key generation failed: " << e);
    BOOST_REQUIRE(errors.empty());
    sessions.clear();
    net.shutdown(io);

    const auto& key = shares[0]->public_key();
    BOOST_TEST(key.bits() == 256u);
    for (const auto& s : shares) BOOST_TEST(s->same_key(*shares[0]));
    dkg::testing::insecure_seeded_rng rng(5);
    const dkg::threshold_key<N> public_part(*shares[0]);
    for (long long m : {0LL, 42LL, -123456789LL}) {
        const auto c = key.encrypt(N(m), rng);
        std::vector<dkg::partial_decryption<N>> partials;
        for (std::size_t j : {0u, 2u}) {
            partials.push_back(dkg::partial_decrypt(*shares[j], c, rng));
            BOOST_TEST(dkg::verify(public_part, c, partials.back()));
        }
        BOOST_TEST((key.from_residue(dkg::combine<N>(public_part, c, partials)) == N(m)));
    }
    for (dkg::party_id p = 1; p <= n; ++p) BOOST_TEST(net.faults.empty(p), "party " << p << ":" << net.faults.describe(p));
}

BOOST_AUTO_TEST_SUITE_END()
