// The library's text parsers that the command-line tool uses for numbers and addresses:
// from_decimal and from_hex, fixed-point values (fixed_point_encoder::scale and encode at several
// precisions), and TCP endpoints and party lists (parse_endpoint, parse_party_list). The first
// input byte selects the parser (and the precision); the rest is the text.
//
// Oracles: both backends accept the same texts and read the same values; a parsed integer prints
// back as the canonical form of its text; an encoded fixed-point value decodes to the scaled
// value; a parsed endpoint prints back to a text that parses to the same endpoint.
#include "fuzz_support.hpp"

#include <dkg/encoding.hpp>
#include <dkg/transport/tcp.hpp>

#include <optional>

namespace {

/// The canonical decimal or hex text of what `text` denotes (strip zeros, no "-0"), or nothing.
std::optional<std::string> canonical(std::string_view text, int base)
{
    bool negative = false;
    if (!text.empty() && text[0] == '-') {
        negative = true;
        text.remove_prefix(1);
    }
    if (text.empty()) return std::nullopt;
    std::string digits;
    for (char c : text) {
        const bool dec = c >= '0' && c <= '9';
        const bool hex = (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!dec && !(base == 16 && hex)) return std::nullopt;
        digits += static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    }
    const auto nz = digits.find_first_not_of('0');
    if (nz == std::string::npos) return std::string("0");
    return (negative ? "-" : "") + digits.substr(nz);
}

template <class N>
std::optional<std::string> parse_integer(std::string_view text, int base)
{
    try {
        const N v = base == 10 ? dkg::from_decimal<N>(text) : dkg::from_hex<N>(text);
        const std::string printed = base == 10 ? dkg::to_decimal(v) : dkg::to_hex(v);
        const auto expected = canonical(text, base);
        dkg_fuzz::require(expected.has_value(), "a parser accepted a text that is not an integer");
        dkg_fuzz::require(printed == *expected, "a parsed integer does not print back as its text");
        return printed;
    } catch (const std::invalid_argument&) {
        dkg_fuzz::require(!canonical(text, base), "a parser refused a valid integer text");
        return std::nullopt;
    }
}

template <class N>
std::optional<std::string> scale(std::string_view text, unsigned precision, bool encode)
{
    const auto& key = dkg_fuzz::shares<N>()[0].public_key();
    try {
        const dkg::fixed_point_encoder<N> encoder(key, precision);
        if (encode) {
            const N residue = encoder.encode(text);
            dkg_fuzz::require(residue >= N(0u) && residue < key.n(), "an encoded value is not a residue");
            return encoder.decode(residue).to_string();
        }
        const N scaled = encoder.scale(text);
        dkg_fuzz::require(scaled <= key.max_plaintext() && N(-scaled) <= key.max_plaintext(), "a scaled value is out of range");
        dkg_fuzz::require(encoder.decode(encoder.encode_integer(N(0u))).scaled == N(0u), "zero does not encode to zero");
        return dkg::to_decimal(scaled);
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
}

void endpoints(std::string_view text, bool list)
{
    try {
        const auto parsed = list ? dkg::parse_party_list(text) : std::vector<dkg::tcp_endpoint>{dkg::parse_endpoint(text)};
        dkg_fuzz::require(!parsed.empty(), "an empty party list");
        for (const auto& e : parsed) {
            dkg_fuzz::require(!e.host.empty() && e.port != 0, "an endpoint without host or port");
            const bool v6 = e.host.find(':') != std::string::npos;
            const std::string printed = (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
            if (e.host.find_first_of("[],") != std::string::npos || e.host.front() == ' ' || e.host.back() == ' ') continue;
            const auto again = dkg::parse_endpoint(printed);
            dkg_fuzz::require(again.host == e.host && again.port == e.port, "an endpoint does not round-trip");
        }
    } catch (const std::invalid_argument&) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    dkg_fuzz::input in(data, size);
    const std::uint8_t selector = in.byte();
    const std::string_view text = in.rest_text();
    switch (selector % 5) {
    case 0:
    case 1: {
        const int base = selector % 2 ? 16 : 10;
        const auto a = parse_integer<dkg::gmp_int>(text, base);
        const auto b = parse_integer<dkg::cpp_int>(text, base);
        dkg_fuzz::require(a == b, "the backends parse an integer differently");
        break;
    }
    case 2:
    case 3: {
        // Precisions 0..40 (a 256-bit key holds 10^76): every rounding path.
        const unsigned precision = (selector / 5) % 41;
        const bool encode = selector % 5 == 3;
        const auto a = scale<dkg::gmp_int>(text, precision, encode);
        const auto b = scale<dkg::cpp_int>(text, precision, encode);
        dkg_fuzz::require(a == b, "the backends scale a fixed-point value differently");
        break;
    }
    default:
        endpoints(text, selector & 0x80);
        break;
    }
    return 0;
}
