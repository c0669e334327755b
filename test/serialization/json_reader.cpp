#include <dkg/serialization/json_reader.hpp>

#include "backends.hpp"

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <string>
#include <string_view>

using namespace test_support;
namespace json = dkg::detail::json;

namespace {

// What failed, by the decode_error that f throws; empty if it throws none.
template <class F>
std::string decode_error_of(F&& f)
{
    try {
        f();
    } catch (const dkg::decode_error& e) {
        return e.detail();
    }
    return {};
}

// What failed when parsing `text` within `lim`; empty if it parses.
std::string parse_error(std::string_view text, json::limits lim = {})
{
    return decode_error_of([&] { (void)json::parser(text, lim).parse(); });
}

} // namespace

BOOST_AUTO_TEST_SUITE(json_reader)

BOOST_AUTO_TEST_CASE(parses_what_dkg_writes)
{
    const auto root = json::parse(" {\"a\" : \"x y\",\n\"b\":[ \"1\" ,\"22\"],\t\"c\": {\"d\": 4294967295}, \"e\": [], \"f\": {}}\r\n", 1000);
    BOOST_TEST_REQUIRE(root.members.size() == 5u);
    BOOST_TEST(root.members[0].first == "a");
    BOOST_TEST(root.members[0].second.text == "x y");
    const auto& list = root.members[1].second;
    BOOST_TEST((list.type == json::value::kind::array));
    BOOST_TEST_REQUIRE(list.items.size() == 2u);
    BOOST_TEST(list.items[1].text == "22");
    const auto& inner = root.members[2].second;
    BOOST_TEST((inner.type == json::value::kind::object));
    BOOST_TEST((inner.members[0].second.type == json::value::kind::number));
    BOOST_TEST(inner.members[0].second.text == "4294967295");
    BOOST_TEST(root.members[3].second.items.empty());
    BOOST_TEST(root.members[4].second.members.empty());
}

