// Threshold decryption benchmark, 2048-bit N (or --bits B), GMP backend, n = 3 parties, t = 1.
//
//   benchmark_threshold [--json] [--runs R] [--batch B] [--batch-runs R2] [--bits B]
//
// Single operations: one partial decryption (without and with proof; and the same exponentiation
// through the variable-time powm, the price of constant time), one proof verification, one
// combination of t+1 = 2 partials, and single-key Paillier decryption (CRT) for comparison; each is
// timed over R runs (default 7) of a fixed number of repetitions. Batch: B ciphertexts (default
// 1000) decrypted by the 3 parties of one process, of which only t+1 = 2 compute partial
// decryptions, each on its own thread (the machine has 2 cores), and party 1 combines (and, with
// proofs, verifies party 2's proofs); R2 runs (default 3). The same batch through async_decrypt
// over the in-process memory transport (contributors {1, 2}, receiver 1, two threads), and the
// latency of one whole decryption by the three parties over loopback TCP. Reported: median,
// fastest and slowest run, spread (slowest − fastest)/median, and the rate per second.
//
// What bounds the batch: every ciphertext costs each of the t+1 contributors one exponentiation
// mod N² with an exponent of about 4,150 bits (2·Δ·s_j), so throughput ≤ cores / (time of one
// partial decryption). Proofs add two such exponentiations for the prover and two for the verifier.
// Secret exponents go through dkg::powm_secret (mpz_powm_sec, constant-time).
#include <dkg/threshold.hpp>
#include <dkg/threshold/async_decrypt.hpp>
#include <dkg/session.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/testing/trusted_dealer.hpp>
#include <dkg/transport/memory.hpp>
#include <dkg/transport/tcp.hpp>

#include "command_line.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using N = dkg::gmp_int;
constexpr std::size_t parties = 3;
constexpr std::size_t threshold = 1;

struct settings {
    bool json = false;
    int runs = 7;
    std::size_t batch = 1000;
    int batch_runs = 3;
    std::size_t bits = 2048; // of N
};

struct timing {
    std::string name;
    std::size_t items = 1;          // operations per run
    std::vector<double> seconds;    // one entry per run
    double median = 0, fastest = 0, slowest = 0;

    double per_item(double s) const { return s / static_cast<double>(items); }
    double spread() const { return median > 0 ? (slowest - fastest) / median : 0; }
};

timing summarise(timing t)
{
    auto sorted = t.seconds;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t k = sorted.size();
    t.median = k % 2 ? sorted[k / 2] : (sorted[k / 2 - 1] + sorted[k / 2]) / 2;
    t.fastest = sorted.front();
    t.slowest = sorted.back();
    return t;
}

