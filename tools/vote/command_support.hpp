// What the dkg-vote commands share: their output streams, files read with a size limit and
// written atomically, and calls of the ballot box's API that turn its refusals into errors.
#pragma once

#include "errors.hpp"
#include "https_client.hpp"
#include "json.hpp"

#include <boost/json/value.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dkg::vote {

/// Where a command writes, and how.
struct io {
    std::ostream& out;
    std::ostream& err;
    std::string command; ///< for messages: "dkg-vote <command>: ..."
    bool json = false;   ///< --json: results as one JSON object on `out`
    bool quiet = false;  ///< --quiet: no notes on `err`

    /// "dkg-vote <command>: note: text" on `err`, unless quiet.
    void note(std::string_view text) const;
    /// "dkg-vote <command>: warning: text" on `err` (even when quiet).
    void warning(std::string_view text) const;
};

/// Prints a command's result: `json` on one line with --json, else `text`.
void print_result(const io& streams, const boost::json::value& json, const std::string& text);

/// A whole file of at most `max_bytes`. @throws input_error naming the file and `what`.
std::string read_text_file(const std::filesystem::path& path, std::size_t max_bytes, std::string_view what);

/// A file's first line without its line end (a token file). @throws input_error.
std::string read_first_line(const std::filesystem::path& path, std::size_t max_bytes, std::string_view what);

/// Writes `text` to `path` atomically (owner-only when `owner_only`); refuses to replace an
/// existing file unless `force`. @throws input_error (exists) or operation_error (cannot write).
void write_text_file(const std::filesystem::path& path, std::string_view text, bool owner_only, bool force);

/// The options of every command that talks to the ballot box.
void add_client_options(boost::program_options::options_description& d);

/// A client for --server, --ca and --timeout. @throws usage_error or input_error.
https_client make_client(const boost::program_options::variables_map& vm);

/// Calls the API and returns the parsed JSON body if the status is one of `expected`.
/// @throws operation_error with the ballot box's reason and message otherwise, or if the
///         connection fails.
boost::json::value call_api(https_client& client, boost::beast::http::verb method, const std::string& target,
                            const std::vector<unsigned>& expected, const std::string& body = {}, const std::string& bearer = {});

/// As call_api, also returning the status.
std::pair<unsigned, boost::json::value> call_api_status(https_client& client, boost::beast::http::verb method, const std::string& target,
                                                        const std::vector<unsigned>& expected, const std::string& body = {},
                                                        const std::string& bearer = {});

/// The value of a required option. @throws usage_error naming it.
template <class T>
T required_option(const boost::program_options::variables_map& vm, const char* name)
{
    if (!vm.count(name)) throw usage_error(std::string("missing --") + name);
    return vm[name].as<T>();
}

/// The value of an optional option.
template <class T>
std::optional<T> optional_option(const boost::program_options::variables_map& vm, const char* name)
{
    if (!vm.count(name)) return std::nullopt;
    return vm[name].as<T>();
}

/// An election id option, checked. @throws usage_error.
std::string election_option(const boost::program_options::variables_map& vm);

/// "/api/elections/ID" + suffix.
std::string election_path(const std::string& id, std::string_view suffix = {});

} // namespace dkg::vote
