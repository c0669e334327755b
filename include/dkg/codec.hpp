// Compact binary encoding of protocol values (integers, byte strings, big integers and vectors).
//
// Format (all multi-byte integers big-endian):
//   u8 / u32 / u64      fixed width
//   byte string         u32 length, then the bytes
//   big integer         u8 sign (0 = non-negative, 1 = negative), u32 length, magnitude big-endian
//                       with no leading zero byte; zero is sign 0 and length 0 (one encoding per value)
//   vector of integers  u32 count, then each big integer
// Decoding checks every length against the bytes left and against caller-given limits before
// allocating, and rejects non-canonical forms.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/error.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dkg {

/// A message or file payload.
using bytes = std::vector<std::uint8_t>;

/// Thrown by `reader` when the input is not a valid encoding; carries errc::malformed_message.
class decode_error : public boost::system::system_error {
public:
    /// @param what_failed what was wrong with the input (never a secret value).
    explicit decode_error(const std::string& what_failed)
        : boost::system::system_error(make_error_code(errc::malformed_message)), text_("malformed message: " + what_failed),
          detail_(what_failed)
    {
    }
    /// "malformed message: " followed by what failed.
    const char* what() const noexcept override { return text_.c_str(); }

    /// What failed, without the "malformed message" prefix (e.g. "checksum mismatch").
    const std::string& detail() const noexcept { return detail_; }

private:
    std::string text_;
    std::string detail_;
};

/// Appends values to a byte buffer in the format described above.
class writer {
public:
    writer() = default;
    /// An empty writer with room for `reserve` bytes.
    explicit writer(std::size_t reserve) { buffer_.reserve(reserve); }

    /// Appends one byte.
    writer& u8(std::uint8_t v)
    {
        buffer_.push_back(v);
        return *this;
    }

    /// Appends 4 bytes, big-endian.
    writer& u32(std::uint32_t v)
    {
        for (int i = 3; i >= 0; --i) buffer_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        return *this;
    }

    /// Appends 8 bytes, big-endian.
    writer& u64(std::uint64_t v)
    {
        for (int i = 7; i >= 0; --i) buffer_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        return *this;
    }

    /// Appends `data` as it is (no length).
    writer& raw(std::span<const std::uint8_t> data)
    {
        // resize-then-copy rather than insert: g++ 12 -O2 reports a false -Wstringop-overflow for
        // insert followed by push_back into a vector whose capacity is just the inserted range.
        const std::size_t old_size = buffer_.size();
        buffer_.resize(old_size + data.size());
        std::copy(data.begin(), data.end(), buffer_.begin() + static_cast<std::ptrdiff_t>(old_size));
        return *this;
    }

    /// Appends a byte string: its u32 length, then the bytes.
    /// @throws std::length_error if it has 2^32 bytes or more.
    writer& byte_string(std::span<const std::uint8_t> data)
    {
        u32(checked_length(data.size()));
        return raw(data);
    }

    /// Appends a big integer: sign byte, u32 length, magnitude big-endian without leading zeros.
    /// @tparam N a type modelling `big_integer`.
    template <big_integer N>
    writer& integer(const N& value)
    {
        const bool negative = value < N(0u);
        const auto magnitude = bigint_traits<N>::to_bytes(value);
        u8(negative ? 1 : 0);
        u32(checked_length(magnitude.size()));
        return raw(magnitude);
    }

    /// Appends a vector of big integers: u32 count, then each integer.
    /// @tparam N a type modelling `big_integer`.
    template <big_integer N>
    writer& integers(std::span<const N> values)
    {
        u32(checked_length(values.size()));
        for (const auto& v : values) integer(v);
        return *this;
    }

    /// Appends a vector of big integers (as the span overload).
    /// @tparam N a type modelling `big_integer`.
    template <big_integer N>
    writer& integers(const std::vector<N>& values)
    {
        return integers(std::span<const N>(values));
    }

    /// Bytes written so far.
    std::size_t size() const noexcept { return buffer_.size(); }

