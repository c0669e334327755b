// Number micro-benchmark: the Paillier operations and the bare modular exponentiations behind them,
// for a 2048-bit modulus N on both shipped backends (cpp_int and gmp_int).
//
//   benchmark_number [--json] [--runs R] [--min-time SECONDS]
//
// Every benchmark is timed over R runs (default 7). A run repeats the operation a fixed number of
// times, chosen once so that a run lasts at least --min-time (default 0.2 s), over a small pool of
// distinct inputs. Reported: the median time per operation over the runs, the fastest and slowest
// run, and the spread (slowest - fastest) / median. The last line compares GMP encryption with one
// bare 4096-bit modular exponentiation with a 2048-bit exponent, the cost encryption cannot avoid
// (r^N mod N^2).
#include <dkg/paillier.hpp>
#include <dkg/testing/seeded_rng.hpp>

#include <boost/version.hpp>
#include <gmp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t modulus_bits = 2048;
constexpr std::size_t pool_size = 8;

struct options {
    bool json = false;
    int runs = 7;
    double min_time = 0.2; // seconds per run
};

struct result {
    std::string operation;
    std::string backend;
    std::size_t iterations = 0; // per run
    std::vector<double> run_ns; // time per operation, one entry per run
    double median_ns = 0, min_ns = 0, max_ns = 0;

    std::string name() const { return "number/" + operation + "/bits=" + std::to_string(modulus_bits) + "/" + backend; }
    double spread() const { return median_ns > 0 ? (max_ns - min_ns) / median_ns : 0; }
};

volatile std::uint64_t sink = 0; // keeps results alive

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start)
{
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// Times `op(i)` (i = 0, 1, 2, ...): picks the iteration count from one warm-up call, then runs.
result measure(std::string operation, std::string backend, const options& opt, const std::function<std::uint64_t(std::size_t)>& op)
{
    result r{std::move(operation), std::move(backend), 0, {}, 0, 0, 0};
    auto start = clock_type::now();
    sink = sink + op(0);
    const double once = std::max(seconds_since(start), 1e-9);
    r.iterations = static_cast<std::size_t>(std::max(1.0, std::ceil(opt.min_time / once)));
    for (int run = 0; run < opt.runs; ++run) {
        std::uint64_t acc = 0;
        start = clock_type::now();
        for (std::size_t i = 0; i < r.iterations; ++i) acc += op(i);
        r.run_ns.push_back(seconds_since(start) * 1e9 / static_cast<double>(r.iterations));
        sink = sink + acc;
    }
    std::vector<double> sorted = r.run_ns;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    r.median_ns = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    r.min_ns = sorted.front();
    r.max_ns = sorted.back();
    return r;
}

/// The key shared by both backends, as big-endian bytes of p and q.
struct key_material {
    std::vector<std::uint8_t> p, q;
};

key_material make_key()
{
    dkg::testing::seeded_rng rng(dkg::testing::default_test_seed, modulus_bits);
    const auto sk = dkg::secret_key<dkg::gmp_int>::generate(modulus_bits, rng);
    return {dkg::to_bytes(sk.p()), dkg::to_bytes(sk.q())};
}

template <class N>
std::uint64_t low(const N& value)
{
    return dkg::bigint_traits<N>::low_u64(value);
}

template <class N>
void run_backend(const char* backend, const key_material& km, const options& opt, std::vector<result>& out)
{
    const dkg::secret_key<N> sk(dkg::from_bytes<N>(km.p), dkg::from_bytes<N>(km.q));
    const auto& pk = sk.public_key();
    dkg::system_rng rng;
    dkg::testing::seeded_rng inputs(dkg::testing::default_test_seed, 1);

    std::vector<N> plaintexts, scalars, bases_n2, bases_n, exponents_1024, exponents_2048;
    std::vector<dkg::ciphertext<N>> ciphertexts;
    for (std::size_t i = 0; i < pool_size; ++i) {
        plaintexts.push_back(dkg::random_symmetric(pk.max_plaintext(), inputs));
        scalars.push_back(dkg::random_below(pk.n(), inputs));
        bases_n2.push_back(dkg::random_below(pk.n_squared(), inputs));
        bases_n.push_back(dkg::random_below(pk.n(), inputs));
        exponents_1024.push_back(dkg::random_exact_bits<N>(modulus_bits / 2, inputs));
        exponents_2048.push_back(dkg::random_exact_bits<N>(modulus_bits, inputs));
        ciphertexts.push_back(pk.encrypt(plaintexts.back(), inputs));
    }
    const auto at = [](const auto& pool, std::size_t i) -> const auto& { return pool[i % pool.size()]; };
    using traits = dkg::bigint_traits<N>;

    out.push_back(measure("paillier_encrypt", backend, opt, [&](std::size_t i) {
        return low(pk.encrypt(at(plaintexts, i), rng).value());
    }));
    out.push_back(measure("paillier_add", backend, opt, [&](std::size_t i) {
        return low((at(ciphertexts, i) + at(ciphertexts, i + 1)).value());
    }));
    out.push_back(measure("paillier_multiply_plain", backend, opt, [&](std::size_t i) {
        return low((at(ciphertexts, i) * at(scalars, i)).value());
    }));
    out.push_back(measure("paillier_decrypt", backend, opt, [&](std::size_t i) {
        return low(sk.decrypt(at(ciphertexts, i)));
    }));
    out.push_back(measure("modexp_mod4096_exp2048", backend, opt, [&](std::size_t i) {
        return low(traits::powm(at(bases_n2, i), at(exponents_2048, i), pk.n_squared()));
    }));
    out.push_back(measure("modexp_mod2048_exp1024", backend, opt, [&](std::size_t i) {
        return low(traits::powm(at(bases_n, i), at(exponents_1024, i), pk.n()));
    }));
    out.push_back(measure("modexp_mod2048_exp2048", backend, opt, [&](std::size_t i) {
        return low(traits::powm(at(bases_n, i), at(exponents_2048, i), pk.n()));
    }));
}

// ---- reporting ----------------------------------------------------------------------------------

std::string cpu_model()
{
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
        }
    }
    return "unknown CPU";
}

