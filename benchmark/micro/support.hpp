// Shared pieces of the micro-benchmarks (benchmark_micro): the keys they run on, made once per
// backend from a fixed seed, the settings every benchmark gets, and the registration functions of
// each layer's translation unit.
#pragma once

#include <dkg/paillier.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/testing/trusted_dealer.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <vector>

namespace dkg_micro {

/// Bits of N in every micro-benchmark (the README's operation table).
inline constexpr std::size_t modulus_bits = 2048;

/// Distinct inputs an operation cycles through, so that no result is reused.
inline constexpr std::size_t pool_size = 8;

/// The backends' names in benchmark names: ".../gmp_int", ".../cpp_int".
template <class N>
constexpr const char* backend_name()
{
    return std::is_same_v<N, dkg::gmp_int> ? "gmp_int" : "cpp_int";
}

/// "layer/operation/bits=2048/backend".
template <class N>
std::string name(const char* layer, const char* operation)
{
    return std::string(layer) + "/" + operation + "/bits=" + std::to_string(modulus_bits) + "/" + backend_name<N>();
}

/// A Paillier key of modulus_bits bits, the same p and q for both backends (made with GMP once).
template <class N>
const dkg::secret_key<N>& paillier_key()
{
    static const dkg::secret_key<N> key = [] {
        static const auto gmp_key = [] {
            dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, modulus_bits);
            return dkg::secret_key<dkg::gmp_int>::generate(modulus_bits, rng);
        }();
        return dkg::secret_key<N>(dkg::from_bytes<N>(dkg::to_bytes(gmp_key.p())), dkg::from_bytes<N>(dkg::to_bytes(gmp_key.q())));
    }();
    return key;
}

/// A threshold key of modulus_bits bits for n = 3 parties, t = 1, dealt once per backend.
template <class N>
const dkg::testing::dealt_key<N>& threshold_key()
{
    static const auto key = [] {
        dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 3 * modulus_bits);
        return dkg::testing::deal_key<N>(modulus_bits, 3, 1, rng);
    }();
    return key;
}

/// A seeded generator for the inputs of a benchmark (not for secrets: the benchmarks' keys are
/// public test keys).
inline dkg::testing::insecure_seeded_rng input_rng(std::uint64_t stream)
{
    return dkg::testing::insecure_seeded_rng(dkg::testing::default_test_seed, stream);
}

/// The settings of every micro-benchmark: the minimum and maximum of the repetitions besides
/// Google Benchmark's mean, median, standard deviation and coefficient of variation.
inline benchmark::internal::Benchmark* configure(benchmark::internal::Benchmark* b)
{
    return b->ComputeStatistics("min", [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); })
        ->ComputeStatistics("max", [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); });
}

/// Registers a benchmark (with `configure`) that times `op(i)` for i = 0, 1, 2, ... modulo
/// pool_size, so that an operation cycles through its distinct inputs; `op` returns the result,
/// which is kept from being optimised away. One untimed call first makes the key and the inputs.
template <class Op>
benchmark::internal::Benchmark* register_cycling(const std::string& name, Op op)
{
    return configure(benchmark::RegisterBenchmark(name.c_str(), [op](benchmark::State& state) {
        benchmark::DoNotOptimize(op(0));
        std::size_t i = 0;
        for (auto _ : state) {
            benchmark::DoNotOptimize(op(i));
            i = (i + 1) % pool_size;
        }
    }));
}

/// As register_cycling, for an operation that checks its own result: `op(i)` returns whether the
/// result was right, and a wrong one fails the run with `error`.
template <class Op>
benchmark::internal::Benchmark* register_checked(const std::string& name, const char* error, Op op)
{
    return configure(benchmark::RegisterBenchmark(name.c_str(), [op, error](benchmark::State& state) {
        if (!op(0)) state.SkipWithError(error);
        std::size_t i = 0;
        for (auto _ : state) {
            if (!op(i)) state.SkipWithError(error);
            i = (i + 1) % pool_size;
        }
    }));
}

/// The one instance of `Inputs`, made on its first use (so outside the timed loops, and only for
/// the benchmarks that run).
template <class Inputs>
const Inputs& once()
{
    static const Inputs inputs;
    return inputs;
}

/// Each layer's benchmarks (number.cpp, paillier.cpp, threshold.cpp, transport.cpp).
void register_number_benchmarks();
void register_paillier_benchmarks();
void register_threshold_benchmarks();
void register_transport_benchmarks();

} // namespace dkg_micro
