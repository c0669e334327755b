#include <dkg/detail/chacha20.hpp>

// Known answers of the in-tree ChaCha20 (dkg/detail/chacha20.hpp): every block-function and
// encryption vector of RFC 8439 (§2.3.2, §2.4.2, Appendix A.1 #1–#5, A.2 #1–#3) from
// test/data/chacha20_rfc8439.txt, covering key byte order, nonce placement and the block counter;
// streaming in pieces across block boundaries; and the 64-bit-nonce form against the RFC layout.
#include "known_answers.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace {

using dkg::detail::chacha20_stream;

struct vector {
    std::string name;
    chacha20_stream::key_type key{};
    chacha20_stream::nonce_type nonce{};
    std::uint32_t counter = 0;
    std::vector<std::uint8_t> plaintext, ciphertext;
};

std::vector<vector> rfc8439_vectors()
{
    std::vector<vector> out;
    for (const auto& row : dkg_test::read_known_answers("chacha20_rfc8439.txt", 6)) {
        vector v;
        v.name = row[0];
        const auto key = dkg_test::from_hex(row[1]);
        const auto nonce = dkg_test::from_hex(row[2]);
        BOOST_TEST_REQUIRE(key.size() == 32u);
        BOOST_TEST_REQUIRE(nonce.size() == 12u);
        std::copy(key.begin(), key.end(), v.key.begin());
        std::copy(nonce.begin(), nonce.end(), v.nonce.begin());
        v.counter = static_cast<std::uint32_t>(std::stoul(row[3]));
        v.plaintext = dkg_test::from_hex(row[4]);
        v.ciphertext = dkg_test::from_hex(row[5]);
        BOOST_TEST_REQUIRE(v.plaintext.size() == v.ciphertext.size());
        out.push_back(std::move(v));
    }
    BOOST_TEST_REQUIRE(out.size() == 10u); // §2.3.2, §2.4.2, A.1 #1–#5, A.2 #1–#3
    return out;
}

// Encrypts by XOR with the keystream, taking it in pieces of `piece` bytes.
std::vector<std::uint8_t> encrypt(const vector& v, std::size_t piece)
{
    chacha20_stream stream(v.key, v.nonce, v.counter);
    std::vector<std::uint8_t> keystream(v.plaintext.size());
    for (std::size_t pos = 0; pos < keystream.size(); pos += piece)
        stream.fill(std::span<std::uint8_t>(keystream).subspan(pos, std::min(piece, keystream.size() - pos)));
    std::vector<std::uint8_t> out(v.plaintext.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(v.plaintext[i] ^ keystream[i]);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(detail_chacha20)

BOOST_AUTO_TEST_CASE(rfc8439_block_and_encryption_vectors)
{
    for (const auto& v : rfc8439_vectors()) {
        BOOST_TEST_CONTEXT(v.name) {
            BOOST_TEST(dkg_test::to_hex(encrypt(v, v.plaintext.size())) == dkg_test::to_hex(v.ciphertext));
        }
    }
}

BOOST_AUTO_TEST_CASE(rfc8439_vectors_streamed_in_pieces)
{
    // Pieces of 1, 7, 63, 64 and 65 bytes cross the 64-byte block boundaries at every offset kind;
    // A.2 #2 (375 bytes) runs the counter over six blocks.
    for (const auto& v : rfc8439_vectors())
        for (std::size_t piece : {1u, 7u, 63u, 64u, 65u}) {
            BOOST_TEST_CONTEXT(v.name << ", pieces of " << piece) {
                BOOST_TEST(dkg_test::to_hex(encrypt(v, piece)) == dkg_test::to_hex(v.ciphertext));
            }
        }
}

BOOST_AUTO_TEST_CASE(sixty_four_bit_nonce_is_the_rfc_layout)
{
    // seed(key, n64) is the RFC 8439 nonce 00000000 || little-endian(n64), counter 0.
    chacha20_stream::key_type key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(3 * i + 1);
    const std::uint64_t n64 = 0x0123456789abcdefull;
    chacha20_stream::nonce_type nonce{};
    for (std::size_t i = 0; i < 8; ++i) nonce[4 + i] = static_cast<std::uint8_t>(n64 >> (8 * i));
    chacha20_stream a(key, n64), b(key, nonce, 0);
    std::array<std::uint8_t, 200> x{}, y{};
    a.fill(x);
    b.fill(y);
    BOOST_TEST(x == y);
    // A different nonce byte changes the stream: the nonce is really placed in the state.
    nonce[0] = 1;
    chacha20_stream c(key, nonce, 0);
    c.fill(y);
    BOOST_TEST(!(x == y));
}

BOOST_AUTO_TEST_CASE(wipe_clears_the_state)
{
    const auto v = rfc8439_vectors().front();
    chacha20_stream s(v.key, v.nonce, v.counter);
    s.wipe();
    // After wiping every state word is zero (constants, key, counter, nonce), and the block function
    // of the all-zero state is all zero: no byte of the key is left to shape the output.
    std::array<std::uint8_t, 64> after{};
    after.fill(0xff);
    s.fill(after);
    BOOST_TEST(std::all_of(after.begin(), after.end(), [](std::uint8_t b) { return b == 0; }));
}

BOOST_AUTO_TEST_SUITE_END()