std::string compiler()
{
#if defined(__clang__)
    return "clang++ " + std::to_string(__clang_major__) + "." + std::to_string(__clang_minor__) + "." + std::to_string(__clang_patchlevel__);
#elif defined(__GNUC__)
    return "g++ " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." + std::to_string(__GNUC_PATCHLEVEL__);
#else
    return "unknown compiler";
#endif
}

std::string machine()
{
    std::string text = cpu_model() + ", " + std::to_string(std::thread::hardware_concurrency()) + " cores, " + compiler() +
                       ", Boost " + std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) +
                       ", GMP " + gmp_version;
#if !defined(NDEBUG)
    text += ", assertions on (not a release build)";
#endif
    return text;
}

std::string format_time(double ns)
{
    char buffer[32];
    if (ns >= 1e6)
        std::snprintf(buffer, sizeof buffer, "%.2f ms", ns / 1e6);
    else if (ns >= 1e3)
        std::snprintf(buffer, sizeof buffer, "%.2f us", ns / 1e3);
    else
        std::snprintf(buffer, sizeof buffer, "%.0f ns", ns);
    return buffer;
}

const result& find(const std::vector<result>& results, std::string_view operation, std::string_view backend)
{
    for (const auto& r : results)
        if (r.operation == operation && r.backend == backend) return r;
    throw std::logic_error("benchmark missing: " + std::string(operation));
}

double encryption_ratio(const std::vector<result>& results)
{
    return find(results, "paillier_encrypt", "gmp_int").median_ns / find(results, "modexp_mod4096_exp2048", "gmp_int").median_ns;
}

