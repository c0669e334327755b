// Public keys, ciphertexts and partial decryptions in their binary and JSON forms
// (dkg/serialization.hpp). The first input byte selects the object and the form; the rest is the
// encoding. Both backends must agree; whatever decodes must encode back to the same object (and,
// for the binary forms, to exactly the same bytes).
#include "fuzz_support.hpp"

#include <dkg/serialization.hpp>

#include <algorithm>
#include <optional>

namespace {

using outcome = std::optional<std::vector<std::string>>;

template <class N>
std::vector<std::string> describe(const dkg::partial_decryption<N>& p)
{
    std::vector<std::string> out{std::to_string(p.party), dkg::to_decimal(p.value)};
    if (p.proof) {
        out.push_back(dkg::to_decimal(p.proof->challenge));
        out.push_back(dkg::to_decimal(p.proof->response));
    }
    return out;
}

template <class N>
bool same(const dkg::partial_decryption<N>& a, const dkg::partial_decryption<N>& b)
{
    return describe(a) == describe(b);
}

template <class N>
outcome decode(std::uint8_t selector, std::span<const std::uint8_t> bytes, std::string_view text)
{
    const auto& share = dkg_fuzz::shares<N>()[0];
    const auto& key = share.public_key();
    const dkg::threshold_key<N> tk(share);
    try {
        switch (selector % 6) {
        case 0: {
            const auto pk = dkg::public_key_from_binary<N>(bytes);
            const auto again = dkg::to_binary(pk);
            dkg_fuzz::require(std::equal(again.begin(), again.end(), bytes.begin(), bytes.end()), "public key (binary) does not round-trip");
            return std::vector<std::string>{dkg::to_decimal(pk.n())};
        }
        case 1: {
            const auto pk = dkg::public_key_from_json<N>(text);
            dkg_fuzz::require(dkg::public_key_from_json<N>(dkg::to_json(pk)) == pk, "public key (JSON) does not round-trip");
            return std::vector<std::string>{dkg::to_decimal(pk.n())};
        }
        case 2: {
            const auto c = dkg::ciphertext_from_binary(key, bytes);
            const auto again = dkg::to_binary(c);
            dkg_fuzz::require(std::equal(again.begin(), again.end(), bytes.begin(), bytes.end()), "ciphertext (binary) does not round-trip");
            return std::vector<std::string>{dkg::to_decimal(c.value())};
        }
        case 3: {
            const auto c = dkg::ciphertext_from_json(key, text);
            dkg_fuzz::require(dkg::ciphertext_from_json(key, dkg::to_json(c)).value() == c.value(), "ciphertext (JSON) does not round-trip");
            return std::vector<std::string>{dkg::to_decimal(c.value())};
        }
        case 4: {
            const auto p = dkg::partial_decryption_from_binary(tk, bytes);
            const auto again = dkg::to_binary(p);
            dkg_fuzz::require(std::equal(again.begin(), again.end(), bytes.begin(), bytes.end()),
                              "partial decryption (binary) does not round-trip");
            return describe(p);
        }
        default: {
            const auto p = dkg::partial_decryption_from_json(tk, text);
            dkg_fuzz::require(same(dkg::partial_decryption_from_json(tk, dkg::to_json(p)), p), "partial decryption (JSON) does not round-trip");
            return describe(p);
        }
        }
    } catch (const dkg::format_error& e) {
        dkg_fuzz::require_code(e, {dkg::errc::malformed_message, dkg::errc::unsupported_version});
        return std::nullopt;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    dkg_fuzz::input in(data, size);
    const std::uint8_t selector = in.byte();
    const auto bytes = in.rest();
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    dkg_fuzz::require_same(decode<dkg::gmp_int>(selector, bytes, text), decode<dkg::cpp_int>(selector, bytes, text));
    return 0;
}
