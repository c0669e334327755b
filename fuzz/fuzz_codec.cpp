// Protocol message payloads (dkg/codec.hpp's reader) decoded the way the protocols decode them:
// single integers with a bit limit, integer vectors with count and bit limits, integers below a
// bound, byte strings, the shapes of the key-generation messages (modulus shares and openings,
// sieve shares, key shares, the opening of theta, biprimality values), the session's round-0
// message, and partial decryptions (one, and a decryption message of a batch with its digest and
// proofs). The first input byte selects the shape.
//
// Every shape is decoded with both shipped backends (gmp_int and cpp_int): they must accept and
// reject the same inputs and read the same values, and whatever decodes must encode back to the
// bytes it was read from (one encoding per value).
#include "fuzz_support.hpp"

#include <dkg/codec.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/keygen.hpp>
#include <dkg/threshold.hpp>

#include <algorithm>
#include <optional>
#include <type_traits>

namespace {

using values = std::vector<std::string>;

/// What one backend read: the values as text, or nothing if the input was rejected.
using outcome = std::optional<values>;

template <class N>
void put(values& out, const N& v)
{
    out.push_back(dkg::to_decimal(v));
}

template <class N>
void put_all(values& out, const std::vector<N>& vs)
{
    for (const auto& v : vs) put(out, v);
}

/// Checks that re-encoding `vs` as a vector gives back exactly `consumed`.
template <class N>
void round_trip_vector(const std::vector<N>& vs, std::span<const std::uint8_t> consumed)
{
    dkg::writer w;
    w.integers(vs);
    const auto again = w.finish();
    dkg_fuzz::require(std::equal(again.begin(), again.end(), consumed.begin(), consumed.end()), "integer vector does not round-trip");
}

template <class N>
const N& modulus_ring()
{
    static const N m = dkg::modulus_ring<N>(dkg_fuzz::key_bits, 3);
    return m;
}

template <class N>
outcome decode(std::uint8_t shape, std::uint8_t a, std::uint8_t b, std::span<const std::uint8_t> payload)
{
    const auto& share = dkg_fuzz::shares<N>()[0];
    const auto& key = share.public_key();
    values out;
    try {
        dkg::reader r(payload);
        switch (shape % 11) {
        case 0: { // one integer of at most `bits` bits
            const std::size_t bits = (std::size_t{a} << 8 | b) % 4100;
            const N v = r.integer<N>(bits);
            dkg_fuzz::require(dkg::bit_length(v) <= bits, "integer above its bit limit");
            dkg::writer w;
            w.integer(v);
            const auto again = w.finish();
            dkg_fuzz::require(std::equal(again.begin(), again.end(), payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(again.size())) &&
                                  again.size() == payload.size() - r.remaining(),
                              "integer does not round-trip");
            put(out, v);
            break;
        }
        case 1: { // a vector of at most a integers of at most 8*b bits
            const auto vs = r.integers<N>(a, std::size_t{8} * b);
            dkg_fuzz::require(vs.size() <= a, "integer vector above its count limit");
            round_trip_vector(vs, payload.first(payload.size() - r.remaining()));
            put_all(out, vs);
            break;
        }
        case 2: // an integer below N or N²
            put(out, a % 2 ? r.integer_below(key.n()) : r.integer_below(key.n_squared()));
            break;
        case 3: { // a byte string of at most a bytes
            const auto s = r.byte_string(a);
            dkg_fuzz::require(s.size() <= a, "byte string above its limit");
            out.push_back(std::string(s.begin(), s.end()));
            break;
        }
        case 4: { // modulus shares (3 per candidate) or the opening (1 per candidate), in [0, m)
            const N& m = modulus_ring<N>();
            const std::size_t count = (a % 2 ? 3u : 1u) * (1 + b % 8);
            const auto vs = r.integers_exactly<N>(count, dkg::bit_length(m));
            for (const auto& v : vs)
                if (v < N(0u) || v >= m) throw dkg::decode_error("value out of range");
            put_all(out, vs);
            break;
        }
        case 5: { // sieve shares: integers below m, then 16-bit values below small field sizes
            const N& m = modulus_ring<N>();
            const std::size_t count = 1 + a % 8, small = b % 4;
            put_all(out, r.integers_exactly<N>(count, dkg::bit_length(m)));
            for (std::size_t i = 0; i < count * small; ++i) {
                const auto raw = r.raw(2);
                const std::uint32_t v = (std::uint32_t{raw[0]} << 8) | raw[1];
                if (v >= 3u + 2u * (i % small)) throw dkg::decode_error("sieve share out of range");
                out.push_back(std::to_string(v));
            }
            break;
        }
        case 6: { // key shares: three integers of the first sharing's bit bound; then the reduction
            const std::size_t bits = 2 * dkg_fuzz::key_bits + 80 + a % 64;
            for (int i = 0; i < 3; ++i) put(out, r.integer<N>(bits));
            break;
        }
        case 7: // the opening of theta: masked value below N, verification key below N²
            put(out, r.integer_below(key.n()));
            put(out, r.integer_below(key.n_squared()));
            break;
        case 8: { // biprimality values: `jobs` integers of at most bits(N)+1 bits
            const std::size_t jobs = 1 + a % 16;
            put_all(out, r.integers_exactly<N>(jobs, key.bits() + 1));
            break;
        }
        case 9: { // one partial decryption, checked against the key
            const dkg::threshold_key<N> tk(share);
            const auto p = dkg::detail::read_partial(r, tk);
            dkg_fuzz::require(dkg::detail::well_formed(tk, p), "read_partial accepted an ill-formed partial");
            out.push_back(std::to_string(p.party));
            put(out, p.value);
            if (p.proof) {
                put(out, p.proof->challenge);
                put(out, p.proof->response);
                // A proof that decodes is checked against a fixed ciphertext (the receiver's next
                // step), with GMP only: cpp_int's exponentiations under ASan would slow the
                // harness down tenfold.
                if constexpr (std::is_same_v<N, dkg::gmp_int>) {
                    const auto c = key.make_ciphertext(N(N(key.n()) + N(1u)));
                    (void)dkg::detail::verify_proof(tk, c.value(), p);
                }
            }
            break;
        }
        case 10: { // a decryption message: version, batch digest, count, partials (async_decrypt)
            const dkg::threshold_key<N> tk(share);
            if (r.u8() != 1) throw dkg::decode_error("unknown partial decryption message version");
            const auto digest = r.raw(32);
            out.push_back(std::string(digest.begin(), digest.end()));
            const std::uint32_t count = r.u32();
            if (count > 4) throw dkg::decode_error("wrong number of partial decryptions");
            for (std::uint32_t i = 0; i < count; ++i) {
                const auto p = dkg::detail::read_partial(r, tk);
                put(out, p.value);
            }
            break;
        }
        }
        r.expect_end();
    } catch (const dkg::decode_error& e) {
        dkg_fuzz::require_code(e, {dkg::errc::malformed_message});
        return std::nullopt;
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    dkg_fuzz::input in(data, size);
    const std::uint8_t shape = in.byte(), a = in.byte(), b = in.byte();
    const auto payload = in.rest();
    dkg_fuzz::require_same(decode<dkg::gmp_int>(shape, a, b, payload), decode<dkg::cpp_int>(shape, a, b, payload));
    return 0;
}
