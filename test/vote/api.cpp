// The ballot box's API over real HTTPS (ballot_box.hpp, https_server.hpp): ballots accepted once
// per voter with receipts; every bad request a 4xx with a JSON error naming the reason, and
// nothing stored.
#include <ballot_box.hpp>

#include "support.hpp"

#include <ballot.hpp>
#include <json.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

using namespace dkg::vote;
using namespace vote_test;
namespace http = boost::beast::http;

namespace {

std::string submission(const election& e, const std::string& voter_id, const ballot& b, const std::string& election_id = "")
{
    boost::json::object o;
    o["election"] = election_id.empty() ? e.id() : election_id;
    o["voter"] = voter_id;
    o["ballot"] = b.document();
    return to_text(o);
}

std::string ballots_path(const std::string& id)
{
    return "/api/elections/" + id + "/ballots";
}

/// The number of ballots the board shows.
std::size_t board_size(https_client& c, const std::string& id)
{
    return call(c, http::verb::get, ballots_path(id)).body.at("ballots").as_array().size();
}

struct open_election {
    running_box server;
    std::unique_ptr<https_client> client = server.client();
    election e;

    explicit open_election(const manifest_options& o = {}) : e(election::from_json(manifest(o)))
    {
        const auto r = call(*client, http::verb::post, "/api/elections", to_text(manifest(o)), admin_token());
        BOOST_REQUIRE_MESSAGE(r.status == 201, to_text(r.body));
        // The ballot box's manifest is the one sent.
        BOOST_REQUIRE_EQUAL(std::string(r.body.at("fingerprint").as_string()), election::from_json(r.body.at("election")).fingerprint());
        e = election::from_json(r.body.at("election"));
    }

