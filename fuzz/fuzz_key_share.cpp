// Key shares (dkg/serialization.hpp): the bytes of a key-share file in either form, read by
// key_share_from_bytes; the binary form again with its SHA-256 checksum recomputed, so that the
// fields behind the checksum are reached too; and now and then through a real file with
// load_key_share. The first input byte selects the path. Both backends must agree, and a share
// that loads must encode back to the same share.
#include "fuzz_support.hpp"

#include <dkg/serialization.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <cstdlib>
#include <unistd.h>

namespace {

using outcome = std::optional<std::vector<std::string>>;

template <class N>
std::vector<std::string> describe(const dkg::key_share<N>& s)
{
    std::vector<std::string> out{std::to_string(s.id()), std::to_string(s.parties()), std::to_string(s.threshold()),
                                 dkg::to_decimal(s.public_key().n()), dkg::to_decimal(s.share()), dkg::to_decimal(s.theta()),
                                 dkg::to_decimal(s.verification_base())};
    for (const auto& vk : s.verification_keys()) out.push_back(dkg::to_decimal(vk));
    return out;
}

const std::filesystem::path& temp_file()
{
    static const std::filesystem::path path = [] {
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove(temp_file(), ec);
        });
        return std::filesystem::temp_directory_path() / ("dkg-fuzz-key-share-" + std::to_string(::getpid()) + ".bin");
    }();
    return path;
}

template <class N>
outcome decode(std::uint8_t selector, std::span<const std::uint8_t> bytes)
{
    try {
        std::optional<dkg::key_share<N>> share;
        switch (selector % 8) {
        case 0: { // the binary form with its checksum recomputed over the fuzzed body
            std::vector<std::uint8_t> file(bytes.begin(), bytes.end());
            const auto digest = dkg::detail::sha256::hash(file);
            file.insert(file.end(), digest.begin(), digest.end());
            share.emplace(dkg::key_share_from_bytes<N>(file));
            break;
        }
        case 1: { // through a file (slower: one input in eight)
            {
                std::ofstream out(temp_file(), std::ios::binary | std::ios::trunc);
                out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
            }
            try {
                share.emplace(dkg::load_key_share<N>(temp_file(), 1));
            } catch (const dkg::format_error& e) {
                dkg_fuzz::require_code(e, {dkg::errc::corrupt_file, dkg::errc::unsupported_version});
                return std::nullopt;
            }
            break;
        }
        default: // the bytes as they are: binary or JSON
            share.emplace(dkg::key_share_from_bytes<N>(bytes));
            break;
        }
        const auto again = dkg::key_share_from_bytes<N>(dkg::to_binary(*share));
        dkg_fuzz::require(describe(again) == describe(*share), "key share (binary) does not round-trip");
        const auto json = dkg::to_json(*share);
        dkg_fuzz::require(describe(dkg::key_share_from_json<N>(json)) == describe(*share), "key share (JSON) does not round-trip");
        return describe(*share);
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
    dkg_fuzz::require_same(decode<dkg::gmp_int>(selector, bytes), decode<dkg::cpp_int>(selector, bytes));
    return 0;
}
