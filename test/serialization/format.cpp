#include <dkg/serialization/format.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace {

using dkg::detail::object_type;

// The error code and text of the format_error that `f` throws.
template <class F>
std::pair<boost::system::error_code, std::string> format_error_of(F&& f)
{
    try {
        f();
    } catch (const dkg::format_error& e) {
        return {e.code(), e.what()};
    }
    return {};
}

} // namespace

BOOST_AUTO_TEST_SUITE(serialization_format)

BOOST_AUTO_TEST_CASE(binary_header_is_magic_version_type)
{
    const auto header = dkg::detail::binary_header(object_type::partial_decryption).finish();
    BOOST_TEST((header == dkg::bytes{'D', 'K', 'G', 0, dkg::serialization_version, 4}));
    dkg::reader r(header);
    dkg::detail::read_binary_header(r, object_type::partial_decryption);
    r.expect_end();
}

BOOST_AUTO_TEST_CASE(binary_header_checks)
{
    const auto read = [](dkg::bytes header, object_type expected) {
        dkg::reader r(header);
        dkg::detail::read_binary_header(r, expected);
    };
    const auto good = dkg::detail::binary_header(object_type::ciphertext).finish();
    auto magic = good;
    magic[1] = 'X';
    BOOST_CHECK_THROW(read(magic, object_type::ciphertext), dkg::decode_error);
    BOOST_CHECK_THROW(read(good, object_type::public_key), dkg::decode_error);
    BOOST_CHECK_THROW(read(dkg::bytes(good.begin(), good.end() - 1), object_type::ciphertext), dkg::decode_error);
    auto newer = good;
    newer[4] = dkg::serialization_version + 1;
    const auto [code, text] = format_error_of([&] { read(newer, object_type::ciphertext); });
    BOOST_TEST((code == dkg::make_error_code(dkg::errc::unsupported_version)));
    BOOST_TEST(text.find("dkg.ciphertext: binary format version 2 is not supported") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(decoding_names_the_object)
{
    const auto malformed = dkg::make_error_code(dkg::errc::malformed_message);
    const auto corrupt = dkg::make_error_code(dkg::errc::corrupt_file);
    // A decoding failure of bytes from the network keeps the "malformed message" prefix, one of a
    // stored file drops it: the file is corrupt.
    auto [code, text] = format_error_of([] { dkg::detail::decoding("dkg.thing", dkg::errc::malformed_message, [] { throw dkg::decode_error("bad"); }); });
    BOOST_TEST((code == malformed));
    BOOST_TEST(text == "dkg.thing: malformed message: bad");
    std::tie(code, text) = format_error_of([] { dkg::detail::decoding("dkg.thing", dkg::errc::corrupt_file, [] { throw dkg::decode_error("bad"); }); });
    BOOST_TEST((code == corrupt));
    BOOST_TEST(text == "dkg.thing: bad");
    std::tie(code, text) =
        format_error_of([] { dkg::detail::decoding("dkg.thing", dkg::errc::corrupt_file, [] { throw std::invalid_argument("theta"); }); });
    BOOST_TEST((code == corrupt));
    BOOST_TEST(text == "dkg.thing: invalid value: theta");
    // A version error stays one.
    std::tie(code, text) = format_error_of([] {
        dkg::detail::decoding("dkg.thing", dkg::errc::corrupt_file, [] { throw dkg::format_error(dkg::errc::unsupported_version, "v9"); });
    });
    BOOST_TEST((code == dkg::make_error_code(dkg::errc::unsupported_version)));
    BOOST_TEST(text == "v9");
    BOOST_TEST(dkg::detail::decoding("dkg.thing", dkg::errc::corrupt_file, [] { return 7; }) == 7);
}

BOOST_AUTO_TEST_CASE(type_names_and_helpers)
{
    BOOST_TEST(std::string(dkg::detail::type_name(object_type::key_share)) == "dkg.key_share");
    BOOST_TEST(std::string(dkg::detail::type_name(object_type::threshold_key)) == "dkg.threshold_key");
    BOOST_CHECK_THROW(dkg::detail::require_nonempty(true, "key"), std::invalid_argument);
    dkg::detail::require_nonempty(false, "key");
    std::vector<std::uint8_t> secret{1, 2, 3};
    {
        const dkg::detail::wipe_on_exit<std::vector<std::uint8_t>> wiper{secret};
    }
    BOOST_TEST(secret.empty());
    BOOST_TEST(dkg::detail::as_bytes("ab").size() == 2u);
    BOOST_TEST(dkg::detail::as_bytes("ab")[1] == 'b');
}

BOOST_AUTO_TEST_SUITE_END()
