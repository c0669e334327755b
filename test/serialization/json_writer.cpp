#include <dkg/serialization/json_writer.hpp>

#include "backends.hpp"

#include <dkg/serialization/json_reader.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace test_support;
namespace json = dkg::detail::json;

BOOST_AUTO_TEST_SUITE(json_writer)

// The layout of docs/formats.md: one member per line, two spaces, big integers as strings.
BOOST_AUTO_TEST_CASE_TEMPLATE(writes_the_documented_layout, N, backends)
{
    std::string out;
    json::header_members(out, dkg::detail::object_type::public_key);
    json::integer_member(out, "n", num<N>("-12345678901234567890"));
    json::integer_list_member(out, "keys", std::vector<N>{N(1u), N(23u)});
    out += "\n}\n";
    BOOST_TEST(out == "{\n  \"type\": \"dkg.public_key\",\n  \"version\": 1,\n  \"n\": \"-12345678901234567890\",\n"
                      "  \"keys\": [\n    \"1\",\n    \"23\"\n  ]\n}\n");
}

// What the writer produces, the strict reader reads back.
BOOST_AUTO_TEST_CASE_TEMPLATE(reader_reads_it_back, N, backends)
{
    const std::vector<N> values{num<N>("340282366920938463463374607431768211457"), N(0u), num<N>("-5")};
    std::string out;
    json::header_members(out, dkg::detail::object_type::ciphertext);
    json::integer_member(out, "value", values[0]);
    json::integer_list_member(out, "list", values);
    out += "\n}\n";
    const auto root = json::parse(out, dkg::max_json_bytes);
    const json::object_reader o(root, "test", {"type", "version", "value", "list"});
    o.expect_header("dkg.ciphertext");
    BOOST_TEST((o.template integer<N>("value", 129) == values[0]));
    BOOST_TEST((json::integer_list<N>(o, "list", 3, 129) == values));
}

BOOST_AUTO_TEST_SUITE_END()
