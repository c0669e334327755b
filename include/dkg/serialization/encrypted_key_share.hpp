// Key-share files encrypted at rest with a passphrase (docs/formats.md, "Encrypted key-share
// files"): Argon2id (RFC 9106) derives a 256-bit key from the passphrase and a random salt, and
// XChaCha20-Poly1305 (the IETF construction with a 192-bit random nonce) encrypts the binary
// key-share form. The associated data is the whole clear header, so the party id, the public-key
// fingerprint and the KDF parameters cannot be changed without the file failing to decrypt. Both
// primitives come from libsodium: link dkg::sodium (which defines DKG_HAS_SODIUM=1).
//
// The passphrase lives in a dkg::passphrase (locked memory, wiped when destroyed); derived keys
// and decrypted bytes are wiped before they are freed; the plaintext share is never written to
// disk. Reading failures throw dkg::format_error (errc::corrupt_file for files,
// errc::malformed_message for bytes); a wrong passphrase and an edited file give the same error,
// since the AEAD cannot tell them apart.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/detail/secret_line.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/error.hpp>
#include <dkg/key_share.hpp>
#include <dkg/paillier.hpp>
#include <dkg/serialization/format.hpp>
#include <dkg/serialization/key_share_file.hpp>

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>


namespace dkg {

/// The cost of deriving the file key from a passphrase with Argon2id (libsodium's crypto_pwhash,
/// Argon2id v1.3, one lane). The defaults are libsodium's "moderate" limits: 3 passes over
/// 256 MiB, about 0.6 s on one core of a 2020s server, which is what makes guessing expensive.
struct passphrase_kdf_params {
    std::uint32_t iterations = 3;          ///< passes over the memory, 1..max_iterations
    std::uint32_t memory_kib = 256 * 1024; ///< memory in KiB, min_memory_kib..max_memory_kib

    static constexpr std::uint32_t max_iterations = 64;             ///< the most a file may ask for
    static constexpr std::uint32_t min_memory_kib = 8;              ///< libsodium's minimum (8 KiB)
    static constexpr std::uint32_t max_memory_kib = 4 * 1024 * 1024; ///< 4 GiB: also the most a file may ask for

    /// @throws std::invalid_argument naming `iterations` or `memory_kib` if out of range.
    void validate() const
    {
        if (iterations < 1 || iterations > max_iterations)
            throw std::invalid_argument("iterations: must be in 1.." + std::to_string(max_iterations));
        if (memory_kib < min_memory_kib || memory_kib > max_memory_kib)
            throw std::invalid_argument("memory_kib: must be in " + std::to_string(min_memory_kib) + ".." + std::to_string(max_memory_kib));
    }