/// Runs `body` `runs` times; each run performs `items` operations.
timing time_runs(std::string name, std::size_t items, int runs, const std::function<void()>& body)
{
    timing t{std::move(name), items, {}, 0, 0, 0};
    for (int r = 0; r < runs; ++r) {
        const auto start = std::chrono::steady_clock::now();
        body();
        t.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return summarise(std::move(t));
}

settings parse(int argc, char** argv)
{
    namespace po = dkg_benchmark::po;
    using dkg_benchmark::number_in;
    settings s;
    po::options_description d("Options");
    d.add_options()
        ("runs", number_in(s.runs, 1, 1000, "runs", "R"), "runs of each single operation")
        ("batch", number_in<std::size_t>(s.batch, 1, 1000000, "batch", "B"), "ciphertexts in a batch")
        ("batch-runs", number_in(s.batch_runs, 1, 1000, "batch-runs", "R2"), "runs of each batch")
        ("bits", number_in<std::size_t>(s.bits, 512, 4096, "bits", "B"), "bits of N (even)")
        ("json", po::bool_switch(&s.json), "print the results as JSON");
    dkg_benchmark::parse_command_line(argc, argv, "benchmark_threshold",
                                      "benchmark_threshold [--json] [--runs R] [--batch B] [--batch-runs R2] [--bits B]", d);
    if (s.bits % 2 != 0) {
        std::cerr << "benchmark_threshold: --bits: an even number from 512 to 4096\n";
        std::exit(2);
    }
    return s;
}

std::string show(double seconds)
{
    char buffer[32];
    if (seconds >= 1) std::snprintf(buffer, sizeof buffer, "%.2f s", seconds);
    else std::snprintf(buffer, sizeof buffer, "%.2f ms", seconds * 1e3);
    return buffer;
}

void report(const std::vector<timing>& results, const settings& s)
{
    if (s.json) {
        boost::json::array list;
        for (const auto& r : results)
            list.push_back({{"name", r.name},
                            {"items", r.items},
                            {"runs", r.seconds.size()},
                            {"median_s_per_item", r.per_item(r.median)},
                            {"fastest_s_per_item", r.per_item(r.fastest)},
                            {"slowest_s_per_item", r.per_item(r.slowest)},
                            {"spread", r.spread()},
                            {"items_per_s", 1.0 / r.per_item(r.median)}});
        const boost::json::object out{{"benchmark", "threshold"}, {"bits", s.bits},       {"parties", parties},
                                      {"threshold", threshold},   {"backend", "gmp_int"}, {"cores", std::thread::hardware_concurrency()},
                                      {"results", std::move(list)}};
        std::cout << boost::json::serialize(out) << '\n';
        return;
    }
    std::printf("threshold decryption, N of %zu bits, n = %zu, t = %zu, gmp_int, %u cores\n\n", s.bits, parties, threshold,
                std::thread::hardware_concurrency());
    std::printf("%-52s %10s %10s %10s %7s %12s\n", "benchmark", "median", "fastest", "slowest", "spread", "per second");
    for (const auto& r : results)
        std::printf("%-52s %10s %10s %10s %6.1f%% %12.1f\n", r.name.c_str(), show(r.per_item(r.median)).c_str(),
                    show(r.per_item(r.fastest)).c_str(), show(r.per_item(r.slowest)).c_str(), 100 * r.spread(),
                    1.0 / r.per_item(r.median));
}

/// An io_context run by two threads until `stop`.
struct two_threads {
    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
    std::thread first{[this] { io.run(); }}, second{[this] { io.run(); }};

    void stop()
    {
        if (!first.joinable()) return;
        work.reset();
        io.stop();
        first.join();
        second.join();
    }
    ~two_threads() { stop(); }
};

template <class T>
void wait_all(std::vector<std::future<T>>& done)
{
    for (auto& f : done) f.get();
}

/// Three parties in one process, each with an established session over transport T.
template <class T>
struct three_parties {
    using session_type = dkg::session<T>;
    std::vector<std::unique_ptr<session_type>> sessions;
    std::vector<std::unique_ptr<dkg::testing::insecure_seeded_rng>> rngs;
    std::uint64_t next_id = 1;

    explicit three_parties(const std::function<T&(dkg::party_id)>& transport)
    {
        for (dkg::party_id j = 1; j <= parties; ++j) {
            dkg::session_options options;
            options.timeout = std::chrono::minutes(30); // covers a contributor's whole batch with proofs
            sessions.push_back(std::make_unique<session_type>(transport(j), options));
            rngs.push_back(std::make_unique<dkg::testing::insecure_seeded_rng>(dkg::testing::default_test_seed, 900 + j));
        }
        std::vector<std::future<void>> done;
        for (auto& s : sessions)
            done.push_back(boost::asio::co_spawn(s->get_executor(), s->establish(*rngs[s->self() - 1]), boost::asio::use_future));
        wait_all(done);
    }

    /// One distributed decryption of `cts` by every party; returns party 1's plaintexts.
    std::vector<N> decrypt(const std::vector<dkg::key_share<N>>& shares, const std::vector<dkg::ciphertext<N>>& cts,
                           dkg::decrypt_options options)
    {
        options.id = next_id++;
        std::vector<std::future<dkg::decryption_result<N>>> done;
        for (dkg::party_id j = 1; j <= parties; ++j)
            done.push_back(dkg::async_decrypt(*sessions[j - 1], shares[j - 1], cts, options, *rngs[j - 1], boost::asio::use_future));
        std::vector<N> first;
        for (auto& f : done) {
            auto r = f.get();
            if (r.plaintexts && first.empty()) first = *r.plaintexts;
        }
        return first;
    }
};

/// Three TCP transports on loopback (ports chosen by the system), connected.
struct tcp_parties {
    std::vector<std::unique_ptr<dkg::tcp_transport>> transports;

    explicit tcp_parties(boost::asio::io_context& io)
    {
        std::vector<boost::asio::ip::tcp::acceptor> acceptors;
        std::vector<dkg::tcp_endpoint> endpoints;
        for (std::size_t j = 0; j < parties; ++j) {
            boost::asio::ip::tcp::acceptor a(io);
            const boost::asio::ip::tcp::endpoint ep(boost::asio::ip::address_v4::loopback(), 0);
            a.open(ep.protocol());
            a.bind(ep);
            endpoints.push_back({"127.0.0.1", a.local_endpoint().port()});
            acceptors.push_back(std::move(a));
        }
        for (std::size_t j = 0; j < parties; ++j)
            transports.push_back(std::make_unique<dkg::tcp_transport>(std::move(acceptors[j]), static_cast<dkg::party_id>(j + 1), endpoints));
        std::vector<std::future<void>> started;
        for (auto& t : transports) started.push_back(t->async_start(boost::asio::use_future));
        wait_all(started);
    }
};

} // namespace

