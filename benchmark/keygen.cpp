// Key-generation benchmark: n parties jointly generate a Paillier key, all in this process over
// loopback TCP (or, with --processes, one process per party), and the same run times a local
// `openssl genrsa` for scale.
//
//   benchmark_keygen [--suite quick|issue] [--bits B] [--parties N] [--threshold T]
//                    [--method sieve|trial] [--backend gmp|cpp_int] [--runs R] [--threads K]
//                    [--transport tcp|memory] [--processes] [--openssl-runs R] [--json]
//
// Without --suite, one configuration is measured (defaults: 2048 bits, 3 parties, t = 1, sieve,
// GMP, 5 runs, TCP). Key generation time is random (the number of candidates is geometric), so
// every configuration reports the median and the range over its runs, and each run's counters:
// candidates, N revealed, biprimality tests and rounds, communication rounds, bytes sent by party 1,
// and peak memory (the process's peak RSS; with --processes, the largest party's).
#include <dkg/in_process.hpp>
#include <dkg/keygen.hpp>
#include <dkg/session.hpp>
#include <dkg/transport/tcp.hpp>

#include "command_line.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct config {
    std::size_t bits = 2048;
    std::size_t parties = 3;
    std::size_t threshold = 1;
    dkg::candidate_method method = dkg::candidate_method::distributed_sieve;
    std::string backend = "gmp";
    std::size_t runs = 5;
    std::size_t threads = 1;
    bool tcp = true;
    bool processes = false;
    double target_seconds = 0; // the bar to compare the median with, if any

    std::string name() const
    {
        std::ostringstream o;
        o << "keygen/bits=" << bits << "/n=" << parties << "/t=" << threshold << "/" << dkg::to_string(method) << "/" << backend << "/"
          << (processes ? "processes" : (tcp ? "tcp" : "memory"));
        return o.str();
    }
};

struct run_result {
    double seconds = 0;
    dkg::keygen_progress progress;
    long peak_rss_kib = 0;
};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    if (v.empty()) return 0;
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// The peak resident set of this process image (VmHWM in /proc/self/status), in KiB.
long own_peak_rss_kib()
{
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    return 0;
}

long self_peak_rss_kib()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

dkg::keygen_params params_of(const config& c)
{
    dkg::keygen_params p;
    p.key_length = c.bits;
    p.corruption_threshold = c.threshold;
    p.candidates = c.method;
    return p;
}

template <class N>
run_result run_in_process(const config& c)
{
    run_result r;
    dkg::in_process_options options;
    options.transport = c.tcp ? dkg::in_process_transport::tcp : dkg::in_process_transport::memory;
    options.keygen.threads = c.threads;
    options.keygen.on_progress = [&r](const dkg::keygen_progress& p) { r.progress = p; };
    const auto start = std::chrono::steady_clock::now();
    const auto shares = dkg::generate_key_in_process<N>(c.parties, params_of(c), options);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (dkg::bit_length(shares.front().public_key().n()) != c.bits) throw std::runtime_error("wrong modulus size");
    r.peak_rss_kib = self_peak_rss_kib();
    return r;
}

