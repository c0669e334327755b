// A strict, bounded JSON reader for exactly the objects dkg writes (docs/formats.md): objects,
// arrays, strings of printable ASCII without escapes and non-negative integers, with limits on
// size, depth, string length and item count checked while parsing; and a reader of one object's
// members that refuses unknown, missing or mistyped members and non-canonical big integers.
// Failures throw dkg::decode_error (JSON text that cannot be read) or dkg::format_error (a
// version this build does not read).
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/serialization/format.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dkg::detail::json {

/// A parsed JSON value: a string, a non-negative integer, an object or an array.
struct value {
    enum class kind { string, number, object, array } type = kind::string;
    std::string text; ///< the string's characters, or the number's digits
    // A named member type rather than std::pair<std::string, value>: with libstdc++, clang cannot
    // instantiate that pair while `value` is being defined (its default constructor's explicit
    // condition needs `value` complete).
    struct member;
    std::vector<member> members;
    std::vector<value> items;

    /// Overwrites every string (a parsed key share holds its secret here).
    void wipe_all() noexcept;
};

struct value::member {
    std::string first; ///< the key
    value second;
};

inline void value::wipe_all() noexcept
{
    detail::wipe(text);
    for (auto& [k, v] : members) v.wipe_all();
    for (auto& v : items) v.wipe_all();
}

struct limits {
    std::size_t max_bytes = max_json_bytes;
    std::size_t max_depth = 3;
    std::size_t max_string = 65536;
    std::size_t max_items = max_serialized_parties;
};

/// Parses objects, arrays, strings of printable ASCII without escapes and non-negative integers
/// of at most 10 digits, with whitespace anywhere between tokens. Anything else is an error.
class parser {
public:
    parser(std::string_view text, limits lim) : text_(text), limits_(lim) {}

    value parse()
    {
        if (text_.size() > limits_.max_bytes) fail("text longer than allowed");
        skip_space();
        value v = parse_value(1);
        skip_space();
        if (pos_ != text_.size()) fail("unexpected text after the object");
        if (v.type != value::kind::object) fail("the top level must be an object");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) const { throw decode_error("JSON: " + what + " at offset " + std::to_string(pos_)); }

    void skip_space()
    {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) ++pos_;
    }

    char peek() const
    {
        if (pos_ >= text_.size()) fail("unexpected end of text");
        return text_[pos_];
    }

    void expect(char c)
    {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++pos_;
    }

    value parse_value(std::size_t depth)
    {
        const char c = peek();
        if (c == '"') return value{value::kind::string, parse_string(), {}, {}};
        if (c >= '0' && c <= '9') return parse_number();
        if (c == '{' || c == '[') {
            if (depth > limits_.max_depth) fail("nested too deeply");
            return c == '{' ? parse_object(depth) : parse_array(depth);
        }
        fail("unsupported value (only objects, arrays, strings and non-negative integers are allowed)");
    }

    std::string parse_string()
    {
        expect('"');
        const std::size_t start = pos_;
        while (peek() != '"') {
            const char c = text_[pos_];
            if (c == '\\') fail("escape sequences are not allowed");
            if (c < 0x20 || c > 0x7e) fail("only printable ASCII is allowed in strings");
            if (pos_ - start >= limits_.max_string) fail("string longer than allowed");
            ++pos_;
        }
        std::string out(text_.substr(start, pos_ - start));
        ++pos_;
        return out;
    }

    value parse_number()
    {
        const std::size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
        const std::string_view digits = text_.substr(start, pos_ - start);
        if (digits.size() > 10) fail("number too large");
        if (digits.size() > 1 && digits[0] == '0') fail("leading zero in a number");
        if (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) fail("only integers are allowed");
        return value{value::kind::number, std::string(digits), {}, {}};
    }

    value parse_object(std::size_t depth)
    {
        expect('{');
        value out{value::kind::object, {}, {}, {}};
        parse_sequence('}', [&] {
            std::string key = parse_string();
            for (const auto& m : out.members)
                if (m.first == key) fail("duplicate key \"" + key + "\"");
            skip_space();
            expect(':');
            skip_space();
            if (out.members.size() >= limits_.max_items) fail("too many members");
            out.members.push_back({std::move(key), parse_value(depth + 1)});
        });
        return out;
    }

    value parse_array(std::size_t depth)
    {
        expect('[');
        value out{value::kind::array, {}, {}, {}};
        parse_sequence(']', [&] {
            if (out.items.size() >= limits_.max_items) fail("too many items");
            out.items.push_back(parse_value(depth + 1));
        });
        return out;
    }

    /// Elements separated by commas up to `close` (the opening bracket already read).
    template <class Element>
    void parse_sequence(char close, Element&& element)
    {
        skip_space();
        if (peek() == close) {
            ++pos_;
            return;
        }
        for (;;) {
            skip_space();
            element();
            skip_space();
            if (peek() != ',') break;
            ++pos_;
        }
        expect(close);
    }

    std::string_view text_;
    limits limits_;
    std::size_t pos_ = 0;
};

