// A deterministic generator for tests and reproducible experiments. Not for keys anyone relies on:
// the plain `seeded_rng` is not a dkg::secure_rng, so it cannot reach a key generation or an
// encryption by accident; a call site that wants its reproducible stream there names
// `insecure_seeded_rng`, the same stream opted in under a name that says what it is.
#pragma once

#include <dkg/detail/chacha20.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/rng.hpp>

#include <cstdint>
#include <limits>
#include <span>
#include <string_view>

namespace dkg::testing {

/// The seed shared by the test suite, so that failures reproduce.
inline constexpr std::uint64_t default_test_seed = 0x646b672d74657374ull; // "dkg-test"

/// A seeded ChaCha20 stream. Its output is as good as ChaCha20's, but whoever knows the seed knows
/// every value drawn, so it does not model dkg::secure_rng: functions of dkg that need a secure
/// generator refuse it at compile time. Use it where any reproducible std::uniform_random_bit_generator
/// will do; where dkg needs a secure_rng, name `insecure_seeded_rng` instead.
class seeded_rng {
public:
    /// 64 bits per call.
    using result_type = std::uint64_t;

    /// 0.
    static constexpr result_type min() noexcept { return 0; }
    /// 2^64 - 1.
    static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

    /// Derives the stream from `seed` and a `label` (e.g. the party id), so that several generators
    /// seeded with the same number still differ.
    explicit seeded_rng(std::uint64_t seed = default_test_seed, std::uint64_t label = 0)
    {
        detail::sha256 h;
        h.update("dkg::testing::seeded_rng").update_u64(seed).update_u64(label);
        stream_.seed(h.finish());
    }

    /// The next 64 bits of the stream.
    result_type operator()() noexcept { return stream_.next_u64(); }

    /// Fills `out` with the next bytes of the stream.
    void fill(std::span<std::uint8_t> out) noexcept { stream_.fill(out); }

private:
    detail::chacha20_stream stream_;
};

/// `seeded_rng` accepted as a dkg::secure_rng, by name: for tests, examples, benchmarks and fuzz
/// harnesses that want reproducible runs of functions that require a secure generator. The stream
/// is exactly seeded_rng's for the same seed and label. Whoever knows the seed knows every key,
/// share and nonce drawn from it: never use it for anything real.
class insecure_seeded_rng : public seeded_rng {
public:
    using seeded_rng::seeded_rng;
};

} // namespace dkg::testing

/// The named opt-in: only the type that says "insecure" is accepted where a secure_rng is required.
template <>
inline constexpr bool dkg::enable_secure_rng<dkg::testing::insecure_seeded_rng> = true;
