// Versioned serialisation of public keys, ciphertexts, key shares and partial decryptions, in a
// compact binary form and a JSON text form (docs/formats.md), and key-share files.
//
// Everything read is decoded, then validated, with size limits checked before anything is
// allocated. Failures throw dkg::format_error:
//  - errc::malformed_message: the bytes or text are not a valid encoding of the expected object,
//    or its values are out of range or inconsistent;
//  - errc::unsupported_version: a valid header of a format version this build does not read;
//  - errc::corrupt_file: `load_key_share` found a file it cannot accept (truncated, edited, bad
//    checksum, inconsistent, of another party or key).
// Caller mistakes (an empty key or share to write) throw std::invalid_argument; operating-system
// failures (a missing file, a full disk) throw std::system_error.
//
// Key-share encodings contain the secret share: buffers holding them are overwritten before they
// are freed, and files are written atomically with owner-only permissions.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/error.hpp>
#include <dkg/key_share.hpp>
#include <dkg/paillier.hpp>
#include <dkg/threshold.hpp>

#include <boost/system/system_error.hpp>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#define DKG_POSIX_FILES 1
#endif

namespace dkg {

/// The format version written by this build (binary header byte and JSON "version").
inline constexpr std::uint8_t serialization_version = 1;

/// The largest modulus accepted when reading (bits of N).
inline constexpr std::size_t max_serialized_modulus_bits = 16384;

/// The largest number of parties accepted when reading a key share.
inline constexpr std::size_t max_serialized_parties = 1024;

/// The largest key-share file (or text) accepted when reading, in bytes.
inline constexpr std::size_t max_key_share_bytes = std::size_t{16} << 20;

/// The largest JSON text accepted for a public key, ciphertext or partial decryption, in bytes.
inline constexpr std::size_t max_json_bytes = std::size_t{1} << 20;

/// Thrown when serialised data cannot be read (see the codes at the top of this header). The
/// message names the object and the field, never a secret value.
class format_error : public boost::system::system_error {
public:
    format_error(errc code, std::string message) : boost::system::system_error(make_error_code(code)), text_(std::move(message)) {}
    const char* what() const noexcept override { return text_.c_str(); }

private:
    std::string text_;
};

/// The two serialised forms.
enum class file_format {
    binary, ///< magic, version, type, then the fields (docs/formats.md)
    json,   ///< a JSON object with "type" and "version", big integers as decimal strings
};

namespace detail {

/// Object types in the binary header.
enum class object_type : std::uint8_t { public_key = 1, ciphertext = 2, key_share = 3, partial_decryption = 4, threshold_key = 5 };

inline constexpr std::array<std::uint8_t, 4> binary_magic = {'D', 'K', 'G', 0};

inline const char* type_name(object_type t)
{
    switch (t) {
    case object_type::public_key: return "dkg.public_key";
    case object_type::ciphertext: return "dkg.ciphertext";
    case object_type::key_share: return "dkg.key_share";
    case object_type::partial_decryption: return "dkg.partial_decryption";
    case object_type::threshold_key: return "dkg.threshold_key";
    }
    return "unknown";
}

/// Overwrites a buffer that held secret material.
template <class Container>
void wipe(Container& buffer) noexcept
{
    volatile auto* p = buffer.data();
    for (std::size_t i = 0; i < buffer.size(); ++i) p[i] = 0;
    buffer.clear();
}

/// Wipes a buffer when leaving scope.
template <class Container>
struct wipe_on_exit {
    Container& buffer;
    ~wipe_on_exit() { wipe(buffer); }
};

inline writer binary_header(object_type t)
{
    writer w;
    w.raw(binary_magic).u8(serialization_version).u8(static_cast<std::uint8_t>(t));
    return w;
}

inline void read_binary_header(reader& r, object_type expected)
{
    const auto magic = r.raw(binary_magic.size());
    if (!std::equal(magic.begin(), magic.end(), binary_magic.begin())) throw decode_error("not a dkg binary object (bad magic)");
    const std::uint8_t version = r.u8();
    if (version != serialization_version)
        throw format_error(errc::unsupported_version, std::string(type_name(expected)) + ": binary format version " +
                                                          std::to_string(version) + " is not supported (this build reads " +
                                                          std::to_string(serialization_version) + ")");
    const std::uint8_t type = r.u8();
    if (type != static_cast<std::uint8_t>(expected)) throw decode_error(std::string("not a ") + type_name(expected));
}

/// Runs `f`, turning decoding failures into format_error with `code` and the object's name.
template <class F>
auto decoding(const char* what, errc code, F&& f) -> decltype(f())
{
    try {
        return f();
    } catch (const format_error& e) {
        if (e.code() == make_error_code(errc::unsupported_version)) throw;
        throw format_error(code, e.what());
    } catch (const decode_error& e) {
        // A stored file that does not decode is corrupt, not a malformed network message.
        throw format_error(code, std::string(what) + ": " + (code == errc::malformed_message ? e.what() : e.detail()));
    } catch (const std::invalid_argument& e) {
        throw format_error(code, std::string(what) + ": invalid value: " + e.what());
    }
}

// ---- a strict, bounded JSON reader for exactly the objects written here --------------------------

namespace json {

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

/// Appends `"key": ` in the indented layout used for every object.
inline void member(std::string& out, std::string_view key, bool first)
{
    out += first ? "{\n  \"" : ",\n  \"";
    out += key;
    out += "\": ";
}

template <big_integer N>
void integer_member(std::string& out, std::string_view key, const N& v)
{
    member(out, key, false);
    out += '"' + to_decimal(v) + '"';
}

/// Appends `"key": ["…", …]` with one decimal string per element.
template <big_integer N>
void integer_list_member(std::string& out, std::string_view key, const std::vector<N>& values)
{
    member(out, key, false);
    out += '[';
    for (std::size_t i = 0; i < values.size(); ++i) out += (i == 0 ? "\n    \"" : ",\n    \"") + to_decimal(values[i]) + '"';
    out += "\n  ]";
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

inline void header_members(std::string& out, object_type t)
{
    member(out, "type", true);
    out += '"' + std::string(type_name(t)) + '"';
    member(out, "version", false);
    out += std::to_string(serialization_version);
}

} // namespace json

// ---- key shares ---------------------------------------------------------------------------------

inline std::string to_hex_bytes(std::span<const std::uint8_t> data)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (auto b : data) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

/// The binary key share without its checksum: the bytes the checksum covers.
template <big_integer N>
bytes key_share_body(const key_share<N>& share)
{
    writer w = binary_header(object_type::key_share);
    w.u32(share.id())
        .u32(static_cast<std::uint32_t>(share.parties()))
        .u32(static_cast<std::uint32_t>(share.threshold()))
        .integer(share.public_key().n())
        .integer(share.share())
        .integer(share.theta())
        .integer(share.verification_base())
        .integers(share.verification_keys());
    return w.finish();
}

/// The fields of a key share as read, before the key_share constructor checks them.
template <big_integer N>
struct key_share_fields {
    std::uint32_t id = 0, parties = 0, threshold = 0;
    N n, share, theta, verification_base;
    std::vector<N> verification_keys;

