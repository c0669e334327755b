// Whole elections through the ballot box's API (tally and unanimous), and their verification from
// the published record (audit.hpp): the real record verifies; every tampered variant — a ballot
// changed, removed or added, a proof, a credential, a receipt, a partial decryption, a blinding
// proof or the result altered — is rejected, naming what is wrong.
#include <audit.hpp>

#include "support.hpp"

#include <ballot.hpp>
#include <json.hpp>
#include <record.hpp>

#include <dkg/rng.hpp>
#include <dkg/threshold.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

using namespace dkg::vote;
using namespace vote_test;
namespace http = boost::beast::http;

namespace {

/// An election run to its published result through the API.
struct finished_election {
    boost::json::value board, result;
};

api_reply post(https_client& c, const std::string& path, const boost::json::value& body, const std::string& token)
{
    return call(c, http::verb::post, path, to_text(body), token);
}

/// Runs election `o` on `server`: voter i (1-based) chooses `choices[i-1]`, the administrator
/// closes, every trustee blinds (unanimous), trustees `decrypting` send partial decryptions made
/// with their shares; returns the board and the result.
finished_election run_election(running_box& server, const manifest_options& o, const std::vector<std::vector<std::size_t>>& choices,
                               const std::vector<unsigned>& decrypting)
{
    auto client = server.client();
    const auto created = post(*client, "/api/elections", manifest(o), admin_token());
    BOOST_REQUIRE_MESSAGE(created.status == 201, to_text(created.body));
    const election e = election::from_json(created.body.at("election"));
    const std::string base = "/api/elections/" + e.id();
    for (std::size_t i = 0; i < choices.size(); ++i) {
        const auto b = ballot::make(e, voter(i + 1), choices[i]);
        boost::json::object s;
        s["election"] = e.id();
        s["voter"] = voter(i + 1);
        s["ballot"] = b.document();
        const auto r = post(*client, base + "/ballots", s, voter_token(e.id(), voter(i + 1)));
        BOOST_REQUIRE_MESSAGE(r.status == 201, to_text(r.body));
    }
    BOOST_REQUIRE_EQUAL(post(*client, base + "/close", boost::json::object{}, admin_token()).status, 200u);
    // Nothing to decrypt or publish before the steps that lead to it.
    BOOST_CHECK_EQUAL(call(*client, http::verb::get, base + "/result").reason(), "not_tallied");

    if (e.kind() == election_kind::unanimous) {
        for (unsigned j = 1; j <= e.key().parties(); ++j) {
            const auto state = call(*client, http::verb::get, base + "/tally").body;
            BOOST_CHECK(state.at("decrypt").is_null());
            const auto& list = state.at("blindings").as_array();
            const number current = list.empty() ? json_decimal(state.at("tally").at("unanimity"), "u", 100000)
                                                : json_decimal(list.back().at("blinding").at("output"), "o", 100000);
            const auto step = blinding::make(e, j, e.public_key().make_ciphertext(current));
            boost::json::object body;
            body["trustee"] = j;
            body["blinding"] = step.to_json();
            const auto r = post(*client, base + "/blindings", body, trustee_token(e.id(), j));
            BOOST_REQUIRE_MESSAGE(r.status == 201, to_text(r.body));
            // The same trustee cannot blind twice.
            BOOST_CHECK_EQUAL(post(*client, base + "/blindings", body, trustee_token(e.id(), j)).reason(), "trustee_has_blinded");
        }
    }
    const auto state = call(*client, http::verb::get, base + "/tally").body;
    BOOST_REQUIRE(!state.at("decrypt").is_null());
    std::vector<dkg::ciphertext<number>> input;
    for (const auto& c : state.at("decrypt").as_array()) input.push_back(e.public_key().make_ciphertext(json_decimal(c, "c", 100000)));
    dkg::system_rng rng;
    const auto& shares = trustee_shares(o.parties, o.threshold);
    for (unsigned j : decrypting) {
        decryption_record d;
        d.trustee = j;
        for (const auto& c : input) d.partials.push_back(dkg::partial_decrypt(shares[j - 1], c, rng));
        const auto r = post(*client, base + "/decryptions", d.to_json(), trustee_token(e.id(), j));
        BOOST_REQUIRE_MESSAGE(r.status == 201, to_text(r.body));
    }
    finished_election out;
    out.board = call(*client, http::verb::get, base + "/ballots").body;
    const auto result = call(*client, http::verb::get, base + "/result");
    BOOST_REQUIRE_MESSAGE(result.status == 200, to_text(result.body));
    out.result = result.body;
    return out;
}

/// The tally election of the tests, run once: 6 voters choose Alice, Bob, Carol, Bob, Bob, Alice.
const finished_election& tally_election()
{
    static const finished_election f = [] {
        running_box server;
        return run_election(server, manifest_options{}, {{0}, {1}, {2}, {1}, {1}, {0}}, {3, 1});
    }();
    return f;
}

std::string audit_failure_of(const boost::json::value& board, const boost::json::value& result)
{
    try {
        const auto checked = audit_board(board, 2);
        audit_result(checked, result);
    } catch (const audit_failure& e) {
        return e.what();
    }
    return "verified";
}

void check_rejected(const boost::json::value& board, const boost::json::value& result, const std::string& expected)
{
    const std::string failure = audit_failure_of(board, result);
    BOOST_CHECK_MESSAGE(failure.find(expected) != std::string::npos, "expected a failure containing \"" << expected << "\", got: " << failure);
}

boost::json::object& ballot_entry(boost::json::value& board, std::size_t i)
{
    return board.at("ballots").as_array()[i].as_object();
}

/// Replaces the stored ballot of entry `i` by `change(stored document)`, with a matching receipt
/// (so that only the change itself can be caught).
template <class Change>
void change_stored(boost::json::value& board, std::size_t i, Change change)
{
    auto& entry = ballot_entry(board, i);
    auto stored = boost::json::parse(std::string(entry.at("stored").as_string()));
    change(stored);
    const std::string text = to_text(stored);
    entry["stored"] = text;
    entry["receipt"] = receipt_of(text);
}

/// A decimal string value incremented by one.
void increment(boost::json::value& v)
{
    v = dkg::to_decimal(number(dkg::from_decimal<number>(std::string(v.as_string())) + number(1u)));
}

} // namespace