BOOST_AUTO_TEST_CASE(refuses_everything_else)
{
    const auto refused = [](std::string_view text, const std::string& needle) {
        const std::string message = parse_error(text);
        BOOST_TEST(message.find(needle) != std::string::npos, "[" << text << "] gave [" << message << "], expected " << needle);
    };
    refused("", "end of text");
    refused("[]", "top level must be an object");
    refused("\"a\"", "top level must be an object");
    refused("{} {}", "after the object");
    refused("{\"a\": 1,}", "expected '\"'");
    refused("{\"a\" 1}", "expected ':'");
    refused("{\"a\": 1 \"b\": 2}", "expected '}'");
    refused("{\"a\": 1, \"a\": 2}", "duplicate key \"a\"");
    refused("{\"a\": true}", "unsupported value");
    refused("{\"a\": null}", "unsupported value");
    refused("{\"a\": -1}", "unsupported value");
    refused("{\"a\": 1.5}", "only integers");
    refused("{\"a\": 1e3}", "only integers");
    refused("{\"a\": 012}", "leading zero");
    refused("{\"a\": 12345678901}", "number too large");
    refused("{\"a\": \"\\n\"}", "escape sequences");
    refused("{\"a\": \"tab\there\"}", "printable ASCII");
    refused("{\"a\": \"\xc3\xa9\"}", "printable ASCII");
    refused("{\"a\": \"open", "end of text");
    // The offset of the failure is reported.
    BOOST_TEST(parse_error("{\"a\": x}").find("at offset 6") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(limits_are_checked_while_parsing)
{
    json::limits lim;
    lim.max_bytes = 20;
    BOOST_TEST(parse_error("{\"a\": \"0123456789\"}", lim).empty());
    BOOST_TEST(parse_error("{\"a\": \"012345678901\"}", lim).find("longer than allowed") != std::string::npos);

    lim = {};
    lim.max_depth = 2;
    BOOST_TEST(parse_error("{\"a\": {\"b\": 1}}", lim).empty());
    BOOST_TEST(parse_error("{\"a\": {\"b\": []}}", lim).find("nested too deeply") != std::string::npos);

    lim = {};
    lim.max_string = 3;
    BOOST_TEST(parse_error("{\"abc\": \"xyz\"}", lim).empty());
    BOOST_TEST(parse_error("{\"a\": \"wxyz\"}", lim).find("string longer than allowed") != std::string::npos);

    lim = {};
    lim.max_items = 2;
    BOOST_TEST(parse_error("{\"a\": [1, 2], \"b\": 3}", lim).empty());
    BOOST_TEST(parse_error("{\"a\": [1, 2, 3]}", lim).find("too many items") != std::string::npos);
    BOOST_TEST(parse_error("{\"a\": 1, \"b\": 2, \"c\": 3}", lim).find("too many members") != std::string::npos);

    // The defaults: a megabyte, three levels, the parties' count of items.
    BOOST_TEST(json::limits{}.max_bytes == dkg::max_json_bytes);
    BOOST_TEST(json::limits{}.max_items == dkg::max_serialized_parties);
    BOOST_TEST(parse_error(std::string(dkg::max_json_bytes + 1, ' ')).find("longer than allowed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(object_reader_takes_exactly_the_known_members)
{
    const auto root = json::parse("{\"type\": \"t\", \"version\": 1, \"n\": 7, \"s\": \"x\", \"big\": 4294967296}", 1000);
    BOOST_TEST(decode_error_of([&] { json::object_reader(root, "thing", {"type", "version", "n"}); }).find("thing member \"s\": unknown member") !=
               std::string::npos);
    const json::object_reader o(root, "thing", {"type", "version", "n", "s", "big", "absent"});
    BOOST_TEST(o.number("n") == 7u);
    BOOST_TEST(o.string("s") == "x");
    BOOST_TEST(o.find("absent") == nullptr);
    BOOST_TEST(decode_error_of([&] { (void)o.at("absent"); }).find("\"absent\": missing") != std::string::npos);
    BOOST_TEST(decode_error_of([&] { (void)o.number("s"); }).find("must be a number") != std::string::npos);
    BOOST_TEST(decode_error_of([&] { (void)o.string("n"); }).find("must be a string") != std::string::npos);
    BOOST_TEST(decode_error_of([&] { (void)o.number("big"); }).find("number too large") != std::string::npos);
    o.expect_header("t");
    BOOST_TEST(decode_error_of([&] { o.expect_header("u"); }).find("must be \"u\"") != std::string::npos);
    const auto newer = json::parse("{\"type\": \"t\", \"version\": 2}", 1000);
    try {
        json::object_reader(newer, "thing", {"type", "version"}).expect_header("t");
        BOOST_FAIL("a newer version was accepted");
    } catch (const dkg::format_error& e) {
        BOOST_TEST((e.code() == dkg::make_error_code(dkg::errc::unsupported_version)));
    }
    BOOST_TEST(decode_error_of([&] { json::object_reader(root.members[0].second, "x", {}); }).find("must be an object") != std::string::npos);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(integers_are_canonical_and_bounded, N, backends)
{
    const auto root = json::parse("{\"a\": \"255\", \"b\": \"-256\", \"c\": \"256\", \"z\": \"0\", \"bad\": \"x\", \"l\": [\"1\", \"2\"], \"m\": [1]}", 1000);
    const json::object_reader o(root, "numbers", {"a", "b", "c", "z", "bad", "l", "m"});
    BOOST_TEST((o.template integer<N>("a", 8) == num<N>("255")));
    BOOST_TEST((o.template integer<N>("b", 9) == num<N>("-256")));
    BOOST_TEST((o.template integer<N>("z", 1) == N(0u)));
    BOOST_TEST(decode_error_of([&] { (void)o.template integer<N>("c", 8); }).find("larger than allowed") != std::string::npos);
    BOOST_TEST(decode_error_of([&] { (void)o.template integer<N>("bad", 8); }).find("not a decimal integer") != std::string::npos);
    for (const char* text : {"", "00", "-0", "007", "-"})
        BOOST_TEST(decode_error_of([&] { (void)o.template parse_integer<N>(text, "a", 64); }).find("canonical") != std::string::npos, text);
    // Far too many digits is refused before any conversion.
    BOOST_TEST(decode_error_of([&] { (void)o.template parse_integer<N>(std::string(1000, '9'), "a", 64); }).find("larger than allowed") !=
               std::string::npos);
    const auto list = json::integer_list<N>(o, "l", 2, 8);
    BOOST_TEST_REQUIRE(list.size() == 2u);
    BOOST_TEST((list[1] == N(2u)));
    BOOST_TEST(decode_error_of([&] { (void)json::integer_list<N>(o, "l", 3, 8); }).find("one key per party") != std::string::npos);
    BOOST_TEST(decode_error_of([&] { (void)json::integer_list<N>(o, "m", 1, 8); }).find("must hold strings") != std::string::npos);
    BOOST_TEST(decode_error_of([&] { (void)json::integer_list<N>(o, "a", 1, 8); }).find("must be an array") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(wipe_all_overwrites_every_string)
{
    auto root = json::parse("{\"secret\": \"12345\", \"list\": [\"678\"], \"inner\": {\"k\": \"9\"}}", 1000);
    root.wipe_all();
    BOOST_TEST(root.members[0].second.text.empty());
    BOOST_TEST(root.members[1].second.items[0].text.empty());
    BOOST_TEST(root.members[2].second.members[0].second.text.empty());
}

BOOST_AUTO_TEST_SUITE_END()
