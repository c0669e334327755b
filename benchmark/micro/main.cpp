// The micro-benchmarks of dkg on Google Benchmark: number layer, Paillier, threshold decryption and
// the transport's round trip (docs/testing.md, "Benchmarks").
//
//   benchmark_micro [Google Benchmark options, e.g. --benchmark_filter=gmp_int
//                    --benchmark_out=micro.json --benchmark_out_format=json]
//
// Unless the command line says otherwise, every benchmark is repeated 5 times and the console
// shows the aggregates over the repetitions (mean, median, stddev, cv, min, max); the JSON output
// has every repetition too. The context records the machine, the compiler and the library versions.
#include "support.hpp"

#include <boost/version.hpp>
#include <gmp.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

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

} // namespace

int main(int argc, char** argv)
{
    // Defaults first, so that the same options on the command line override them.
    std::vector<std::string> defaults{"--benchmark_repetitions=5", "--benchmark_display_aggregates_only=true"};
    std::vector<char*> args{argv[0]};
    for (auto& d : defaults) args.push_back(d.data());
    args.insert(args.end(), argv + 1, argv + argc);
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 2;

    benchmark::AddCustomContext("cpu_model", cpu_model());
    benchmark::AddCustomContext("hardware_threads", std::to_string(std::thread::hardware_concurrency()));
    benchmark::AddCustomContext("compiler", compiler());
    benchmark::AddCustomContext("boost_version", std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000));
    benchmark::AddCustomContext("gmp_version", gmp_version);
    benchmark::AddCustomContext("modulus_bits", std::to_string(dkg_micro::modulus_bits));
    // library_build_type in the context is Google Benchmark's own (Debian builds it without NDEBUG).
#if defined(NDEBUG)
    benchmark::AddCustomContext("dkg_assertions", "off (NDEBUG, a release build)");
#else
    benchmark::AddCustomContext("dkg_assertions", "on (not a release build)");
#endif

    dkg_micro::register_number_benchmarks();
    dkg_micro::register_paillier_benchmarks();
    dkg_micro::register_threshold_benchmarks();
    dkg_micro::register_transport_benchmarks();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
