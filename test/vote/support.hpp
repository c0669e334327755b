// Helpers of the voting service's tests: temporary directories, test certificates, P-256 keys and
// tokens, a dealt threshold key, election manifests, and a ballot box serving HTTPS on a free port
// in this process.
#pragma once

#include <ballot_box.hpp>
#include <credentials.hpp>
#include <election.hpp>
#include <https_client.hpp>
#include <https_server.hpp>
#include <sqlite_storage.hpp>

#include <dkg/key_share.hpp>

#include <boost/json/value.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace vote_test {

using dkg::vote::number;

/// A fresh directory, removed with its content at destruction.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

/// Test certificates made once per process (scripts/make_test_certificates.sh DIR 3 --server
/// localhost): ca.pem, server.pem, server.key, and other-ca.pem of an unrelated CA.
const std::filesystem::path& certificates();

/// A P-256 key pair in PEM.
struct key_pair {
    std::string private_pem, public_pem;
};
key_pair new_key_pair();

/// The administrator's and the credential authority's keys of the tests (made once).
const key_pair& admin_keys();
const key_pair& authority_keys();

/// A dealt threshold key of `parties` parties and threshold `threshold`, 512-bit N (made once per
/// pair of sizes).
const std::vector<dkg::key_share<number>>& trustee_shares(std::size_t parties = 3, std::size_t threshold = 1);

/// The threshold key's JSON document (dkg.threshold_key) of `trustee_shares(parties, threshold)`.
boost::json::value threshold_key_json(std::size_t parties = 3, std::size_t threshold = 1);

/// Options of a test election.
struct manifest_options {
    std::string id = "test-election";
    std::string kind = "tally";
    std::vector<std::string> options = {"Alice", "Bob", "Carol"};
    std::size_t min_selections = 1, max_selections = 1;
    std::size_t voters = 6;          ///< voter-1 .. voter-N
    std::size_t parties = 3, threshold = 1;
    dkg::vote::unix_seconds opens = -1;  ///< -1: a minute ago
    dkg::vote::unix_seconds closes = -1; ///< -1: in an hour
};

/// An election manifest document.
boost::json::value manifest(const manifest_options& o = {});

/// "voter-I".
std::string voter(std::size_t i);

/// Tokens of the test authority (voters, trustees) and administrator.
std::string voter_token(const std::string& election, const std::string& voter_id);
std::string trustee_token(const std::string& election, unsigned trustee);
std::string admin_token();

/// A ballot box on a fresh SQLite database, serving HTTPS on a free loopback port in this process.
class running_box {
public:
    /// @param db the database file (a fresh one in a temporary directory if empty).
    explicit running_box(std::filesystem::path db = {});
    ~running_box();
    running_box(const running_box&) = delete;
    running_box& operator=(const running_box&) = delete;

    /// A client that trusts the test CA.
    std::unique_ptr<dkg::vote::https_client> client() const;
    std::uint16_t port() const noexcept { return port_; }
    dkg::vote::ballot_box& box() noexcept { return *box_; }
    dkg::vote::storage& store() noexcept { return *store_; }

    /// Stops serving and closes the database.
    void stop();

private:
    std::unique_ptr<temp_dir> dir_;
    std::unique_ptr<dkg::vote::sqlite_storage> store_;
    std::unique_ptr<dkg::vote::ballot_box> box_;
    std::unique_ptr<dkg::vote::https_server> server_;
    std::thread thread_;
    std::uint16_t port_ = 0;
};

/// A response's JSON body.
struct api_reply {
    unsigned status = 0;
    boost::json::value body;
    std::string reason() const; ///< body.error, or ""
};

/// Calls the API through `client`.
api_reply call(dkg::vote::https_client& client, boost::beast::http::verb method, const std::string& target, const std::string& body = {},
               const std::string& bearer = {});

} // namespace vote_test
