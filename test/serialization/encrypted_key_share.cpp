#include <dkg/serialization/encrypted_key_share.hpp>

#include "backends.hpp"
#include "serialization_support.hpp"
#include "threshold_support.hpp"

#include <boost/test/unit_test.hpp>

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

using namespace test_support;
using namespace serialization_test;

namespace {

// The cheapest Argon2id libsodium allows: these tests are about the format, not the cost.
const dkg::passphrase_kdf_params cheap{1, 8};

// Where the fields of the clear header start (docs/formats.md).
constexpr std::size_t kdf_id_at = 6, iterations_at = 7, memory_at = 11, salt_at = 15, aead_id_at = 31, nonce_at = 32, party_at = 56,
                      parties_at = 60, threshold_at = 64, fingerprint_at = 68, length_at = 100, ciphertext_at = 104;

void put_u32(std::vector<std::uint8_t>& data, std::size_t at, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i) data[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

} // namespace

BOOST_AUTO_TEST_SUITE(encrypted_key_share)

BOOST_AUTO_TEST_CASE(passphrase_is_validated_and_taken)
{
    BOOST_CHECK_THROW(dkg::passphrase(""), std::invalid_argument);
    BOOST_CHECK_THROW(dkg::passphrase(std::string(dkg::passphrase::max_length + 1, 'x')), std::invalid_argument);
    std::string text = "correct horse";
    dkg::passphrase p(std::move(text));
    BOOST_TEST(p.view() == "correct horse");
    BOOST_TEST(text.empty()); // the constructor wipes and clears its source
    dkg::passphrase moved(std::move(p));
    BOOST_TEST(moved.view() == "correct horse");
    BOOST_TEST(p.view().empty());
    p = std::move(moved);
    BOOST_TEST(p.view() == "correct horse");
}

BOOST_AUTO_TEST_CASE(passphrase_from_file_and_environment)
{
    temp_dir dir;
    const auto file = dir.path / "pass";
    write_file(file, {'s', 'e', 'c', 'r', 'e', 't', '\r', '\n', 'x', '\n'});
    BOOST_TEST(dkg::passphrase::from_file(file).view() == "secret");
    write_file(file, {'\n', 'x'});
    std::string message;
    try {
        (void)dkg::passphrase::from_file(file);
    } catch (const std::invalid_argument& e) {
        message = e.what();
    }
    BOOST_TEST(message.find("first line is empty") != std::string::npos, message);
    write_file(file, std::vector<std::uint8_t>(dkg::passphrase::max_length + 1, 'a'));
    BOOST_CHECK_THROW((void)dkg::passphrase::from_file(file), std::invalid_argument);
    write_file(file, std::vector<std::uint8_t>(dkg::passphrase::max_length, 'a'));
    BOOST_TEST(dkg::passphrase::from_file(file).view().size() == dkg::passphrase::max_length);
    BOOST_CHECK_THROW((void)dkg::passphrase::from_file(dir.path / "missing"), std::invalid_argument);

    BOOST_TEST_REQUIRE(::setenv("DKG_TEST_PASSPHRASE", "from the environment", 1) == 0);
    BOOST_TEST(dkg::passphrase::from_environment("DKG_TEST_PASSPHRASE").view() == "from the environment");
    BOOST_TEST_REQUIRE(::setenv("DKG_TEST_PASSPHRASE", "", 1) == 0);
    BOOST_CHECK_THROW((void)dkg::passphrase::from_environment("DKG_TEST_PASSPHRASE"), std::invalid_argument);
    ::unsetenv("DKG_TEST_PASSPHRASE");
    try {
        (void)dkg::passphrase::from_environment("DKG_TEST_PASSPHRASE");
        BOOST_FAIL("an unset variable was accepted");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()) == "passphrase variable DKG_TEST_PASSPHRASE: not set");
    }
}

