// The trustees' commands: threshold-key, tally, blind, submit-decryption. The decryption itself
// is `dkg decrypt-party` among the trustees (docs/cli.md); these commands prepare its input from a
// verified bulletin board and hand its partial decryptions with proofs to the ballot box.
#include "audit.hpp"
#include "ballot.hpp"
#include "commands.hpp"
#include "credentials.hpp"
#include "election.hpp"
#include "record.hpp"

#include <dkg/serialization.hpp>

#include <boost/json/serialize.hpp>
#include <boost/program_options/value_semantic.hpp>

#include <iostream>

namespace dkg::vote {

namespace po = boost::program_options;
namespace http = boost::beast::http;

namespace {

/// The trustee a token is for, checked against the election's credential key.
unsigned trustee_of_token(const election& e, const std::string& token)
{
    token_claims claims;
    try {
        claims = verify_token(e.credential_key(), token);
    } catch (const credential_error& ex) {
        throw input_error(std::string("the token is not a credential of this election's authority: ") + ex.what());
    }
    const unsigned j = trustee_of_subject(claims.subject);
    if (claims.role != token_role::trustee || claims.audience != e.id() || j < 1 || j > e.key().parties())
        throw input_error("the token is not a trustee token of election " + e.id());
    return j;
}

/// The verified state after closing: the board checked ballot by ballot, the tally recomputed,
/// the blindings so far checked.
struct verified_tally {
    checked_board board;
    tally_record tally;
    std::vector<blinding_record> blindings;
    std::optional<std::vector<dkg::ciphertext<number>>> decrypt; ///< once every trustee has blinded
};

verified_tally fetch_and_verify(https_client& client, const std::string& id, const io& streams)
{
    // The tally first: every ballot it counts is on a board fetched after it.
    const auto state = call_api(client, http::verb::get, election_path(id, "/tally"), {200});
    const auto board_document = call_api(client, http::verb::get, election_path(id, "/ballots"), {200});
    streams.note("verifying the bulletin board's " + std::to_string(board_document.at("ballots").as_array().size()) + " ballots");
    verified_tally v{audit_board(board_document), {}, {}, std::nullopt};
    const election& e = *v.board.manifest;
    if (e.id() != id) throw audit_failure("the board is of election " + e.id());
    try {
        object_reader r(state, "tally response");
        v.tally = tally_record::from_json(e, r.required("tally"));
        const auto& list = r.array("blindings", e.key().parties());
        for (std::size_t i = 0; i < list.size(); ++i)
            v.blindings.push_back(blinding_record::from_json(e, list[i], "blindings[" + std::to_string(i) + "]"));
        const auto& decrypt = r.required("decrypt");
        if (!decrypt.is_null()) {
            v.decrypt.emplace();
            const auto& a = decrypt.as_array();
            for (std::size_t i = 0; i < a.size(); ++i)
                v.decrypt->push_back(e.public_key().make_ciphertext(json_decimal(a[i], "decrypt", decimal_digits(2 * e.public_key().bits()))));
        }
    } catch (const document_error& ex) {
        throw audit_failure(std::string("the ballot box's tally is malformed: ") + ex.what());
    } catch (const std::invalid_argument& ex) {
        throw audit_failure(std::string("the ballot box's tally is malformed: ") + ex.what());
    }
    // The ballots on the board were read after the tally: a board with more ballots than the tally
    // counts means the tally was fetched before closing finished; the checks below then fail.
    audit_tally(v.board, v.tally);
    audit_blindings(e, v.tally, v.blindings);
    if (v.decrypt) {
        const auto expected = decryption_input(v.tally, v.blindings);
        if (e.kind() == election_kind::unanimous && v.blindings.size() != e.key().parties())
            throw audit_failure("the ballot box asks to decrypt the unanimity ciphertext before every trustee blinded it");
        if (*v.decrypt != expected) throw audit_failure("the ballot box asks to decrypt other ciphertexts than the verified tally");
    }
    return v;
}

// ---- threshold-key ----------------------------------------------------------------------------

void declare_threshold_key(po::options_description& d)
{
    d.add_options()("share", po::value<std::string>()->value_name("FILE"), "your key share (from dkg party)")(
        "out", po::value<std::string>()->value_name("FILE"), "write the threshold key here (default: standard output)")(
        "force", "replace an existing file");
}

int threshold_key_command(const po::variables_map& vm, const io& streams)
{
    const std::string path = required_option<std::string>(vm, "share");
    std::string text;
    try {
        const std::optional<dkg::public_key<number>> any_key;
        const auto share = dkg::load_key_share<number>(path, std::nullopt, any_key);
        text = dkg::to_json(dkg::threshold_key<number>(share));
    } catch (const dkg::format_error& e) {
        throw input_error("share file " + path + ": " + e.what());
    } catch (const std::system_error& e) {
        throw input_error("cannot read share file " + path + ": " + e.code().message());
    }
    if (vm.count("out")) {
        write_text_file(vm["out"].as<std::string>(), text, false, vm.count("force"));
        streams.note("wrote the threshold key (public: N, the verification keys) to " + vm["out"].as<std::string>());
    } else {
        streams.out << text;
    }
    return exit_ok;
}

// ---- tally ------------------------------------------------------------------------------------

void declare_tally(po::options_description& d)
{
    add_client_options(d);
    d.add_options()("election", po::value<std::string>()->value_name("ID"), "the election")(
        "out", po::value<std::string>()->value_name("FILE"), "write the ciphertexts to decrypt here, one per line")(
        "force", "replace an existing file");
}

int tally(const po::variables_map& vm, const io& streams)
{
    const std::string id = election_option(vm);
    const std::string out = required_option<std::string>(vm, "out");
    auto client = make_client(vm);
    const auto v = fetch_and_verify(client, id, streams);
    const election& e = *v.board.manifest;
    if (!v.decrypt)
        throw operation_error("the unanimity ciphertext is blinded by " + std::to_string(v.blindings.size()) + " of " +
                              std::to_string(e.key().parties()) + " trustees; every trustee must blind it (dkg-vote blind) before it is decrypted");
    std::string text;
    for (const auto& c : *v.decrypt) text += dkg::to_decimal(c.value()) + "\n";
    write_text_file(out, text, false, vm.count("force"));
    boost::json::object o;
    o["election"] = id;
    o["ballots"] = v.board.ballots.size();
    o["ciphertexts"] = v.decrypt->size();
    o["out"] = out;
    print_result(streams, o,
                 "verified " + std::to_string(v.board.ballots.size()) + " ballots and the encrypted tally; wrote the " +
                     std::to_string(v.decrypt->size()) + " ciphertexts to decrypt to " + out +
                     "\nnext: dkg decrypt-party --share SHARE ... --input " + out + " --partials-out PARTIALS, then dkg-vote submit-decryption\n");
    return exit_ok;
}

// ---- blind ------------------------------------------------------------------------------------

void declare_blind(po::options_description& d)
{
    add_client_options(d);
    d.add_options()("election", po::value<std::string>()->value_name("ID"), "the election (a unanimous vote)")(
        "token", po::value<std::string>()->value_name("FILE"), "your trustee token");
}

void print_blinding(const io& streams, const std::string& id, unsigned trustee, const boost::json::value& reply);

int blind(const po::variables_map& vm, const io& streams)
{
    const std::string id = election_option(vm);
    const std::string token = read_first_line(required_option<std::string>(vm, "token"), max_token_length + 2, "token file");
    auto client = make_client(vm);
    // Trustees blind in turn: if another one blinded in the meantime (409 stale_input), verify
    // again and blind the new latest ciphertext.
    for (int attempt = 1;; ++attempt) {
        const auto v = fetch_and_verify(client, id, streams);
        const election& e = *v.board.manifest;
        if (e.kind() != election_kind::unanimous) throw operation_error("election " + id + " is not a unanimous vote: nothing to blind");
        const unsigned trustee = trustee_of_token(e, token);
        for (const auto& b : v.blindings)
            if (b.trustee == trustee) throw operation_error("trustee " + std::to_string(trustee) + " has blinded already");
        const auto step = blinding::make(e, trustee, decryption_input(v.tally, v.blindings).front());
        boost::json::object body;
        body["trustee"] = trustee;
        body["blinding"] = step.to_json();
        boost::json::value reply;
        try {
            reply = call_api(client, http::verb::post, election_path(id, "/blindings"), {201}, to_text(body), token);
        } catch (const operation_error& ex) {
            // Each refusal means another trustee blinded: at most n − 1 of them.
            if (attempt >= static_cast<int>(e.key().parties()) || std::string_view(ex.what()).find("(409 stale_input)") == std::string_view::npos)
                throw;
            streams.note("another trustee blinded first; blinding the new latest ciphertext");
            continue;
        }
        print_blinding(streams, id, trustee, reply);
        return exit_ok;
    }
}

void print_blinding(const io& streams, const std::string& id, unsigned trustee, const boost::json::value& reply)
{
    const auto remaining = reply.at("remaining").to_number<std::uint64_t>();
    boost::json::object o;
    o["election"] = id;
    o["trustee"] = trustee;
    o["index"] = reply.at("index");
    o["remaining"] = remaining;
    print_result(streams, o,
                 "trustee " + std::to_string(trustee) + " blinded the unanimity ciphertext (blinding " +
                     std::to_string(reply.at("index").to_number<std::uint64_t>()) + "); " + std::to_string(remaining) + (remaining == 1 ? " trustee" : " trustees") + " still to blind\n");
}

// ---- submit-decryption ------------------------------------------------------------------------

void declare_submit_decryption(po::options_description& d)
{
    add_client_options(d);
    d.add_options()("election", po::value<std::string>()->value_name("ID"), "the election")(
        "token", po::value<std::string>()->value_name("FILE"), "your trustee token")(
        "partials", po::value<std::string>()->value_name("FILE"), "your partial decryptions (dkg decrypt-party --partials-out FILE)");
}

int submit_decryption(const po::variables_map& vm, const io& streams)
{
    const std::string id = election_option(vm);
    const std::string token = read_first_line(required_option<std::string>(vm, "token"), max_token_length + 2, "token file");
    const std::string path = required_option<std::string>(vm, "partials");
    auto client = make_client(vm);
    const auto state = call_api(client, http::verb::get, election_path(id, "/tally"), {200});
    const auto info = call_api(client, http::verb::get, election_path(id), {200});
    const election e = election::from_json(info.at("election"));
    const unsigned trustee = trustee_of_token(e, token);

    // The file of dkg decrypt-party --partials-out: its ciphertexts must be the ones to decrypt.
    const auto file = parse_json(read_text_file(path, std::size_t{1} << 26, "partial decryptions file"), std::size_t{1} << 26, path);
    decryption_record d;
    std::vector<number> ciphertexts;
    try {
        object_reader r(file, path);
        if (r.string("type", 64) != "dkg.partial_decryptions") throw document_error(r.path("type") + ": expected \"dkg.partial_decryptions\"");
        if (r.integer("version", 0, 1000) != 1) throw document_error(r.path("version") + ": this build reads version 1");
        d.trustee = static_cast<unsigned>(r.integer("party", 1, static_cast<std::int64_t>(e.key().parties())));
        const auto& list = r.array("ciphertexts", max_options);
        for (std::size_t i = 0; i < list.size(); ++i)
            ciphertexts.push_back(json_decimal(list[i], r.path("ciphertexts"), decimal_digits(2 * e.public_key().bits())));
        d.partials = read_partials(e, r.required("partial_decryptions"), r.path("partial_decryptions"));
        r.done();
    } catch (const document_error& ex) {
        throw input_error(std::string("partial decryptions file: ") + ex.what());
    }
    if (d.trustee != trustee)
        throw input_error("the partial decryptions are party " + std::to_string(d.trustee) + "'s, the token trustee " + std::to_string(trustee) + "'s");
    const auto& decrypt = state.at("decrypt");
    if (decrypt.is_null()) throw operation_error("the ballot box has nothing to decrypt yet (a unanimous vote not blinded by every trustee)");
    std::vector<number> expected;
    for (const auto& c : decrypt.as_array()) expected.push_back(json_decimal(c, "decrypt", decimal_digits(2 * e.public_key().bits())));
    if (ciphertexts != expected)
        throw input_error("the partial decryptions are of other ciphertexts than the ones the ballot box asks to decrypt (run dkg-vote tally again)");

    const auto reply = call_api(client, http::verb::post, election_path(id, "/decryptions"), {201}, to_text(d.to_json()), token);
    const bool published = reply.at("result_published").as_bool();
    boost::json::object o;
    o["election"] = id;
    o["trustee"] = trustee;
    o["decryptions"] = reply.at("decryptions");
    o["result_published"] = published;
    print_result(streams, o,
                 "the ballot box accepted trustee " + std::to_string(trustee) + "'s partial decryptions (" +
                     std::to_string(reply.at("decryptions").to_number<std::uint64_t>()) + " of " +
                     std::to_string(e.key().threshold() + 1) + " needed)" + (published ? "; the result is published" : "") + "\n");
    return exit_ok;
}

} // namespace

std::vector<command> trustee_commands()
{
    return {
        {"threshold-key", "--share FILE [--out FILE]", "write the trustees' public threshold key from a key share",
         "Writes the public part of the trustees' key (N, the threshold, the verification keys that check partial\n"
         "decryptions; no secret) from a share made by `dkg party`, for `dkg-vote create --threshold-key`.\n"
         "Every trustee's share gives the same file.",
         declare_threshold_key, threshold_key_command},
        {"tally", "--server URL --election ID --out FILE", "verify the board and the encrypted tally; write what to decrypt",
         "After closing: verifies every ballot on the bulletin board, recomputes the encrypted tally (and checks the\n"
         "blindings of a unanimous vote), and writes the ciphertexts the trustees are to decrypt, one per line, for\n"
         "`dkg decrypt-party --input FILE --partials-out PARTIALS`. A trustee decrypts nothing else.",
         declare_tally, tally},
        {"blind", "--server URL --election ID --token FILE", "blind the unanimity ciphertext, with a proof",
         "Unanimous votes: verifies the board, the tally and the blindings so far, raises the current unanimity\n"
         "ciphertext to a secret random power (re-randomised), proves it, and sends it. Every trustee blinds once;\n"
         "then the result reveals only whether every voter chose the first option.",
         declare_blind, blind},
        {"submit-decryption", "--server URL --election ID --token FILE --partials FILE", "send your partial decryptions with proofs",
         "Sends the partial decryptions with proofs that `dkg decrypt-party --partials-out` wrote. The ballot box\n"
         "checks every proof; with t+1 trustees' partial decryptions it combines them and publishes the result.",
         declare_submit_decryption, submit_decryption},
    };
}

} // namespace dkg::vote