int main(int argc, char** argv)
{
    const settings s = parse(argc, argv);
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 2048);
    const auto key = dkg::testing::deal_key<N>(s.bits, parties, threshold, rng);
    const auto& shares = key.shares;
    const dkg::threshold_key<N> pub(shares[0]);
    const auto& pk = pub.public_key();

    constexpr std::size_t pool = 8;
    std::vector<dkg::ciphertext<N>> inputs;
    for (std::size_t i = 0; i < pool; ++i) inputs.push_back(pk.encrypt(dkg::random_symmetric(pk.max_plaintext(), rng), rng));
    std::vector<dkg::partial_decryption<N>> proved, first, second;
    for (const auto& c : inputs) {
        proved.push_back(dkg::partial_decrypt(shares[1], c, rng));
        first.push_back(dkg::partial_decrypt(shares[0], c));
        second.push_back(dkg::partial_decrypt(shares[1], c));
    }

    std::vector<timing> results;
    const std::size_t reps = 8;
    const std::string bits_label = "bits=" + std::to_string(s.bits) + "/gmp_int";
    const auto name = [&](const char* op) { return std::string("threshold/") + op + "/n=3/t=1/" + bits_label; };
    std::size_t checks = 0;
    results.push_back(time_runs(name("partial_decrypt"), reps, s.runs, [&] {
        for (std::size_t i = 0; i < reps; ++i) checks += dkg::partial_decrypt(shares[0], inputs[i % pool]).party;
    }));
    // The same exponentiation c^(2Δ·s_j) through the variable-time powm, as partial decryptions were
    // made before they went through powm_secret: the price of constant time, measured in this run.
    const N partial_exponent = N(N(N(2u) * shares[0].delta()) * shares[0].share());
    results.push_back(time_runs(name("partial_decrypt_variable_time"), reps, s.runs, [&] {
        for (std::size_t i = 0; i < reps; ++i)
            checks += dkg::bigint_traits<N>::low_u64(dkg::powm(inputs[i % pool].value(), partial_exponent, pk.n_squared()));
    }));
    results.push_back(time_runs(name("partial_decrypt_with_proof"), reps, s.runs, [&] {
        for (std::size_t i = 0; i < reps; ++i) checks += dkg::partial_decrypt(shares[0], inputs[i % pool], rng).party;
    }));
    results.push_back(time_runs(name("verify_proof"), reps, s.runs, [&] {
        for (std::size_t i = 0; i < reps; ++i) checks += dkg::verify(pub, inputs[i % pool], proved[i % pool]) ? 1 : 0;
    }));
    results.push_back(time_runs(name("combine"), 4 * reps, s.runs, [&] {
        for (std::size_t i = 0; i < 4 * reps; ++i) {
            const std::vector<dkg::partial_decryption<N>> two = {first[i % pool], second[i % pool]};
            checks += dkg::bigint_traits<N>::low_u64(dkg::combine(pub, inputs[i % pool], std::span<const dkg::partial_decryption<N>>(two)));
        }
    }));
    results.push_back(time_runs("paillier/decrypt_single_key/" + bits_label, 4 * reps, s.runs, [&] {
        for (std::size_t i = 0; i < 4 * reps; ++i) checks += dkg::bigint_traits<N>::low_u64(key.secret.decrypt_residue(inputs[i % pool]));
    }));

    // A batch decrypted by parties 1 and 2 (t+1 = 2 contributors, one thread each); party 1 combines.
    std::vector<dkg::ciphertext<N>> batch;
    std::vector<N> expected;
    for (std::size_t i = 0; i < s.batch; ++i) {
        expected.push_back(N(static_cast<unsigned long long>(i)));
        batch.push_back(inputs[i % pool].add_plain(expected.back()));
    }
    std::vector<N> want;
    for (std::size_t i = 0; i < s.batch; ++i) want.push_back(dkg::mod(N(key.secret.decrypt_residue(inputs[i % pool]) + expected[i]), pk.n()));
    const std::span<const dkg::ciphertext<N>> cts(batch);
    bool all_correct = true;
    for (bool proofs : {false, true}) {
        results.push_back(time_runs(std::string("threshold/batch_") + std::to_string(s.batch) + (proofs ? "_with_proofs" : "") +
                                        "/contributors=2/threads=2/" + bits_label,
                                    s.batch, s.batch_runs, [&] {
                                        std::vector<std::vector<dkg::partial_decryption<N>>> by_party(2);
                                        std::thread helper([&] {
                                            dkg::testing::insecure_seeded_rng party_rng(dkg::testing::default_test_seed, 2);
                                            by_party[1] = proofs ? dkg::partial_decrypt_batch(shares[1], cts, party_rng)
                                                                 : dkg::partial_decrypt_batch(shares[1], cts);
                                        });
                                        by_party[0] = dkg::partial_decrypt_batch(shares[0], cts);
                                        helper.join();
                                        if (proofs)
                                            for (std::size_t i = 0; i < batch.size(); ++i)
                                                all_correct = dkg::verify(pub, batch[i], by_party[1][i]) && all_correct;
                                        const auto plain = dkg::combine_batch(pub, cts, std::span<const std::vector<dkg::partial_decryption<N>>>(by_party));
                                        all_correct = plain == want && all_correct;
                                    }));
    }
    // One party's share of the work with two threads, as async_decrypt does with threads = 2: the
    // rate of a deployment where every party has a machine like this one to itself.
    results.push_back(time_runs(std::string("threshold/one_party_partials_") + std::to_string(s.batch) + "/threads=2/" + bits_label, s.batch,
                                s.batch_runs, [&] {
                                    const std::size_t half = batch.size() / 2;
                                    std::vector<dkg::partial_decryption<N>> first_half, second_half;
                                    std::thread helper([&] { second_half = dkg::partial_decrypt_batch(shares[0], cts.subspan(half)); });
                                    first_half = dkg::partial_decrypt_batch(shares[0], cts.first(half));
                                    helper.join();
                                    checks += first_half.size() + second_half.size();
                                }));
    // The same batch through async_decrypt over the in-process transport: contributors {1, 2},
    // receiver 1, each party on its own strand of an io_context run by two threads.
    {
        two_threads runner;
        dkg::memory_network network(runner.io, parties);
        three_parties<dkg::memory_transport> net([&](dkg::party_id j) -> dkg::memory_transport& { return network.party(j); });
        for (bool proofs : {false, true}) {
            dkg::decrypt_options options;
            options.receivers = {1};
            options.contributors = {1, 2};
            options.verify_proofs = proofs;
            results.push_back(time_runs(std::string("threshold/async_decrypt_batch_") + std::to_string(s.batch) + (proofs ? "_with_proofs" : "") +
                                            "/memory/contributors=2/threads=2/" + bits_label,
                                        s.batch, s.batch_runs, [&] { all_correct = net.decrypt(shares, batch, options) == want && all_correct; }));
        }
        runner.stop();
    }
    // Latency of one whole decryption by all three parties over loopback TCP (everyone receives).
    {
        two_threads runner;
        tcp_parties tcp(runner.io);
        three_parties<dkg::tcp_transport> net([&](dkg::party_id j) -> dkg::tcp_transport& { return *tcp.transports[j - 1]; });
        const std::vector<dkg::ciphertext<N>> one = {batch[0]};
        for (bool proofs : {false, true}) {
            dkg::decrypt_options options;
            options.verify_proofs = proofs;
            results.push_back(time_runs(std::string("threshold/async_decrypt_latency") + (proofs ? "_with_proofs" : "") +
                                            "/tcp_loopback/n=3/t=1/" + bits_label,
                                        1, s.runs, [&] { all_correct = net.decrypt(shares, one, options) == std::vector<N>{want[0]} && all_correct; }));
        }
        std::vector<std::future<void>> closed;
        for (auto& t : tcp.transports) closed.push_back(t->async_shutdown(boost::asio::use_future));
        wait_all(closed);
        runner.stop();
    }
    if (!all_correct || checks == 0) {
        std::cerr << "benchmark_threshold: a decryption was wrong\n";
        return 1;
    }
    report(results, s);
    return 0;
}
