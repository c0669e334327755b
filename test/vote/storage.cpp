// The ballot box's SQLite store (sqlite_storage.hpp): one transaction per change, one ballot per
// voter, nothing stored after closing, everything there after reopening, one ballot box per file.
#include <sqlite_storage.hpp>

#include "support.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <thread>

using namespace dkg::vote;
using namespace vote_test;

namespace {

/// prefix + i (built without operator+ on a temporary: g++ 12 -Wrestrict false positive).
std::string numbered(const char* prefix, int i)
{
    std::string out(prefix);
    out += std::to_string(i);
    return out;
}

stored_ballot a_ballot(const std::string& voter, const std::string& text)
{
    stored_ballot b;
    b.voter = voter;
    b.credential = "token-of-" + voter;
    b.ballot = text;
    b.receipt = sha256_hex(text);
    b.cast_at = 1700000000;
    return b;
}

} // namespace

BOOST_AUTO_TEST_SUITE(vote_storage)

BOOST_AUTO_TEST_CASE(ballots_are_numbered_and_one_per_voter)
{
    temp_dir d;
    sqlite_storage s(d / "box.db");
    BOOST_CHECK(s.add_election({"e1", "{\"manifest\":1}", 1700000000, std::nullopt, std::nullopt, std::nullopt}));
    BOOST_CHECK(!s.add_election({"e1", "{\"other\":1}", 1700000001, std::nullopt, std::nullopt, std::nullopt}));
    BOOST_CHECK(s.add_election({"e2", "{\"manifest\":2}", 1700000002, std::nullopt, std::nullopt, std::nullopt}));
    BOOST_CHECK_EQUAL(s.election("e1")->manifest, "{\"manifest\":1}");

    auto r = s.add_ballot("e1", a_ballot("alice", "A"));
    BOOST_CHECK(r.status == storage::ballot_status::stored);
    BOOST_CHECK_EQUAL(r.ballot.index, 1u);
    r = s.add_ballot("e1", a_ballot("bob", "B"));
    BOOST_CHECK_EQUAL(r.ballot.index, 2u);
    // Alice again: her first ballot is returned, nothing is stored.
    r = s.add_ballot("e1", a_ballot("alice", "A2"));
    BOOST_CHECK(r.status == storage::ballot_status::voter_has_voted);
    BOOST_CHECK_EQUAL(r.ballot.ballot, "A");
    BOOST_CHECK_EQUAL(r.ballot.index, 1u);
    // The same voter id in another election is another voter; indexes are per election.
    r = s.add_ballot("e2", a_ballot("alice", "A"));
    BOOST_CHECK_EQUAL(r.ballot.index, 1u);
    BOOST_CHECK(s.add_ballot("nope", a_ballot("carol", "C")).status == storage::ballot_status::no_election);

    BOOST_CHECK_EQUAL(s.ballot_count("e1"), 2u);
    const auto list = s.ballots("e1");
    BOOST_REQUIRE_EQUAL(list.size(), 2u);
    BOOST_CHECK_EQUAL(list[1].voter, "bob");
    BOOST_CHECK_EQUAL(list[1].receipt, sha256_hex("B"));
    BOOST_CHECK(s.receipts("e1") == (std::vector<std::string>{sha256_hex("A"), sha256_hex("B")}));
    BOOST_CHECK_EQUAL(s.ballot_of("e1", "bob")->ballot, "B");
    BOOST_CHECK(!s.ballot_of("e1", "carol"));
}