    /// Memberwise equality.
    friend bool operator==(const passphrase_kdf_params&, const passphrase_kdf_params&) = default;
};

namespace detail {

/// libsodium must be initialised once before use; sodium_init is thread-safe and idempotent.
inline void require_sodium()
{
    if (::sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

} // namespace detail

/// A passphrase held in memory that libsodium allocates with guard pages and locks against
/// swapping (sodium_malloc), overwritten when destroyed. Move-only. No text of the library ever
/// contains it.
/// @par Thread Safety
/// Distinct objects: safe. Shared objects: const members only.
class passphrase {
public:
    /// Takes the characters of `text` and overwrites `text` (it is left empty).
    /// @throws std::invalid_argument naming `passphrase` if `text` is empty or longer than
    ///         max_length.
    explicit passphrase(std::string&& text) : passphrase(std::string_view(text)) { wipe_string(text); }

    /// Copies the NUL-terminated `text`. @throws std::invalid_argument as above.
    explicit passphrase(const char* text) : passphrase(std::string_view(text)) {}

    /// Copies `text` (the caller wipes its own copy).
    /// @throws std::invalid_argument naming `passphrase` if `text` is empty or longer than max_length.
    explicit passphrase(std::string_view text)
    {
        if (text.empty()) throw std::invalid_argument("passphrase: empty");
        if (text.size() > max_length) throw std::invalid_argument("passphrase: longer than " + std::to_string(max_length) + " bytes");
        detail::require_sodium();
        data_ = static_cast<char*>(::sodium_malloc(text.size()));
        if (!data_) throw std::bad_alloc();
        std::memcpy(data_, text.data(), text.size());
        size_ = text.size();
    }

    /// Takes `other`'s passphrase; `other` is left empty.
    passphrase(passphrase&& other) noexcept : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
    /// Wipes this passphrase and takes `other`'s; `other` is left empty.
    passphrase& operator=(passphrase&& other) noexcept
    {
        if (this != &other) {
            release();
            data_ = std::exchange(other.data_, nullptr);
            size_ = std::exchange(other.size_, 0);
        }
        return *this;
    }
    passphrase(const passphrase&) = delete;
    passphrase& operator=(const passphrase&) = delete;
    /// Overwrites and frees the passphrase.
    ~passphrase() { release(); }

    /// The longest passphrase accepted, in bytes.
    static constexpr std::size_t max_length = 4096;

    /// The first line of the file at `path` (without its line end): read with read(2) into a
    /// buffer that is wiped, so that no other copy stays in memory.
    /// @throws std::invalid_argument naming the file (never its contents) if it cannot be read,
    ///         or its first line is empty or longer than max_length bytes.
    static passphrase from_file(const std::filesystem::path& path)
    {
        std::optional<passphrase> out;
        detail::read_secret_line<max_length>(path, "passphrase file", [&](std::string_view line) { out.emplace(line); });
        return std::move(*out);
    }

    /// The value of the environment variable `name`. The environment's own copy cannot be wiped:
    /// a program may unset the variable after reading it.
    /// @throws std::invalid_argument naming the variable (never its value) if it is unset, empty
    ///         or too long.
    static passphrase from_environment(const std::string& name)
    {
        const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
        if (!value) throw std::invalid_argument("passphrase variable " + name + ": not set");
        const std::string_view text(value);
        if (text.empty()) throw std::invalid_argument("passphrase variable " + name + ": empty");
        if (text.size() > max_length) throw std::invalid_argument("passphrase variable " + name + ": longer than " + std::to_string(max_length) + " bytes");
        return passphrase(text);
    }

    /// The characters (valid while this object lives and is not moved from).
    std::string_view view() const noexcept { return {data_, size_}; }

private:
    static void wipe_string(std::string& s) noexcept
    {
        if (!s.empty()) ::sodium_memzero(s.data(), s.size());
        s.clear();
    }
    void release() noexcept
    {
        if (data_) ::sodium_free(data_); // overwrites the memory before freeing it
        data_ = nullptr;
        size_ = 0;
    }

    char* data_ = nullptr;
    std::size_t size_ = 0;
};

/// What the clear header of an encrypted key share says, readable without the passphrase. The
/// AEAD authenticates all of it, so it is only trusted once the file decrypts.
struct encrypted_key_share_header {
    std::uint32_t party = 0;     ///< the share's party id j, 1..parties
    std::uint32_t parties = 0;   ///< n
    std::uint32_t threshold = 0; ///< t
    std::array<std::uint8_t, 32> key_fingerprint{}; ///< public_key_fingerprint of the share's key
    passphrase_kdf_params kdf;                      ///< the Argon2id cost the file asks for
};

/// The SHA-256 of the binary form of `key` (docs/formats.md): what an encrypted key share names
/// its public key by.
/// @throws std::invalid_argument naming `key` if it is empty.
template <big_integer N>
std::array<std::uint8_t, 32> public_key_fingerprint(const public_key<N>& key)
{
    detail::require_nonempty(key.empty(), "key");
    const bytes binary = detail::binary_header(detail::object_type::public_key).integer(key.n()).finish();
    return detail::sha256::hash(binary);
}

namespace detail {

inline constexpr std::uint8_t kdf_argon2id13 = 1;           // crypto_pwhash_ALG_ARGON2ID13
inline constexpr std::uint8_t aead_xchacha20poly1305 = 1;   // crypto_aead_xchacha20poly1305_ietf
inline constexpr std::size_t encrypted_share_salt_bytes = crypto_pwhash_SALTBYTES;                         // 16
inline constexpr std::size_t encrypted_share_nonce_bytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;   // 24
inline constexpr std::size_t encrypted_share_tag_bytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;        // 16
inline constexpr std::size_t encrypted_share_key_bytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;      // 32
/// Bytes of the clear header, the associated data: 6 + 1 + 4 + 4 + 16 + 1 + 24 + 4 + 4 + 4 + 32 + 4.
inline constexpr std::size_t encrypted_share_header_bytes = 104;

/// The clear header and its fields, read and range-checked (sizes before anything else).
struct parsed_encrypted_share {
    encrypted_key_share_header header;
    std::span<const std::uint8_t> salt, nonce, associated_data, ciphertext;
};

inline parsed_encrypted_share parse_encrypted_share(std::span<const std::uint8_t> data)
{
    if (data.size() > max_key_share_bytes + encrypted_share_header_bytes + encrypted_share_tag_bytes) throw decode_error("larger than allowed");
    reader r(data);
    read_binary_header(r, object_type::encrypted_key_share);
    parsed_encrypted_share p;
    if (r.u8() != kdf_argon2id13) throw decode_error("unknown key derivation function");
    p.header.kdf.iterations = r.u32();
    p.header.kdf.memory_kib = r.u32();
    try {
        p.header.kdf.validate();
    } catch (const std::invalid_argument& e) {
        throw decode_error(std::string("key derivation ") + e.what());
    }
    p.salt = r.raw(encrypted_share_salt_bytes);
    if (r.u8() != aead_xchacha20poly1305) throw decode_error("unknown encryption algorithm");
    p.nonce = r.raw(encrypted_share_nonce_bytes);
    p.header.party = r.u32();
    p.header.parties = r.u32();
    p.header.threshold = r.u32();
    if (p.header.parties < 1 || p.header.parties > max_serialized_parties) throw decode_error("parties out of range");
    if (p.header.party < 1 || p.header.party > p.header.parties) throw decode_error("party out of range");
    if (p.header.threshold >= p.header.parties) throw decode_error("threshold out of range");
    const auto fingerprint = r.raw(p.header.key_fingerprint.size());
    std::copy(fingerprint.begin(), fingerprint.end(), p.header.key_fingerprint.begin());
    const std::uint32_t length = r.u32();
    if (length < encrypted_share_tag_bytes || length > max_key_share_bytes + encrypted_share_tag_bytes)
        throw decode_error("ciphertext length out of range");
    p.associated_data = data.first(encrypted_share_header_bytes);
    p.ciphertext = r.raw(length);
    r.expect_end();
    return p;
}

/// Argon2id(passphrase, salt) into `key`. @throws std::bad_alloc if the memory is not available.
inline void derive_share_key(std::array<std::uint8_t, encrypted_share_key_bytes>& key, const passphrase& secret,
                             std::span<const std::uint8_t> salt, const passphrase_kdf_params& kdf)
{
    require_sodium();
    const std::string_view p = secret.view();
    if (::crypto_pwhash(key.data(), key.size(), p.data(), p.size(), salt.data(), kdf.iterations, std::size_t{kdf.memory_kib} * 1024,
                        crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::bad_alloc(); // libsodium's only failure for valid parameters: out of memory
}

/// Wipes a derived key when leaving scope.
struct wipe_key_on_exit {
    std::array<std::uint8_t, encrypted_share_key_bytes>& key;
    ~wipe_key_on_exit() { ::sodium_memzero(key.data(), key.size()); }
};

/// Decrypts and checks an encrypted key share: the header (and the caller's expected party and
/// key, before the costly key derivation), the AEAD, then the inner key share with every check
/// of `decode_key_share`, which must agree with the header.
template <big_integer N>
key_share<N> decode_encrypted_key_share(std::span<const std::uint8_t> data, const passphrase& secret, errc code,
                                        std::optional<party_id> expected_party, const std::optional<public_key<N>>& expected_key)
{
    const char* what = type_name(object_type::encrypted_key_share);
    const parsed_encrypted_share p = decoding(what, code, [&] { return parse_encrypted_share(data); });
    const char* share_name = type_name(object_type::key_share);
    if (expected_party && p.header.party != *expected_party)
        throw format_error(code, std::string(share_name) + ": belongs to party " + std::to_string(p.header.party) + ", expected party " +
                                     std::to_string(*expected_party));
    if (expected_key && public_key_fingerprint(*expected_key) != p.header.key_fingerprint)
        throw format_error(code, std::string(share_name) + ": belongs to another public key");
    std::array<std::uint8_t, encrypted_share_key_bytes> key{};
    const wipe_key_on_exit key_wiper{key};
    derive_share_key(key, secret, p.salt, p.header.kdf);
    bytes plain(p.ciphertext.size() - encrypted_share_tag_bytes);
    const wipe_on_exit<bytes> plain_wiper{plain};
    unsigned long long plain_length = 0;
    if (::crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plain_length, nullptr, p.ciphertext.data(), p.ciphertext.size(),
                                                     p.associated_data.data(), p.associated_data.size(), p.nonce.data(), key.data()) != 0)
        throw format_error(code, std::string(what) + ": wrong passphrase, or the file was altered (authentication failed)");
    // The writer put the share's own party and key into the header: a mismatch is a writer's bug
    // or a forgery with the right passphrase, refused either way.
    const std::optional<public_key<N>> no_key;
    key_share<N> share = decode_key_share<N>(std::span<const std::uint8_t>(plain.data(), plain_length), code, p.header.party, no_key);
    if (public_key_fingerprint(share.public_key()) != p.header.key_fingerprint || share.parties() != p.header.parties ||
        share.threshold() != p.header.threshold)
        throw format_error(code, std::string(what) + ": the header does not match the key share it encrypts");
    return share;
}

} // namespace detail

/// Whether `data` is an encrypted key share (by its binary header).
inline bool is_encrypted_key_share(std::span<const std::uint8_t> data) noexcept
{
    return detail::has_encrypted_share_header(data);
}

/// The clear header of an encrypted key share (party, parties, threshold, key fingerprint, KDF
/// cost), checked for form and ranges but not authenticated (that needs the passphrase).
/// @throws dkg::format_error (errc::malformed_message) if `data` is not an encrypted key share.
inline encrypted_key_share_header read_encrypted_key_share_header(std::span<const std::uint8_t> data)
{
    return detail::decoding(detail::type_name(detail::object_type::encrypted_key_share), errc::malformed_message,
                            [&] { return detail::parse_encrypted_share(data).header; });
}

/// Encrypts the binary form of `share` under a key derived from `secret` (docs/formats.md): a
/// fresh random salt and nonce each time. The result contains no secret in the clear.
/// @tparam N a type modelling dkg::big_integer.
/// @throws std::invalid_argument naming `share` if it is empty, or the `kdf` field out of range.
/// @throws std::bad_alloc if the key derivation's memory is not available.
template <big_integer N>
bytes encrypt_key_share(const key_share<N>& share, const passphrase& secret, const passphrase_kdf_params& kdf = {})
{
    detail::require_share(share);
    kdf.validate();
    detail::require_sodium();
    std::array<std::uint8_t, detail::encrypted_share_salt_bytes> salt;
    std::array<std::uint8_t, detail::encrypted_share_nonce_bytes> nonce;
    ::randombytes_buf(salt.data(), salt.size());
    ::randombytes_buf(nonce.data(), nonce.size());
    bytes plain = to_binary(share);
    const detail::wipe_on_exit<bytes> plain_wiper{plain};
    writer w = detail::binary_header(detail::object_type::encrypted_key_share);
    w.u8(detail::kdf_argon2id13).u32(kdf.iterations).u32(kdf.memory_kib).raw(salt);
    w.u8(detail::aead_xchacha20poly1305).raw(nonce);
    w.u32(share.id()).u32(static_cast<std::uint32_t>(share.parties())).u32(static_cast<std::uint32_t>(share.threshold()));
    w.raw(public_key_fingerprint(share.public_key()));
    w.u32(static_cast<std::uint32_t>(plain.size() + detail::encrypted_share_tag_bytes));
    bytes out = w.finish();
    const std::size_t header_size = out.size(); // == encrypted_share_header_bytes
    out.resize(header_size + plain.size() + detail::encrypted_share_tag_bytes);
    std::array<std::uint8_t, detail::encrypted_share_key_bytes> key{};
    const detail::wipe_key_on_exit key_wiper{key};
    detail::derive_share_key(key, secret, salt, kdf);
    unsigned long long written = 0;
    ::crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + header_size, &written, plain.data(), plain.size(), out.data(), header_size,
                                                 nullptr, nonce.data(), key.data());
    return out;
}

/// Decrypts and checks an encrypted key share (`encrypt_key_share`): the header's form and ranges,
/// `expected_party` and `expected_key` if given (before deriving the key), the authentication tag
/// (a wrong passphrase or any edited byte fails it), then every check of `key_share_from_bytes`.
/// @throws dkg::format_error with errc::malformed_message (errc::unsupported_version for another
///         format version).
template <big_integer N>
key_share<N> decrypt_key_share(std::span<const std::uint8_t> data, const passphrase& secret, std::optional<party_id> expected_party = std::nullopt,
                               const std::optional<public_key<N>>& expected_key = std::nullopt)
{
    return detail::decode_encrypted_key_share<N>(data, secret, errc::malformed_message, expected_party, expected_key);
}

/// `save_key_share` of an encrypted key share: `encrypt_key_share(share, secret, kdf)` written
/// atomically with owner-only permissions. The plaintext share never reaches the disk.
/// @throws std::invalid_argument naming `share` or a `kdf` field.
/// @throws std::system_error if the file cannot be written.
template <big_integer N>
void save_key_share(const std::filesystem::path& path, const key_share<N>& share, const passphrase& secret, const passphrase_kdf_params& kdf = {})
{
    write_file_atomically(path, encrypt_key_share(share, secret, kdf), true);
}

/// Reads a key-share file, encrypted (decrypted with `secret`) or not (read as `load_key_share`
/// does; the passphrase is then unused), and checks it.
/// @param expected_party if given, the file must belong to this party.
/// @param expected_key if given, the share must be of this public key.
/// @throws dkg::format_error with errc::corrupt_file for a wrong passphrase, an edited, truncated
///         or inconsistent file, or one of another party or key; errc::unsupported_version for a
///         newer format.
/// @throws std::system_error if the file cannot be read.
template <big_integer N>
key_share<N> load_key_share(const std::filesystem::path& path, const passphrase& secret, std::optional<party_id> expected_party = std::nullopt,
                            const std::optional<public_key<N>>& expected_key = std::nullopt)
{
    bytes data = detail::read_key_share_file(path);
    const detail::wipe_on_exit<bytes> wiper{data};
    if (!is_encrypted_key_share(data)) return detail::decode_key_share<N>(data, errc::corrupt_file, expected_party, expected_key);
    return detail::decode_encrypted_key_share<N>(data, secret, errc::corrupt_file, expected_party, expected_key);
}

} // namespace dkg
