// The administrator's commands and the ballot box: serve, public-key, credentials, admin-token,
// create, close.
#include "ballot_box.hpp"
#include "commands.hpp"
#include "credentials.hpp"
#include "election.hpp"
#include "https_server.hpp"
#include "sqlite_storage.hpp"

#include <dkg/serialization.hpp>

#include <boost/json/serialize.hpp>
#include <boost/program_options/value_semantic.hpp>

#include <openssl/crypto.h>

#include <condition_variable>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

namespace dkg::vote {

namespace po = boost::program_options;
namespace http = boost::beast::http;

namespace {

/// A private key file's text, wiped when it goes out of scope.
class private_key_text {
public:
    explicit private_key_text(const po::variables_map& vm, const char* option)
        : text_(read_text_file(required_option<std::string>(vm, option), max_pem_length, "private key file"))
    {
    }
    ~private_key_text() { OPENSSL_cleanse(text_.data(), text_.size()); }
    private_key_text(const private_key_text&) = delete;
    private_key_text& operator=(const private_key_text&) = delete;
    const std::string& text() const noexcept { return text_; }

private:
    std::string text_;
};

/// An administrator token valid for five minutes.
std::string admin_token(const private_key_text& key, unix_seconds lifetime = 300)
{
    token_claims c;
    c.role = token_role::admin;
    c.audience = std::string(admin_audience);
    c.subject = "admin";
    c.issued_at = now_seconds();
    c.expires = c.issued_at + lifetime;
    try {
        return issue_token(key.text(), c);
    } catch (const std::invalid_argument& e) {
        throw input_error(std::string("--admin-key: ") + e.what());
    }
}

/// Voter ids from a file: one per line; blank lines and lines starting with '#' are skipped.
std::vector<std::string> read_voters(const std::string& path)
{
    const std::string text = read_text_file(path, max_manifest_bytes, "voters file");
    std::vector<std::string> voters;
    std::set<std::string> seen;
    std::size_t line_number = 0, at = 0;
    while (at <= text.size()) {
        auto end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(at, end - at);
        at = end + 1;
        ++line_number;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        line = line.substr(first);
        if (!valid_voter_id(line))
            throw input_error("voters file " + path + ", line " + std::to_string(line_number) +
                              ": not a voter id (1 to 64 of A-Z, a-z, 0-9, '.', '_', '@' and '-')");
        if (!seen.insert(line).second) throw input_error("voters file " + path + ": voter " + line + " is listed twice");
        voters.push_back(line);
    }
    if (voters.empty()) throw input_error("voters file " + path + " lists no voter");
    if (voters.size() > max_voters) throw input_error("voters file " + path + " lists more than " + std::to_string(max_voters) + " voters");
    return voters;
}

unix_seconds time_option(const po::variables_map& vm, const char* name, const char* fallback)
{
    const std::string text = vm.count(name) ? vm[name].as<std::string>() : std::string(fallback);
    try {
        return parse_time_argument(text);
    } catch (const std::invalid_argument&) {
        throw usage_error(std::string("--") + name + ": expected YYYY-MM-DDTHH:MM:SSZ, 'now' or +SECONDS, got '" + text + "'");
    }
}

// ---- serve ------------------------------------------------------------------------------------

void declare_serve(po::options_description& d)
{
    d.add_options()("db", po::value<std::string>()->value_name("FILE"), "the SQLite database (created if missing)")(
        "cert", po::value<std::string>()->value_name("FILE"), "the ballot box's TLS certificate chain (PEM)")(
        "key", po::value<std::string>()->value_name("FILE"), "its private key (PEM)")(
        "admin-key", po::value<std::string>()->value_name("FILE"), "the administrator's P-256 public key (PEM) that verifies administrator tokens")(
        "listen", po::value<std::string>()->value_name("HOST:PORT")->default_value("localhost:8443"), "where to listen (port 0: any free port)")(
        "threads", po::value<unsigned>()->value_name("K")->default_value(0), "worker threads for requests (proof verification); 0: one per hardware thread")(
        "port-file", po::value<std::string>()->value_name("FILE"), "write the port listened on to FILE once listening");
}

std::pair<std::string, std::uint16_t> parse_listen(const std::string& text)
{
    std::string host, port;
    if (!text.empty() && text[0] == '[') {
        const auto end = text.find("]:");
        if (end == std::string::npos) throw usage_error("--listen: expected [IPV6]:PORT");
        host = text.substr(1, end - 1);
        port = text.substr(end + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos) throw usage_error("--listen: expected HOST:PORT");
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (host.empty() || port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535)
        throw usage_error("--listen: expected HOST:PORT with a port 0..65535");
    return {host, static_cast<std::uint16_t>(std::stoul(port))};
}

int serve(const po::variables_map& vm, const io& streams)
{
    const auto [host, port] = parse_listen(vm["listen"].as<std::string>());
    const std::string admin_key = read_text_file(required_option<std::string>(vm, "admin-key"), max_pem_length, "administrator key file");
    https_server_options options;
    options.host = host;
    options.port = port;
    options.certificate = required_option<std::string>(vm, "cert");
    options.private_key = required_option<std::string>(vm, "key");
    options.worker_threads = vm["threads"].as<unsigned>();
    if (options.worker_threads > 256) throw usage_error("--threads: at most 256");
    const std::string db = required_option<std::string>(vm, "db");

    std::unique_ptr<sqlite_storage> store;
    try {
        store = std::make_unique<sqlite_storage>(db);
    } catch (const std::runtime_error& e) {
        throw input_error(e.what());
    }
    std::unique_ptr<ballot_box> box;
    try {
        box = std::make_unique<ballot_box>(*store, admin_key);
    } catch (const std::invalid_argument& e) {
        throw input_error(std::string("--") + e.what());
    }
    std::unique_ptr<https_server> server;
    try {
        server = std::make_unique<https_server>(options, box->application());
    } catch (const std::runtime_error& e) {
        throw input_error(e.what());
    }
    const std::string where = "https://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(server->local_port());
    if (vm.count("port-file")) write_text_file(vm["port-file"].as<std::string>(), std::to_string(server->local_port()) + "\n", false, true);
    streams.note("the ballot box listens on " + where + " (TLS 1.3), database " + db + " (" + std::to_string(store->elections().size()) +
                 " elections)");

    // Closes elections when their time is up, and finishes tallies interrupted by a restart.
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    std::thread closer([&] {
        std::unique_lock lock(mutex);
        while (!stopping) {
            lock.unlock();
            box->close_due_elections();
            lock.lock();
            wake.wait_for(lock, std::chrono::seconds(1), [&] { return stopping; });
        }
    });
    server->run(true);
    {
        std::lock_guard lock(mutex);
        stopping = true;
    }
    wake.notify_all();
    closer.join();
    streams.note("stopped");
    return exit_ok;
}

// ---- keys and credentials ---------------------------------------------------------------------

void declare_public_key(po::options_description& d)
{
    d.add_options()("key", po::value<std::string>()->value_name("FILE"), "a P-256 private key (PEM), e.g. from "
                                                                         "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256");
}

int public_key(const po::variables_map& vm, const io& streams)
{
    const private_key_text key(vm, "key");
    std::string pem;
    try {
        pem = public_key_of(key.text());
    } catch (const std::invalid_argument& e) {
        throw input_error(std::string("--key: ") + e.what());
    }
    boost::json::object o;
    o["public_key"] = pem;
    print_result(streams, o, pem);
    return exit_ok;
}

void declare_credentials(po::options_description& d)
{
    d.add_options()("key", po::value<std::string>()->value_name("FILE"), "the credential authority's P-256 private key (PEM)")(
        "election", po::value<std::string>()->value_name("ID"), "the election the tokens are for")(
        "voters", po::value<std::string>()->value_name("FILE"), "voter ids, one per line ('#' comments)")(
        "trustees", po::value<unsigned>()->value_name("N")->default_value(0), "also make tokens for trustees 1..N")(
        "out", po::value<std::string>()->value_name("DIR"), "where to write voter-ID.token and trustee-J.token")(
        "expires", po::value<std::string>()->value_name("TIME"), "expiry of the tokens (YYYY-MM-DDTHH:MM:SSZ or +SECONDS); none by default")(
        "force", "replace existing token files");
}

int credentials(const po::variables_map& vm, const io& streams)
{
    const std::string election_id = election_option(vm);
    const private_key_text key(vm, "key");
    std::vector<std::string> voters;
    if (vm.count("voters")) voters = read_voters(vm["voters"].as<std::string>());
    const unsigned trustees = vm["trustees"].as<unsigned>();
    if (trustees > 1024) throw usage_error("--trustees: at most 1024");
    if (voters.empty() && trustees == 0) throw usage_error("give --voters FILE, --trustees N or both");
    const std::filesystem::path dir = required_option<std::string>(vm, "out");
    std::optional<unix_seconds> expires;
    if (vm.count("expires")) expires = time_option(vm, "expires", "");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw operation_error("cannot create " + dir.string() + ": " + ec.message());

    auto issue = [&](token_role role, const std::string& subject) {
        token_claims c;
        c.role = role;
        c.audience = election_id;
        c.subject = subject;
        c.issued_at = now_seconds();
        c.expires = expires;
        try {
            return issue_token(key.text(), c);
        } catch (const std::invalid_argument& e) {
            throw input_error(std::string("--key: ") + e.what());
        }
    };
    for (const auto& v : voters) write_text_file(dir / ("voter-" + v + ".token"), issue(token_role::voter, v) + "\n", true, vm.count("force"));
    for (unsigned j = 1; j <= trustees; ++j)
        write_text_file(dir / ("trustee-" + std::to_string(j) + ".token"), issue(token_role::trustee, trustee_subject(j)) + "\n", true,
                        vm.count("force"));
    boost::json::object o;
    o["election"] = election_id;
    o["voters"] = voters.size();
    o["trustees"] = trustees;
    o["directory"] = dir.string();
    print_result(streams, o,
                 "wrote " + std::to_string(voters.size()) + " voter and " + std::to_string(trustees) + " trustee tokens for election " +
                     election_id + " to " + dir.string() + "\n");
    return exit_ok;
}

void declare_admin_token(po::options_description& d)
{
    d.add_options()("admin-key", po::value<std::string>()->value_name("FILE"), "the administrator's P-256 private key (PEM)")(
        "lifetime", po::value<unsigned>()->value_name("S")->default_value(300), "seconds the token is valid, 1..3600");
}

int admin_token_command(const po::variables_map& vm, const io& streams)
{
    const unsigned lifetime = vm["lifetime"].as<unsigned>();
    if (lifetime < 1 || lifetime > max_admin_token_seconds) throw usage_error("--lifetime: must be 1..3600 seconds");
    const private_key_text key(vm, "admin-key");
    const std::string token = admin_token(key, lifetime);
    boost::json::object o;
    o["token"] = token;
    print_result(streams, o, token + "\n");
    return exit_ok;
}

// ---- create and close -------------------------------------------------------------------------

void declare_create(po::options_description& d)
{
    add_client_options(d);
    d.add_options()("admin-key", po::value<std::string>()->value_name("FILE"), "the administrator's P-256 private key (PEM)")(
        "manifest", po::value<std::string>()->value_name("FILE"), "send this election document as is (instead of the options below)")(
        "election", po::value<std::string>()->value_name("ID"), "the election id: 1 to 64 of a-z, 0-9, '.', '_', '-'")(
        "question", po::value<std::string>()->value_name("TEXT"), "the question")(
        "option", po::value<std::vector<std::string>>()->value_name("TEXT")->composing(), "an option (give 2 to 64, in order)")(
        "kind", po::value<std::string>()->value_name("KIND")->default_value("tally"), "tally (counts per option) or unanimous (only whether all chose the first)")(
        "min-selections", po::value<unsigned>()->value_name("A")->default_value(1), "the fewest options a ballot selects")(
        "max-selections", po::value<unsigned>()->value_name("B")->default_value(1), "the most options a ballot selects")(
        "voters", po::value<std::string>()->value_name("FILE"), "the eligible voters' ids, one per line")(
        "credential-key", po::value<std::string>()->value_name("FILE"), "the credential authority's P-256 public key (PEM)")(
        "threshold-key", po::value<std::string>()->value_name("FILE"), "the trustees' key (dkg-vote threshold-key of a share)")(
        "opens", po::value<std::string>()->value_name("TIME")->default_value("now"), "YYYY-MM-DDTHH:MM:SSZ, now or +SECONDS")(
        "closes", po::value<std::string>()->value_name("TIME"), "YYYY-MM-DDTHH:MM:SSZ or +SECONDS");
}

boost::json::value manifest_from_options(const po::variables_map& vm)
{
    boost::json::object m;
    m["type"] = "dkg-vote.election";
    m["version"] = 1;
    m["id"] = election_option(vm);
    m["question"] = required_option<std::string>(vm, "question");
    boost::json::array options;
    for (const auto& o : optional_option<std::vector<std::string>>(vm, "option").value_or(std::vector<std::string>{})) options.emplace_back(o);
    m["options"] = std::move(options);
    m["kind"] = vm["kind"].as<std::string>();
    m["min_selections"] = vm["min-selections"].as<unsigned>();
    m["max_selections"] = vm["max-selections"].as<unsigned>();
    boost::json::array voters;
    for (const auto& v : read_voters(required_option<std::string>(vm, "voters"))) voters.emplace_back(v);
    m["voters"] = std::move(voters);
    m["credential_key"] = read_text_file(required_option<std::string>(vm, "credential-key"), max_pem_length, "credential key file");
    m["threshold_key"] = parse_json(read_text_file(required_option<std::string>(vm, "threshold-key"), dkg::max_json_bytes, "threshold key file"),
                                    dkg::max_json_bytes, "threshold key file");
    m["opens"] = format_time(time_option(vm, "opens", "now"));
    if (!vm.count("closes")) throw usage_error("missing --closes");
    m["closes"] = format_time(time_option(vm, "closes", ""));
    return m;
}

int create(const po::variables_map& vm, const io& streams)
{
    boost::json::value manifest;
    if (vm.count("manifest")) {
        for (const char* other : {"election", "question", "option", "voters", "credential-key", "threshold-key", "closes"})
            if (vm.count(other)) throw usage_error(std::string("--manifest and --") + other + " do not go together");
        manifest = parse_json(read_text_file(vm["manifest"].as<std::string>(), max_manifest_bytes, "manifest file"), max_manifest_bytes, "manifest file");
    } else {
        manifest = manifest_from_options(vm);
    }
    // Checked here first, for a clear error before anything is sent.
    const election e = election::from_json(manifest);
    auto client = make_client(vm);
    const private_key_text key(vm, "admin-key");
    const auto reply = call_api(client, http::verb::post, "/api/elections", {201}, to_text(manifest), admin_token(key));
    const auto* fingerprint = reply.as_object().if_contains("fingerprint");
    if (!fingerprint || !fingerprint->is_string() || fingerprint->get_string() != e.fingerprint())
        throw operation_error("the ballot box stored another manifest than the one sent (fingerprints differ)");
    boost::json::object o;
    o["election"] = e.id();
    o["fingerprint"] = e.fingerprint();
    o["status"] = reply.as_object().at("status");
    print_result(streams, o,
                 "created election " + e.id() + " (" + std::to_string(e.voters().size()) + " voters, " + std::to_string(e.options().size()) +
                     " options, " + std::to_string(e.key().parties()) + " trustees), open " + format_time(e.opens()) + " to " +
                     format_time(e.closes()) + "\nfingerprint " + e.fingerprint() + "\n");
    return exit_ok;
}

void declare_close(po::options_description& d)
{
    add_client_options(d);
    d.add_options()("admin-key", po::value<std::string>()->value_name("FILE"), "the administrator's P-256 private key (PEM)")(
        "election", po::value<std::string>()->value_name("ID"), "the election");
}

int close(const po::variables_map& vm, const io& streams)
{
    const std::string id = election_option(vm);
    auto client = make_client(vm);
    const private_key_text key(vm, "admin-key");
    const auto reply = call_api(client, http::verb::post, election_path(id, "/close"), {200}, "{}", admin_token(key));
    const auto& tally = reply.at("tally").as_object();
    boost::json::object o;
    o["election"] = id;
    o["ballots"] = tally.at("ballots");
    o["board_hash"] = tally.at("board_hash");
    print_result(streams, o,
                 "closed election " + id + " with " + std::to_string(tally.at("ballots").to_number<std::uint64_t>()) +
                     " ballots; board hash " + std::string(tally.at("board_hash").as_string()) + "\n");
    return exit_ok;
}

} // namespace

std::vector<command> administrator_commands()
{
    return {
        {"serve", "--db FILE --cert FILE --key FILE --admin-key FILE [--listen HOST:PORT] [--threads K]", "run the ballot box (HTTPS, TLS 1.3)",
         "Runs the ballot box: the JSON API and the read-only page of docs/voting.md over HTTPS (TLS 1.3 only),\n"
         "with the elections, ballots and results in an SQLite database (WAL; every ballot acknowledged only after\n"
         "its transaction committed). Elections close at their closing time (or earlier with `dkg-vote close`).\n"
         "Runs until SIGINT or SIGTERM.",
         declare_serve, serve},
        {"public-key", "--key FILE", "print the public key of a P-256 private key",
         "Prints the PEM public key of an administrator's or credential authority's private key: give the\n"
         "administrator's to `serve --admin-key` and the credential authority's to `create --credential-key`.",
         declare_public_key, public_key},
        {"credentials", "--key FILE --election ID [--voters FILE] [--trustees N] --out DIR", "make the voters' and trustees' tokens",
         "Signs one token (a JWT, ES256) per voter and per trustee of an election with the credential authority's\n"
         "private key and writes them to DIR/voter-ID.token and DIR/trustee-J.token (owner-only). Give each voter\n"
         "and trustee theirs over a private channel; the ballot box never sees the private key.",
         declare_credentials, credentials},
        {"admin-token", "--admin-key FILE [--lifetime S]", "print an administrator token (for scripts)",
         "Prints an administrator token (a JWT, ES256, valid for --lifetime seconds) for calling the API directly.", declare_admin_token,
         admin_token_command},
        {"create", "--server URL --admin-key FILE --election ID --question TEXT --option A --option B ... --voters FILE\n"
                   "               --credential-key FILE --threshold-key FILE --closes TIME [options]",
         "create an election on the ballot box",
         "Creates an election: the question, the options, the kind of count, the eligible voters, the credential\n"
         "authority's public key, the trustees' threshold key and the voting period. Or --manifest FILE sends an\n"
         "election document (docs/voting.md) as it is.",
         declare_create, create},
        {"close", "--server URL --admin-key FILE --election ID", "close an election now and compute its encrypted tally",
         "Closes the election before its closing time: no ballot is accepted afterwards, and the encrypted tally\n"
         "is computed from the ballots on the board.",
         declare_close, close},
    };
}

} // namespace dkg::vote
