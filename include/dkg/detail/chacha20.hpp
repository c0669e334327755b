// ChaCha20 keystream (Bernstein 2008; the block function and state layout of RFC 8439 §2.3) as a
// deterministic random stream.
//
// Used where every party must derive the same values from a jointly chosen seed (the bases of the
// biprimality test, protocol.md §4) and by the seeded test generator. Never seeded with a constant
// outside tests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace dkg::detail {

/// The ChaCha20 keystream. State words (RFC 8439 §2.3): 0–3 the constants, 4–11 the key (little-endian
/// words), 12 the block counter, 13–15 the nonce (little-endian words).
///
/// Two ways to seed it: the RFC 8439 form (96-bit nonce, 32-bit initial counter), and a 64-bit nonce,
/// which is the RFC 8439 nonce whose first four bytes are zero and whose last eight are the 64-bit
/// value in little-endian order, counter 0. The counter is 64 bits wide over words 12 and 13 (the
/// original variant's): RFC 8439 ends a stream after 2^32 blocks (256 GiB); this stream carries into
/// word 13 instead, which no caller reaches.
class chacha20_stream {
public:
    using key_type = std::array<std::uint8_t, 32>;
    using nonce_type = std::array<std::uint8_t, 12>;

    chacha20_stream() noexcept : chacha20_stream(key_type{}, 0) {}

    explicit chacha20_stream(const key_type& key, std::uint64_t nonce = 0) noexcept { seed(key, nonce); }

    /// RFC 8439 §2.4: key, 96-bit nonce, and the block counter of the first block.
    chacha20_stream(const key_type& key, const nonce_type& nonce, std::uint32_t counter) noexcept { seed(key, nonce, counter); }

    void seed(const key_type& key, std::uint64_t nonce = 0) noexcept
    {
        nonce_type bytes{};
        for (std::size_t i = 0; i < 8; ++i) bytes[4 + i] = static_cast<std::uint8_t>(nonce >> (8 * i));
        seed(key, bytes, 0);
    }

    void seed(const key_type& key, const nonce_type& nonce, std::uint32_t counter) noexcept
    {
        state_[0] = 0x61707865u; state_[1] = 0x3320646eu; state_[2] = 0x79622d32u; state_[3] = 0x6b206574u;
        for (std::size_t i = 0; i < 8; ++i) state_[4 + i] = load_le(key.data() + 4 * i);
        state_[12] = counter;
        for (std::size_t i = 0; i < 3; ++i) state_[13 + i] = load_le(nonce.data() + 4 * i);
        used_ = block_.size();
    }

    void fill(std::span<std::uint8_t> out) noexcept
    {
        std::size_t pos = 0;
        while (pos < out.size()) {
            if (used_ == block_.size()) refill();
            const std::size_t take = std::min(out.size() - pos, block_.size() - used_);
            std::memcpy(out.data() + pos, block_.data() + used_, take);
            used_ += take;
            pos += take;
        }
    }

    std::uint64_t next_u64() noexcept
    {
        std::array<std::uint8_t, 8> b{};
        fill(b);
        std::uint64_t v = 0;
        for (auto x : b) v = (v << 8) | x;
        return v;
    }

    /// Overwrites the key material.
    void wipe() noexcept
    {
        volatile std::uint32_t* s = state_.data();
        for (std::size_t i = 0; i < state_.size(); ++i) s[i] = 0;
        volatile std::uint8_t* b = block_.data();
        for (std::size_t i = 0; i < block_.size(); ++i) b[i] = 0;
        used_ = block_.size();
    }

private:
    static std::uint32_t load_le(const std::uint8_t* p) noexcept
    {
        return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[3]} << 24);
    }

    static constexpr std::uint32_t rotl(std::uint32_t x, int n) noexcept { return (x << n) | (x >> (32 - n)); }

    static constexpr void quarter(std::array<std::uint32_t, 16>& x, int a, int b, int c, int d) noexcept
    {
        x[a] += x[b]; x[d] ^= x[a]; x[d] = rotl(x[d], 16);
        x[c] += x[d]; x[b] ^= x[c]; x[b] = rotl(x[b], 12);
        x[a] += x[b]; x[d] ^= x[a]; x[d] = rotl(x[d], 8);
        x[c] += x[d]; x[b] ^= x[c]; x[b] = rotl(x[b], 7);
    }

    void refill() noexcept
    {
        std::array<std::uint32_t, 16> x = state_;
        for (int i = 0; i < 10; ++i) {
            quarter(x, 0, 4, 8, 12); quarter(x, 1, 5, 9, 13); quarter(x, 2, 6, 10, 14); quarter(x, 3, 7, 11, 15);
            quarter(x, 0, 5, 10, 15); quarter(x, 1, 6, 11, 12); quarter(x, 2, 7, 8, 13); quarter(x, 3, 4, 9, 14);
        }
        for (std::size_t i = 0; i < 16; ++i) {
            const std::uint32_t v = x[i] + state_[i];
            block_[4 * i] = static_cast<std::uint8_t>(v);
            block_[4 * i + 1] = static_cast<std::uint8_t>(v >> 8);
            block_[4 * i + 2] = static_cast<std::uint8_t>(v >> 16);
            block_[4 * i + 3] = static_cast<std::uint8_t>(v >> 24);
        }
        if (++state_[12] == 0) ++state_[13];
        used_ = 0;
    }

    std::array<std::uint32_t, 16> state_{};
    std::array<std::uint8_t, 64> block_{};
    std::size_t used_ = 64;
};

} // namespace dkg::detail