void print_table(const std::vector<result>& results, const options& opt)
{
    std::printf("machine: %s\n", machine().c_str());
    std::printf("%zu-bit N, time per operation: median of %d runs, fastest and slowest run, spread = (slowest - fastest) / median\n\n",
                modulus_bits, opt.runs);
    std::printf("%-26s %-8s %11s %11s %11s %7s %9s\n", "operation", "backend", "median", "fastest", "slowest", "spread", "ops/run");
    for (const auto& r : results)
        std::printf("%-26s %-8s %11s %11s %11s %6.1f%% %9zu\n", r.operation.c_str(), r.backend.c_str(), format_time(r.median_ns).c_str(),
                    format_time(r.min_ns).c_str(), format_time(r.max_ns).c_str(), 100 * r.spread(), r.iterations);
    std::printf("\n%-26s %s\n", "operation", "cpp_int / gmp_int (medians)");
    for (const auto& r : results)
        if (r.backend == "gmp_int")
            std::printf("%-26s %.1fx\n", r.operation.c_str(), find(results, r.operation, "cpp_int").median_ns / r.median_ns);
    std::printf("\nGMP encryption / bare 4096-bit modexp with 2048-bit exponent: %.2fx (target: at most about 1.2x)\n",
                encryption_ratio(results));
}

std::string json_string(std::string_view text)
{
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) >= 0x20) out += c;
    }
    return out + "\"";
}

void print_json(const std::vector<result>& results, const options& opt)
{
    std::printf("{\n  \"machine\": %s,\n  \"modulus_bits\": %zu,\n  \"runs\": %d,\n  \"benchmarks\": [\n", json_string(machine()).c_str(),
                modulus_bits, opt.runs);
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        std::printf("    {\"name\": %s, \"operation\": %s, \"backend\": %s, \"iterations_per_run\": %zu, "
                    "\"median_ns\": %.0f, \"min_ns\": %.0f, \"max_ns\": %.0f, \"spread\": %.4f, \"run_ns\": [",
                    json_string(r.name()).c_str(), json_string(r.operation).c_str(), json_string(r.backend).c_str(), r.iterations,
                    r.median_ns, r.min_ns, r.max_ns, r.spread());
        for (std::size_t k = 0; k < r.run_ns.size(); ++k) std::printf("%s%.0f", k ? ", " : "", r.run_ns[k]);
        std::printf("]}%s\n", i + 1 < results.size() ? "," : "");
    }
    std::printf("  ],\n  \"gmp_encrypt_over_modexp_mod4096_exp2048\": %.4f\n}\n", encryption_ratio(results));
}

[[noreturn]] void usage(int status)
{
    std::fprintf(status == 0 ? stdout : stderr, "usage: benchmark_number [--json] [--runs R] [--min-time SECONDS]\n");
    std::exit(status);
}

options parse(int argc, char** argv)
{
    options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--json") {
            opt.json = true;
        } else if (arg == "--runs" && i + 1 < argc) {
            opt.runs = std::atoi(argv[++i]);
            if (opt.runs < 1) usage(2);
        } else if (arg == "--min-time" && i + 1 < argc) {
            opt.min_time = std::atof(argv[++i]);
            if (!(opt.min_time > 0)) usage(2);
        } else if (arg == "--help" || arg == "-h") {
            usage(0);
        } else {
            usage(2);
        }
    }
    return opt;
}

} // namespace

int main(int argc, char** argv)
{
    const options opt = parse(argc, argv);
    if (!opt.json) std::cerr << "generating a " << modulus_bits << "-bit key...\n";
    const key_material key = make_key();
    std::vector<result> results;
    run_backend<dkg::cpp_int>("cpp_int", key, opt, results);
    run_backend<dkg::gmp_int>("gmp_int", key, opt, results);
    if (opt.json)
        print_json(results, opt);
    else
        print_table(results, opt);
    return 0;
}
