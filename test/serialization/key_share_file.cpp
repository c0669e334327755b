#include <dkg/serialization/key_share_file.hpp>

#include "backends.hpp"
#include "serialization_support.hpp"
#include "threshold_support.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

using namespace test_support;
using namespace serialization_test;

BOOST_AUTO_TEST_SUITE(key_share_file)

BOOST_AUTO_TEST_CASE_TEMPLATE(key_share_files, N, shipped_backends)
{
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& other = dealt_key<N>(test_bits, 5, 2);
    temp_dir dir;
    for (auto format : {dkg::file_format::binary, dkg::file_format::json}) {
        for (const auto& share : key.shares) {
            const auto path = dir.path / ("party" + std::to_string(share.id()) + ".key");
            dkg::save_key_share(path, share, format);
            struct stat st {};
            BOOST_TEST_REQUIRE(::stat(path.c_str(), &st) == 0);
            BOOST_TEST((st.st_mode & 0777) == 0600u);
            BOOST_TEST(same_share(dkg::load_key_share<N>(path), share));
            BOOST_TEST(same_share(dkg::load_key_share<N>(path, share.id(), share.public_key()), share));
            std::string message;
            BOOST_TEST((format_error_of([&] { (void)dkg::load_key_share<N>(path, share.id() % 3 + 1); }, &message) == corrupt));
            BOOST_TEST(message.find("expected party") != std::string::npos, message);
            BOOST_TEST((format_error_of([&] { (void)dkg::load_key_share<N>(path, std::nullopt, other.shares[0].public_key()); }) == corrupt));
        }
        // Overwriting is atomic and leaves no temporary file behind.
        const auto path = dir.path / "party1.key";
        dkg::save_key_share(path, key.shares[1], format);
        BOOST_TEST(dkg::load_key_share<N>(path).id() == 2u);
        BOOST_TEST(dir.entries() == 3u);
    }
    BOOST_CHECK_THROW(dkg::load_key_share<N>(dir.path / "missing.key"), std::system_error);
    BOOST_CHECK_THROW(dkg::save_key_share(dir.path / "no-such-dir" / "x.key", key.shares[0]), std::system_error);
    BOOST_TEST(dir.entries() == 3u);
}

