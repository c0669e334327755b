// dkg-vote's command line (commands.hpp) in this process: exit statuses and one-line errors for a
// bad command line (2), a bad input file (3) and a failed operation (1), and the commands that need
// no ballot box.
#include <commands.hpp>

#include "support.hpp"

#include <dkg/serialization.hpp>

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

using namespace vote_test;

namespace {

struct outcome {
    int code;
    std::string out, err;
};

outcome run(std::vector<std::string> args)
{
    args.insert(args.begin(), "dkg-vote");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    const int code = dkg::vote::run(static_cast<int>(argv.size()), argv.data(), out, err);
    return {code, out.str(), err.str()};
}

void write(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream(path) << text;
}

} // namespace

BOOST_AUTO_TEST_SUITE(vote_commands)

BOOST_AUTO_TEST_CASE(exit_statuses_and_error_lines)
{
    BOOST_CHECK_EQUAL(run({"--version"}).code, 0);
    BOOST_CHECK(run({"--help"}).out.find("submit-decryption") != std::string::npos);
    BOOST_CHECK(run({"vote", "--help"}).out.find("--choice N[,N...]") != std::string::npos);

    auto r = run({"frobnicate"});
    BOOST_CHECK_EQUAL(r.code, 2);
    BOOST_CHECK_EQUAL(r.err, "dkg-vote: error: unknown command 'frobnicate' (dkg-vote --help lists the commands)\n");
    r = run({"status", "--election", "e", "--server", "http://localhost"});
    BOOST_CHECK_EQUAL(r.code, 2);
    BOOST_CHECK_EQUAL(r.err, "dkg-vote status: error: --server: expected https://HOST[:PORT], got 'http://localhost' (dkg-vote status --help)\n");
    r = run({"status", "--election", "Not An Id", "--server", "https://localhost"});
    BOOST_CHECK_EQUAL(r.code, 2);
    r = run({"verify", "--board", "b.json", "--bogus"});
    BOOST_CHECK_EQUAL(r.code, 2);
    r = run({"verify", "--board", "b.json", "extra"});
    BOOST_CHECK_EQUAL(r.code, 2);

    temp_dir d;
    r = run({"verify", "--board", (d / "missing.json").string()});
    BOOST_CHECK_EQUAL(r.code, 3);
    BOOST_CHECK_EQUAL(r.err, "dkg-vote verify: error: cannot read board file " + (d / "missing.json").string() + ": no such file or no permission\n");
    write(d / "board.json", R"({"type": "dkg-vote.board", "version": 1})");
    r = run({"verify", "--board", (d / "board.json").string()});
    BOOST_CHECK_EQUAL(r.code, 1);
    BOOST_CHECK_EQUAL(r.err, "dkg-vote verify: error: verification failed: the board is malformed: board.election: missing\n");

    // A ballot box that is not there: an operation that failed.
    r = run({"status", "--election", "e", "--server", "https://127.0.0.1:1", "--ca", (certificates() / "ca.pem").string(), "--timeout", "5"});
    BOOST_CHECK_EQUAL(r.code, 1);
    BOOST_CHECK_MESSAGE(r.err.rfind("dkg-vote status: error: cannot connect to https://127.0.0.1:1: ", 0) == 0, r.err);
}

BOOST_AUTO_TEST_CASE(keys_tokens_and_the_threshold_key)
{
    temp_dir d;
    write(d / "authority.key", authority_keys().private_pem);
    auto r = run({"public-key", "--key", (d / "authority.key").string()});
    BOOST_CHECK_EQUAL(r.code, 0);
    BOOST_CHECK_EQUAL(r.out, dkg::vote::normalize_public_key(authority_keys().public_pem));
    write(d / "not-a-key", "hello");
    BOOST_CHECK_EQUAL(run({"public-key", "--key", (d / "not-a-key").string()}).code, 3);

    write(d / "voters.txt", "# the board\nalice\n\n  bob  \n");
    r = run({"credentials", "--key", (d / "authority.key").string(), "--election", "board", "--voters", (d / "voters.txt").string(), "--trustees",
             "2", "--out", (d / "tokens").string(), "--json"});
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    BOOST_CHECK_EQUAL(r.out, "{\"election\":\"board\",\"voters\":2,\"trustees\":2,\"directory\":\"" + (d / "tokens").string() + "\"}\n");
    std::ifstream token_file(d / "tokens" / "voter-bob.token");
    std::string token;
    std::getline(token_file, token);
    const auto claims = dkg::vote::verify_token(authority_keys().public_pem, token);
    BOOST_CHECK_EQUAL(claims.subject, "bob");
    BOOST_CHECK_EQUAL(claims.audience, "board");
    BOOST_CHECK(std::filesystem::exists(d / "tokens" / "trustee-2.token"));
    BOOST_CHECK((std::filesystem::status(d / "tokens" / "trustee-2.token").permissions() & std::filesystem::perms::others_read) ==
                std::filesystem::perms::none);
    // Existing token files are kept without --force.
    r = run({"credentials", "--key", (d / "authority.key").string(), "--election", "board", "--trustees", "1", "--out", (d / "tokens").string()});
    BOOST_CHECK_EQUAL(r.code, 3);
    write(d / "bad-voters.txt", "alice\nbob smith\n");
    r = run({"credentials", "--key", (d / "authority.key").string(), "--election", "board", "--voters", (d / "bad-voters.txt").string(), "--out",
             (d / "t2").string()});
    BOOST_CHECK_EQUAL(r.code, 3);
    BOOST_CHECK_MESSAGE(r.err.find("line 2: not a voter id") != std::string::npos, r.err);

    // The threshold key of a share file: public values only.
    dkg::save_key_share(d / "party-1.share", trustee_shares().front());
    r = run({"threshold-key", "--share", (d / "party-1.share").string()});
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    BOOST_CHECK(r.out.find("\"type\": \"dkg.threshold_key\"") != std::string::npos);
    BOOST_CHECK(r.out.find("\"share\"") == std::string::npos);
    write(d / "broken.share", "DKG");
    BOOST_CHECK_EQUAL(run({"threshold-key", "--share", (d / "broken.share").string()}).code, 3);
}

BOOST_AUTO_TEST_SUITE_END()
