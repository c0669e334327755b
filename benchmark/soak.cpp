// Soak: many key generations and thousands of threshold decryptions back to back over loopback TCP,
// every result checked, and the process's memory sampled to show that it stays flat.
//
//   benchmark_soak --keys K --decryptions D [--bits B] [--parties N] [--threshold T]
//                  [--tolerance-mb M] [--sample-every S]
//
// 1. K key generations, each with generate_key_in_process over TCP (N parties, t = T, B bits). Every
//    key is checked: all parties hold shares of one key, and a random plaintext encrypted under it
//    decrypts with t+1 verified partial decryptions. The resident set size (RSS) is sampled after
//    each key.
// 2. D decryptions of one ciphertext each with async_decrypt (proofs on), every party a receiver,
//    over one set of TCP transports and sessions kept for the whole phase, under the last key. Every
//    party's plaintext is checked; the RSS is sampled every S decryptions (default 200).
// After a warm-up (the first fifth of each phase's samples, at least one), no sample may exceed the
// largest warm-up sample by more than M MiB (default 16): the program then exits with status 1.
#include <dkg/in_process.hpp>
#include <dkg/session.hpp>
#include <dkg/threshold.hpp>
#include <dkg/threshold/async_decrypt.hpp>
#include <dkg/transport/tcp.hpp>

#include "command_line.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using N = dkg::gmp_int;
using clock_type = std::chrono::steady_clock;

struct options {
    std::size_t keys = 20;
    std::size_t decryptions = 2000;
    std::size_t bits = 512;
    std::size_t parties = 3;
    std::size_t threshold = 1;
    std::size_t tolerance_mb = 16;
    std::size_t sample_every = 200;
};

options parse(int argc, char** argv)
{
    namespace po = dkg_benchmark::po;
    using dkg_benchmark::number_in;
    options o;
    po::options_description d("Options");
    d.add_options()
        ("keys", number_in<std::size_t>(o.keys, 1, 1000000, "keys", "K"), "key generations (the decryptions use the last key)")
        ("decryptions", number_in<std::size_t>(o.decryptions, 0, 100000000, "decryptions", "D"), "decryptions of one ciphertext each")
        ("bits", number_in<std::size_t>(o.bits, 64, 16384, "bits", "B"), "bits of N")
        ("parties", number_in<std::size_t>(o.parties, 1, 64, "parties", "N"), "number of parties")
        ("threshold", number_in<std::size_t>(o.threshold, 0, 31, "threshold", "T"), "corruption threshold t")
        ("tolerance-mb", number_in<std::size_t>(o.tolerance_mb, 0, 1000000, "tolerance-mb", "M"), "allowed growth of the RSS after the warm-up, MiB")
        ("sample-every", number_in<std::size_t>(o.sample_every, 1, 1000000, "sample-every", "S"), "decryptions between RSS samples");
    dkg_benchmark::parse_command_line(argc, argv, "benchmark_soak",
                                      "benchmark_soak --keys K --decryptions D [--bits B] [--parties N] [--threshold T] [--tolerance-mb M] "
                                      "[--sample-every S]",
                                      d);
    return o;
}

/// The process's resident set size in KiB (/proc/self/statm).
std::size_t rss_kib()
{
    std::ifstream statm("/proc/self/statm");
    std::size_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) / 1024;
}

