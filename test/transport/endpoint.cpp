#include <dkg/transport/endpoint.hpp>

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

BOOST_AUTO_TEST_SUITE(endpoint)

BOOST_AUTO_TEST_CASE(parses_party_lists)
{
    const auto list = dkg::parse_party_list("localhost:7000, 10.0.0.2:7001,[::1]:7002,node-4.example.org:65535");
    BOOST_REQUIRE(list.size() == 4u);
    BOOST_TEST(list[0].host == "localhost");
    BOOST_TEST(list[0].port == 7000);
    BOOST_TEST(list[1].host == "10.0.0.2");
    BOOST_TEST(list[2].host == "::1");
    BOOST_TEST(list[2].to_string() == "[::1]:7002");
    BOOST_TEST(list[3].port == 65535);
    for (const char* bad : {"", "localhost", "localhost:", ":7000", "host:0", "host:65536", "host:70x", "::1:7000", "[::1]7000", "[::1:7000",
                            "a:1,,b:2"})
        BOOST_CHECK_THROW(dkg::parse_party_list(bad), std::invalid_argument);
    try {
        dkg::parse_party_list("a:1,b:x");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("entry 2") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(parses_endpoints)
{
    const auto e = dkg::parse_endpoint("  node3.example.org:7000 ");
    BOOST_TEST(e.host == "node3.example.org");
    BOOST_TEST(e.port == 7000);
    BOOST_TEST(e.to_string() == "node3.example.org:7000");
    BOOST_TEST((dkg::parse_endpoint("[fe80::1]:1") == dkg::tcp_endpoint{"fe80::1", 1}));
    BOOST_TEST(dkg::parse_endpoint(dkg::tcp_endpoint{"::1", 9}.to_string()).host == "::1");
    const auto message = [](const char* text) {
        try {
            (void)dkg::parse_endpoint(text);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    BOOST_TEST(message("[::1]:99999").find("port must be in 1..65535") != std::string::npos);
    BOOST_TEST(message("::1:7000").find("brackets") != std::string::npos);
    BOOST_TEST(message("[::1").find("missing ']'") != std::string::npos);
    BOOST_TEST(message("host:123456").find("bad port") != std::string::npos);
    BOOST_TEST(message("host:7000").empty());
}

BOOST_AUTO_TEST_SUITE_END()
