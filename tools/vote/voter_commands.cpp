// The voters' and verifiers' commands: vote, status, fetch, verify.
#include "audit.hpp"
#include "ballot.hpp"
#include "commands.hpp"
#include "credentials.hpp"
#include "election.hpp"

#include <boost/json/serialize.hpp>
#include <boost/program_options/value_semantic.hpp>

#include <chrono>
#include <iostream>
#include <thread>

namespace dkg::vote {

namespace po = boost::program_options;
namespace http = boost::beast::http;

namespace {

/// The election as the ballot box publishes it, checked (its fingerprint recomputed).
std::pair<election, boost::json::value> fetch_election(https_client& client, const std::string& id)
{
    auto info = call_api(client, http::verb::get, election_path(id), {200});
    try {
        object_reader r(info, "election info");
        election e = election::from_json(r.required("election"));
        if (r.string("fingerprint", 64) != e.fingerprint())
            throw operation_error("the ballot box's election fingerprint is not the SHA-256 of its manifest");
        if (e.id() != id) throw operation_error("the ballot box answered with election " + e.id());
        return {std::move(e), std::move(info)};
    } catch (const document_error& ex) {
        throw operation_error(std::string("the ballot box's election is malformed: ") + ex.what());
    }
}

/// Parses "2" or "1,3": 1-based option numbers, distinct, within 1..options.
std::vector<std::size_t> parse_choices(const std::string& text, std::size_t options)
{
    std::vector<std::size_t> out;
    std::size_t at = 0;
    while (at <= text.size()) {
        auto end = text.find(',', at);
        if (end == std::string::npos) end = text.size();
        const std::string item = text.substr(at, end - at);
        at = end + 1;
        if (item.empty() || item.size() > 3 || item.find_first_not_of("0123456789") != std::string::npos || item[0] == '0')
            throw usage_error("--choice: expected option numbers 1.." + std::to_string(options) + ", comma-separated, got '" + text + "'");
        const std::size_t n = std::stoul(item);
        if (n < 1 || n > options) throw usage_error("--choice: option " + item + " is not one of 1.." + std::to_string(options));
        if (std::find(out.begin(), out.end(), n - 1) != out.end()) throw usage_error("--choice: option " + item + " is given twice");
        out.push_back(n - 1);
    }
    return out;
}

// ---- vote -------------------------------------------------------------------------------------

void declare_vote(po::options_description& d)
{
    add_client_options(d);
    d.add_options()("election", po::value<std::string>()->value_name("ID"), "the election")(
        "token", po::value<std::string>()->value_name("FILE"), "your voter token (from the election's credential authority)")(
        "choice", po::value<std::string>()->value_name("N[,N...]"), "the option(s) you vote for, numbered from 1 as `dkg-vote status` lists them")(
        "retry", po::value<unsigned>()->value_name("S")->default_value(0),
        "keep sending the same ballot for up to S seconds while the ballot box cannot be reached");
}

int vote(const po::variables_map& vm, const io& streams)
{
    const std::string id = election_option(vm);
    const std::string token = read_first_line(required_option<std::string>(vm, "token"), max_token_length + 2, "token file");
    const unsigned retry = vm["retry"].as<unsigned>();
    if (retry > 86400) throw usage_error("--retry: at most 86400 seconds");
    auto client = make_client(vm);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(retry);

    // Calls that are safe to repeat, repeated while the ballot box cannot be reached.
    auto with_retry = [&](auto&& call) {
        for (;;) {
            try {
                return call();
            } catch (const operation_error& e) {
                const std::string what = e.what();
                const bool unreachable = what.rfind("cannot ", 0) == 0 || what.find("(5") != std::string::npos;
                if (!unreachable || std::chrono::steady_clock::now() >= deadline) throw;
                streams.note(what + "; trying again");
                std::this_thread::sleep_for(std::chrono::milliseconds(500));
            }
        }
    };

    const auto [e, info] = with_retry([&] { return fetch_election(client, id); });
    token_claims claims;
    try {
        claims = verify_token(e.credential_key(), token);
    } catch (const credential_error& ex) {
        throw input_error(std::string("the token is not a credential of this election's authority: ") + ex.what());
    }
    if (claims.role != token_role::voter || claims.audience != e.id()) throw input_error("the token is not a voter token of election " + e.id());
    const std::string& voter = claims.subject;
    const auto choices = parse_choices(required_option<std::string>(vm, "choice"), e.options().size());

    std::optional<ballot> made;
    try {
        made.emplace(ballot::make(e, voter, choices));
    } catch (const std::invalid_argument& ex) {
        throw usage_error(std::string("--choice: ") + ex.what() + " (this election takes " + std::to_string(e.min_selections()) + " to " +
                          std::to_string(e.max_selections()) + " options)");
    }
    const std::string receipt = receipt_of(made->stored_text());
    boost::json::object submission;
    submission["election"] = e.id();
    submission["voter"] = voter;
    submission["ballot"] = made->document();
    const std::string body = to_text(submission);

    // The same ballot is sent again after a failure: the ballot box answers a repeated ballot
    // with its receipt (200), so a lost acknowledgement costs nothing.
    const auto [status, reply] = with_retry([&] { return call_api_status(client, http::verb::post, election_path(id, "/ballots"), {200, 201}, body, token); });
    const auto* returned = reply.as_object().if_contains("receipt");
    if (!returned || !returned->is_string() || returned->get_string() != receipt)
        throw operation_error("the ballot box returned another receipt than this ballot's " + receipt);
    const auto index = reply.as_object().at("index").to_number<std::uint64_t>();

    // The receipt must be on the bulletin board.
    const auto receipts = with_retry([&] { return call_api(client, http::verb::get, election_path(id, "/receipts"), {200}); });
    const auto& list = receipts.at("receipts").as_array();
    if (std::find(list.begin(), list.end(), boost::json::value(receipt)) == list.end())
        throw operation_error("the receipt " + receipt + " is not on the bulletin board");

    std::string chosen;
    for (std::size_t c : choices) chosen += (chosen.empty() ? "" : ", ") + e.options()[c];
    boost::json::object o;
    o["election"] = e.id();
    o["voter"] = voter;
    o["receipt"] = receipt;
    o["index"] = index;
    o["resubmitted"] = status == 200;
    print_result(streams, o,
                 "voted in " + e.id() + " as " + voter + " for: " + chosen + "\nreceipt " + receipt + " (ballot " + std::to_string(index) +
                     " on the bulletin board" + (status == 200 ? ", accepted before" : "") + ")\n");
    return exit_ok;
}

// ---- status -----------------------------------------------------------------------------------

void declare_status(po::options_description& d)
{
    add_client_options(d);
    d.add_options()("election", po::value<std::string>()->value_name("ID"), "the election");
}

int status(const po::variables_map& vm, const io& streams)
{
    const std::string id = election_option(vm);
    auto client = make_client(vm);
    const auto [e, info] = fetch_election(client, id);
    if (streams.json) {
        boost::json::object o = info.as_object();
        o.erase("election");
        o["election"] = e.id();
        o["question"] = e.question();
        boost::json::array options;
        for (const auto& option : e.options()) options.emplace_back(option);
        o["options"] = std::move(options);
        streams.out << boost::json::serialize(o) << '\n';
        return exit_ok;
    }
    const auto& i = info.as_object();
    std::string text = e.question() + "\n";
    const auto* result = i.if_contains("result");
    for (std::size_t k = 0; k < e.options().size(); ++k) {
        text += "  " + std::to_string(k + 1) + ". " + e.options()[k];
        if (result && result->as_object().contains("counts"))
            text += ": " + std::to_string(result->at("counts").as_array()[k].to_number<std::uint64_t>());
        text += "\n";
    }
    text += "status: " + std::string(i.at("status").as_string()) + "; " + std::to_string(i.at("ballots").to_number<std::uint64_t>()) + " of " +
            std::to_string(e.voters().size()) + " voters have voted; open " + format_time(e.opens()) + " to " + format_time(e.closes()) + "\n";
    if (result && result->as_object().contains("unanimous"))
        text += std::string("result: ") + (result->at("unanimous").as_bool() ? "unanimous (" + e.options()[0] + ")" : "not unanimous") + "\n";
    streams.out << text;
    return exit_ok;
}

// ---- fetch and verify -------------------------------------------------------------------------

void declare_fetch(po::options_description& d)
{
    add_client_options(d);
    d.add_options()("election", po::value<std::string>()->value_name("ID"), "the election")(
        "board", po::value<std::string>()->value_name("FILE"), "write the bulletin board here")(
        "result", po::value<std::string>()->value_name("FILE"), "write the result here (it must be published)")(
        "force", "replace existing files");
}

int fetch(const po::variables_map& vm, const io& streams)
{
    const std::string id = election_option(vm);
    if (!vm.count("board") && !vm.count("result")) throw usage_error("give --board FILE, --result FILE or both");
    auto client = make_client(vm);
    boost::json::object o;
    o["election"] = id;
    std::string text;
    // The result first: a board fetched after it holds every ballot the result counts.
    if (vm.count("result")) {
        const auto result = call_api(client, http::verb::get, election_path(id, "/result"), {200});
        write_text_file(vm["result"].as<std::string>(), to_text(result) + "\n", false, vm.count("force"));
        o["result"] = vm["result"].as<std::string>();
        text += "result: " + vm["result"].as<std::string>() + "\n";
    }
    if (vm.count("board")) {
        const auto board = call_api(client, http::verb::get, election_path(id, "/ballots"), {200});
        write_text_file(vm["board"].as<std::string>(), to_text(board) + "\n", false, vm.count("force"));
        o["board"] = vm["board"].as<std::string>();
        o["ballots"] = board.at("ballots").as_array().size();
        text += "bulletin board: " + vm["board"].as<std::string>() + " (" + std::to_string(board.at("ballots").as_array().size()) + " ballots)\n";
    }
    print_result(streams, o, text);
    return exit_ok;
}

void declare_verify(po::options_description& d)
{
    d.add_options()("board", po::value<std::string>()->value_name("FILE"), "the bulletin board (dkg-vote fetch --board)")(
        "result", po::value<std::string>()->value_name("FILE"), "the published result (dkg-vote fetch --result)")(
        "threads", po::value<unsigned>()->value_name("K")->default_value(0), "threads checking ballot proofs; 0: one per hardware thread");
}

int verify(const po::variables_map& vm, const io& streams)
{
    const auto board_text = read_text_file(required_option<std::string>(vm, "board"), std::size_t{1} << 30, "board file");
    const unsigned threads = vm["threads"].as<unsigned>();
    if (threads > 256) throw usage_error("--threads: at most 256");
    const auto started = std::chrono::steady_clock::now();
    const auto board = audit_board(parse_json(board_text, std::size_t{1} << 30, "board file"), threads);
    const election& e = *board.manifest;
    boost::json::object o;
    o["election"] = e.id();
    o["fingerprint"] = e.fingerprint();
    o["ballots"] = board.ballots.size();
    std::string text = "election " + e.id() + ": " + e.question() + "\n" + std::to_string(board.ballots.size()) +
                       " ballots: credentials, receipts and proofs verified\n";
    if (vm.count("result")) {
        const auto result_text = read_text_file(vm["result"].as<std::string>(), std::size_t{1} << 28, "result file");
        const auto summary = audit_result(board, parse_json(result_text, std::size_t{1} << 28, "result file"));
        boost::json::array trustees;
        for (auto j : summary.trustees) trustees.push_back(j);
        o["trustees"] = trustees;
        text += "encrypted tally recomputed; ";
        if (e.kind() == election_kind::unanimous) text += std::to_string(e.key().parties()) + " blindings and ";
        text += "partial decryptions of trustees " + to_text(trustees) + " verified\n";
        if (summary.unanimous) {
            o["unanimous"] = *summary.unanimous;
            text += std::string("result: ") + (*summary.unanimous ? "unanimous (every voter chose " + e.options()[0] + ")" : "not unanimous") + "\n";
        } else {
            boost::json::array counts;
            for (std::size_t i = 0; i < summary.counts.size(); ++i) {
                counts.push_back(summary.counts[i]);
                text += "  " + e.options()[i] + ": " + std::to_string(summary.counts[i]) + "\n";
            }
            o["counts"] = std::move(counts);
        }
    }
    o["verified"] = true;
    o["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    print_result(streams, o, text + "verified\n");
    return exit_ok;
}

} // namespace

std::vector<command> voter_commands()
{
    return {
        {"vote", "--server URL --election ID --token FILE --choice N[,N...] [--ca FILE] [--retry S]", "encrypt, prove and cast a ballot; check its receipt",
         "Fetches the election, checks your token against the election's credential key, encrypts your choice\n"
         "with proofs that the ballot is valid (bound to the election and to you), sends it with your token, and\n"
         "checks that the receipt returned is your ballot's and that it is on the bulletin board. One ballot per\n"
         "voter: a second, different ballot is refused; sending the same ballot again returns its receipt.",
         declare_vote, vote},
        {"status", "--server URL --election ID [--ca FILE]", "show an election: question, options, status, ballots, result",
         "Shows the election's question and numbered options (the numbers `vote --choice` takes), its status,\n"
         "the number of ballots cast and, once tallied, the result.",
         declare_status, status},
        {"fetch", "--server URL --election ID [--board FILE] [--result FILE]", "download the bulletin board and the result",
         "Writes the bulletin board (every accepted ballot with its proofs, credential and receipt) and the\n"
         "published result (encrypted tally, blindings, partial decryptions with proofs, counts) to files for\n"
         "`dkg-vote verify`.",
         declare_fetch, fetch},
        {"verify", "--board FILE [--result FILE] [--threads K]", "check a bulletin board and a result from the published record",
         "Re-checks everything from the published record, trusting nobody: every ballot's credential (signed by\n"
         "the election's credential authority), receipt and proofs; the encrypted tally recomputed from the ballots;\n"
         "for a unanimous vote every trustee's blinding and its proof; every partial decryption's proof; and the\n"
         "published counts or verdict recombined from the partial decryptions. Fails naming the first thing wrong.",
         declare_verify, verify},
    };
}

} // namespace dkg::vote
