// Example 2: one party of a distributed run, over TCP, or TLS when given certificate files. Start
// one process per party (on one machine or several); 02_run_local.sh starts them all on this
// machine.
//
// Each party
//   1. connects to the others,
//   2. generates the joint key with them (it ends with its own share of the secret key),
//   3. encrypts its private value and sends the ciphertext to every other party,
//   4. adds up all ciphertexts (everyone gets the same encrypted sum),
//   5. decrypts the sum jointly with the others: every party sends its partial decryption, and
//      each combines the first t + 1 valid ones.
//
// Usage:
//   02_distributed_party --id J [--parties N] [--threshold T] [--bits B] [--value V] [--expect S]
//                        [--base-port P | --peers host:port,host:port,...]
//                        [--ca FILE --cert FILE --key FILE]
//
//   --id J         this party, 1..N
//   --parties N    number of parties (default 3); party i listens on 127.0.0.1:P+i-1
//   --base-port P  default 7700
//   --peers LIST   the listening address of every party instead, in party order (sets N)
//   --threshold T  any T+1 parties can decrypt (default 1; N >= 2T+1)
//   --bits B       key length (default 2048)
//   --value V      this party's private value (default J)
//   --expect S     fail unless the decrypted sum is S (for tests)
//   --ca FILE      talk over TLS 1.3 (dkg::tls_transport): the CA certificates (PEM) that issue the
//                  parties' certificates; needs --cert and --key, and a build with OpenSSL
//   --cert FILE    this party's certificate (PEM); it must name "dkg-party-J"
//   --key FILE     this party's private key (PEM, unencrypted)
//
// The parties may be started in any order within 30 seconds. Without --ca they talk over plain TCP,
// which is for trusted networks only. For TLS, scripts/make_test_certificates.sh makes test
// certificates (02_run_local.sh --tls uses it); docs/transport.md §4 says how to issue real ones.
#include <dkg/dkg.hpp>
#if DKG_HAS_TLS
#include <dkg/transport/tls.hpp>
#endif

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using number = dkg::gmp_int;
using boost::asio::use_awaitable;

namespace {

struct config {
    dkg::party_id id = 0;
    std::vector<dkg::tcp_endpoint> peers; // element i-1: where party i listens
    std::size_t threshold = 1;
    std::size_t bits = 2048;
    long long value = 0;
    std::optional<long long> expect;
    std::string ca, cert, key; // TLS credentials (all three or none)
};

config parse(int argc, char** argv)
{
    config c;
    std::size_t parties = 3;
    unsigned base_port = 7700;
    std::string peer_list;
    std::optional<long long> value;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i], arg = argv[i + 1];
        if (flag == "--id") c.id = static_cast<dkg::party_id>(std::stoul(arg));
        else if (flag == "--parties") parties = std::stoul(arg);
        else if (flag == "--base-port") base_port = static_cast<unsigned>(std::stoul(arg));
        else if (flag == "--peers") peer_list = arg;
        else if (flag == "--threshold") c.threshold = std::stoul(arg);
        else if (flag == "--bits") c.bits = std::stoul(arg);
        else if (flag == "--value") value = std::stoll(arg);
        else if (flag == "--expect") c.expect = std::stoll(arg);
        else if (flag == "--ca") c.ca = arg;
        else if (flag == "--cert") c.cert = arg;
        else if (flag == "--key") c.key = arg;
        else throw std::invalid_argument("unknown option " + flag);
    }
    if (argc % 2 == 0) throw std::invalid_argument(std::string("option ") + argv[argc - 1] + " needs a value");
    if (!peer_list.empty()) {
        c.peers = dkg::parse_party_list(peer_list);
    } else {
        for (std::size_t i = 0; i < parties; ++i)
            c.peers.push_back({"127.0.0.1", static_cast<std::uint16_t>(base_port + i)});
    }
    if (c.id < 1 || c.id > c.peers.size()) throw std::invalid_argument("--id: must be in 1..parties");
    if (c.ca.empty() != c.cert.empty() || c.ca.empty() != c.key.empty())
        throw std::invalid_argument("--ca, --cert and --key go together: give all three for TLS, or none");
    c.value = value.value_or(c.id);
    return c;
}

std::string list(const std::vector<dkg::party_id>& parties)
{
    std::string out;
    for (auto p : parties) out += (out.empty() ? "" : ", ") + std::to_string(p);
    return out;
}

