// Helpers of the serialisation tests: temporary directories and files, text edits, and the error
// code of a dkg::format_error.
#pragma once

#include <dkg/serialization/format.hpp>
#include <dkg/key_share.hpp>

#include <boost/system/error_code.hpp>
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace serialization_test {

/// Modulus bits of the keys dealt for these tests.
inline constexpr std::size_t test_bits = 256;

// A fresh directory for one test's files, removed afterwards.
struct temp_dir {
    std::filesystem::path path;
    temp_dir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "dkg-serialization-XXXXXX").string();
        BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~temp_dir() { std::filesystem::remove_all(path); }
    std::size_t entries() const { return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(path), {})); }
};

inline std::vector<std::uint8_t> read_file(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

inline void write_file(const std::filesystem::path& p, const std::vector<std::uint8_t>& data)
{
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

inline std::string replace_once(std::string text, const std::string& from, const std::string& to)
{
    const auto at = text.find(from);
    BOOST_TEST_REQUIRE(at != std::string::npos, from);
    return text.replace(at, from.size(), to);
}

// The error code of a format_error thrown by f, or success if none was thrown.
template <class F>
boost::system::error_code format_error_of(F&& f, std::string* message = nullptr)
{
    try {
        f();
    } catch (const dkg::format_error& e) {
        if (message) *message = e.what();
        return e.code();
    }
    return {};
}

inline const auto malformed = dkg::make_error_code(dkg::errc::malformed_message);
inline const auto corrupt = dkg::make_error_code(dkg::errc::corrupt_file);
inline const auto unsupported = dkg::make_error_code(dkg::errc::unsupported_version);

template <class N>
bool same_share(const dkg::key_share<N>& a, const dkg::key_share<N>& b)
{
    return a.same_key(b) && a.id() == b.id() && a.share() == b.share();
}

} // namespace serialization_test
