// Ballot proofs benchmark: the cost of proving and verifying encrypted ballots and the proofs on
// ciphertexts (dkg/proofs.hpp), as multiples of one Paillier encryption measured in the same run.
//
//   benchmark_ballot [--bits B] [--runs R] [--json]
//   benchmark_ballot --only OPERATION [--repeat K] [--bits B]
//
// Each run measures every operation right after the unit, one encryption (key.encrypt), and divides;
// the ratios are reported as the median over R runs (default 9) with the fastest and slowest run and
// the spread (slowest − fastest)/median. Times are the thread's CPU time
// (clock_gettime(CLOCK_THREAD_CPUTIME_ID)): the work is single-threaded, so on an idle machine this
// is its wall time, and on a shared one other processes do not inflate it. Measuring the unit next
// to every operation keeps the ratios honest when the machine's speed changes (frequency, caches).
// Operations: a single-choice ballot of 2 and of 10 options (encrypt_ballot / verify_ballot), and
// the proofs of knowledge, of membership in {0, 1} and of blinding (prove / verify).
//
// Bars (docs/protocol.md §9.4): a 2-option ballot costs at most 3 encryptions to make with its
// proof and at most 4 to verify. The program exits with status 1 if a bar is missed.
//
// --only runs one operation K times (default 20) and nothing else, for instruction counts with
// valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*run_only*', which do not depend
// on the machine's load (benchmark/results/ballot.txt).
#include "command_line.hpp"

#include <dkg/proofs.hpp>
#include <dkg/testing/seeded_rng.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <stdexcept>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <time.h>

namespace {

using N = dkg::gmp_int;

struct settings {
    std::size_t bits = 2048;
    int runs = 9;
    bool json = false;
    std::string only;
    int repeat = 20;
};

settings parse(int argc, char** argv)
{
    settings s;
    dkg_benchmark::po::options_description options("options");
    options.add_options()
        ("bits", dkg_benchmark::number_in<std::size_t>(s.bits, 256, 4096, "bits", "B"), "bit length of the key's N (even)")
        ("runs", dkg_benchmark::number_in<int>(s.runs, 1, 1000, "runs", "R"), "runs of each measurement")
        ("json", dkg_benchmark::po::bool_switch(&s.json), "print one JSON object instead of text")
        ("only", dkg_benchmark::po::value<std::string>(&s.only)->value_name("OPERATION"),
         "run only this operation, --repeat times, without timing (for callgrind instruction counts)")
        ("repeat", dkg_benchmark::number_in<int>(s.repeat, 1, 100000, "repeat", "K"), "repetitions of --only");
    dkg_benchmark::parse_command_line(argc, argv, "benchmark_ballot",
                                      "benchmark_ballot [--bits B] [--runs R] [--json] | --only OPERATION [--repeat K] [--bits B]", options);
    if (s.bits % 2 != 0) {
        std::cerr << "benchmark_ballot: --bits: must be even\n";
        std::exit(2);
    }
    return s;
}

/// One operation: a name, how many times a run repeats it, and the work.
struct operation {
    std::string name;
    int repeat;
    std::function<void()> work;
};

/// The operations, on a key and statements made once.
class workload {
public:
    explicit workload(std::size_t bits)
        : secret_(make_secret(bits)), key_(secret_.public_key()), context_{"election-2024", "question-1", "voter-17"}
    {
        nonce_ = dkg::random_unit(key_.n(), rng_);
        c_ = key_.encrypt_with_nonce(N(1u), nonce_);
        knowledge_ = dkg::prove_plaintext_knowledge(*c_, N(1u), nonce_, context_, rng_);
        membership_ = dkg::prove_membership(*c_, set_, N(1u), nonce_, context_, rng_);
        blinded_ = dkg::blind(*c_, context_, rng_);
        for (std::size_t k : {2u, 10u}) {
            std::vector<unsigned> choices(k, 0);
            choices[1] = 1;
            ballots_.push_back(dkg::encrypt_ballot(key_, dkg::ballot_rule::one_of(k), choices, context_, rng_));
            choices_.push_back(std::move(choices));
        }
    }

    const dkg::public_key<N>& key() const { return key_; }

    std::vector<operation> operations()
    {
        std::vector<operation> out = {{"encrypt", 20, [this] { sink(key_.encrypt(N(1u), rng_).value()); }}};
        for (std::size_t i = 0; i < 2; ++i) {
            const std::size_t k = i == 0 ? 2 : 10;
            const auto rule = dkg::ballot_rule::one_of(k);
            const std::string name = "ballot/one_of_" + std::to_string(k);
            out.push_back({name + "/encrypt_and_prove", k == 2 ? 10 : 2,
                           [this, rule, i] { sink(dkg::encrypt_ballot(key_, rule, choices_[i], context_, rng_).ciphertexts[0].value()); }});
            out.push_back({name + "/verify", k == 2 ? 10 : 2, [this, rule, i] { check(dkg::verify_ballot(key_, rule, ballots_[i], context_)); }});
        }
        out.push_back({"plaintext_knowledge/prove", 10, [this] { sink(dkg::prove_plaintext_knowledge(*c_, N(1u), nonce_, context_, rng_).commitment); }});
        out.push_back({"plaintext_knowledge/verify", 10, [this] { check(dkg::verify_plaintext_knowledge(*c_, knowledge_, context_)); }});
        out.push_back({"membership_0_1/prove", 10, [this] { sink(dkg::prove_membership(*c_, set_, N(1u), nonce_, context_, rng_).branches[0].response); }});
        out.push_back({"membership_0_1/verify", 10, [this] { check(dkg::verify_membership(*c_, set_, membership_, context_)); }});
        out.push_back({"blinding/blind_and_prove", 4, [this] { sink(dkg::blind(*c_, context_, rng_).value.value()); }});
        out.push_back({"blinding/verify", 4, [this] { check(dkg::verify_blinding(*c_, blinded_->value, blinded_->proof, context_)); }});
        return out;
    }

private:
    static dkg::secret_key<N> make_secret(std::size_t bits)
    {
        dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 8000 + bits);
        return dkg::secret_key<N>::generate(bits, rng);
    }