// One party in a child process: prints its final progress on `out` as one line of numbers.
template <class N>
int child_party(const config& c, dkg::party_id id, const std::vector<dkg::tcp_endpoint>& endpoints, int out)
{
    boost::asio::io_context context;
    dkg::tcp_transport transport(context, id, endpoints);
    dkg::session<dkg::tcp_transport> session(transport);
    dkg::system_rng rng;
    dkg::keygen_progress last;
    std::exception_ptr error;
    transport.async_start([&](std::exception_ptr e) {
        if (e) {
            error = e;
            transport.close();
            return;
        }
        dkg::keygen_options local;
        local.threads = c.threads;
        local.on_progress = [&](const dkg::keygen_progress& p) { last = p; };
        dkg::async_generate_key<N>(session, rng, params_of(c), std::move(local),
                                   [&](std::exception_ptr e2, dkg::key_share<N>) {
                                       error = e2;
                                       transport.async_shutdown([](boost::system::error_code) {});
                                   });
    });
    context.run();
    if (error) {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            std::cerr << "party " << id << ": " << e.what() << '\n';
        }
        return 1;
    }
    // Every party reports its peak RSS (VmHWM: this process image's own, unlike getrusage's
    // ru_maxrss, which also counts the image of the parent it was forked from).
    std::ostringstream line;
    line << id << ' ' << own_peak_rss_kib() << ' ' << last.candidates << ' ' << last.moduli_revealed << ' ' << last.biprimality_tests << ' ' << last.biprimality_rounds << ' '
         << last.communication_rounds << ' ' << last.bytes_sent << ' ' << last.batches << '\n';
    const std::string text = line.str();
    if (write(out, text.data(), text.size()) != static_cast<ssize_t>(text.size())) return 1;
    return 0;
}

// The options that make a party process (`--party-process`) run configuration `c`.
std::vector<std::string> party_process_args(const config& c, std::size_t id, const std::vector<dkg::tcp_endpoint>& endpoints, int result_fd)
{
    std::string ports;
    for (const auto& e : endpoints) ports += (ports.empty() ? "" : ",") + std::to_string(e.port);
    return {"--party-process", std::to_string(id), "--ports", ports, "--result-fd", std::to_string(result_fd), "--bits", std::to_string(c.bits),
            "--parties", std::to_string(c.parties), "--threshold", std::to_string(c.threshold), "--threads", std::to_string(c.threads),
            "--method", c.method == dkg::candidate_method::trial_division ? "trial" : "sieve", "--backend", c.backend};
}