    ~key_share_fields() { secure_clear(share); }

    void check_counts() const
    {
        if (parties < 1 || parties > max_serialized_parties) throw decode_error("parties out of range");
        if (threshold >= parties) throw decode_error("threshold out of range");
    }

    std::size_t share_bits() const { return exponent_bits_limit(max_serialized_modulus_bits, parties, bit_length(factorial<N>(parties))); }

    key_share<N> build() const
    {
        if (n <= N(0u) || bit_length(n) > max_serialized_modulus_bits) throw decode_error("modulus out of range");
        return key_share<N>(public_key<N>(n), id, parties, threshold, share, theta, verification_base, verification_keys);
    }
};

template <big_integer N>
key_share_fields<N> read_key_share_binary(std::span<const std::uint8_t> data)
{
    if (data.size() > max_key_share_bytes) throw decode_error("larger than allowed");
    if (data.size() < sha256::digest{}.size()) throw decode_error("truncated");
    const auto body = data.first(data.size() - sha256::digest{}.size());
    reader r(body);
    read_binary_header(r, object_type::key_share);
    const auto stored = data.last(sha256::digest{}.size());
    const auto computed = sha256::hash(body);
    if (!std::equal(stored.begin(), stored.end(), computed.begin())) throw decode_error("checksum mismatch");
    key_share_fields<N> f;
    f.id = r.u32();
    f.parties = r.u32();
    f.threshold = r.u32();
    f.check_counts();
    const std::size_t n2_bits = 2 * max_serialized_modulus_bits;
    f.n = r.integer<N>(max_serialized_modulus_bits);
    f.share = r.integer<N>(f.share_bits());
    f.theta = r.integer<N>(max_serialized_modulus_bits);
    f.verification_base = r.integer<N>(n2_bits);
    f.verification_keys = r.integers_exactly<N>(f.parties, n2_bits);
    r.expect_end();
    return f;
}

template <big_integer N>
key_share_fields<N> read_key_share_json(std::string_view text)
{
    json::value root = json::parse(text, max_key_share_bytes);
    struct wipe_tree {
        json::value& v;
        ~wipe_tree() { v.wipe_all(); }
    } wiper{root};
    const json::object_reader o(root, type_name(object_type::key_share),
                                {"type", "version", "party", "parties", "threshold", "n", "share", "theta", "verification_base",
                                 "verification_keys", "checksum"});
    o.expect_header(type_name(object_type::key_share));
    key_share_fields<N> f;
    f.id = o.number("party");
    f.parties = o.number("parties");
    f.threshold = o.number("threshold");
    f.check_counts();
    const std::size_t n2_bits = 2 * max_serialized_modulus_bits;
    f.n = o.integer<N>("n", max_serialized_modulus_bits);
    f.share = o.integer<N>("share", f.share_bits());
    f.theta = o.integer<N>("theta", max_serialized_modulus_bits);
    f.verification_base = o.integer<N>("verification_base", n2_bits);
    f.verification_keys = json::integer_list<N>(o, "verification_keys", f.parties, n2_bits);
    const std::string& checksum = o.string("checksum");
    // The checksum covers the canonical binary encoding of the fields read.
    writer w = binary_header(object_type::key_share);
    w.u32(f.id).u32(f.parties).u32(f.threshold).integer(f.n).integer(f.share).integer(f.theta).integer(f.verification_base).integers(
        f.verification_keys);
    bytes body = w.finish();
    const wipe_on_exit<bytes> body_wiper{body};
    if (checksum != to_hex_bytes(sha256::hash(body))) throw decode_error("checksum mismatch");
    return f;
}

/// Decodes a key share in either form (detected from the first byte), validates it and checks it
/// against the caller's expectations and against its own verification key.
template <big_integer N>
key_share<N> decode_key_share(std::span<const std::uint8_t> data, errc code, std::optional<party_id> expected_party,
                              const std::optional<public_key<N>>& expected_key)
{
    const char* what = type_name(object_type::key_share);
    key_share<N> share = decoding(what, code, [&] {
        std::size_t first = 0;
        while (first < data.size() && (data[first] == ' ' || data[first] == '\n' || data[first] == '\r' || data[first] == '\t')) ++first;
        const bool is_json = first < data.size() && data[first] == '{';
        const key_share_fields<N> f =
            is_json ? read_key_share_json<N>(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()))
                    : read_key_share_binary<N>(data);
        return f.build();
    });
    if (expected_party && share.id() != *expected_party)
        throw format_error(code, std::string(what) + ": belongs to party " + std::to_string(share.id()) + ", expected party " +
                                     std::to_string(*expected_party));
    if (expected_key && !(share.public_key() == *expected_key))
        throw format_error(code, std::string(what) + ": belongs to another public key");
    // VK_j = v^(Δ·s_j): the share matches the verification key published for this party.
    N exponent = N(share.delta() * share.share());
    const bool consistent = powm(share.verification_base(), exponent, share.public_key().n_squared()) == share.verification_key(share.id());
    secure_clear(exponent);
    if (!consistent) throw format_error(code, std::string(what) + ": the share does not match its verification key");
    return share;
}

inline std::span<const std::uint8_t> as_bytes(std::string_view text)
{
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

inline void require_nonempty(bool empty, const char* what)
{
    if (empty) throw std::invalid_argument(std::string(what) + ": empty");
}

} // namespace detail

// ---- public keys --------------------------------------------------------------------------------

/// Binary form of a public key: header (type 1), then N.
/// @throws std::invalid_argument naming `key` if it is empty.
template <big_integer N>
bytes to_binary(const public_key<N>& key)
{
    detail::require_nonempty(key.empty(), "key");
    return detail::binary_header(detail::object_type::public_key).integer(key.n()).finish();
}

/// JSON form of a public key: {"type": "dkg.public_key", "version": 1, "n": "…", "g": "…"}.
/// @throws std::invalid_argument naming `key` if it is empty.
template <big_integer N>
std::string to_json(const public_key<N>& key)
{
    detail::require_nonempty(key.empty(), "key");
    std::string out;
    detail::json::header_members(out, detail::object_type::public_key);
    detail::json::integer_member(out, "n", key.n());
    detail::json::integer_member(out, "g", key.g());
    return out + "\n}\n";
}

/// Reads the binary form of a public key.
/// @tparam N a type modelling dkg::big_integer.
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
public_key<N> public_key_from_binary(std::span<const std::uint8_t> data)
{
    return detail::decoding("dkg.public_key", errc::malformed_message, [&] {
        reader r(data);
        detail::read_binary_header(r, detail::object_type::public_key);
        N n = r.integer<N>(max_serialized_modulus_bits);
        r.expect_end();
        return public_key<N>(std::move(n));
    });
}

/// Reads the JSON form of a public key; "g" must be n + 1.
/// @tparam N a type modelling dkg::big_integer.
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
public_key<N> public_key_from_json(std::string_view text)
{
    return detail::decoding("dkg.public_key", errc::malformed_message, [&] {
        const auto root = detail::json::parse(text, max_json_bytes);
        const detail::json::object_reader o(root, "dkg.public_key", {"type", "version", "n", "g"});
        o.expect_header("dkg.public_key");
        public_key<N> key(o.integer<N>("n", max_serialized_modulus_bits));
        if (o.integer<N>("g", max_serialized_modulus_bits + 1) != key.g()) o.fail("g", "only g = n + 1 is supported");
        return key;
    });
}

// ---- ciphertexts --------------------------------------------------------------------------------

/// Binary form of a ciphertext: header (type 2), N, then the value c.
template <big_integer N>
bytes to_binary(const ciphertext<N>& c)
{
    return detail::binary_header(detail::object_type::ciphertext).integer(c.key().n()).integer(c.value()).finish();
}

/// JSON form of a ciphertext: {"type": "dkg.ciphertext", "version": 1, "n": "…", "value": "…"}.
template <big_integer N>
std::string to_json(const ciphertext<N>& c)
{
    std::string out;
    detail::json::header_members(out, detail::object_type::ciphertext);
    detail::json::integer_member(out, "n", c.key().n());
    detail::json::integer_member(out, "value", c.value());
    return out + "\n}\n";
}

namespace detail {

template <big_integer N>
ciphertext<N> make_checked_ciphertext(const public_key<N>& key, const N& n, N value)
{
    if (n != key.n()) throw decode_error("encrypted under another public key (n differs)");
    return key.make_ciphertext(std::move(value));
}

} // namespace detail

/// Reads the binary form of a ciphertext of `key`, checking that it names key's N, that
/// 0 < c < N² and gcd(c, N) = 1.
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
ciphertext<N> ciphertext_from_binary(const public_key<N>& key, std::span<const std::uint8_t> data)
{
    detail::require_nonempty(key.empty(), "key");
    return detail::decoding("dkg.ciphertext", errc::malformed_message, [&] {
        reader r(data);
        detail::read_binary_header(r, detail::object_type::ciphertext);
        const N n = r.integer<N>(max_serialized_modulus_bits);
        N value = r.integer<N>(2 * key.bits());
        r.expect_end();
        return detail::make_checked_ciphertext(key, n, std::move(value));
    });
}

/// Reads the JSON form of a ciphertext of `key` (checks as `ciphertext_from_binary`).
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
ciphertext<N> ciphertext_from_json(const public_key<N>& key, std::string_view text)
{
    detail::require_nonempty(key.empty(), "key");
    return detail::decoding("dkg.ciphertext", errc::malformed_message, [&] {
        const auto root = detail::json::parse(text, max_json_bytes);
        const detail::json::object_reader o(root, "dkg.ciphertext", {"type", "version", "n", "value"});
        o.expect_header("dkg.ciphertext");
        const N n = o.integer<N>("n", max_serialized_modulus_bits);
        return detail::make_checked_ciphertext(key, n, o.integer<N>("value", 2 * key.bits()));
    });
}

// ---- partial decryptions ------------------------------------------------------------------------

/// Binary form of a partial decryption: header (type 4), u32 party, c_j, u8 proof flag, then the
/// challenge and the response if the flag is 1.
template <big_integer N>
bytes to_binary(const partial_decryption<N>& p)
{
    writer w = detail::binary_header(detail::object_type::partial_decryption);
    detail::write_partial(w, p);
    return w.finish();
}

/// JSON form of a partial decryption: {"type": "dkg.partial_decryption", "version": 1, "party": j,
/// "value": "…"} plus "proof": {"challenge": "…", "response": "…"} when it has a proof.
template <big_integer N>
std::string to_json(const partial_decryption<N>& p)
{
    std::string out;
    detail::json::header_members(out, detail::object_type::partial_decryption);
    detail::json::member(out, "party", false);
    out += std::to_string(p.party);
    detail::json::integer_member(out, "value", p.value);
    if (p.proof) {
        detail::json::member(out, "proof", false);
        out += "{\"challenge\": \"" + to_decimal(p.proof->challenge) + "\", \"response\": \"" + to_decimal(p.proof->response) + "\"}";
    }
    return out + "\n}\n";
}

/// Reads the binary form of a partial decryption for `key`: party in 1..n, value in Z_{N²}^*,
/// proof sizes within limits. The proof itself is checked by `verify`.
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
partial_decryption<N> partial_decryption_from_binary(const threshold_key<N>& key, std::span<const std::uint8_t> data)
{
    return detail::decoding("dkg.partial_decryption", errc::malformed_message, [&] {
        reader r(data);
        detail::read_binary_header(r, detail::object_type::partial_decryption);
        auto p = detail::read_partial(r, key);
        r.expect_end();
        return p;
    });
}

/// Reads the JSON form of a partial decryption for `key` (checks as the binary form).
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
partial_decryption<N> partial_decryption_from_json(const threshold_key<N>& key, std::string_view text)
{
    return detail::decoding("dkg.partial_decryption", errc::malformed_message, [&] {
        const auto root = detail::json::parse(text, max_json_bytes);
        const detail::json::object_reader o(root, "dkg.partial_decryption", {"type", "version", "party", "value", "proof"});
        o.expect_header("dkg.partial_decryption");
        partial_decryption<N> p;
        p.party = o.number("party");
        p.value = o.integer<N>("value", 2 * key.public_key().bits());
        if (o.find("proof")) {
            const detail::json::object_reader proof(o.at("proof"), "dkg.partial_decryption proof", {"challenge", "response"});
            N e = proof.integer<N>("challenge", decryption_challenge_bits);
            N z = proof.integer<N>("response", key.max_exponent_bits());
            p.proof = decryption_proof<N>{std::move(e), std::move(z)};
        }
        if (!detail::well_formed(key, p)) throw decode_error("party, value or proof out of range");
        return p;
    });
}

// ---- the public part of a threshold key -----------------------------------------------------------

namespace detail {

template <big_integer N>
threshold_key<N> build_threshold_key(const N& n, std::uint32_t parties, std::uint32_t threshold, N theta, N v, std::vector<N> vks)
{
    if (parties < 1 || parties > max_serialized_parties) throw decode_error("parties out of range");
    if (threshold >= parties) throw decode_error("threshold out of range");
    if (n <= N(0u) || bit_length(n) > max_serialized_modulus_bits) throw decode_error("modulus out of range");
    return threshold_key<N>(public_key<N>(n), parties, threshold, std::move(theta), std::move(v), std::move(vks));
}

} // namespace detail

/// Binary form of the public part of a threshold key (what a verifier or combiner that is not a
/// party needs): header (type 5), u32 parties, u32 threshold, N, θ, v, then the n verification keys.
template <big_integer N>
bytes to_binary(const threshold_key<N>& key)
{
    writer w = detail::binary_header(detail::object_type::threshold_key);
    w.u32(static_cast<std::uint32_t>(key.parties()))
        .u32(static_cast<std::uint32_t>(key.threshold()))
        .integer(key.public_key().n())
        .integer(key.theta())
        .integer(key.verification_base())
        .integers(key.verification_keys());
    return w.finish();
}

/// JSON form of the public part of a threshold key: {"type": "dkg.threshold_key", "version": 1,
/// "parties": n, "threshold": t, "n": "…", "theta": "…", "verification_base": "…",
/// "verification_keys": ["…", …]}. Contains no secret.
template <big_integer N>
std::string to_json(const threshold_key<N>& key)
{
    std::string out;
    detail::json::header_members(out, detail::object_type::threshold_key);
    detail::json::member(out, "parties", false);
    out += std::to_string(key.parties());
    detail::json::member(out, "threshold", false);
    out += std::to_string(key.threshold());
    detail::json::integer_member(out, "n", key.public_key().n());
    detail::json::integer_member(out, "theta", key.theta());
    detail::json::integer_member(out, "verification_base", key.verification_base());
    detail::json::integer_list_member(out, "verification_keys", key.verification_keys());
    return out + "\n}\n";
}

/// Reads the binary form of a threshold key's public part and checks it (as threshold_key's
/// constructor: θ invertible, v and every VK_j in Z_{N²}^*, n ≥ 2t+1).
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
threshold_key<N> threshold_key_from_binary(std::span<const std::uint8_t> data)
{
    return detail::decoding(detail::type_name(detail::object_type::threshold_key), errc::malformed_message, [&] {
        if (data.size() > max_key_share_bytes) throw decode_error("larger than allowed");
        reader r(data);
        detail::read_binary_header(r, detail::object_type::threshold_key);
        const std::uint32_t parties = r.u32(), threshold = r.u32();
        if (parties < 1 || parties > max_serialized_parties) throw decode_error("parties out of range");
        const std::size_t n2_bits = 2 * max_serialized_modulus_bits;
        N n = r.integer<N>(max_serialized_modulus_bits);
        N theta = r.integer<N>(max_serialized_modulus_bits);
        N v = r.integer<N>(n2_bits);
        auto vks = r.integers_exactly<N>(parties, n2_bits);
        r.expect_end();
        return detail::build_threshold_key<N>(n, parties, threshold, std::move(theta), std::move(v), std::move(vks));
    });
}

/// Reads the JSON form of a threshold key's public part (checks as `threshold_key_from_binary`).
/// @throws dkg::format_error (errc::malformed_message or errc::unsupported_version).
template <big_integer N>
threshold_key<N> threshold_key_from_json(std::string_view text)
{
    const char* what = detail::type_name(detail::object_type::threshold_key);
    return detail::decoding(what, errc::malformed_message, [&] {
        const detail::json::value root = detail::json::parse(text, max_key_share_bytes);
        const detail::json::object_reader o(root, what,
                                            {"type", "version", "parties", "threshold", "n", "theta", "verification_base", "verification_keys"});
        o.expect_header(what);
        const std::uint32_t parties = o.number("parties"), threshold = o.number("threshold");
        if (parties < 1 || parties > max_serialized_parties) throw decode_error("parties out of range");
        const std::size_t n2_bits = 2 * max_serialized_modulus_bits;
        N n = o.integer<N>("n", max_serialized_modulus_bits);
        N theta = o.integer<N>("theta", max_serialized_modulus_bits);
        N v = o.integer<N>("verification_base", n2_bits);
        std::vector<N> vks = detail::json::integer_list<N>(o, "verification_keys", parties, n2_bits);
        return detail::build_threshold_key<N>(n, parties, threshold, std::move(theta), std::move(v), std::move(vks));
    });
}

// ---- key shares ---------------------------------------------------------------------------------

/// Binary form of a key share: header (type 3), u32 party, u32 parties, u32 threshold, N, s_j, θ,
/// v, the n verification keys, then the SHA-256 of all preceding bytes. Contains the secret share.
/// @throws std::invalid_argument naming `share` if it is empty.
template <big_integer N>
bytes to_binary(const key_share<N>& share)
{
    detail::require_share(share);
    bytes out = detail::key_share_body(share);
    const auto digest = detail::sha256::hash(out);
    out.insert(out.end(), digest.begin(), digest.end());
    return out;
}

/// JSON form of a key share (see docs/formats.md); "checksum" is the hex SHA-256 of the binary form
/// without its checksum. Contains the secret share.
/// @throws std::invalid_argument naming `share` if it is empty.
template <big_integer N>
std::string to_json(const key_share<N>& share)
{
    detail::require_share(share);
    std::string out;
    detail::json::header_members(out, detail::object_type::key_share);
    detail::json::member(out, "party", false);
    out += std::to_string(share.id());
    detail::json::member(out, "parties", false);
    out += std::to_string(share.parties());
    detail::json::member(out, "threshold", false);
    out += std::to_string(share.threshold());
    detail::json::integer_member(out, "n", share.public_key().n());
    detail::json::integer_member(out, "share", share.share());
    detail::json::integer_member(out, "theta", share.theta());
    detail::json::integer_member(out, "verification_base", share.verification_base());
    detail::json::integer_list_member(out, "verification_keys", share.verification_keys());
    bytes body = detail::key_share_body(share);
    const detail::wipe_on_exit<bytes> wiper{body};
    detail::json::member(out, "checksum", false);
    out += '"' + detail::to_hex_bytes(detail::sha256::hash(body)) + '"';
    return out + "\n}\n";
}

/// Reads a key share in either form (binary or JSON, told apart by the first byte), checks it
/// (checksum, field ranges, the key_share constructor's checks, VK_j = v^(Δ·s_j)) and, if given,
/// that it belongs to `expected_party` and `expected_key`.
/// @tparam N a type modelling dkg::big_integer.
/// @throws dkg::format_error with errc::malformed_message (or errc::unsupported_version).
template <big_integer N>
key_share<N> key_share_from_bytes(std::span<const std::uint8_t> data, std::optional<party_id> expected_party = std::nullopt,
                                  const std::optional<public_key<N>>& expected_key = std::nullopt)
{
    return detail::decode_key_share<N>(data, errc::malformed_message, expected_party, expected_key);
}

/// `key_share_from_bytes` for a JSON text.
template <big_integer N>
key_share<N> key_share_from_json(std::string_view text, std::optional<party_id> expected_party = std::nullopt,
                                 const std::optional<public_key<N>>& expected_key = std::nullopt)
{
    return key_share_from_bytes<N>(detail::as_bytes(text), expected_party, expected_key);
}

/// Writes `data` to `path` atomically: a temporary file in the same directory (mode 0600 if
/// `owner_only`, else 0644), written, flushed to disk (fsync), then renamed over `path`, and the
/// directory flushed. A reader sees the old file or the new one, never a partial one.
/// @throws std::system_error if the file cannot be written (the temporary file is removed).
inline void write_file_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> data, bool owner_only)
{
    const auto fail = [](const char* what) { throw std::system_error(errno, std::generic_category(), std::string("write_file_atomically: ") + what); };
#if defined(DKG_POSIX_FILES)
    const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    std::string temp = (directory / (path.filename().string() + ".tmp-XXXXXX")).string();
    const int fd = ::mkstemp(temp.data());
    if (fd < 0) fail("cannot create a temporary file");
    bool ok = ::fchmod(fd, owner_only ? (S_IRUSR | S_IWUSR) : (S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH)) == 0;
    for (std::size_t written = 0; ok && written < data.size();) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) written += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    const int saved = errno;
    ok = (::close(fd) == 0) && ok;
    if (ok) ok = ::rename(temp.c_str(), path.c_str()) == 0;
    if (!ok) {
        const int err = errno ? errno : saved;
        ::unlink(temp.c_str());
        errno = err;
        fail("cannot write the file");
    }
    const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
#else
    const std::filesystem::path temp = path.string() + ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        std::filesystem::permissions(temp, owner_only ? std::filesystem::perms::owner_read | std::filesystem::perms::owner_write
                                                      : std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                                            std::filesystem::perms::group_read | std::filesystem::perms::others_read);
        out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
        out.flush();
        if (!out) fail("cannot write the file");
    }
    std::filesystem::rename(temp, path);
