// Fixed-point encoding of signed decimal values into Paillier plaintexts (docs/protocol.md §7).
//
// A value x is encoded as m = round(x·10^d) (half away from zero) for a precision of d decimal
// digits; negatives are stored as N + m. Values with |m| > (N-1)/2 are rejected, never wrapped.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/paillier.hpp>

#include <charconv>
#include <concepts>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace dkg {

/// Largest precision accepted by `fixed_point_encoder` (decimal digits after the point).
inline constexpr unsigned max_precision = 1000;

/// An exact decimal value: scaled / 10^precision.
template <big_integer N>
struct fixed_point {
    N scaled;               ///< the value times 10^precision, an integer
    unsigned precision = 0; ///< decimal digits after the point

    /// Exact text with exactly `precision` digits after the point ("-1.50", "42").
    std::string to_string() const
    {
        const bool negative = scaled < N(0u);
        std::string digits = to_decimal(negative ? N(-scaled) : scaled);
        if (precision > 0) {
            if (digits.size() <= precision) digits.insert(0, precision + 1 - digits.size(), '0');
            digits.insert(digits.size() - precision, ".");
        }
        return negative ? "-" + digits : digits;
    }

    /// The nearest double (through its decimal text).
    double to_double() const { return std::strtod(to_string().c_str(), nullptr); }

    friend bool operator==(const fixed_point& a, const fixed_point& b)
    {
        return a.precision == b.precision && a.scaled == b.scaled;
    }
};

namespace detail {

/// Parses "[-]digits[.digits][e[+-]digits]" into sign, digit string and decimal exponent.
struct parsed_decimal {
    bool negative = false;
    std::string digits; // no sign, no point, at least one digit
    long long exponent = 0;
};

inline parsed_decimal parse_decimal(std::string_view text)
{
    const auto bad = [] { return std::invalid_argument("value: not a decimal number"); };
    parsed_decimal out;
    std::size_t pos = 0;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) out.negative = text[pos++] == '-';
    std::size_t integer_digits = 0, fraction_digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        out.digits += text[pos++];
        ++integer_digits;
    }
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            out.digits += text[pos++];
            ++fraction_digits;
        }
    }
    if (integer_digits + fraction_digits == 0) throw bad();
    long long exponent = 0;
    if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
        ++pos;
        const char* begin = text.data() + pos;
        const char* end = text.data() + text.size();
        if (begin != end && *begin == '+') ++begin;
        auto [ptr, ec] = std::from_chars(begin, end, exponent);
        if (ec != std::errc() || ptr == begin || exponent > 100000 || exponent < -100000) throw bad();
        pos = static_cast<std::size_t>(ptr - text.data());
    }
    if (pos != text.size()) throw bad();
    if (out.digits.size() > 100000) throw std::invalid_argument("value: too many digits");
    out.exponent = exponent - static_cast<long long>(fraction_digits);
    return out;
}

template <big_integer N>
N power_of_ten(std::size_t k)
{
    N result(1u), base(10u);
    while (k > 0) {
        if (k & 1u) result *= base;
        base = N(base * base);
        k >>= 1u;
    }
    return result;
}

} // namespace detail

/// Encodes and decodes fixed-point values for one public key and precision.
///
/// @tparam N a type modelling dkg::big_integer.
template <big_integer N>
class fixed_point_encoder {
public:
    /// @throws std::invalid_argument naming `precision` if it exceeds max_precision or 10^precision
    ///         does not fit in the plaintext range of `key`.
    fixed_point_encoder(public_key<N> key, unsigned precision)
        : key_(std::move(key)), precision_(precision)
    {
        if (precision > max_precision) throw std::invalid_argument("precision: at most 1000 decimal digits");
        scale_ = detail::power_of_ten<N>(precision);
        if (scale_ > key_.max_plaintext()) throw std::invalid_argument("precision: 10^precision exceeds the plaintext range of the key");
    }

    /// Decimal digits after the point.
    unsigned precision() const noexcept { return precision_; }
    /// The key whose plaintext range the values must fit.
    const public_key<N>& key() const noexcept { return key_; }

    /// The exact scaled integer round(x·10^precision) of a decimal text, rounding half away from zero.
    /// @throws std::invalid_argument naming `value` if the text is not a number or out of range.
    N scale(std::string_view decimal) const
    {
        const auto parsed = detail::parse_decimal(decimal);
        N digits = from_decimal<N>(parsed.digits);
        const long long shift = parsed.exponent + static_cast<long long>(precision_);
        N scaled;
        if (shift >= 0) {
            if (shift > static_cast<long long>(key_.bits()) + 1 && digits != N(0u)) throw out_of_range();
            scaled = N(digits * detail::power_of_ten<N>(static_cast<std::size_t>(shift)));
        } else if (static_cast<unsigned long long>(-shift) > parsed.digits.size() + 1) {
            scaled = N(0u); // far below the last kept digit
        } else {
            const N divisor = detail::power_of_ten<N>(static_cast<std::size_t>(-shift));
            scaled = N(digits / divisor);
            const N remainder = N(digits % divisor);
            if (N(remainder * N(2u)) >= divisor) scaled += N(1u);
        }
        if (parsed.negative) scaled = N(-scaled);
        check_range(scaled);
        return scaled;
    }

    /// Encodes a decimal text ("-12.5", "3", "1e-3") into a residue in [0, N).
    N encode(std::string_view decimal) const { return key_.to_residue(scale(decimal)); }

    /// Encodes a built-in integer value.
    template <std::integral I>
    N encode(I value) const
    {
        if constexpr (std::is_signed_v<I>)
            return encode_integer(N(static_cast<long long>(value)));
        else
            return encode_integer(N(static_cast<unsigned long long>(value)));
    }

    /// Encodes an integer value given as N.
    N encode_integer(const N& value) const
    {
        const N scaled = N(value * scale_);
        check_range(scaled);
        return key_.to_residue(scaled);
    }

    /// Encodes a double through its shortest exact decimal text.
    /// @throws std::invalid_argument naming `value` if it is not finite or out of range.
    N encode(double value) const
    {
        if (!std::isfinite(value)) throw std::invalid_argument("value: not a finite number");
        char buffer[64];
        auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
        if (ec != std::errc()) throw std::invalid_argument("value: cannot format");
        return encode(std::string_view(buffer, static_cast<std::size_t>(ptr - buffer)));
    }

    /// Decodes a residue in [0, N) into the exact decimal value.
    fixed_point<N> decode(const N& residue) const { return fixed_point<N>{key_.from_residue(residue), precision_}; }

    /// Encrypts an encoded value.
    template <class Value, secure_rng G>
    ciphertext<N> encrypt(const Value& value, G& rng) const
    {
        return key_.encrypt_residue(encode(value), rng);
    }

private:
    static std::invalid_argument out_of_range()
    {
        return std::invalid_argument("value: outside the encodable range ±((N-1)/2)/10^precision of this key");
    }

    void check_range(const N& scaled) const
    {
        if (scaled > key_.max_plaintext() || N(-scaled) > key_.max_plaintext()) throw out_of_range();
    }

    public_key<N> key_;
    unsigned precision_;
    N scale_;
};

} // namespace dkg