double seconds_since(clock_type::time_point start)
{
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// Samples of one phase; flat if nothing after the warm-up exceeds its largest sample + tolerance.
struct samples {
    std::string phase;
    std::vector<std::size_t> kib;

    bool flat(std::size_t tolerance_kib) const
    {
        if (kib.empty()) return true;
        const std::size_t warm = std::max<std::size_t>(1, kib.size() / 5);
        const std::size_t base = *std::max_element(kib.begin(), kib.begin() + static_cast<std::ptrdiff_t>(warm));
        const std::size_t peak = *std::max_element(kib.begin(), kib.end());
        std::cout << phase << ": RSS after warm-up " << base / 1024.0 << " MiB, peak " << peak / 1024.0 << " MiB, last "
                  << kib.back() / 1024.0 << " MiB (" << kib.size() << " samples, warm-up " << warm << ")\n";
        return peak <= base + tolerance_kib;
    }
};

void check(bool condition, const std::string& what)
{
    if (!condition) throw std::runtime_error(what);
}

/// Checks a new key: one key at every party, and a decryption by t+1 verified partials.
void check_key(const std::vector<dkg::key_share<N>>& shares, dkg::system_rng& rng)
{
    for (const auto& s : shares) check(s.same_key(shares[0]), "parties hold shares of different keys");
    const auto& pk = shares[0].public_key();
    const N m = dkg::random_symmetric(pk.max_plaintext(), rng);
    const auto c = pk.encrypt(m, rng);
    const dkg::threshold_key<N> key(shares[0]);
    std::vector<dkg::partial_decryption<N>> partials;
    for (std::size_t j = 0; j <= shares[0].threshold(); ++j) {
        partials.push_back(dkg::partial_decrypt(shares[j], c, rng));
        check(dkg::verify(key, c, partials.back()), "a partial decryption does not verify");
    }
    check(pk.from_residue(dkg::combine(key, c, std::span<const dkg::partial_decryption<N>>(partials))) == m, "a key decrypts wrongly");
}

/// n parties connected over loopback TCP with established sessions, on one io_context.
struct tcp_parties {
    boost::asio::io_context io;
    std::vector<std::unique_ptr<dkg::tcp_transport>> transports;
    std::vector<std::unique_ptr<dkg::session<dkg::tcp_transport>>> sessions;

    tcp_parties(std::size_t n, dkg::system_rng& rng)
    {
        std::vector<boost::asio::ip::tcp::acceptor> listeners;
        std::vector<dkg::tcp_endpoint> endpoints;
        for (std::size_t j = 0; j < n; ++j) {
            boost::asio::ip::tcp::acceptor a(io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
            endpoints.push_back(dkg::tcp_endpoint{"127.0.0.1", a.local_endpoint().port()});
            listeners.push_back(std::move(a));
        }
        for (std::size_t j = 0; j < n; ++j)
            transports.push_back(std::make_unique<dkg::tcp_transport>(std::move(listeners[j]), static_cast<dkg::party_id>(j + 1), endpoints));
        std::size_t started = 0;
        for (auto& t : transports)
            t->async_start([&](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
                ++started;
            });
        run_until([&] { return started == n; });
        std::size_t established = 0;
        for (auto& t : transports) {
            sessions.push_back(std::make_unique<dkg::session<dkg::tcp_transport>>(*t));
            sessions.back()->async_establish(rng, [&](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
                ++established;
            });
        }
        run_until([&] { return established == n; });
    }

    ~tcp_parties()
    {
        sessions.clear();
        std::size_t closed = 0;
        for (auto& t : transports) t->async_shutdown([&](boost::system::error_code) { ++closed; });
        try {
            run_until([&] { return closed == transports.size(); });
        } catch (...) {
        }
    }

    template <class Done>
    void run_until(Done done)
    {
        io.restart();
        while (!done())
            if (io.run_one() == 0) throw std::runtime_error("the io_context ran out of work");
    }
};

} // namespace

int main(int argc, char** argv)
{
    const options o = parse(argc, argv);
    dkg::set_warning_handler({}); // short keys warn once per process; the soak knows
    dkg::system_rng rng;
    const std::size_t tolerance_kib = o.tolerance_mb * 1024;
    std::cout << "soak: " << o.keys << " keys of " << o.bits << " bits and " << o.decryptions << " decryptions, " << o.parties
              << " parties, t = " << o.threshold << ", loopback TCP; RSS at start " << rss_kib() / 1024.0 << " MiB\n";
    try {
        // ---- key generations ----
        dkg::keygen_params params;
        params.key_length = o.bits;
        params.corruption_threshold = o.threshold;
        dkg::in_process_options in_process;
        in_process.transport = dkg::in_process_transport::tcp;
        samples key_rss{"keys", {}};
        std::vector<dkg::key_share<N>> shares;
        const auto keys_start = clock_type::now();
        for (std::size_t k = 0; k < o.keys; ++k) {
            const auto start = clock_type::now();
            shares = dkg::generate_key_in_process<N>(o.parties, params, in_process);
            check_key(shares, rng);
            key_rss.kib.push_back(rss_kib());
            std::cout << "key " << k + 1 << "/" << o.keys << ": " << std::fixed << std::setprecision(2) << seconds_since(start)
                      << " s, RSS " << key_rss.kib.back() / 1024.0 << " MiB\n";
        }
        const double keys_seconds = seconds_since(keys_start);

        // ---- decryptions ----
        samples decrypt_rss{"decryptions", {}};
        const auto& pk = shares[0].public_key();
        double decrypt_seconds = 0;
        {
            tcp_parties net(o.parties, rng);
            const auto start = clock_type::now();
            for (std::size_t i = 0; i < o.decryptions; ++i) {
                const N m = dkg::random_symmetric(pk.max_plaintext(), rng);
                const std::vector<dkg::ciphertext<N>> batch{pk.encrypt(m, rng)};
                dkg::decrypt_options options;
                options.id = i + 1;
                std::size_t done = 0;
                for (std::size_t j = 0; j < o.parties; ++j)
                    dkg::async_decrypt(*net.sessions[j], shares[j], batch, options, rng, [&](std::exception_ptr e, dkg::decryption_result<N> r) {
                        if (e) std::rethrow_exception(e);
                        check(r.plaintexts && r.plaintexts->size() == 1 && pk.from_residue(r.plaintexts->front()) == m,
                              "a decryption gave a wrong plaintext");
                        ++done;
                    });
                net.run_until([&] { return done == o.parties; });
                if ((i + 1) % o.sample_every == 0 || i + 1 == o.decryptions) {
                    decrypt_rss.kib.push_back(rss_kib());
                    std::cout << "decryptions " << i + 1 << "/" << o.decryptions << ": " << std::fixed << std::setprecision(2)
                              << seconds_since(start) << " s, RSS " << decrypt_rss.kib.back() / 1024.0 << " MiB\n";
                }
            }
            decrypt_seconds = seconds_since(start);
        }

        std::cout << std::fixed << std::setprecision(3) << "keys: " << o.keys << " in " << keys_seconds << " s ("
                  << keys_seconds / static_cast<double>(o.keys) << " s each)\n"
                  << "decryptions: " << o.decryptions << " in " << decrypt_seconds << " s ("
                  << (o.decryptions ? 1000.0 * decrypt_seconds / static_cast<double>(o.decryptions) : 0.0) << " ms each, all "
                  << o.parties << " parties)\n";
        const bool keys_flat = key_rss.flat(tolerance_kib);
        const bool decryptions_flat = decrypt_rss.flat(tolerance_kib);
        if (!keys_flat || !decryptions_flat) {
            std::cout << "soak: FAILED: memory grew by more than " << o.tolerance_mb << " MiB after the warm-up\n";
            return 1;
        }
        std::cout << "soak: passed: every result right, memory flat within " << o.tolerance_mb << " MiB\n";
        return 0;
    } catch (const std::exception& e) {
        std::cout << "soak: FAILED: " << e.what() << "\n";
        return 1;
    }
}