BOOST_AUTO_TEST_CASE(kdf_parameters_are_validated)
{
    const auto& key = dealt_key<dkg::cpp_int>(test_bits, 3, 1);
    const dkg::passphrase p("pass");
    BOOST_CHECK_THROW((void)dkg::encrypt_key_share(key.shares[0], p, {0, 8}), std::invalid_argument);
    BOOST_CHECK_THROW((void)dkg::encrypt_key_share(key.shares[0], p, {1, 7}), std::invalid_argument);
    BOOST_CHECK_THROW((void)dkg::encrypt_key_share(key.shares[0], p, {dkg::passphrase_kdf_params::max_iterations + 1, 8}),
                      std::invalid_argument);
    BOOST_CHECK_THROW((void)dkg::encrypt_key_share(dkg::key_share<dkg::cpp_int>{}, p, cheap), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(round_trip_through_bytes_and_files, N, shipped_backends)
{
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& other = dealt_key<N>(test_bits, 5, 2);
    const dkg::passphrase p("correct horse battery staple");
    temp_dir dir;
    for (const auto& share : key.shares) {
        const auto data = dkg::encrypt_key_share(share, p, cheap);
        BOOST_TEST(dkg::is_encrypted_key_share(data));
        BOOST_TEST(same_share(dkg::decrypt_key_share<N>(data, p), share));
        BOOST_TEST(same_share(dkg::decrypt_key_share<N>(data, p, share.id(), share.public_key()), share));
        // Fresh salt and nonce: the same share encrypts differently every time.
        BOOST_TEST((dkg::encrypt_key_share(share, p, cheap) != data));
        // The clear header, readable without the passphrase.
        const auto header = dkg::read_encrypted_key_share_header(data);
        BOOST_TEST(header.party == share.id());
        BOOST_TEST(header.parties == 3u);
        BOOST_TEST(header.threshold == 1u);
        BOOST_TEST((header.key_fingerprint == dkg::public_key_fingerprint(share.public_key())));
        BOOST_TEST((header.kdf == cheap));
        // No 16-byte piece of the binary form appears in the file.
        const auto plain = dkg::to_binary(share);
        for (std::size_t at = 0; at + 16 <= plain.size(); at += 16)
            BOOST_TEST((std::search(data.begin(), data.end(), plain.begin() + at, plain.begin() + at + 16) == data.end()), at);

        const auto path = dir.path / ("party" + std::to_string(share.id()) + ".share");
        dkg::save_key_share(path, share, p, cheap);
        struct stat st {};
        BOOST_TEST_REQUIRE(::stat(path.c_str(), &st) == 0);
        BOOST_TEST((st.st_mode & 0777) == 0600u);
        BOOST_TEST(same_share(dkg::load_key_share<N>(path, p, share.id(), share.public_key()), share));
        // Without the passphrase: a clear error, not a checksum failure.
        std::string message;
        BOOST_TEST((format_error_of([&] { (void)dkg::load_key_share<N>(path); }, &message) == corrupt));
        BOOST_TEST(message == "dkg.key_share: encrypted with a passphrase; read it with the passphrase", message);
        // Another party or key: named from the header, before any key derivation.
        BOOST_TEST((format_error_of([&] { (void)dkg::load_key_share<N>(path, p, share.id() % 3 + 1); }, &message) == corrupt));
        BOOST_TEST(message == "dkg.key_share: belongs to party " + std::to_string(share.id()) + ", expected party " +
                                  std::to_string(share.id() % 3 + 1),
                   message);
        BOOST_TEST((format_error_of([&] { (void)dkg::load_key_share<N>(path, p, std::nullopt, other.shares[0].public_key()); }, &message) ==
                    corrupt));
        BOOST_TEST(message == "dkg.key_share: belongs to another public key", message);
    }
    // Unencrypted files stay readable through the passphrase overload.
    const auto plain_path = dir.path / "plain.share";
    dkg::save_key_share(plain_path, key.shares[0], dkg::file_format::json);
    BOOST_TEST(same_share(dkg::load_key_share<N>(plain_path, p, 1u), key.shares[0]));
    // The default cost is libsodium's moderate one.
    BOOST_TEST((dkg::passphrase_kdf_params{} == dkg::passphrase_kdf_params{3, 256 * 1024}));
}

BOOST_AUTO_TEST_CASE(wrong_passphrase_is_refused)
{
    using N = dkg::cpp_int;
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto data = dkg::encrypt_key_share(key.shares[1], dkg::passphrase("right"), cheap);
    for (const char* wrong : {"wrong", "righ", "right ", "Right"}) {
        std::string message;
        BOOST_TEST((format_error_of([&] { (void)dkg::decrypt_key_share<N>(data, dkg::passphrase(wrong)); }, &message) == malformed));
        BOOST_TEST(message == "dkg.encrypted_key_share: wrong passphrase, or the file was altered (authentication failed)", message);
    }
}

// Every truncation, every extension and every flipped bit of every byte is refused; a flip in the
// clear header's checked fields is named as such, every other one fails authentication. A file
// whose header claims another party (to pass for that party's file) fails authentication.
BOOST_AUTO_TEST_CASE(every_tampering_is_refused)
{
    using N = dkg::cpp_int;
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const dkg::passphrase p("pass");
    const auto good = dkg::encrypt_key_share(key.shares[0], p, cheap);
    BOOST_TEST_REQUIRE(good.size() > ciphertext_at + 16);
    BOOST_TEST_REQUIRE((dkg::read_encrypted_key_share_header(good).party == 1u));
    const auto decrypt = [&](const std::vector<std::uint8_t>& bytes, std::string* message = nullptr) {
        return format_error_of([&] { (void)dkg::decrypt_key_share<N>(bytes, p); }, message);
    };
    BOOST_TEST(!decrypt(good));
    std::size_t authentication_failures = 0;
    for (std::size_t at = 0; at < good.size(); ++at) {
        for (std::uint8_t bit : {0x01, 0x80}) {
            auto bad = good;
            bad[at] ^= bit;
            std::string message;
            const auto code = decrypt(bad, &message);
            BOOST_TEST((code == malformed || (at == 4 && code == unsupported)), "byte " << at << ": " << message);
            if (message.find("authentication failed") != std::string::npos) ++authentication_failures;
            // Every byte outside the fields checked on reading is covered by the tag.
            const bool checked_field = at < kdf_id_at + 1 || (at >= iterations_at && at < salt_at) || at == aead_id_at ||
                                       (at >= party_at && at < fingerprint_at) || (at >= length_at && at < ciphertext_at);
            if (!checked_field) BOOST_TEST(message.find("authentication failed") != std::string::npos, "byte " << at << ": " << message);
        }
    }
    BOOST_TEST(authentication_failures > 2 * (good.size() - ciphertext_at));
    for (std::size_t len = 0; len < good.size(); ++len) {
        const std::vector<std::uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(len));
        BOOST_TEST((decrypt(cut) == malformed), "truncated to " << len);
    }
    auto longer = good;
    longer.push_back(0);
    BOOST_TEST((decrypt(longer) == malformed));

    // Posing as party 2's file: the header is authenticated.
    auto relabelled = good;
    put_u32(relabelled, party_at, 2);
    std::string message;
    BOOST_TEST((format_error_of([&] { (void)dkg::decrypt_key_share<N>(relabelled, p, 2u); }, &message) == malformed));
    BOOST_TEST(message.find("authentication failed") != std::string::npos, message);
    // A KDF cost beyond the limits is refused before any memory is asked for.
    auto costly = good;
    put_u32(costly, memory_at, dkg::passphrase_kdf_params::max_memory_kib + 1);
    BOOST_TEST((decrypt(costly, &message) == malformed));
    BOOST_TEST(message == "dkg.encrypted_key_share: malformed message: key derivation memory_kib: must be in 8..4194304", message);
    auto slow = good;
    put_u32(slow, iterations_at, dkg::passphrase_kdf_params::max_iterations + 1);
    BOOST_TEST((decrypt(slow) == malformed));
    auto unknown = good;
    unknown[kdf_id_at] = 2;
    BOOST_TEST((decrypt(unknown, &message) == malformed));
    BOOST_TEST(message == "dkg.encrypted_key_share: malformed message: unknown key derivation function", message);
    unknown = good;
    unknown[aead_id_at] = 2;
    BOOST_TEST((decrypt(unknown, &message) == malformed));
    BOOST_TEST(message == "dkg.encrypted_key_share: malformed message: unknown encryption algorithm", message);
    // Salt, nonce, party count and fingerprint edits all fail the tag.
    for (std::size_t at : {salt_at, nonce_at, parties_at + 3, threshold_at + 3, fingerprint_at}) {
        auto bad = good;
        bad[at] ^= (at == parties_at + 3) ? 0x04 : 0x01; // 3 -> 7 parties stays in range
        BOOST_TEST((decrypt(bad, &message) == malformed));
        BOOST_TEST(message.find("authentication failed") != std::string::npos, "byte " << at << ": " << message);
    }
    // Through a file: errc::corrupt_file.
    temp_dir dir;
    write_file(dir.path / "bad.share", relabelled);
    BOOST_TEST((format_error_of([&] { (void)dkg::load_key_share<N>(dir.path / "bad.share", p); }) == corrupt));
}

// A genuine encryption, under the right passphrase, of a header that does not match the share it
// encrypts (a forgery by someone who knows the passphrase) is refused.
BOOST_AUTO_TEST_CASE(header_must_match_the_encrypted_share)
{
    using N = dkg::cpp_int;
    const auto& key = dealt_key<N>(test_bits, 5, 2);
    const dkg::passphrase p("pass");
    auto data = dkg::encrypt_key_share(key.shares[0], p, cheap);
    // Re-encrypt the same plaintext under a header naming 4 parties.
    std::array<std::uint8_t, 32> k{};
    const auto header = dkg::read_encrypted_key_share_header(data);
    dkg::detail::derive_share_key(k, p, std::span<const std::uint8_t>(data).subspan(salt_at, 16), header.kdf);
    std::vector<std::uint8_t> plain(data.size() - ciphertext_at - 16);
    unsigned long long plain_length = 0;
    BOOST_TEST_REQUIRE(crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plain_length, nullptr, data.data() + ciphertext_at,
                                                                  data.size() - ciphertext_at, data.data(), ciphertext_at,
                                                                  data.data() + nonce_at, k.data()) == 0);
    put_u32(data, parties_at, 4);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(data.data() + ciphertext_at, &written, plain.data(), plain.size(), data.data(), ciphertext_at,
                                               nullptr, data.data() + nonce_at, k.data());
    std::string message;
    BOOST_TEST((format_error_of([&] { (void)dkg::decrypt_key_share<N>(data, p); }, &message) == malformed));
    BOOST_TEST(message == "dkg.encrypted_key_share: the header does not match the key share it encrypts", message);
}

BOOST_AUTO_TEST_SUITE_END()