    /// The encoded bytes; the writer is empty afterwards.
    bytes finish() { return std::move(buffer_); }

private:
    static std::uint32_t checked_length(std::size_t n)
    {
        if (n > 0xffffffffu) throw std::length_error("codec: value too large to encode");
        return static_cast<std::uint32_t>(n);
    }

    bytes buffer_;
};

/// Reads values written by `writer`, validating as it goes.
///
/// Every read throws `decode_error` if the input is too short, exceeds the given limit, or is not
/// canonical. Call `expect_end()` after the last value to reject trailing bytes.
class reader {
public:
    /// Reads `data`, which must outlive the reader.
    explicit reader(std::span<const std::uint8_t> data) noexcept : data_(data) {}

    /// One byte.
    std::uint8_t u8()
    {
        need(1, "u8");
        return data_[pos_++];
    }

    /// 4 bytes, big-endian.
    std::uint32_t u32()
    {
        need(4, "u32");
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v = (v << 8) | data_[pos_++];
        return v;
    }

    /// 8 bytes, big-endian.
    std::uint64_t u64()
    {
        need(8, "u64");
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v = (v << 8) | data_[pos_++];
        return v;
    }

    /// The next `n` bytes, without copying (a view into the input).
    std::span<const std::uint8_t> raw(std::size_t n)
    {
        need(n, "raw bytes");
        auto out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }

    /// A byte string of at most `max_length` bytes.
    bytes byte_string(std::size_t max_length)
    {
        const std::uint32_t n = u32();
        if (n > max_length) throw decode_error("byte string longer than allowed");
        auto span = raw(n);
        return bytes(span.begin(), span.end());
    }

    /// A big integer of at most `max_bits` bits (magnitude).
    template <big_integer N>
    N integer(std::size_t max_bits)
    {
        const std::uint8_t sign = u8();
        if (sign > 1) throw decode_error("bad integer sign byte");
        const std::uint32_t n = u32();
        if (n > (max_bits + 7) / 8) throw decode_error("integer larger than allowed");
        auto magnitude = raw(n);
        if (n > 0 && magnitude[0] == 0) throw decode_error("non-canonical integer (leading zero)");
        if (n == 0 && sign == 1) throw decode_error("non-canonical integer (negative zero)");
        N value = bigint_traits<N>::from_bytes(magnitude);
        if (bigint_traits<N>::bit_length(value) > max_bits) throw decode_error("integer larger than allowed");
        return sign ? N(-value) : value;
    }

    /// A non-negative big integer below `bound`.
    template <big_integer N>
    N integer_below(const N& bound)
    {
        N value = integer<N>(bigint_traits<N>::bit_length(bound));
        if (value < N(0u) || value >= bound) throw decode_error("integer out of range");
        return value;
    }

    /// A vector of at most `max_count` integers, each of at most `max_bits` bits.
    template <big_integer N>
    std::vector<N> integers(std::size_t max_count, std::size_t max_bits)
    {
        const std::uint32_t count = u32();
        if (count > max_count) throw decode_error("too many integers");
        // Each integer takes at least 5 bytes: refuse counts the input cannot hold before reserving.
        if (static_cast<std::size_t>(count) * 5 > remaining()) throw decode_error("truncated integer vector");
        std::vector<N> out;
        out.reserve(count);
        for (std::uint32_t i = 0; i < count; ++i) out.push_back(integer<N>(max_bits));
        return out;
    }

    /// A vector of exactly `count` integers.
    template <big_integer N>
    std::vector<N> integers_exactly(std::size_t count, std::size_t max_bits)
    {
        auto out = integers<N>(count, max_bits);
        if (out.size() != count) throw decode_error("wrong number of integers");
        return out;
    }

    /// Bytes not read yet.
    std::size_t remaining() const noexcept { return data_.size() - pos_; }

    /// @throws decode_error if any byte is left unread.
    void expect_end() const
    {
        if (pos_ != data_.size()) throw decode_error("trailing bytes");
    }

private:
    void need(std::size_t n, const char* what) const
    {
        if (data_.size() - pos_ < n) throw decode_error(std::string("truncated input reading ") + what);
    }

    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

} // namespace dkg