    api_reply vote(std::size_t voter_number, std::size_t option)
    {
        const auto b = ballot::make(e, voter(voter_number), {option});
        return call(*client, http::verb::post, ballots_path(e.id()), submission(e, voter(voter_number), b), voter_token(e.id(), voter(voter_number)));
    }
};

/// Checks that `r` is the refusal (status, reason) and that the board did not change.
void check_refused(open_election& o, const api_reply& r, unsigned status, const std::string& reason, std::size_t board_before)
{
    BOOST_CHECK_MESSAGE(r.status == status && r.reason() == reason,
                        "expected " << status << " " << reason << ", got " << r.status << " " << to_text(r.body));
    BOOST_CHECK(r.body.as_object().contains("message"));
    BOOST_CHECK_EQUAL(board_size(*o.client, o.e.id()), board_before);
}

/// Sends `bytes` over TLS to the ballot box as they are and returns what it answers until it closes.
std::string raw_exchange(std::uint16_t port, const std::string& bytes)
{
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.load_verify_file((certificates() / "ca.pem").string());
    tls.set_verify_mode(asio::ssl::verify_peer);
    asio::ssl::stream<asio::ip::tcp::socket> stream(io, tls);
    asio::ip::tcp::resolver resolver(io);
    asio::connect(stream.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
    stream.handshake(asio::ssl::stream_base::client);
    asio::write(stream, asio::buffer(bytes));
    std::string answer;
    boost::system::error_code ec;
    char buffer[4096];
    for (;;) {
        const std::size_t n = stream.read_some(asio::buffer(buffer), ec);
        answer.append(buffer, n);
        if (ec) break;
    }
    return answer;
}

} // namespace

BOOST_AUTO_TEST_SUITE(vote_api)

BOOST_AUTO_TEST_CASE(malformed_http_gets_a_json_error)
{
    running_box server;
    std::string answer = raw_exchange(server.port(), "GARBAGE GARBAGE\r\n\r\n");
    BOOST_CHECK_MESSAGE(answer.rfind("HTTP/1.1 400", 0) == 0 && answer.find("\"error\":\"malformed_http\"") != std::string::npos, answer);
    answer = raw_exchange(server.port(), "GET /api/elections HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(20000, 'a') + "\r\n\r\n");
    BOOST_CHECK_MESSAGE(answer.rfind("HTTP/1.1 431", 0) == 0 && answer.find("\"error\":\"header_too_large\"") != std::string::npos, answer);
    // Declared larger than the limit: refused before the body is read.
    answer = raw_exchange(server.port(), "POST /api/elections/e/close HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n{}");
    BOOST_CHECK_MESSAGE(answer.rfind("HTTP/1.1 413", 0) == 0 && answer.find("\"error\":\"body_too_large\"") != std::string::npos, answer);
}

BOOST_AUTO_TEST_CASE(a_ballot_is_accepted_once_with_its_receipt)
{
    open_election o;
    const auto b = ballot::make(o.e, voter(1), {1});
    const std::string body = submission(o.e, voter(1), b);
    const std::string token = voter_token(o.e.id(), voter(1));
    const auto first = call(*o.client, http::verb::post, ballots_path(o.e.id()), body, token);
    BOOST_REQUIRE_MESSAGE(first.status == 201, to_text(first.body));
    BOOST_CHECK_EQUAL(std::string(first.body.at("receipt").as_string()), receipt_of(b.stored_text()));
    BOOST_CHECK_EQUAL(first.body.at("index").as_int64(), 1);

    // The same ballot again (a client that lost the acknowledgement): the same receipt, 200.
    const auto again = call(*o.client, http::verb::post, ballots_path(o.e.id()), body, token);
    BOOST_CHECK_EQUAL(again.status, 200u);
    BOOST_CHECK_EQUAL(again.body.at("receipt"), first.body.at("receipt"));

    // A different ballot with the used credential: refused, the first one stays.
    check_refused(o, o.vote(1, 0), 409, "credential_used", 1);

    // The board shows the stored ballot with its credential, and the receipt list has it.
    const auto board = call(*o.client, http::verb::get, ballots_path(o.e.id())).body;
    const auto& entry = board.at("ballots").as_array()[0].as_object();
    BOOST_CHECK_EQUAL(entry.at("voter").as_string(), voter(1));
    BOOST_CHECK_EQUAL(std::string(entry.at("stored").as_string()), b.stored_text());
    BOOST_CHECK_EQUAL(std::string(entry.at("credential").as_string()), token);
    const auto receipts = call(*o.client, http::verb::get, "/api/elections/" + o.e.id() + "/receipts").body;
    BOOST_CHECK_EQUAL(receipts.at("receipts").as_array()[0], first.body.at("receipt"));

    const auto info = call(*o.client, http::verb::get, "/api/elections/" + o.e.id()).body;
    BOOST_CHECK_EQUAL(info.at("status").as_string(), "open");
    BOOST_CHECK_EQUAL(info.at("ballots").as_int64(), 1);
    const auto stats = call(*o.client, http::verb::get, "/api/statistics").body;
    BOOST_CHECK_EQUAL(stats.at("ballots_accepted").as_int64(), 1);
    BOOST_CHECK_EQUAL(stats.at("ballots_resubmitted").as_int64(), 1);
}

BOOST_AUTO_TEST_CASE(bad_ballots_are_refused_and_nothing_is_stored)
{
    open_election o;
    BOOST_REQUIRE_EQUAL(o.vote(2, 0).status, 201u);
    const std::string path = ballots_path(o.e.id());
    const std::string token3 = voter_token(o.e.id(), voter(3));
    const auto b3 = ballot::make(o.e, voter(3), {2});

    check_refused(o, call(*o.client, http::verb::post, path, "{\"election\": ", token3), 400, "malformed_json", 1);
    check_refused(o, call(*o.client, http::verb::post, path, "[1, 2, 3]", token3), 400, "malformed_ballot", 1);
    {
        boost::json::object extra = boost::json::parse(submission(o.e, voter(3), b3)).as_object();
        extra["comment"] = "hi";
        check_refused(o, call(*o.client, http::verb::post, path, to_text(extra), token3), 400, "malformed_ballot", 1);
    }
    // Larger than the election's ballot limit: refused before it is read.
    check_refused(o, call(*o.client, http::verb::post, path, std::string(o.e.max_ballot_bytes() + 1, ' '), token3), 413, "body_too_large", 1);
    // Credentials: none, not a JWT, of another authority, of another voter, election or role.
    check_refused(o, call(*o.client, http::verb::post, path, submission(o.e, voter(3), b3)), 401, "missing_credential", 1);
    check_refused(o, call(*o.client, http::verb::post, path, submission(o.e, voter(3), b3), "not-a-token"), 401, "invalid_credential", 1);
    {
        dkg::vote::token_claims c;
        c.role = token_role::voter;
        c.audience = o.e.id();
        c.subject = voter(3);
        c.issued_at = now_seconds();
        const std::string forged = issue_token(new_key_pair().private_pem, c);
        check_refused(o, call(*o.client, http::verb::post, path, submission(o.e, voter(3), b3), forged), 401, "invalid_credential", 1);
        c.expires = now_seconds() - 1;
        const std::string expired = issue_token(authority_keys().private_pem, c);
        check_refused(o, call(*o.client, http::verb::post, path, submission(o.e, voter(3), b3), expired), 401, "credential_expired", 1);
    }
    check_refused(o, call(*o.client, http::verb::post, path, submission(o.e, voter(3), b3), voter_token(o.e.id(), voter(4))), 403,
                  "credential_for_another_voter", 1);
    check_refused(o, call(*o.client, http::verb::post, path, submission(o.e, voter(3), b3), voter_token("other-election", voter(3))), 403,
                  "credential_for_another_election", 1);
    check_refused(o, call(*o.client, http::verb::post, path, submission(o.e, voter(3), b3), trustee_token(o.e.id(), 1)), 403,
                  "not_a_voter_credential", 1);
    {
        const auto stranger = ballot::make(o.e, "stranger", {0});
        check_refused(o, call(*o.client, http::verb::post, path, submission(o.e, "stranger", stranger), voter_token(o.e.id(), "stranger")), 403,
                      "not_eligible", 1);
    }
    // A ballot for another election: named in the submission, or made for another manifest.
    check_refused(o, call(*o.client, http::verb::post, path, submission(o.e, voter(3), b3, "other-election"), token3), 400, "wrong_election", 1);
    {
        manifest_options other;
        other.id = "other-election";
        const election e2 = election::from_json(manifest(other));
        const auto foreign = ballot::make(e2, voter(3), {2});
        check_refused(o, call(*o.client, http::verb::post, path, submission(o.e, voter(3), foreign), token3), 422, "invalid_proof", 1);
    }
    // A ballot whose proof fails: made for another voter (a replay under voter 3's credential).
    const auto replayed = ballot::make(o.e, voter(4), {2});
    check_refused(o, call(*o.client, http::verb::post, path, submission(o.e, voter(3), replayed), token3), 422, "invalid_proof", 1);
    // A value changed: the ciphertext of option 1 replaced by another valid ciphertext.
    {
        auto document = b3.document();
        auto& first = document.as_object().at("ciphertexts").as_array()[0];
        const number c = dkg::from_decimal<number>(std::string(first.as_string()));
        first = dkg::to_decimal(o.e.public_key().make_ciphertext(number(number(c * c) % o.e.public_key().n_squared())).value());
        boost::json::object s;
        s["election"] = o.e.id();
        s["voter"] = voter(3);
        s["ballot"] = document;
        check_refused(o, call(*o.client, http::verb::post, path, to_text(s), token3), 422, "invalid_proof", 1);
    }
    // A ballot with a value that is no ciphertext of the key.
    {
        auto document = b3.document();
        document.as_object().at("ciphertexts").as_array()[0] = dkg::to_decimal(o.e.public_key().n_squared());
        boost::json::object s;
        s["election"] = o.e.id();
        s["voter"] = voter(3);
        s["ballot"] = document;
        check_refused(o, call(*o.client, http::verb::post, path, to_text(s), token3), 400, "malformed_ballot", 1);
    }
    // Unknown election, unknown endpoint, wrong method.
    BOOST_CHECK_EQUAL(call(*o.client, http::verb::post, ballots_path("no-such-election"), submission(o.e, voter(3), b3), token3).reason(),
                      "unknown_election");
    BOOST_CHECK_EQUAL(call(*o.client, http::verb::get, "/api/nothing").status, 404u);
    BOOST_CHECK_EQUAL(call(*o.client, http::verb::delete_, "/api/elections/" + o.e.id()).status, 405u);
    // After all that, voter 3 can still vote.
    BOOST_CHECK_EQUAL(call(*o.client, http::verb::post, path, submission(o.e, voter(3), b3), token3).status, 201u);
}

BOOST_AUTO_TEST_CASE(ballots_outside_the_voting_period_are_refused)
{
    manifest_options later;
    later.opens = now_seconds() + 3600;
    later.closes = now_seconds() + 7200;
    open_election o(later);
    check_refused(o, o.vote(1, 0), 409, "election_not_open", 0);

    open_election open;
    BOOST_REQUIRE_EQUAL(open.vote(1, 0).status, 201u);
    const auto closed = call(*open.client, http::verb::post, "/api/elections/" + open.e.id() + "/close", "{}", admin_token());
    BOOST_REQUIRE_MESSAGE(closed.status == 200, to_text(closed.body));
    BOOST_CHECK_EQUAL(closed.body.at("tally").at("ballots").as_int64(), 1);
    check_refused(open, open.vote(2, 1), 409, "election_closed", 1);
    BOOST_CHECK_EQUAL(call(*open.client, http::verb::post, "/api/elections/" + open.e.id() + "/close", "{}", admin_token()).reason(),
                      "election_closed");
}

BOOST_AUTO_TEST_CASE(administrator_requests_need_an_administrator_token)
{
    running_box server;
    auto client = server.client();
    const std::string body = to_text(manifest());
    BOOST_CHECK_EQUAL(call(*client, http::verb::post, "/api/elections", body).reason(), "missing_credential");
    BOOST_CHECK_EQUAL(call(*client, http::verb::post, "/api/elections", body, voter_token("test-election", voter(1))).reason(), "invalid_credential");
    {
        token_claims c;
        c.role = token_role::admin;
        c.audience = std::string(admin_audience);
        c.subject = "admin";
        c.issued_at = now_seconds();
        BOOST_CHECK_EQUAL(call(*client, http::verb::post, "/api/elections", body, issue_token(admin_keys().private_pem, c)).reason(),
                          "invalid_credential"); // no expiry
        c.expires = c.issued_at + 7200;
        BOOST_CHECK_EQUAL(call(*client, http::verb::post, "/api/elections", body, issue_token(admin_keys().private_pem, c)).reason(),
                          "invalid_credential"); // valid too long
        c.issued_at -= 600;
        c.expires = c.issued_at + 300;
        BOOST_CHECK_EQUAL(call(*client, http::verb::post, "/api/elections", body, issue_token(admin_keys().private_pem, c)).reason(),
                          "credential_expired");
    }
    // A malformed manifest is named; a second election with the same id is refused.
    auto bad = manifest();
    bad.as_object()["options"] = boost::json::array{"only one"};
    const auto refused = call(*client, http::verb::post, "/api/elections", to_text(bad), admin_token());
    BOOST_CHECK_EQUAL(refused.reason(), "malformed_election");
    BOOST_CHECK_EQUAL(std::string(refused.body.at("message").as_string()), "election.options: at least two options are needed");
    BOOST_CHECK_EQUAL(call(*client, http::verb::post, "/api/elections", body, admin_token()).status, 201u);
    BOOST_CHECK_EQUAL(call(*client, http::verb::post, "/api/elections", body, admin_token()).reason(), "election_exists");
    // A manifest of a few MiB is within its limit (8 MiB), one of more is refused unread.
    manifest_options large;
    large.id = "large";
    BOOST_CHECK_EQUAL(call(*client, http::verb::post, "/api/elections", to_text(manifest(large)) + std::string(3 << 20, ' '), admin_token()).status, 201u);
    large.id = "too-large";
    BOOST_CHECK_EQUAL(call(*client, http::verb::post, "/api/elections", to_text(manifest(large)) + std::string(9 << 20, ' '), admin_token()).reason(),
                      "body_too_large");
    BOOST_CHECK_EQUAL(call(*client, http::verb::get, "/api/elections").body.at("elections").as_array().size(), 2u);
    // Closing needs the administrator too.
    BOOST_CHECK_EQUAL(call(*client, http::verb::post, "/api/elections/test-election/close", "{}", voter_token("test-election", voter(1))).status, 401u);
}

BOOST_AUTO_TEST_CASE(the_page_is_served_with_a_strict_content_policy)
{
    running_box server;
    auto client = server.client();
    const auto page = client->request(http::verb::get, "/elections/test-election");
    BOOST_CHECK_EQUAL(page.status, 200u);
    BOOST_CHECK(page.body.find("<script src=\"/static/app.js\"") != std::string::npos);
    BOOST_CHECK_EQUAL(client->request(http::verb::get, "/static/app.js").status, 200u);
    BOOST_CHECK_EQUAL(client->request(http::verb::get, "/static/style.css").status, 200u);
    BOOST_CHECK_EQUAL(client->request(http::verb::get, "/static/secret.txt").status, 404u);
    BOOST_CHECK_EQUAL(client->request(http::verb::post, "/", "{}").status, 405u);
}

BOOST_AUTO_TEST_CASE(a_client_that_does_not_trust_the_certificate_is_not_served)
{
    running_box server;
    https_client stranger(server_address{"localhost", std::to_string(server.port())}, certificates() / "other-ca.pem", std::chrono::seconds(10));
    try {
        stranger.request(http::verb::get, "/api/elections");
        BOOST_ERROR("a server certificate of an untrusted CA was accepted");
    } catch (const std::runtime_error& e) {
        BOOST_CHECK_MESSAGE(std::string(e.what()).find("cannot TLS handshake with https://localhost:") == 0 &&
                                std::string(e.what()).find("certificate verify failed") != std::string::npos,
                            e.what());
    }
}

BOOST_AUTO_TEST_SUITE_END()