BOOST_AUTO_TEST_SUITE(vote_audit)

BOOST_AUTO_TEST_CASE(a_tally_election_verifies_with_its_counts)
{
    const auto& f = tally_election();
    const auto board = audit_board(f.board, 2);
    BOOST_CHECK_EQUAL(board.ballots.size(), 6u);
    const auto summary = audit_result(board, f.result);
    BOOST_CHECK(summary.counts == (std::vector<std::uint64_t>{2, 3, 1}));
    BOOST_CHECK(summary.trustees == (std::vector<unsigned>{1, 3}));
    BOOST_CHECK(!summary.unanimous);
}

BOOST_AUTO_TEST_CASE(every_tampered_variant_is_rejected)
{
    const auto& f = tally_election();
    {
        auto board = f.board; // a ballot changed: its ciphertext squared (receipt recomputed)
        change_stored(board, 1, [](boost::json::value& s) {
            auto& c = s.at("ballot").at("ciphertexts").as_array()[0];
            const number x = dkg::from_decimal<number>(std::string(c.as_string()));
            c = dkg::to_decimal(number(x * x % election::from_json(manifest()).public_key().n_squared()));
        });
        check_rejected(board, f.result, "ballot 2 (voter voter-2): the ballot's proofs do not verify");
    }
    {
        auto board = f.board; // a proof altered
        change_stored(board, 2, [](boost::json::value& s) {
            increment(s.at("ballot").at("proofs").as_array()[0].at("branches").as_array()[0].at("challenge"));
        });
        check_rejected(board, f.result, "ballot 3 (voter voter-3): the ballot's proofs do not verify");
    }
    {
        auto board = f.board; // a receipt altered
        ballot_entry(board, 0)["receipt"] = std::string(64, '0');
        check_rejected(board, f.result, "ballot 1 (voter voter-1): the receipt is not the SHA-256 of the stored ballot");
    }
    {
        auto board = f.board; // a ballot removed (the last, so that the numbering stays right)
        board.at("ballots").as_array().pop_back();
        check_rejected(board, f.result, "the tally counts 6 ballots, the board has 5");
    }
    {
        auto board = f.board; // a ballot added: a copy of voter 1's
        auto copy = ballot_entry(board, 0);
        copy["index"] = 7;
        board.at("ballots").as_array().push_back(copy);
        check_rejected(board, f.result, "ballot 7 (voter voter-1): the voter has another ballot on the board");
    }
    {
        auto board = f.board; // a ballot added for a voter who did not vote, without a credential of the authority
        auto copy = ballot_entry(board, 0);
        copy["index"] = 7;
        copy["voter"] = voter(7);
        board.at("ballots").as_array().push_back(copy);
        check_rejected(board, f.result, "ballot 7 (voter voter-7): the voter is not on the election's list of voters");
    }
    {
        auto board = f.board; // two credentials swapped
        auto& a = ballot_entry(board, 0);
        auto& b = ballot_entry(board, 1);
        std::swap(a["credential"], b["credential"]);
        check_rejected(board, f.result, "ballot 1 (voter voter-1): the credential is not this voter's");
    }
    {
        auto board = f.board; // the manifest altered under the ballots
        board.at("election").as_object()["question"] = "Who should not chair the board?";
        check_rejected(board, f.result, "the board is malformed: board.fingerprint: not the SHA-256 of the election's manifest");
    }
    {
        auto result = f.result; // a partial decryption altered
        increment(result.at("decryptions").as_array()[0].at("partial_decryptions").as_array()[1].at("value"));
        check_rejected(f.board, result, "trustee 1: the proof of partial decryption 2 does not verify");
    }
    {
        auto result = f.result; // a partial decryption's proof altered
        increment(result.at("decryptions").as_array()[1].at("partial_decryptions").as_array()[0].at("proof").at("response"));
        check_rejected(f.board, result, "trustee 3: the proof of partial decryption 1 does not verify");
    }
    {
        auto result = f.result; // the result altered
        result.at("counts").as_array()[0] = 3;
        result.at("counts").as_array()[1] = 2;
        check_rejected(f.board, result, "the published counts [3, 2, 1] are not the decrypted tally [2, 3, 1]");
    }
    {
        auto result = f.result; // the encrypted tally altered
        increment(result.at("tally").at("options").as_array()[2]);
        check_rejected(f.board, result, "the encrypted tally of option 3 (Carol) is not the product of the ballots' ciphertexts");
    }
    {
        auto result = f.result; // a trustee dropped below t+1
        result.at("decryptions").as_array().pop_back();
        check_rejected(f.board, result, "the result has partial decryptions of 1 trustees; 2 are needed");
    }
}