/// Reads the members of one object: every member must be known and read exactly as expected.
class object_reader {
public:
    /// @param allowed every key the object may have.
    object_reader(const value& v, std::string where, std::initializer_list<std::string_view> allowed) : value_(v), where_(std::move(where))
    {
        if (v.type != value::kind::object) fail("", "must be an object");
        for (const auto& [key, member] : v.members)
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) fail(key, "unknown member");
    }

    const value* find(std::string_view key) const
    {
        for (const auto& [k, member] : value_.members)
            if (k == key) return &member;
        return nullptr;
    }

    const value& at(std::string_view key) const
    {
        const value* v = find(key);
        if (!v) fail(key, "missing");
        return *v;
    }

    std::uint32_t number(std::string_view key) const
    {
        const value& v = at(key);
        if (v.type != value::kind::number) fail(key, "must be a number");
        const unsigned long long x = std::stoull(v.text);
        if (x > 0xffffffffull) fail(key, "number too large");
        return static_cast<std::uint32_t>(x);
    }

    const std::string& string(std::string_view key) const
    {
        const value& v = at(key);
        if (v.type != value::kind::string) fail(key, "must be a string");
        return v.text;
    }

    /// A big integer written as a canonical decimal string of at most `max_bits` bits.
    template <big_integer N>
    N integer(std::string_view key, std::size_t max_bits) const
    {
        return parse_integer<N>(string(key), key, max_bits);
    }

    template <big_integer N>
    N parse_integer(std::string_view text, std::string_view key, std::size_t max_bits) const
    {
        const std::string_view digits = !text.empty() && text[0] == '-' ? text.substr(1) : text;
        if (digits.size() > max_bits * 30103 / 100000 + 2) fail(key, "integer larger than allowed");
        if (digits.empty() || (digits.size() > 1 && digits[0] == '0') || (digits != text && digits == "0"))
            fail(key, "not a canonical decimal integer");
        N v;
        try {
            v = from_decimal<N>(text);
        } catch (const std::invalid_argument&) {
            fail(key, "not a decimal integer");
        }
        if (bit_length(v) > max_bits) fail(key, "integer larger than allowed");
        return v;
    }

    /// The header members every object has: "type" (must be `type`) and "version".
    void expect_header(const char* type) const
    {
        if (string("type") != type) fail("type", std::string("must be \"") + type + "\"");
        const std::uint32_t version = number("version");
        if (version != serialization_version)
            throw format_error(errc::unsupported_version, std::string(type) + ": JSON format version " + std::to_string(version) +
                                                              " is not supported (this build reads " +
                                                              std::to_string(serialization_version) + ")");
    }

    [[noreturn]] void fail(std::string_view key, const std::string& what) const
    {
        throw decode_error("JSON: " + where_ + (key.empty() ? "" : " member \"" + std::string(key) + "\"") + ": " + what);
    }

private:
    const value& value_;
    std::string where_;
};

inline value parse(std::string_view text, std::size_t max_bytes)
{
    limits lim;
    lim.max_bytes = max_bytes;
    return parser(text, lim).parse();
}

/// Reads the array member `key` of exactly `count` decimal strings of at most `max_bits` bits each.
template <big_integer N>
std::vector<N> integer_list(const object_reader& o, std::string_view key, std::size_t count, std::size_t max_bits)
{
    const value& list = o.at(key);
    if (list.type != value::kind::array) o.fail(key, "must be an array");
    if (list.items.size() != count) o.fail(key, "must hold one key per party");
    std::vector<N> out;
    for (const auto& item : list.items) {
        if (item.type != value::kind::string) o.fail(key, "must hold strings");
        out.push_back(o.parse_integer<N>(item.text, key, max_bits));
    }
    return out;
}

} // namespace dkg::detail::json