// The whole run of one party, as a coroutine on the transport's executor. The same code runs over
// dkg::tcp_transport and dkg::tls_transport (any model of dkg::transport with async_start).
template <class Transport>
boost::asio::awaitable<number> run_party(const config& cfg, Transport& transport, dkg::session<Transport>& session, dkg::system_rng& rng)
{
    const std::string me = "party " + std::to_string(cfg.id) + ": ";
    const std::size_t n = cfg.peers.size();
    std::vector<dkg::party_id> others;
    for (dkg::party_id j = 1; j <= n; ++j)
        if (j != cfg.id) others.push_back(j);

    // Every party must use the same parameters (checked in the first round of key generation).
    dkg::keygen_params params;
    params.key_length = cfg.bits;
    params.corruption_threshold = cfg.threshold;
    params.validate(n); // fail before connecting if they cannot work for n parties

    // 1. Connect (retrying until every other party is up).
    std::cout << me << "listening on " << cfg.peers[cfg.id - 1].to_string() << (cfg.ca.empty() ? "" : " (TLS)") << ", connecting to parties "
              << list(others) << std::endl;
    co_await transport.async_start(use_awaitable);

    // 2. Key generation.
    const auto start = std::chrono::steady_clock::now();
    const dkg::key_share<number> share = co_await dkg::async_generate_key<number>(session, rng, params, {}, use_awaitable);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    const dkg::public_key<number>& key = share.public_key();
    const std::string n_hex = dkg::to_hex(key.n());
    std::cout << me << "generated a " << key.bits() << "-bit key with the others in " << std::fixed << std::setprecision(1)
              << took.count() << " s; N = " << n_hex.substr(0, 16) << "..." << std::endl;

    // 3. Encrypt the private value and send it to everyone (user-level messages on topic 1).
    const std::uint32_t values_topic = 1;
    const dkg::ciphertext<number> mine = key.encrypt(number(cfg.value), rng);
    const dkg::bytes message = dkg::to_binary(mine);
    for (dkg::party_id j : others) co_await session.async_send_user(j, values_topic, message, use_awaitable);
    std::cout << me << "sent my value " << cfg.value << ", encrypted, to parties " << list(others) << std::endl;

    // 4. Add every party's ciphertext to the sum (the order does not matter).
    dkg::ciphertext<number> sum = mine;
    for (dkg::party_id j : others) {
        const dkg::bytes received = co_await session.async_receive_user(j, values_topic, use_awaitable);
        sum = sum + dkg::ciphertext_from_binary(key, received); // checks it is a ciphertext of our key
    }
    std::cout << me << "added up the encrypted values of all " << n << " parties" << std::endl;

    // 5. Joint decryption; every party is a receiver and a contributor (the defaults).
    dkg::decrypt_options options;
    options.id = 1; // distinguishes concurrent decryptions on one session
    std::vector<dkg::ciphertext<number>> batch = {sum};
    const dkg::decryption_result<number> result = co_await dkg::async_decrypt(session, share, std::move(batch), options, rng, use_awaitable);
    const number total = key.from_residue(result.plaintexts->front());
    std::cout << me << "the sum is " << total << " (decrypted from the partial decryptions of parties " << list(result.used) << ")"
              << std::endl;

    co_await transport.async_shutdown(use_awaitable);
    co_return total;
}

// Runs this party over `transport` until it has finished (or failed) and returns the sum.
template <class Transport>
number run(const config& cfg, boost::asio::io_context& io, Transport& transport)
{
    dkg::session<Transport> session(transport);
    dkg::system_rng rng;

    std::exception_ptr error;
    std::optional<number> total;
    boost::asio::co_spawn(transport.get_executor(), run_party(cfg, transport, session, rng), [&](std::exception_ptr e, number sum) {
        error = e;
        if (!e) total = sum;
        transport.close(); // after a failure: say goodbye to the peers, so that io.run() returns
    });
    io.run();

    if (error) std::rethrow_exception(error);
    return *total;
}

} // namespace

int main(int argc, char** argv)
try {
    const config cfg = parse(argc, argv);

    boost::asio::io_context io;
    number total;
    if (cfg.ca.empty()) {
        dkg::tcp_options options;
        options.connect_window = std::chrono::seconds(30);
        dkg::tcp_transport transport(io, cfg.id, cfg.peers, options);
        total = run(cfg, io, transport);
    } else {
#if DKG_HAS_TLS
        // Every connection is TLS 1.3; a peer is accepted as party j only with a certificate from
        // the CA that names "dkg-party-j". The files are loaded and checked here.
        dkg::tls_options options;
        options.connect_window = std::chrono::seconds(30);
        options.ca_file = cfg.ca;
        options.certificate_chain_file = cfg.cert;
        options.private_key_file = cfg.key;
        dkg::tls_transport transport(io, cfg.id, cfg.peers, options);
        total = run(cfg, io, transport);
#else
        throw std::invalid_argument("--ca, --cert, --key: this program was built without TLS (OpenSSL)");
#endif
    }

    if (cfg.expect && total != number(*cfg.expect)) {
        std::cerr << "party " << cfg.id << ": ERROR: expected " << *cfg.expect << '\n';
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
} catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return EXIT_FAILURE;
}