BOOST_AUTO_TEST_CASE(unanimous_votes_are_blinded_by_every_trustee_and_verify)
{
    running_box server;
    manifest_options o;
    o.kind = "unanimous";
    o.options = {"yes", "no"};
    o.voters = 5;
    o.id = "all-yes";
    const auto yes = run_election(server, o, {{0}, {0}, {0}, {0}, {0}}, {1, 2});
    o.id = "one-no";
    const auto no = run_election(server, o, {{0}, {0}, {1}, {0}, {0}}, {2, 3});
    o.id = "one-abstains";
    const auto abstained = run_election(server, o, {{0}, {0}, {0}, {0}}, {1, 3});

    const auto board_yes = audit_board(yes.board, 2);
    BOOST_CHECK(*audit_result(board_yes, yes.result).unanimous);
    BOOST_CHECK(!*audit_result(audit_board(no.board, 2), no.result).unanimous);
    // Unanimity counts every eligible voter: one who did not vote did not agree.
    BOOST_CHECK(!*audit_result(audit_board(abstained.board, 2), abstained.result).unanimous);
    // Only the blinded value is decrypted: it is a random residue, not the number of "no" votes.
    const auto r = result_record::from_json(*board_yes.manifest, yes.result);
    BOOST_CHECK_EQUAL(r.blindings.size(), 3u);

    {
        auto result = yes.result; // a blinding proof altered
        increment(result.at("blindings").as_array()[1].at("blinding").at("proof").at("forward").at("exponent_response"));
        check_rejected(yes.board, result, "blinding 2 (trustee 2): the blinding proof of trustee 2 does not verify");
    }
    {
        auto result = yes.result; // a blinding removed
        result.at("blindings").as_array().pop_back();
        check_rejected(yes.board, result, "the unanimity ciphertext was blinded by 2 trustees, not all 3");
    }
    {
        auto result = no.result; // the verdict altered
        result.as_object()["unanimous"] = true;
        check_rejected(no.board, result, "the result says the vote was unanimous; the decryption says it was not");
    }
}