// Every truncation and every flipped byte of a saved file is rejected with errc::corrupt_file
// (or errc::unsupported_version where the flip hits the version byte). Every damaged variant goes
// through the checks load_key_share applies to the bytes it read; every 16th also through a file.
BOOST_AUTO_TEST_CASE_TEMPLATE(corrupted_files_are_rejected, N, shipped_backends)
{
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    temp_dir dir;
    const auto path = dir.path / "share.key";
    const auto damaged = dir.path / "damaged.key";
    std::size_t checked = 0, through_files = 0;
    const auto load = [&](const std::vector<std::uint8_t>& bytes) {
        const auto code = format_error_of([&] {
            (void)dkg::detail::decode_key_share<N>(bytes, dkg::errc::corrupt_file, std::nullopt, std::nullopt);
        });
        if (++checked % 16 == 0) {
            write_file(damaged, bytes);
            BOOST_TEST((format_error_of([&] { (void)dkg::load_key_share<N>(damaged); }) == code));
            ++through_files;
        }
        return code;
    };
    for (auto format : {dkg::file_format::binary, dkg::file_format::json}) {
        dkg::save_key_share(path, key.shares[2], format);
        const auto good = read_file(path);
        BOOST_TEST_REQUIRE(good.size() > 100u);
        BOOST_TEST(!load(good));
        const std::size_t version_at = std::string(good.begin(), good.end()).find("\"version\": ") + 11;
        for (std::size_t len = 0; len < good.size(); ++len) {
            const auto code = load(std::vector<std::uint8_t>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(len)));
            // A JSON file cut after the closing brace only loses its final newline: still the same share.
            if (format == dkg::file_format::json && len == good.size() - 1)
                BOOST_TEST(!code);
            else
                BOOST_TEST((code == corrupt), "truncated to " << len);
        }
        for (std::size_t i = 0; i < good.size(); ++i) {
            for (std::uint8_t mask : {0x01, 0x80, 0xff}) {
                auto bad = good;
                bad[i] ^= mask;
                const auto code = load(bad);
                const bool version_byte = format == dkg::file_format::binary ? i == 4 : i == version_at;
                BOOST_TEST((code == corrupt || (version_byte && code == unsupported)), "byte " << i << " mask " << int(mask));
            }
        }
    }
    BOOST_TEST(checked > 5000u);
    BOOST_TEST(through_files > 300u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(edited_json_fields_are_rejected, N, shipped_backends)
{
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& share = key.shares[0];
    const std::string good = dkg::to_json(share);
    const auto edited = [&](const std::string& text, const std::string& needle) {
        std::string message;
        BOOST_TEST((format_error_of([&] { (void)dkg::key_share_from_json<N>(text); }, &message) == malformed));
        BOOST_TEST(message.find(needle) != std::string::npos, message + " | expected: " + needle);
        BOOST_TEST(message.find(dkg::to_decimal(share.share())) == std::string::npos); // never the secret
    };
    const std::string s = dkg::to_decimal(share.share());
    const std::string edited_share = s.substr(0, s.size() - 1) + (s.back() == '1' ? "2" : "1");
    edited(replace_once(good, "\"share\": \"" + s, "\"share\": \"" + edited_share), "checksum mismatch");
    edited(replace_once(good, "\"party\": 1", "\"party\": 2"), "checksum mismatch");
    edited(replace_once(good, "\"threshold\": 1", "\"threshold\": 0"), "checksum mismatch");
    edited(replace_once(good, "\"threshold\": 1", "\"threshold\": 3"), "threshold out of range");
    edited(replace_once(good, "\"parties\": 3", "\"parties\": 4"), "one key per party");
    edited(replace_once(good, "\"parties\": 3", "\"parties\": 5000"), "parties out of range");
    edited(replace_once(good, "\"theta\": \"", "\"theta\": \"1"), "checksum mismatch");
    edited(replace_once(good, "\"checksum\": \"", "\"checksum\": \"0"), "checksum mismatch");
    edited(replace_once(good, "\"type\": \"dkg.key_share\"", "\"type\": \"dkg.public_key\""), "type");
    edited(replace_once(good, "\"share\"", "\"secret\""), "unknown member");
    edited(replace_once(good, "\"verification_keys\": [", "\"verification_keys\": [\"1\","), "one key per party");

    // A share whose fields are consistent and correctly checksummed but that does not match its
    // verification key (party 2's share under party 1's id) is refused too.
    const auto& other = key.shares[1];
    const dkg::key_share<N> swapped(share.public_key(), 1, 3, 1, other.share(), share.theta(), share.verification_base(),
                                    share.verification_keys());
    edited(dkg::to_json(swapped), "does not match its verification key");
    BOOST_TEST((format_error_of([&] { (void)dkg::key_share_from_bytes<N>(dkg::to_binary(swapped)); }) == malformed));
    // θ not invertible (rebuilt with a correct checksum): the key_share constructor's check.
    auto body = dkg::writer().raw(std::span<const std::uint8_t>(dkg::to_binary(share).data(), 6));
    body.u32(1).u32(3).u32(1).integer(share.public_key().n()).integer(share.share()).integer(N(0u)).integer(share.verification_base()).integers(
        share.verification_keys());
    auto bytes = body.finish();
    const auto digest = dkg::detail::sha256::hash(bytes);
    bytes.insert(bytes.end(), digest.begin(), digest.end());
    std::string message;
    BOOST_TEST((format_error_of([&] { (void)dkg::key_share_from_bytes<N>(bytes); }, &message) == malformed));
    BOOST_TEST(message.find("theta") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(real_size_key_share_file, *boost::unit_test::label("slow"))
{
    using N = fast_int;
    const auto& key = dealt_key<N>(2048, 3, 1);
    temp_dir dir;
    for (auto format : {dkg::file_format::binary, dkg::file_format::json}) {
        dkg::save_key_share(dir.path / "share.key", key.shares[0], format);
        BOOST_TEST(same_share(dkg::load_key_share<N>(dir.path / "share.key", 1), key.shares[0]));
    }
}

BOOST_AUTO_TEST_SUITE_END()
