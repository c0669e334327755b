// Load benchmark of the voting service: B ballots (default 1,000; 2 options, exactly one chosen;
// 2048-bit key) cast by C concurrent clients (default 50) over HTTPS into a ballot box running as
// its own process (`dkg-vote serve`, SQLite), on this machine, clients included.
//
//   benchmark_voting [--ballots B] [--clients C] [--bits BITS] [--runs R] [--server-threads K] [--json]
//
// Each client is a thread with its own kept-alive TLS 1.3 connection; for each of its voters it
// encrypts and proves a ballot (dkg/proofs), sends it with the voter's token, and checks the
// receipt. The ballot box verifies the token and the proofs and commits each ballot in its own
// transaction before it answers. Every run starts a fresh ballot box on a fresh database.
//
// Reported per run and as medians (with the fastest and slowest run): ballots accepted per second
// (wall time from the first submission to the last acknowledgement), and where the CPU time of
// both processes went: the ballot box verifying proofs (its own count, GET /api/statistics), the
// clients proving, and the rest (TLS, JSON, SQLite, scheduling). Bar (issue 14): ≥ 10 ballots/s.
//
// The threshold key is dealt by dkg::testing::deal_key (as benchmark_threshold does): where the
// key comes from does not change what a ballot costs.
#include <ballot.hpp>
#include <credentials.hpp>
#include <election.hpp>
#include <https_client.hpp>
#include <json.hpp>

#include "command_line.hpp"

#include <dkg/rng.hpp>
#include <dkg/serialization.hpp>
#include <dkg/testing/trusted_dealer.hpp>

#include <boost/json/parse.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <csignal>
#include <ctime>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef DKG_VOTE_EXECUTABLE
#error "DKG_VOTE_EXECUTABLE must name the dkg-vote executable"
#endif
#ifndef DKG_SOURCE_DIR
#error "DKG_SOURCE_DIR must name the source tree (for scripts/make_test_certificates.sh)"
#endif

namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using dkg::vote::number;
using clock_type = std::chrono::steady_clock;

struct settings {
    std::size_t ballots = 1000;
    std::size_t clients = 50;
    std::size_t bits = 2048;
    int runs = 3;
    unsigned server_threads = 0;
    bool json = false;
};

struct key_pair {
    std::string private_pem, public_pem;
};

key_pair new_key_pair()
{
    EVP_PKEY* key = EVP_EC_gen("P-256");
    key_pair out;
    for (int part = 0; part < 2; ++part) {
        BIO* bio = BIO_new(BIO_s_mem());
        if (part == 0)
            PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
        else
            PEM_write_bio_PUBKEY(bio, key);
        char* data = nullptr;
        const long length = BIO_get_mem_data(bio, &data);
        (part == 0 ? out.private_pem : out.public_pem) = std::string(data, static_cast<std::size_t>(length));
        BIO_free(bio);
    }
    EVP_PKEY_free(key);
    return out;
}

/// CPU seconds (user + system) of process `pid` so far, from /proc.
double process_cpu_seconds(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos) throw std::runtime_error("cannot read /proc/" + std::to_string(pid) + "/stat");
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    unsigned long utime = 0, stime = 0;
    // Fields 3.. after the name; utime and stime are fields 14 and 15.
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14) utime = std::stoul(field);
        if (i == 15) stime = std::stoul(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// CPU time of the calling thread (not the time it waited for a core), in nanoseconds.
std::uint64_t thread_cpu_nanoseconds()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<std::uint64_t>(t.tv_sec) * 1000000000u + static_cast<std::uint64_t>(t.tv_nsec);
}

double own_cpu_seconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

