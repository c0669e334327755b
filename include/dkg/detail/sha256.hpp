// SHA-256 (FIPS 180-4). Used for session ids, Fiat–Shamir challenges, key derivation of jointly
// random values and file checksums. Not a secret-dependent-timing concern: inputs are public or
// hashed as a whole.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace dkg::detail {

class sha256 {
public:
    using digest = std::array<std::uint8_t, 32>;

    sha256() noexcept { reset(); }

    void reset() noexcept
    {
        state_ = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                  0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
        length_ = 0;
        buffered_ = 0;
    }

    sha256& update(std::span<const std::uint8_t> data) noexcept
    {
        length_ += data.size();
        std::size_t pos = 0;
        if (buffered_ != 0) {
            const std::size_t take = std::min<std::size_t>(64 - buffered_, data.size());
            std::memcpy(buffer_.data() + buffered_, data.data(), take);
            buffered_ += take;
            pos = take;
            if (buffered_ < 64) return *this;
            compress(buffer_.data());
            buffered_ = 0;
        }
        for (; pos + 64 <= data.size(); pos += 64) compress(data.data() + pos);
        if (pos < data.size()) {
            buffered_ = data.size() - pos;
            std::memcpy(buffer_.data(), data.data() + pos, buffered_);
        }
        return *this;
    }

    sha256& update(std::string_view text) noexcept
    {
        return update(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    }

    /// Adds a 64-bit integer in big-endian order (for unambiguous framing of hashed fields).
    sha256& update_u64(std::uint64_t value) noexcept
    {
        std::array<std::uint8_t, 8> b{};
        for (int i = 0; i < 8; ++i) b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value >> (56 - 8 * i));
        return update(b);
    }

    /// Adds a length-prefixed byte string.
    sha256& update_framed(std::span<const std::uint8_t> data) noexcept
    {
        update_u64(data.size());
        return update(data);
    }

    digest finish() noexcept
    {
        const std::uint64_t bit_length = length_ * 8;
        const std::uint8_t pad = 0x80;
        update(std::span<const std::uint8_t>(&pad, 1));
        const std::uint8_t zero = 0;
        while (buffered_ != 56) update(std::span<const std::uint8_t>(&zero, 1));
        for (int i = 7; i >= 0; --i) {
            const auto b = static_cast<std::uint8_t>(bit_length >> (8 * i));
            update(std::span<const std::uint8_t>(&b, 1));
        }
        digest out{};
        for (std::size_t i = 0; i < 8; ++i)
            for (std::size_t j = 0; j < 4; ++j) out[4 * i + j] = static_cast<std::uint8_t>(state_[i] >> (24 - 8 * j));
        reset();
        return out;
    }

    static digest hash(std::span<const std::uint8_t> data) noexcept { return sha256().update(data).finish(); }

private:
    static constexpr std::uint32_t rotr(std::uint32_t x, int n) noexcept { return (x >> n) | (x << (32 - n)); }

    void compress(const std::uint8_t* block) noexcept
    {
        static constexpr std::array<std::uint32_t, 64> k = {
            0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
            0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
            0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
            0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
            0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
            0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
            0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
            0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};
        std::array<std::uint32_t, 64> w{};
        for (std::size_t i = 0; i < 16; ++i)
            w[i] = (std::uint32_t{block[4 * i]} << 24) | (std::uint32_t{block[4 * i + 1]} << 16) |
                   (std::uint32_t{block[4 * i + 2]} << 8) | std::uint32_t{block[4 * i + 3]};
        for (std::size_t i = 16; i < 64; ++i) {
            const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
        std::uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
        for (std::size_t i = 0; i < 64; ++i) {
            const std::uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
            const std::uint32_t ch = (e & f) ^ (~e & g);
            const std::uint32_t t1 = h + s1 + ch + k[i] + w[i];
            const std::uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
            const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
            const std::uint32_t t2 = s0 + maj;
            h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
        }
        state_[0] += a; state_[1] += b; state_[2] += c; state_[3] += d;
        state_[4] += e; state_[5] += f; state_[6] += g; state_[7] += h;
    }

    std::array<std::uint32_t, 8> state_{};
    std::array<std::uint8_t, 64> buffer_{};
    std::uint64_t length_ = 0;
    std::size_t buffered_ = 0;
};

} // namespace dkg::detail