#endif
}

/// Writes `share` to `path` atomically: a temporary file in the same directory, created with
/// owner-only permissions (0600), written, flushed to disk (fsync), then renamed over `path`, and
/// the directory flushed. A reader sees the old file or the new one, never a partial one.
/// @throws std::invalid_argument naming `share` if it is empty.
/// @throws std::system_error if the file cannot be written (the temporary file is removed).
template <big_integer N>
void save_key_share(const std::filesystem::path& path, const key_share<N>& share, file_format format = file_format::binary)
{
    detail::require_share(share);
    bytes data;
    const detail::wipe_on_exit<bytes> wiper{data};
    if (format == file_format::binary) {
        data = to_binary(share);
    } else {
        std::string text = to_json(share);
        data.assign(text.begin(), text.end());
        detail::wipe(text);
    }
    write_file_atomically(path, data, true);
}

/// Reads a key share written by `save_key_share` (either format) and checks it as
/// `key_share_from_bytes` does.
/// @param expected_party if given, the file must belong to this party.
/// @param expected_key if given, the share must be of this public key.
/// @throws dkg::format_error with errc::corrupt_file for a file that is too large, truncated,
///         edited (checksum), inconsistent, or of another party or key; errc::unsupported_version
///         for a file of a newer format.
/// @throws std::system_error (std::filesystem::filesystem_error) if the file cannot be read.
template <big_integer N>
key_share<N> load_key_share(const std::filesystem::path& path, std::optional<party_id> expected_party = std::nullopt,
                            const std::optional<public_key<N>>& expected_key = std::nullopt)
{
    const auto size = std::filesystem::file_size(path);
    if (size > max_key_share_bytes) throw format_error(errc::corrupt_file, "dkg.key_share: file larger than allowed");
    bytes data(static_cast<std::size_t>(size));
    const detail::wipe_on_exit<bytes> wiper{data};
    std::ifstream in(path, std::ios::binary);
    if (!in || !in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size())) || in.peek() != EOF)
        throw std::system_error(std::make_error_code(std::errc::io_error), "load_key_share: cannot read the file");
    return detail::decode_key_share<N>(data, errc::corrupt_file, expected_party, expected_key);
}

} // namespace dkg
