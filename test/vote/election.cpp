// Election manifests (election.hpp): read strictly, every field checked and named in errors, one
// normal form whose SHA-256 is the fingerprint.
#include <election.hpp>

#include "support.hpp"

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

using namespace dkg::vote;
using namespace vote_test;

namespace {

std::string refusal(const boost::json::value& document)
{
    try {
        election::from_json(document);
    } catch (const document_error& e) {
        return e.what();
    }
    return "accepted";
}

/// The test manifest with `change` applied to its object.
template <class Change>
std::string refusal_after(Change change, const manifest_options& o = {})
{
    auto m = manifest(o);
    change(m.as_object());
    return refusal(m);
}

} // namespace

BOOST_AUTO_TEST_SUITE(vote_election)

BOOST_AUTO_TEST_CASE(a_manifest_round_trips_with_a_stable_fingerprint)
{
    const auto document = manifest();
    const election e = election::from_json(document);
    BOOST_CHECK_EQUAL(e.id(), "test-election");
    BOOST_CHECK_EQUAL(e.options().size(), 3u);
    BOOST_CHECK(e.kind() == election_kind::tally);
    BOOST_CHECK_EQUAL(e.voters().size(), 6u);
    BOOST_CHECK(e.eligible("voter-6"));
    BOOST_CHECK(!e.eligible("voter-7"));
    BOOST_CHECK_EQUAL(e.key().parties(), 3u);
    BOOST_CHECK_EQUAL(e.fingerprint().size(), 64u);
    // Reading the normal form again gives the same text and fingerprint; any change changes it.
    const election again = election::from_json(e.to_json());
    BOOST_CHECK_EQUAL(to_text(again.to_json()), to_text(e.to_json()));
    BOOST_CHECK_EQUAL(again.fingerprint(), e.fingerprint());
    BOOST_CHECK_EQUAL(e.fingerprint(), sha256_hex(to_text(e.to_json())));
    auto changed = manifest();
    changed.as_object()["question"] = "Who should chair the board? ";
    BOOST_CHECK_NE(election::from_json(changed).fingerprint(), e.fingerprint());
}

BOOST_AUTO_TEST_CASE(every_field_is_checked_and_named)
{
    using boost::json::object;
    BOOST_CHECK_EQUAL(refusal(boost::json::value(42)), "election: expected an object, got a number");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["type"] = "dkg.election"; }), "election.type: expected \"dkg-vote.election\"");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["version"] = 2; }), "election.version: this build reads version 1");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m.erase("question"); }), "election.question: missing");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["surprise"] = 1; }), "election.surprise: unknown field");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["id"] = "Board 2025"; }),
                      "election.id: use 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["question"] = std::string(1001, 'q'); }),
                      "election.question: 1001 characters, more than the limit of 1000");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["question"] = "line\nbreak"; }), "election.question: contains a control character");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["options"] = boost::json::array{"only"}; }),
                      "election.options: at least two options are needed");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["options"] = boost::json::array{"A", "B", "A"}; }),
                      "election.options[2]: the same text as an earlier option");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["options"] = boost::json::array{"A", 7}; }), "election.options[1]: expected a string, got a number");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["kind"] = "majority"; }), "election.kind: expected \"tally\" or \"unanimous\"");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["max_selections"] = 4; }), "election.max_selections: 4 is outside 1..3");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["min_selections"] = 2; }), "election.max_selections: less than election.min_selections");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["min_selections"] = -1; }), "election.min_selections: -1 is outside 0..2");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["kind"] = "unanimous"; }),
                      "election.options: a unanimous election has exactly two options (yes first) and exactly one selection");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["voters"] = boost::json::array{}; }), "election.voters: at least one voter is needed");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["voters"] = boost::json::array{"a", "b", "a"}; }), "election.voters: voter a is listed twice");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["voters"] = boost::json::array{"a b"}; }),
                      "election.voters[0]: use 1 to 64 of A-Z, a-z, 0-9, '.', '_', '@' and '-'");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["credential_key"] = "-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----\n"; }),
                      "election.credential_key: not a PEM public key (-----BEGIN PUBLIC KEY-----)");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["opens"] = "2025-02-30T00:00:00Z"; }), "election.opens: expected YYYY-MM-DDTHH:MM:SSZ (UTC)");
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["closes"] = m["opens"]; }), "election.closes: must be after election.opens");
    // The threshold key is the library's document, checked by the library.
    BOOST_CHECK(refusal_after([](object& m) { m["threshold_key"].as_object()["threshold"] = 2; }).find("election.threshold_key: ") == 0);
    BOOST_CHECK_EQUAL(refusal_after([](object& m) { m["threshold_key"] = "key"; }),
                      "election.threshold_key: expected an object (a dkg.threshold_key document)");
}

BOOST_AUTO_TEST_CASE(times)
{
    BOOST_CHECK_EQUAL(format_time(0), "1970-01-01T00:00:00Z");
    BOOST_CHECK_EQUAL(format_time(951782400), "2000-02-29T00:00:00Z");
    BOOST_CHECK_EQUAL(parse_time("2000-02-29T00:00:00Z"), 951782400);
    BOOST_CHECK_EQUAL(parse_time("2038-01-19T03:14:08Z"), 2147483648LL);
    for (unix_seconds t : {0LL, 86399LL, 1700000000LL, 4102444799LL}) BOOST_CHECK_EQUAL(parse_time(format_time(t)), t);
    for (const char* bad : {"2001-02-29T00:00:00Z", "2025-13-01T00:00:00Z", "2025-01-01T24:00:00Z", "2025-01-01 00:00:00Z", "2025-01-01T00:00:00",
                            "1969-12-31T23:59:59Z", "+5"})
        BOOST_CHECK_THROW(parse_time(bad), std::invalid_argument);
    BOOST_CHECK_EQUAL(parse_time_argument("+60") - now_seconds(), 60);
    BOOST_CHECK_THROW(parse_time_argument("+"), std::invalid_argument);
    BOOST_CHECK_THROW(parse_time_argument("+01"), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
