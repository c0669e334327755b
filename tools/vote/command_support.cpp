#include "command_support.hpp"

#include "election.hpp"

#include <dkg/serialization.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <system_error>

namespace dkg::vote {

namespace po = boost::program_options;

void io::note(std::string_view text) const
{
    if (!quiet) err << "dkg-vote " << command << ": note: " << text << std::endl;
}

void io::warning(std::string_view text) const
{
    err << "dkg-vote " << command << ": warning: " << text << std::endl;
}

void print_result(const io& streams, const boost::json::value& json, const std::string& text)
{
    if (streams.json)
        streams.out << to_text(json) << '\n';
    else
        streams.out << text;
}

std::string read_text_file(const std::filesystem::path& path, std::size_t max_bytes, std::string_view what)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw input_error("cannot read " + std::string(what) + " " + path.string() + ": it is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw input_error("cannot read " + std::string(what) + " " + path.string() + ": no such file or no permission");
    std::string data;
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        data.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (data.size() > max_bytes)
            throw input_error(std::string(what) + " " + path.string() + " is larger than the limit of " + std::to_string(max_bytes) + " bytes");
    }
    return data;
}

std::string read_first_line(const std::filesystem::path& path, std::size_t max_bytes, std::string_view what)
{
    std::string data = read_text_file(path, max_bytes, what);
    const auto end = data.find_first_of("\r\n");
    if (end != std::string::npos) data.resize(end);
    if (data.empty()) throw input_error(std::string(what) + " " + path.string() + " is empty");
    return data;
}

void write_text_file(const std::filesystem::path& path, std::string_view text, bool owner_only, bool force)
{
    std::error_code ec;
    if (!force && std::filesystem::exists(path, ec)) throw input_error(path.string() + " exists already (use --force to replace it)");
    try {
        dkg::write_file_atomically(path, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), owner_only);
    } catch (const std::system_error& e) {
        throw operation_error("cannot write " + path.string() + ": " + e.code().message());
    }
}

void add_client_options(po::options_description& d)
{
    d.add_options()("server", po::value<std::string>()->value_name("URL"), "the ballot box, https://HOST[:PORT]")(
        "ca", po::value<std::string>()->value_name("FILE"), "PEM file of the CA that issued the ballot box's certificate (default: the system's CAs)")(
        "timeout", po::value<unsigned>()->value_name("S")->default_value(60), "seconds to wait for the ballot box, 1..3600");
}

https_client make_client(const po::variables_map& vm)
{
    const auto url = required_option<std::string>(vm, "server");
    server_address address;
    try {
        address = server_address::parse(url);
    } catch (const std::invalid_argument& e) {
        throw usage_error(std::string("--") + e.what());
    }
    const unsigned timeout = vm["timeout"].as<unsigned>();
    if (timeout < 1 || timeout > 3600) throw usage_error("--timeout: must be 1..3600 seconds");
    std::optional<std::filesystem::path> ca;
    if (vm.count("ca")) ca = vm["ca"].as<std::string>();
    try {
        return https_client(address, ca, std::chrono::seconds(timeout));
    } catch (const std::runtime_error& e) {
        throw input_error(e.what());
    }
}

std::pair<unsigned, boost::json::value> call_api_status(https_client& client, boost::beast::http::verb method, const std::string& target,
                                                        const std::vector<unsigned>& expected, const std::string& body, const std::string& bearer)
{
    http_reply reply;
    try {
        reply = client.request(method, target, body, bearer);
    } catch (const std::runtime_error& e) {
        throw operation_error(e.what());
    }
    boost::json::value parsed;
    try {
        parsed = parse_json(reply.body, std::size_t{1} << 30, "response");
    } catch (const document_error&) {
        throw operation_error("the ballot box answered " + std::string(boost::beast::http::to_string(method)) + " " + target + " with status " +
                              std::to_string(reply.status) + " and a body that is not JSON");
    }
    for (unsigned s : expected)
        if (reply.status == s) return {reply.status, std::move(parsed)};
    std::string reason = "?", message;
    if (const auto* o = parsed.if_object()) {
        if (const auto* r = o->if_contains("error"); r && r->is_string()) reason = std::string(r->get_string());
        if (const auto* m = o->if_contains("message"); m && m->is_string()) message = std::string(m->get_string());
    }
    throw operation_error("the ballot box refused " + std::string(boost::beast::http::to_string(method)) + " " + target + " (" +
                          std::to_string(reply.status) + " " + reason + ")" + (message.empty() ? "" : ": " + message));
}

boost::json::value call_api(https_client& client, boost::beast::http::verb method, const std::string& target,
                            const std::vector<unsigned>& expected, const std::string& body, const std::string& bearer)
{
    return call_api_status(client, method, target, expected, body, bearer).second;
}

std::string election_option(const po::variables_map& vm)
{
    const auto id = required_option<std::string>(vm, "election");
    if (!valid_election_id(id)) throw usage_error("--election: use 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit");
    return id;
}

std::string election_path(const std::string& id, std::string_view suffix)
{
    return "/api/elections/" + id + std::string(suffix);
}

} // namespace dkg::vote
