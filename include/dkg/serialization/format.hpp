// The pieces every serialised object shares (docs/formats.md): the format version and the size
// limits applied when reading, dkg::format_error, the binary header (magic, version, object type),
// and the conversion of decoding failures into format errors.
//
// Failures throw dkg::format_error:
//  - errc::malformed_message: the bytes or text are not a valid encoding of the expected object,
//    or its values are out of range or inconsistent;
//  - errc::unsupported_version: a valid header of a format version this build does not read;
//  - errc::corrupt_file: `load_key_share` found a file it cannot accept (truncated, edited, bad
//    checksum, inconsistent, of another party or key, encrypted with another passphrase).
#pragma once

#include <dkg/codec.hpp>
#include <dkg/error.hpp>

#include <boost/system/system_error.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

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
enum class object_type : std::uint8_t {
    public_key = 1,
    ciphertext = 2,
    key_share = 3,
    partial_decryption = 4,
    threshold_key = 5,
    plaintext_knowledge_proof = 6, ///< 6 to 9: dkg/proofs/serialization.hpp
    membership_proof = 7,
    blinding_proof = 8,
    ballot = 9,
    encrypted_key_share = 10, ///< dkg/serialization/encrypted_key_share.hpp
};

inline constexpr std::array<std::uint8_t, 4> binary_magic = {'D', 'K', 'G', 0};

inline const char* type_name(object_type t)
{
    switch (t) {
    case object_type::public_key: return "dkg.public_key";
    case object_type::ciphertext: return "dkg.ciphertext";
    case object_type::key_share: return "dkg.key_share";
    case object_type::partial_decryption: return "dkg.partial_decryption";
    case object_type::threshold_key: return "dkg.threshold_key";
    case object_type::plaintext_knowledge_proof: return "dkg.plaintext_knowledge_proof";
    case object_type::membership_proof: return "dkg.membership_proof";
    case object_type::blinding_proof: return "dkg.blinding_proof";
    case object_type::ballot: return "dkg.ballot";
    case object_type::encrypted_key_share: return "dkg.encrypted_key_share";
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

/// A writer holding the binary header of an object of type `t`: magic, version, type.
inline writer binary_header(object_type t)
{
    writer w;
    w.raw(binary_magic).u8(serialization_version).u8(static_cast<std::uint8_t>(t));
    return w;
}

/// Reads and checks the binary header of an object of type `expected`.
/// @throws decode_error for a bad magic or another type; format_error (errc::unsupported_version)
///         for another version.
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

/// The characters of `text` as bytes.
inline std::span<const std::uint8_t> as_bytes(std::string_view text)
{
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

/// @throws std::invalid_argument naming `what` if `empty`.
inline void require_nonempty(bool empty, const char* what)
{
    if (empty) throw std::invalid_argument(std::string(what) + ": empty");
}

} // namespace detail

} // namespace dkg
