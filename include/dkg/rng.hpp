// Random number generators: the secure_rng concept and the operating system's generator.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <stdexcept>
#include <system_error>
#include <type_traits>

#if defined(__linux__)
#include <sys/random.h>
#include <cerrno>
#else
#include <fstream>
#endif

namespace dkg {

/// Opt-in flag for cryptographically secure generators.
///
/// A generator type G is accepted by dkg only if `enable_secure_rng<G>` is true. Specialise it for
/// your own generator once you have made sure it is a cryptographically secure generator:
/// @code
/// template <> inline constexpr bool dkg::enable_secure_rng<my_drbg> = true;
/// @endcode
/// Standard engines such as std::mt19937 never opt in, so they are rejected at compile time.
template <class G>
inline constexpr bool enable_secure_rng = false;

/// Requirements on a random number generator usable by dkg.
///
/// A type G models `secure_rng` when
///  1. `std::remove_cvref_t<G>` models std::uniform_random_bit_generator;
///  2. its `min()` is 0 and its `max()` is the largest value of its unsigned `result_type`
///     (every output bit is uniform);
///  3. `enable_secure_rng<std::remove_cvref_t<G>>` is true (explicit opt-in).
/// A generator may additionally provide `void fill(std::span<std::uint8_t>)`, which dkg then uses
/// to draw bytes in bulk. Generators are always passed by reference and are not required to be
/// thread-safe: give every thread (and every party) its own.
template <class G>
concept secure_rng =
    std::uniform_random_bit_generator<std::remove_cvref_t<G>> &&
    std::unsigned_integral<typename std::remove_cvref_t<G>::result_type> &&
    (std::remove_cvref_t<G>::min() == 0) &&
    (std::remove_cvref_t<G>::max() == std::numeric_limits<typename std::remove_cvref_t<G>::result_type>::max()) &&
    enable_secure_rng<std::remove_cvref_t<G>>;

/// Fills `out` with uniformly random bytes drawn from `rng`.
template <secure_rng G>
void fill_random(G& rng, std::span<std::uint8_t> out)
{
    if constexpr (requires { rng.fill(out); }) {
        rng.fill(out);
    } else {
        using result = typename std::remove_cvref_t<G>::result_type;
        std::size_t pos = 0;
        while (pos < out.size()) {
            result v = rng();
            for (std::size_t i = 0; i < sizeof(result) && pos < out.size(); ++i, ++pos) {
                out[pos] = static_cast<std::uint8_t>(v);
                v = static_cast<result>(v >> 8);
            }
        }
    }
}

/// The operating system's cryptographic generator (getrandom(2) on Linux, /dev/urandom elsewhere).
///
/// Cheap to construct; keeps a small buffer, so use one instance per thread.
/// @throws std::system_error if the operating system cannot supply random bytes.
class system_rng {
public:
    /// 64 random bits per call.
    using result_type = std::uint64_t;

    /// 0.
    static constexpr result_type min() noexcept { return 0; }
    /// 2^64 - 1.
    static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

    system_rng() = default;
    system_rng(const system_rng&) = delete;
    system_rng& operator=(const system_rng&) = delete;
    ~system_rng()
    {
        volatile std::uint8_t* b = buffer_.data();
        for (std::size_t i = 0; i < buffer_.size(); ++i) b[i] = 0;
    }

    /// The next 64 random bits (refills the buffer from the operating system when it is used up).
    /// @throws std::system_error if the operating system cannot supply random bytes.
    result_type operator()()
    {
        if (used_ + sizeof(result_type) > buffer_.size()) {
            fill(buffer_);
            used_ = 0;
        }
        result_type v = 0;
        for (std::size_t i = 0; i < sizeof(result_type); ++i) v = (v << 8) | buffer_[used_ + i];
        used_ += sizeof(result_type);
        return v;
    }

    /// Fills `out` with fresh bytes from the operating system.
    void fill(std::span<std::uint8_t> out)
    {
#if defined(__linux__)
        std::size_t pos = 0;
        while (pos < out.size()) {
            const ssize_t got = ::getrandom(out.data() + pos, out.size() - pos, 0);
            if (got < 0) {
                if (errno == EINTR) continue;
                throw std::system_error(errno, std::generic_category(), "getrandom");
            }
            pos += static_cast<std::size_t>(got);
        }
#else
        std::ifstream in("/dev/urandom", std::ios::binary);
        if (!in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size())))
            throw std::system_error(std::make_error_code(std::errc::io_error), "/dev/urandom");
#endif
    }

private:
    std::array<std::uint8_t, 256> buffer_{};
    std::size_t used_ = 256;
};

template <>
inline constexpr bool enable_secure_rng<system_rng> = true;

} // namespace dkg