    void sink(const N& value) { last_ = value; }

    static void check(bool ok)
    {
        if (!ok) throw std::logic_error("a proof did not verify");
    }

    dkg::secret_key<N> secret_;
    const dkg::public_key<N>& key_;
    dkg::system_rng rng_;
    dkg::proof_context context_;
    N nonce_, last_;
    std::optional<dkg::ciphertext<N>> c_;
    std::vector<N> set_ = {N(0u), N(1u)};
    dkg::plaintext_knowledge_proof<N> knowledge_;
    dkg::membership_proof<N> membership_;
    std::optional<dkg::blinded_ciphertext<N>> blinded_;
    std::vector<std::vector<unsigned>> choices_;
    std::vector<dkg::ballot<N>> ballots_;
};

double thread_cpu_seconds()
{
    timespec t{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0) throw std::runtime_error("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double seconds_per_item(const operation& op)
{
    const double start = thread_cpu_seconds();
    for (int i = 0; i < op.repeat; ++i) op.work();
    return (thread_cpu_seconds() - start) / op.repeat;
}

struct summary {
    double median, fastest, slowest;
    double spread() const { return median > 0 ? (slowest - fastest) / median : 0; }
};

/// The --only loop, in a function of its own so that callgrind can count just it
/// (valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*run_only*').
[[gnu::noinline]] void run_only(const operation& op, int repeat)
{
    for (int i = 0; i < repeat; ++i) op.work();
}

summary summarise(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t k = v.size();
    return {k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2, v.front(), v.back()};
}

} // namespace

int main(int argc, char** argv)
try {
    const settings s = parse(argc, argv);
    workload w(s.bits);
    auto ops = w.operations();
    if (!s.only.empty()) {
        const auto it = std::find_if(ops.begin(), ops.end(), [&](const operation& op) { return op.name == s.only; });
        if (it == ops.end()) {
            std::cerr << "--only: unknown operation; one of:";
            for (const auto& op : ops) std::cerr << ' ' << op.name;
            std::cerr << '\n';
            return 2;
        }
        run_only(*it, s.repeat);
        return 0;
    }

    // Runs: every operation right after the unit (ops[0], one encryption); ratios per run.
    std::vector<std::vector<double>> times(ops.size()), ratios(ops.size());
    for (const auto& op : ops) op.work(); // warm-up
    for (int run = 0; run < s.runs; ++run) {
        for (std::size_t i = 1; i < ops.size(); ++i) {
            const double unit = seconds_per_item(ops[0]);
            times[0].push_back(unit);
            ratios[0].push_back(1.0);
            times[i].push_back(seconds_per_item(ops[i]));
            ratios[i].push_back(times[i].back() / unit);
        }
    }
    const auto label = [&](const operation& op) { return "proofs/" + op.name + "/bits=" + std::to_string(s.bits) + "/gmp_int"; };
    std::vector<summary> t, r;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        t.push_back(summarise(times[i]));
        r.push_back(summarise(ratios[i]));
    }
    const double proof_bar = r[1].median, verify_bar = r[2].median;
    const bool met = proof_bar <= 3.0 && verify_bar <= 4.0;
    if (s.json) {
        std::cout << "{\n  \"benchmark\": \"ballot\",\n  \"bits\": " << s.bits << ",\n  \"backend\": \"gmp_int\",\n  \"runs\": " << s.runs
                  << ",\n  \"cores\": " << std::thread::hardware_concurrency() << ",\n  \"results\": [";
        for (std::size_t i = 0; i < ops.size(); ++i)
            std::cout << (i ? "," : "") << "\n    {\"name\": \"" << label(ops[i]) << "\", \"median_s\": " << t[i].median << ", \"fastest_s\": " << t[i].fastest
                      << ", \"slowest_s\": " << t[i].slowest << ", \"median_encryptions\": " << r[i].median << ", \"fastest_encryptions\": " << r[i].fastest
                      << ", \"slowest_encryptions\": " << r[i].slowest << ", \"spread\": " << r[i].spread() << "}";
        std::cout << "\n  ],\n  \"bars_met\": " << (met ? "true" : "false") << "\n}\n";
        return met ? 0 : 1;
    }
    std::printf("proofs on ciphertexts, N of %zu bits, gmp_int, %u cores, %d runs, thread CPU time; one encryption = %.2f ms (median)\n\n", s.bits,
                std::thread::hardware_concurrency(), s.runs, t[0].median * 1e3);
    std::printf("%-60s %10s %12s %10s %10s %7s\n", "operation", "median", "encryptions", "fastest", "slowest", "spread");
    for (std::size_t i = 0; i < ops.size(); ++i)
        std::printf("%-60s %7.2f ms %12.3f %10.3f %10.3f %6.1f%%\n", label(ops[i]).c_str(), t[i].median * 1e3, r[i].median, r[i].fastest, r[i].slowest,
                    100 * r[i].spread());
    std::printf("\nbar: a 2-option ballot with its proof at most 3 encryptions: %.3f (%s)\n", proof_bar, proof_bar <= 3.0 ? "met" : "missed");
    std::printf("bar: verifying it at most 4 encryptions: %.3f (%s)\n", verify_bar, verify_bar <= 4.0 ? "met" : "missed");
    return met ? 0 : 1;
} catch (const std::exception& e) {
    std::cerr << "benchmark_ballot: " << e.what() << '\n';
    return 1;
}