BOOST_AUTO_TEST_CASE(closing_stops_ballots_and_the_steps_after_it_happen_once)
{
    temp_dir d;
    sqlite_storage s(d / "box.db");
    s.add_election({"e", "{}", 1, std::nullopt, std::nullopt, std::nullopt});
    s.add_ballot("e", a_ballot("alice", "A"));
    BOOST_CHECK(!s.set_tally("e", "T")); // not closed yet
    BOOST_CHECK(s.close("e", 100));
    BOOST_CHECK(!s.close("e", 200));
    BOOST_CHECK_EQUAL(*s.election("e")->closed_at, 100);
    BOOST_CHECK(s.add_ballot("e", a_ballot("bob", "B")).status == storage::ballot_status::closed);
    // A voter who voted still gets the ballot back after closing (a repeated submission).
    BOOST_CHECK(s.add_ballot("e", a_ballot("alice", "A")).status == storage::ballot_status::voter_has_voted);
    BOOST_CHECK_EQUAL(s.ballot_count("e"), 1u);

    BOOST_CHECK(!s.set_result("e", "R")); // no tally yet
    BOOST_CHECK(s.set_tally("e", "T"));
    BOOST_CHECK(!s.set_tally("e", "T2"));
    BOOST_CHECK(s.add_blinding("e", {0, 2, "t2", "B2"}));
    BOOST_CHECK(s.add_blinding("e", {0, 1, "t1", "B1"}));
    BOOST_CHECK(!s.add_blinding("e", {0, 2, "t2", "again"}));
    const auto blindings = s.blindings("e");
    BOOST_REQUIRE_EQUAL(blindings.size(), 2u);
    BOOST_CHECK_EQUAL(blindings[0].trustee, 2u);
    BOOST_CHECK_EQUAL(blindings[0].index, 1u);
    BOOST_CHECK_EQUAL(blindings[1].index, 2u);
    BOOST_CHECK(s.add_decryption("e", {3, "P3"}));
    BOOST_CHECK(!s.add_decryption("e", {3, "P3 again"}));
    BOOST_CHECK(s.add_decryption("e", {1, "P1"}));
    BOOST_CHECK_EQUAL(s.decryptions("e").front().trustee, 1u);
    BOOST_CHECK(s.set_result("e", "R"));
    BOOST_CHECK(!s.set_result("e", "R2"));
    BOOST_CHECK_EQUAL(*s.election("e")->result, "R");
}

BOOST_AUTO_TEST_CASE(everything_is_there_after_reopening_and_a_second_box_is_refused)
{
    temp_dir d;
    {
        sqlite_storage s(d / "box.db");
        s.add_election({"e", "{}", 1, std::nullopt, std::nullopt, std::nullopt});
        for (int i = 0; i < 20; ++i) s.add_ballot("e", a_ballot(numbered("v", i), numbered("ballot ", i)));
        try {
            sqlite_storage second(d / "box.db");
            BOOST_ERROR("a second store opened a database in use");
        } catch (const std::runtime_error& e) {
            BOOST_CHECK_MESSAGE(std::string(e.what()).find("the database is in use by another ballot box") != std::string::npos, e.what());
        }
    }
    sqlite_storage s(d / "box.db");
    BOOST_CHECK_EQUAL(s.ballot_count("e"), 20u);
    BOOST_CHECK_EQUAL(s.ballots("e")[19].ballot, "ballot 19");
}

BOOST_AUTO_TEST_CASE(concurrent_ballots_get_distinct_indexes)
{
    temp_dir d;
    sqlite_storage s(d / "box.db");
    s.add_election({"e", "{}", 1, std::nullopt, std::nullopt, std::nullopt});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10; ++i) {
                // Every voter twice, from two threads: one is stored.
                s.add_ballot("e", a_ballot(numbered("v", i + 10 * (t / 2)), numbered("b", i + 10 * (t / 2))));
            }
        });
    for (auto& t : threads) t.join();
    const auto list = s.ballots("e");
    BOOST_REQUIRE_EQUAL(list.size(), 20u);
    for (std::size_t i = 0; i < list.size(); ++i) BOOST_CHECK_EQUAL(list[i].index, i + 1);
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_ballot_box_database_is_refused)
{
    temp_dir d;
    {
        std::ofstream f(d / "junk.db");
        f << "this is not SQLite";
    }
    BOOST_CHECK_THROW(sqlite_storage(d / "junk.db"), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