BOOST_AUTO_TEST_CASE(bad_trustee_submissions_are_refused)
{
    running_box server;
    auto client = server.client();
    manifest_options o;
    o.id = "trustees";
    BOOST_REQUIRE_EQUAL(post(*client, "/api/elections", manifest(o), admin_token()).status, 201u);
    const election e = election::from_json(manifest(o));
    const std::string base = "/api/elections/" + e.id();
    // Before closing there is nothing to decrypt.
    BOOST_CHECK_EQUAL(call(*client, http::verb::get, base + "/tally").reason(), "election_open");
    for (std::size_t i = 1; i <= 2; ++i) {
        boost::json::object s;
        s["election"] = e.id();
        s["voter"] = voter(i);
        s["ballot"] = ballot::make(e, voter(i), {i}).document();
        BOOST_REQUIRE_EQUAL(post(*client, base + "/ballots", s, voter_token(e.id(), voter(i))).status, 201u);
    }
    BOOST_REQUIRE_EQUAL(post(*client, base + "/close", boost::json::object{}, admin_token()).status, 200u);
    const auto state = call(*client, http::verb::get, base + "/tally").body;
    std::vector<dkg::ciphertext<number>> input;
    for (const auto& c : state.at("decrypt").as_array()) input.push_back(e.public_key().make_ciphertext(json_decimal(c, "c", 100000)));
    BOOST_CHECK_EQUAL(input.size(), 3u);
    dkg::system_rng rng;
    const auto& shares = trustee_shares();
    decryption_record d;
    d.trustee = 2;
    for (const auto& c : input) d.partials.push_back(dkg::partial_decrypt(shares[1], c, rng));

    BOOST_CHECK_EQUAL(post(*client, base + "/decryptions", d.to_json(), trustee_token(e.id(), 1)).reason(), "credential_for_another_trustee");
    BOOST_CHECK_EQUAL(post(*client, base + "/decryptions", d.to_json(), voter_token(e.id(), voter(1))).reason(), "not_a_trustee_credential");
    BOOST_CHECK_EQUAL(post(*client, base + "/blindings", boost::json::object{}, trustee_token(e.id(), 2)).reason(), "not_unanimous");
    {
        auto wrong = d; // of the wrong ciphertexts
        std::swap(wrong.partials[0], wrong.partials[1]);
        wrong.partials[0].party = wrong.partials[1].party = 2;
        const auto r = post(*client, base + "/decryptions", wrong.to_json(), trustee_token(e.id(), 2));
        BOOST_CHECK_EQUAL(r.status, 422u);
        BOOST_CHECK_EQUAL(std::string(r.body.at("message").as_string()),
                          "trustee 2: the proof of partial decryption 1 does not verify (a wrong partial decryption, or one of another ciphertext)");
    }
    {
        auto fewer = d;
        fewer.partials.pop_back();
        BOOST_CHECK_EQUAL(post(*client, base + "/decryptions", fewer.to_json(), trustee_token(e.id(), 2)).reason(), "malformed_decryption");
    }
    {
        auto unproved = d;
        unproved.partials[2].proof.reset();
        BOOST_CHECK_EQUAL(post(*client, base + "/decryptions", unproved.to_json(), trustee_token(e.id(), 2)).reason(), "invalid_proof");
    }
    const auto accepted = post(*client, base + "/decryptions", d.to_json(), trustee_token(e.id(), 2));
    BOOST_REQUIRE_EQUAL(accepted.status, 201u);
    BOOST_CHECK(!accepted.body.at("result_published").as_bool());
    BOOST_CHECK_EQUAL(post(*client, base + "/decryptions", d.to_json(), trustee_token(e.id(), 2)).reason(), "trustee_has_decrypted");
    decryption_record d3;
    d3.trustee = 3;
    for (const auto& c : input) d3.partials.push_back(dkg::partial_decrypt(shares[2], c, rng));
    const auto published = post(*client, base + "/decryptions", d3.to_json(), trustee_token(e.id(), 3));
    BOOST_REQUIRE_EQUAL(published.status, 201u);
    BOOST_CHECK(published.body.at("result_published").as_bool());
    const auto result = call(*client, http::verb::get, base + "/result").body;
    BOOST_CHECK_EQUAL(to_text(result.at("counts")), "[0,1,1]");
    BOOST_CHECK_EQUAL(call(*client, http::verb::get, base).body.at("status").as_string(), "tallied");
}

BOOST_AUTO_TEST_SUITE_END()
