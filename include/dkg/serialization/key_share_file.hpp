// Key shares on disk and on the wire (docs/formats.md): the binary form with its SHA-256 checksum,
// the JSON form, reading either with every check (checksum, ranges, the share against its
// verification key, the expected party and key), and files written atomically with owner-only
// permissions.
//
// Key-share encodings contain the secret share: buffers holding them are overwritten before they
// are freed. Reading failures throw dkg::format_error (see dkg/serialization/format.hpp): with
// errc::malformed_message for bytes and text, errc::corrupt_file for files.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/error.hpp>
#include <dkg/key_share.hpp>
#include <dkg/paillier.hpp>
#include <dkg/serialization/format.hpp>
#include <dkg/serialization/json_reader.hpp>
#include <dkg/serialization/json_writer.hpp>
#include <dkg/threshold.hpp>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#define DKG_POSIX_FILES 1
#endif

namespace dkg {

namespace detail {

/// Lower-case hexadecimal digits of `data` (the JSON form's checksum).
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

/// Whether `data` starts with the binary header of an encrypted key share (any version).
inline bool has_encrypted_share_header(std::span<const std::uint8_t> data)
{
    return data.size() >= 6 && std::equal(binary_magic.begin(), binary_magic.end(), data.begin()) &&
           data[5] == static_cast<std::uint8_t>(object_type::encrypted_key_share);
}

/// Decodes a key share in either form (detected from the first byte), validates it and checks it
/// against the caller's expectations and against its own verification key.
template <big_integer N>
key_share<N> decode_key_share(std::span<const std::uint8_t> data, errc code, std::optional<party_id> expected_party,
                              const std::optional<public_key<N>>& expected_key)
{
    const char* what = type_name(object_type::key_share);
    // An encrypted key share (dkg/serialization/encrypted_key_share.hpp) says so by its header.
    if (has_encrypted_share_header(data))
        throw format_error(code, std::string(what) + ": encrypted with a passphrase; read it with the passphrase");
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
    const bool consistent = powm_secret(share.verification_base(), exponent, share.public_key().n_squared()) == share.verification_key(share.id());
    secure_clear(exponent);
    if (!consistent) throw format_error(code, std::string(what) + ": the share does not match its verification key");
    return share;
}

/// The bytes of a key-share file (plain or encrypted), size checked first. The caller wipes them.
/// @throws dkg::format_error (errc::corrupt_file) if the file is larger than a key share can be.
/// @throws std::system_error (std::filesystem::filesystem_error) if the file cannot be read.
inline bytes read_key_share_file(const std::filesystem::path& path)
{
    const auto size = std::filesystem::file_size(path);
    // An encrypted share adds its clear header (104 bytes) and tag (16) to the binary form.
    if (size > max_key_share_bytes + 120) throw format_error(errc::corrupt_file, "dkg.key_share: file larger than allowed");
    bytes data(static_cast<std::size_t>(size));
    std::ifstream in(path, std::ios::binary);
    if (!in || !in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size())) || in.peek() != EOF) {
        wipe(data);
        throw std::system_error(std::make_error_code(std::errc::io_error), "load_key_share: cannot read the file");
    }
    return data;
}

} // namespace detail

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
    bytes data = detail::read_key_share_file(path);
    const detail::wipe_on_exit<bytes> wiper{data};
    return detail::decode_key_share<N>(data, errc::corrupt_file, expected_party, expected_key);
}

} // namespace dkg