/// The ballot box as a child process on a fresh database.
class server_process {
public:
    server_process(const fs::path& dir, const fs::path& certificates, const std::string& admin_key_file, unsigned threads)
    {
        const std::string port_file = (dir / "port").string();
        const std::vector<std::string> args{DKG_VOTE_EXECUTABLE, "serve", "--db", (dir / "box.db").string(), "--cert",
                                            (certificates / "server.pem").string(), "--key", (certificates / "server.key").string(),
                                            "--admin-key", admin_key_file, "--listen", "127.0.0.1:0", "--port-file", port_file,
                                            "--threads", std::to_string(threads), "--quiet"};
        pid_ = fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            std::vector<char*> argv;
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        for (int i = 0; i < 200; ++i) {
            std::ifstream in(port_file);
            if (in >> port_) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        throw std::runtime_error("the ballot box did not start");
    }
    ~server_process()
    {
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    pid_t pid() const noexcept { return pid_; }
    unsigned port() const noexcept { return port_; }

private:
    pid_t pid_ = -1;
    unsigned port_ = 0;
};

struct run_result {
    double seconds = 0;          // wall time of the submissions
    double rate = 0;             // ballots per second
    double server_cpu = 0;       // CPU seconds of the ballot box
    double client_cpu = 0;       // CPU seconds of this process (the clients)
    double verify_seconds = 0;   // the ballot box's CPU time verifying proofs
    double prove_seconds = 0;    // the clients' CPU time making ballots
};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

boost::json::value parse(const std::string& text)
{
    return boost::json::parse(text);
}

run_result run_once(const settings& s, const fs::path& dir, const fs::path& certificates, const key_pair& admin, const key_pair& authority,
                    const boost::json::value& manifest, const std::vector<std::string>& tokens)
{
    server_process server(dir, certificates, (dir.parent_path() / "admin.pub").string(), s.server_threads);
    const dkg::vote::server_address address{"localhost", std::to_string(server.port())};
    const auto ca = certificates / "ca.pem";
    {
        dkg::vote::https_client admin_client(address, ca, std::chrono::seconds(60));
        dkg::vote::token_claims c;
        c.role = dkg::vote::token_role::admin;
        c.audience = std::string(dkg::vote::admin_audience);
        c.subject = "admin";
        c.issued_at = dkg::vote::now_seconds();
        c.expires = c.issued_at + 600;
        const auto r = admin_client.request(http::verb::post, "/api/elections", dkg::vote::to_text(manifest), dkg::vote::issue_token(admin.private_pem, c));
        if (r.status != 201) throw std::runtime_error("cannot create the election: " + r.body);
    }
    (void)authority;

    std::atomic<std::size_t> next{0}, failures{0};
    std::atomic<std::uint64_t> prove_nanoseconds{0};
    std::string first_failure;
    std::mutex failure_mutex;
    std::barrier start(static_cast<std::ptrdiff_t>(s.clients + 1));
    std::vector<std::thread> clients;
    for (std::size_t k = 0; k < s.clients; ++k) {
        clients.emplace_back([&] {
            try {
                dkg::vote::https_client client(address, ca, std::chrono::seconds(300));
                // A client's session: the election once, then its ballots.
                const auto info = parse(client.request(http::verb::get, "/api/elections/load").body);
                const auto e = dkg::vote::election::from_json(info.at("election"));
                start.arrive_and_wait();
                for (std::size_t i = next++; i < s.ballots; i = next++) {
                    const std::string voter = "b" + std::to_string(i + 1);
                    const auto t0 = thread_cpu_nanoseconds();
                    const auto b = dkg::vote::ballot::make(e, voter, {i % 2});
                    prove_nanoseconds += thread_cpu_nanoseconds() - t0;
                    boost::json::object body;
                    body["election"] = "load";
                    body["voter"] = voter;
                    body["ballot"] = b.document();
                    const auto r = client.request(http::verb::post, "/api/elections/load/ballots", dkg::vote::to_text(body), tokens[i]);
                    if (r.status != 201 || parse(r.body).at("receipt").as_string() != dkg::vote::receipt_of(b.stored_text()))
                        throw std::runtime_error("ballot " + std::to_string(i + 1) + ": " + std::to_string(r.status) + " " + r.body);
                }
            } catch (const std::exception& ex) {
                ++failures;
                std::lock_guard lock(failure_mutex);
                if (first_failure.empty()) first_failure = ex.what();
            }
        });
    }
    const double server_cpu0 = process_cpu_seconds(server.pid()), own_cpu0 = own_cpu_seconds();
    start.arrive_and_wait();
    const auto t0 = clock_type::now();
    for (auto& t : clients) t.join();
    const double seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
    const double server_cpu = process_cpu_seconds(server.pid()) - server_cpu0, own_cpu = own_cpu_seconds() - own_cpu0;
    if (failures) throw std::runtime_error(std::to_string(failures.load()) + " clients failed; the first: " + first_failure);

    dkg::vote::https_client check(address, ca, std::chrono::seconds(60));
    const auto stats = parse(check.request(http::verb::get, "/api/statistics").body);
    const auto receipts = parse(check.request(http::verb::get, "/api/elections/load/receipts").body);
    if (stats.at("ballots_accepted").to_number<std::uint64_t>() != s.ballots || receipts.at("receipts").as_array().size() != s.ballots)
        throw std::runtime_error("the ballot box did not accept every ballot");
    run_result r;
    r.seconds = seconds;
    r.rate = static_cast<double>(s.ballots) / seconds;
    r.server_cpu = server_cpu;
    r.client_cpu = own_cpu;
    r.verify_seconds = stats.at("verify_seconds").to_number<double>();
    r.prove_seconds = static_cast<double>(prove_nanoseconds.load()) * 1e-9;
    return r;
}

std::string machine()
{
    std::ifstream in("/proc/cpuinfo");
    std::string line, model = "unknown CPU";
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " hardware threads";
}

} // namespace

int main(int argc, char** argv)
try {
    settings s;
    dkg_benchmark::po::options_description options("options");
    options.add_options()
        ("ballots", dkg_benchmark::number_in<std::size_t>(s.ballots, 1, 100000, "ballots", "B"), "ballots cast in each run")
        ("clients", dkg_benchmark::number_in<std::size_t>(s.clients, 1, 1000, "clients", "C"), "concurrent HTTPS clients (threads)")
        ("bits", dkg_benchmark::number_in<std::size_t>(s.bits, 256, 8192, "bits", "BITS"), "bit length of the key's N")
        ("runs", dkg_benchmark::number_in<int>(s.runs, 1, 100, "runs", "R"), "runs (each with a fresh ballot box and database)")
        ("server-threads", dkg_benchmark::number_in<unsigned>(s.server_threads, 0, 1024, "server-threads", "K"),
         "worker threads of the ballot box; 0 for one per hardware thread")
        ("json", dkg_benchmark::po::bool_switch(&s.json), "print one JSON object instead of text");
    dkg_benchmark::parse_command_line(argc, argv, "benchmark_voting",
                                      "benchmark_voting [--ballots B] [--clients C] [--bits BITS] [--runs R] [--server-threads K] [--json]", options);

    const fs::path dir = fs::temp_directory_path() / ("dkg-benchmark-voting-" + std::to_string(getpid()));
    fs::create_directories(dir);
    struct cleanup {
        fs::path d;
        ~cleanup()
        {
            std::error_code ec;
            fs::remove_all(d, ec);
        }
    } remove_dir{dir};
    const std::string make = "bash '" DKG_SOURCE_DIR "/scripts/make_test_certificates.sh' '" + (dir / "certs").string() + "' 1 --server localhost >/dev/null";
    if (std::system(make.c_str()) != 0) throw std::runtime_error("cannot make test certificates");
    const auto admin = new_key_pair(), authority = new_key_pair();
    std::ofstream(dir / "admin.pub") << admin.public_pem;

    dkg::system_rng rng;
    std::cerr << "dealing a " << s.bits << "-bit threshold key (3 trustees, t = 1)...\n";
    const auto dealt = dkg::testing::deal_key<number>(s.bits, 3, 1, rng);
    boost::json::object m;
    m["type"] = "dkg-vote.election";
    m["version"] = 1;
    m["id"] = "load";
    m["question"] = "Load test";
    m["options"] = boost::json::array{"yes", "no"};
    m["kind"] = "tally";
    m["min_selections"] = 1;
    m["max_selections"] = 1;
    boost::json::array voters;
    std::vector<std::string> tokens;
    for (std::size_t i = 1; i <= s.ballots; ++i) {
        const std::string voter = "b" + std::to_string(i);
        voters.emplace_back(voter);
        dkg::vote::token_claims c;
        c.role = dkg::vote::token_role::voter;
        c.audience = "load";
        c.subject = voter;
        c.issued_at = dkg::vote::now_seconds();
        tokens.push_back(dkg::vote::issue_token(authority.private_pem, c));
    }
    m["voters"] = std::move(voters);
    m["credential_key"] = authority.public_pem;
    m["threshold_key"] = boost::json::parse(dkg::to_json(dkg::threshold_key<number>(dealt.shares.front())));
    m["opens"] = dkg::vote::format_time(dkg::vote::now_seconds() - 60);
    m["closes"] = dkg::vote::format_time(dkg::vote::now_seconds() + 86400);

    std::cout << "benchmark_voting: " << s.ballots << " ballots (2 options, exactly one chosen, " << s.bits << "-bit key) from " << s.clients
              << " concurrent clients over HTTPS (TLS 1.3) into dkg-vote serve (SQLite, synchronous=FULL), "
              << (s.server_threads ? std::to_string(s.server_threads) : std::string("one per hardware thread")) << " worker threads\n"
              << "machine: " << machine() << "; clients and ballot box on the same machine\n";
    std::vector<run_result> results;
    for (int run = 1; run <= s.runs; ++run) {
        const fs::path run_dir = dir / ("run-" + std::to_string(run));
        fs::create_directories(run_dir);
        const auto r = run_once(s, run_dir, dir / "certs", admin, authority, m, tokens);
        results.push_back(r);
        const double cpu = r.server_cpu + r.client_cpu;
        const double cores = std::thread::hardware_concurrency();
        std::printf("run %d: %zu ballots in %.2f s = %.1f ballots/s; CPU %.1f s (ballot box %.1f s, clients %.1f s) = %.1f ms per ballot: "
                    "verifying proofs %.0f%%, proving %.0f%%, the rest (TLS, JSON, SQLite, scheduling) %.0f%%; these processes had %.0f%% of "
                    "the machine's %g cores\n",
                    run, s.ballots, r.seconds, r.rate, cpu, r.server_cpu, r.client_cpu, 1000 * cpu / static_cast<double>(s.ballots),
                    100 * r.verify_seconds / cpu, 100 * r.prove_seconds / cpu, 100 * (cpu - r.verify_seconds - r.prove_seconds) / cpu,
                    100 * cpu / (r.seconds * cores), cores);
        std::fflush(stdout);
    }
    std::vector<double> rates, verify_share, prove_share, verify_ms, cpu_ms, machine_share;
    const double cores = std::thread::hardware_concurrency();
    for (const auto& r : results) {
        const double cpu = r.server_cpu + r.client_cpu;
        rates.push_back(r.rate);
        verify_share.push_back(r.verify_seconds / cpu);
        prove_share.push_back(r.prove_seconds / cpu);
        verify_ms.push_back(1000 * r.verify_seconds / static_cast<double>(s.ballots));
        cpu_ms.push_back(1000 * cpu / static_cast<double>(s.ballots));
        machine_share.push_back(cpu / (r.seconds * cores));
    }
    const double med = median(rates), lo = *std::min_element(rates.begin(), rates.end()), hi = *std::max_element(rates.begin(), rates.end());
    std::printf("median over %d runs: %.1f ballots/s (slowest %.1f, fastest %.1f; spread %.0f%%); verifying proofs %.0f%% of the CPU time "
                "(%.1f ms per ballot), proving %.0f%%; %.1f ms of CPU per ballot in all, with %.0f%% of the machine; bar >= 10 ballots/s: %s\n",
                s.runs, med, lo, hi, 100 * (hi - lo) / med, 100 * median(verify_share), median(verify_ms), 100 * median(prove_share),
                median(cpu_ms), 100 * median(machine_share), med >= 10 ? "met" : "NOT met");
    if (s.json) {
        boost::json::object o;
        o["ballots"] = s.ballots;
        o["clients"] = s.clients;
        o["bits"] = s.bits;
        o["runs"] = s.runs;
        o["median_ballots_per_second"] = med;
        o["slowest_ballots_per_second"] = lo;
        o["fastest_ballots_per_second"] = hi;
        o["median_verify_share"] = median(verify_share);
        o["median_prove_share"] = median(prove_share);
        o["median_verify_ms_per_ballot"] = median(verify_ms);
        o["median_cpu_ms_per_ballot"] = median(cpu_ms);
        o["median_machine_share"] = median(machine_share);
        std::cout << dkg::vote::to_text(o) << '\n';
    }
    return med >= 10 ? EXIT_SUCCESS : EXIT_FAILURE;
} catch (const std::exception& e) {
    std::cerr << "benchmark_voting: error: " << e.what() << '\n';
    return 2;
}
