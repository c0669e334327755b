#include <dkg/detail/sha256.hpp>

// Known answers of the in-tree SHA-256 (dkg/detail/sha256.hpp): NIST CAVP SHAVS short and long
// messages and the FIPS 180-4 examples from test/data/sha256_fips180.txt, the million-'a' example,
// and incremental updates split at every position (padding at the 55/56/64-byte boundaries).
#include "known_answers.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace {

using dkg::detail::sha256;

std::string digest_hex(const sha256::digest& d)
{
    return dkg_test::to_hex(std::vector<std::uint8_t>(d.begin(), d.end()));
}

} // namespace

BOOST_AUTO_TEST_SUITE(detail_sha256)

BOOST_AUTO_TEST_CASE(nist_vectors)
{
    const auto rows = dkg_test::read_known_answers("sha256_fips180.txt", 3);
    BOOST_TEST_REQUIRE(rows.size() == 11u);
    for (const auto& row : rows) {
        BOOST_TEST_CONTEXT(row[0]) {
            const auto message = dkg_test::from_hex(row[1]);
            BOOST_TEST(digest_hex(sha256::hash(message)) == row[2]);
            // The same message fed one byte at a time.
            sha256 h;
            for (auto b : message) h.update(std::span<const std::uint8_t>(&b, 1));
            BOOST_TEST(digest_hex(h.finish()) == row[2]);
        }
    }
}

BOOST_AUTO_TEST_CASE(one_million_a)
{
    // FIPS 180-4 example: 10^6 repetitions of 'a', in updates of 1000 bytes.
    sha256 h;
    const std::string block(1000, 'a');
    for (int i = 0; i < 1000; ++i) h.update(block);
    BOOST_TEST(digest_hex(h.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

BOOST_AUTO_TEST_CASE(every_split_of_multi_block_messages)
{
    // For every length around the padding boundaries (55, 56, 63, 64, 119, 120, 128 bytes) and every
    // split point, two updates give the digest of one update; the one-update digests of the CAVP
    // 1304-bit message and of "abc" are fixed above, so this checks the buffering, not itself.
    std::vector<std::uint8_t> data(200);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 131 + 7);
    for (std::size_t length : {0u, 1u, 55u, 56u, 57u, 63u, 64u, 65u, 119u, 120u, 127u, 128u, 129u, 200u}) {
        const std::span<const std::uint8_t> message(data.data(), length);
        const auto whole = sha256::hash(message);
        for (std::size_t split = 0; split <= length; ++split) {
            sha256 h;
            h.update(message.first(split)).update(message.subspan(split));
            BOOST_TEST_REQUIRE(digest_hex(h.finish()) == digest_hex(whole), "length " << length << ", split at " << split);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