// One process per party: each is this program started afresh (fork and exec), so its peak RSS is
// its own and not the pages it would share with a parent that has run other benchmarks.
run_result run_processes(const config& c)
{
    // Free loopback ports: bind port 0, note the port, close (a small race, acceptable here).
    std::vector<dkg::tcp_endpoint> endpoints;
    {
        boost::asio::io_context probe;
        for (std::size_t j = 0; j < c.parties; ++j) {
            boost::asio::ip::tcp::acceptor a(probe, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
            endpoints.push_back({"127.0.0.1", a.local_endpoint().port()});
        }
    }
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    std::cout.flush();
    std::cerr.flush();
    const auto start = std::chrono::steady_clock::now();
    std::vector<pid_t> children;
    for (std::size_t j = 1; j <= c.parties; ++j) {
        std::vector<std::string> args = party_process_args(c, j, endpoints, fds[1]);
        args.insert(args.begin(), "benchmark_keygen");
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const pid_t pid = fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) {
            close(fds[0]);
            execv("/proc/self/exe", argv.data());
            _exit(127);
        }
        children.push_back(pid);
    }
    close(fds[1]);
    run_result r;
    bool ok = true;
    for (pid_t pid : children) {
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            ok = false;
            if (WIFSIGNALED(status)) std::cerr << "party process " << pid << " killed by signal " << WTERMSIG(status) << '\n';
        }
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string text;
    char buffer[256];
    ssize_t got;
    while ((got = read(fds[0], buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(got));
    close(fds[0]);
    if (!ok) throw std::runtime_error("a party process failed");
    // One line per party: id, peak RSS, then its progress counters (party 1's are reported).
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream in(line);
        std::size_t id = 0;
        long peak = 0;
        dkg::keygen_progress p;
        in >> id >> peak >> p.candidates >> p.moduli_revealed >> p.biprimality_tests >> p.biprimality_rounds >> p.communication_rounds >>
            p.bytes_sent >> p.batches;
        r.peak_rss_kib = std::max(r.peak_rss_kib, peak);
        if (id == 1) r.progress = p;
    }
    return r;
}

run_result run_once(const config& c)
{
    if (c.processes) return run_processes(c);
    return c.backend == "cpp_int" ? run_in_process<dkg::cpp_int>(c) : run_in_process<dkg::gmp_int>(c);
}

// Median time of `openssl genrsa <bits>` over `runs` runs (0 if openssl is missing).
double openssl_genrsa_seconds(std::size_t bits, std::size_t runs)
{
    std::vector<double> times;
    for (std::size_t i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const std::string command = "openssl genrsa " + std::to_string(bits) + " > /dev/null 2>&1";
        if (std::system(command.c_str()) != 0) return 0;
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return median(times);
}

struct summary {
    config c;
    std::vector<run_result> runs;
    double median_seconds = 0, min_seconds = 0, max_seconds = 0;
};

void print_runs(const summary& s)
{
    std::cout << s.c.name() << "\n";
    std::cout << "  run    seconds  candidates  N revealed  BF tests  BF rounds  rounds  MB sent(p1)  peak MiB\n";
    for (std::size_t i = 0; i < s.runs.size(); ++i) {
        const auto& r = s.runs[i];
        std::cout << "  " << std::setw(3) << i + 1 << std::setw(11) << std::fixed << std::setprecision(3) << r.seconds << std::setw(12)
                  << r.progress.candidates << std::setw(12) << r.progress.moduli_revealed << std::setw(10) << r.progress.biprimality_tests
                  << std::setw(11) << r.progress.biprimality_rounds << std::setw(8) << r.progress.communication_rounds << std::setw(13)
                  << std::setprecision(2) << static_cast<double>(r.progress.bytes_sent) / 1e6 << std::setw(10) << std::setprecision(1)
                  << static_cast<double>(r.peak_rss_kib) / 1024.0 << "\n";
    }
    std::cout << "  median " << std::setprecision(3) << s.median_seconds << " s, range " << s.min_seconds << " - " << s.max_seconds << " s";
    if (s.c.target_seconds > 0)
        std::cout << "   (bar: median <= " << s.c.target_seconds << " s: " << (s.median_seconds <= s.c.target_seconds ? "met" : "NOT met") << ")";
    if (s.c.processes) {
        long peak = 0;
        for (const auto& r : s.runs) peak = std::max(peak, r.peak_rss_kib);
        std::cout << "\n  peak RSS of the largest party process: " << std::setprecision(1) << static_cast<double>(peak) / 1024.0 << " MiB";
        if (s.c.bits == 2048) std::cout << "   (bar: <= 64 MiB per party: " << (peak <= 64 * 1024 ? "met" : "NOT met") << ")";
    } else {
        std::cout << "\n  (peak MiB in process mode: the whole process with every party, highest so far in this run)";
    }
    std::cout << "\n\n";
}

summary measure(const config& c, bool verbose)
{
    summary s{c, {}, 0, 0, 0};
    std::vector<double> times;
    for (std::size_t i = 0; i < c.runs; ++i) {
        s.runs.push_back(run_once(c));
        times.push_back(s.runs.back().seconds);
        if (verbose) std::cerr << "  " << c.name() << " run " << i + 1 << ": " << times.back() << " s\n";
    }
    s.median_seconds = median(times);
    s.min_seconds = *std::min_element(times.begin(), times.end());
    s.max_seconds = *std::max_element(times.begin(), times.end());
    return s;
}

std::string json_of(const std::vector<summary>& all, double openssl_2048, double openssl_3072)
{
    boost::json::array results;
    for (const auto& s : all) {
        boost::json::array runs;
        for (const auto& r : s.runs)
            runs.push_back({{"seconds", r.seconds},
                            {"candidates", r.progress.candidates},
                            {"moduli_revealed", r.progress.moduli_revealed},
                            {"biprimality_tests", r.progress.biprimality_tests},
                            {"biprimality_rounds", r.progress.biprimality_rounds},
                            {"communication_rounds", r.progress.communication_rounds},
                            {"bytes_sent", r.progress.bytes_sent},
                            {"peak_rss_kib", r.peak_rss_kib}});
        results.push_back({{"name", s.c.name()},
                           {"bits", s.c.bits},
                           {"parties", s.c.parties},
                           {"threshold", s.c.threshold},
                           {"method", dkg::to_string(s.c.method)},
                           {"backend", s.c.backend},
                           {"median_seconds", s.median_seconds},
                           {"min_seconds", s.min_seconds},
                           {"max_seconds", s.max_seconds},
                           {"target_seconds", s.c.target_seconds},
                           {"runs", std::move(runs)}});
    }
    const boost::json::object out{{"openssl_genrsa_seconds", {{"2048", openssl_2048}, {"3072", openssl_3072}}},
                                  {"results", std::move(results)}};
    return boost::json::serialize(out) + "\n";
}

constexpr const char* usage_line =
    "benchmark_keygen [--suite quick|issue] [--bits B] [--parties N] [--threshold T] [--method sieve|trial]\n"
    "                        [--backend gmp|cpp_int] [--runs R] [--threads K] [--transport tcp|memory] [--processes]\n"
    "                        [--openssl-runs R] [--json]";

[[noreturn]] void usage(const std::string& why)
{
    std::cerr << "benchmark_keygen: " << why << "\nusage: " << usage_line << "\n";
    std::exit(2);
}

} // namespace

int main(int argc, char** argv)
{
    config single;
    std::string suite;
    bool json = false;
    std::size_t openssl_runs = 11;
    std::size_t party_process = 0; // --party-process ID: run as that party of a --processes run
    std::string ports;
    int result_fd = -1;
    std::string method = "sieve", transport = "tcp";
    {
        namespace po = dkg_benchmark::po;
        using dkg_benchmark::number_in;
        using dkg_benchmark::one_of;
        po::options_description options("Options");
        options.add_options()
            ("suite", one_of(suite, {"quick", "issue"}, "suite"), "a set of configurations instead of one")
            ("bits", number_in<std::size_t>(single.bits, 64, 16384, "bits", "B"), "bits of N")
            ("parties", number_in<std::size_t>(single.parties, 1, 64, "parties", "N"), "number of parties")
            ("threshold", number_in<std::size_t>(single.threshold, 0, 31, "threshold", "T"), "corruption threshold t")
            ("method", one_of(method, {"sieve", "trial"}, "method"), "candidate primes")
            ("backend", one_of(single.backend, {"gmp", "cpp_int"}, "backend"), "big-integer backend")
            ("runs", number_in<std::size_t>(single.runs, 1, 1000, "runs", "R"), "key generations per configuration")
            ("threads", number_in<std::size_t>(single.threads, 0, 1024, "threads", "K"), "worker threads per party (0: one per core)")
            ("transport", one_of(transport, {"tcp", "memory"}, "transport"), "how the in-process parties talk")
            ("processes", po::bool_switch(&single.processes), "one process per party (reports each party's peak memory)")
            ("openssl-runs", number_in<std::size_t>(openssl_runs, 1, 1000, "openssl-runs", "R"), "runs of openssl genrsa for scale")
            ("json", po::bool_switch(&json), "print the results as JSON");
        // How a --processes run starts its parties (fork and exec of this program).
        po::options_description hidden;
        hidden.add_options()
            ("party-process", po::value<std::size_t>(&party_process), "")
            ("ports", po::value<std::string>(&ports), "")
            ("result-fd", po::value<int>(&result_fd), "");
        dkg_benchmark::parse_command_line(argc, argv, "benchmark_keygen", usage_line, options, hidden);
    }
    single.method = method == "trial" ? dkg::candidate_method::trial_division : dkg::candidate_method::distributed_sieve;
    single.tcp = transport == "tcp";

    if (party_process != 0) {
        std::vector<dkg::tcp_endpoint> endpoints;
        std::istringstream list(ports);
        for (std::string port; std::getline(list, port, ',');) endpoints.push_back({"127.0.0.1", static_cast<std::uint16_t>(std::stoul(port))});
        if (endpoints.size() != single.parties || party_process > single.parties) usage("--party-process: --ports must list every party");
        try {
            const auto id = static_cast<dkg::party_id>(party_process);
            return single.backend == "cpp_int" ? child_party<dkg::cpp_int>(single, id, endpoints, result_fd)
                                               : child_party<dkg::gmp_int>(single, id, endpoints, result_fd);
        } catch (const std::exception& e) {
            std::cerr << "party " << party_process << ": " << e.what() << '\n';
            return 1;
        }
    }

    std::vector<config> configs;
    if (suite.empty()) {
        configs.push_back(single);
    } else if (suite == "quick") {
        config c;
        c.runs = 3;
        c.bits = 1024;
        configs.push_back(c);
        c.bits = 2048;
        configs.push_back(c);
    } else if (suite == "issue") {
        // The performance bars of key generation: medians over 5 keys, GMP, loopback TCP.
        auto add = [&](std::size_t bits, std::size_t n, std::size_t t, double target, dkg::candidate_method m, std::string backend,
                       std::size_t runs, bool processes) {
            config c;
            c.bits = bits;
            c.parties = n;
            c.threshold = t;
            c.target_seconds = target;
            c.method = m;
            c.backend = std::move(backend);
            c.runs = runs;
            c.processes = processes;
            configs.push_back(c);
        };
        const auto sieve = dkg::candidate_method::distributed_sieve, trial = dkg::candidate_method::trial_division;
        add(1024, 3, 1, 0.5, sieve, "gmp", 11, false);
        add(2048, 3, 1, 4.0, sieve, "gmp", 11, false);
        add(3072, 3, 1, 15.0, sieve, "gmp", 7, false);
        add(2048, 5, 2, 8.0, sieve, "gmp", 7, false);
        add(1024, 3, 1, 0, trial, "gmp", 5, false);
        add(2048, 3, 1, 0, trial, "gmp", 3, false);
        // Peak memory per party: one process per party, both candidate methods.
        add(2048, 3, 1, 0, sieve, "gmp", 5, true);
        add(2048, 3, 1, 0, trial, "gmp", 3, true);
        add(2048, 3, 1, 0, sieve, "cpp_int", 3, false);
    } else {
        usage("unknown suite " + suite);
    }

    for (const auto& c : configs) {
        dkg::keygen_params p = params_of(c);
        dkg::keygen_options local;
        local.threads = c.threads;
        try {
            p.validate(c.parties);
            local.validate();
        } catch (const std::invalid_argument& e) {
            usage(e.what());
        }
    }

    std::vector<summary> all;
    for (const auto& c : configs) {
        all.push_back(measure(c, json));
        if (!json) print_runs(all.back());
    }
    const double openssl_2048 = openssl_genrsa_seconds(2048, openssl_runs);
    const double openssl_3072 = suite == "issue" ? openssl_genrsa_seconds(3072, std::max<std::size_t>(3, openssl_runs / 2)) : 0;
    if (json) {
        std::cout << json_of(all, openssl_2048, openssl_3072);
        return 0;
    }
    std::cout << "openssl genrsa 2048 (median of " << openssl_runs << "): " << std::setprecision(3) << openssl_2048 << " s\n";
    if (openssl_3072 > 0) std::cout << "openssl genrsa 3072: " << openssl_3072 << " s\n";
    for (const auto& s : all)
        if (s.c.bits == 2048 && openssl_2048 > 0)
            std::cout << "ratio " << s.c.name() << " / openssl genrsa 2048: " << std::setprecision(1) << s.median_seconds / openssl_2048 << "x\n";
    return 0;
}
