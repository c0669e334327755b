// The ballot box: the JSON API of docs/voting.md over a storage — create an election, accept
// ballots, close and tally, take the trustees' blindings and partial decryptions, publish the
// result — and the read-only web page. Independent of HTTP transport details: https_server calls
// `handle` on its worker threads.
#pragma once

#include "election.hpp"
#include "https_server.hpp"
#include "storage.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace dkg::vote {

/// Counters of the ballot box (GET /api/statistics), for monitoring and the load benchmark.
struct ballot_box_statistics {
    std::uint64_t ballots_accepted = 0;
    std::uint64_t ballots_resubmitted = 0;
    std::uint64_t requests_refused = 0;
    double verify_seconds = 0;  ///< CPU time spent verifying ballot proofs (thread CPU time)
    double store_seconds = 0;   ///< wall time spent in storage transactions of ballots (commits wait for the disk)
};

/// The application of the ballot box.
///
/// @par Thread Safety
/// Safe from several threads: `handle` runs on every worker at once.
class ballot_box {
public:
    /// @param store the storage (must outlive the ballot box).
    /// @param admin_key PEM P-256 public key that verifies administrator tokens.
    /// @throws std::invalid_argument naming `admin_key` if it is not one; std::runtime_error if
    ///         the store holds an election whose manifest cannot be read.
    ballot_box(storage& store, const std::string& admin_key);

    /// The body limit of a request (https_server's http_application::body_limit).
    std::size_t body_limit(boost::beast::http::verb method, const std::string& target);

    /// Handles a request; never throws.
    http_response handle(const http_request& request);

    /// The error response {"error": reason, "message": text}.
    static http_response error_response(unsigned status, const std::string& reason, const std::string& message);

    /// Closes every election whose closing time has passed and computes the tallies still missing
    /// (after a restart). Called periodically by the server.
    void close_due_elections();

    /// The counters.
    ballot_box_statistics statistics() const;

    /// The application for https_server.
    http_application application();

private:
    struct entry;

    std::shared_ptr<entry> find(const std::string& id);
    std::shared_ptr<entry> require(const std::string& id);
    void require_admin(const http_request& request) const;

    http_response route(const http_request& request);
    http_response page(const std::string& path);
    http_response list_elections();
    http_response create_election(const http_request& request);
    http_response election_info(entry& e);
    http_response submit_ballot(entry& e, const http_request& request);
    http_response board(entry& e);
    http_response receipts(entry& e);
    http_response close_election(entry& e, const http_request& request);
    http_response tally(entry& e);
    http_response submit_blinding(entry& e, const http_request& request);
    http_response submit_decryption(entry& e, const http_request& request);
    http_response result(entry& e);
    http_response statistics_response() const;

    /// Closes `e` (if open) and computes its tally (if missing). Returns whether it closed it now.
    bool close_and_tally(entry& e, unix_seconds at);
    std::string status_of(entry& e, const stored_election& stored) const;

    storage& store_;
    std::string admin_key_;
    std::mutex elections_mutex_;
    std::map<std::string, std::shared_ptr<entry>, std::less<>> elections_;

    std::atomic<std::uint64_t> accepted_{0}, resubmitted_{0}, refused_{0};
    std::atomic<std::uint64_t> verify_nanoseconds_{0}, store_nanoseconds_{0};
};

} // namespace dkg::vote
