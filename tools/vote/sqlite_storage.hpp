// The embedded store of the ballot box: one SQLite database file in write-ahead-log mode with
// synchronous=FULL, one transaction per change (docs/voting.md, "Storage").
#pragma once

#include "storage.hpp"

#include <filesystem>
#include <mutex>

struct sqlite3;

namespace dkg::vote {

/// A storage in one SQLite file (created with its tables if missing).
///
/// The file is locked for this process (a second ballot box on the same file is refused). Writes
/// go through one connection, serialised by a mutex; SQLite's WAL makes every commit durable
/// before `add_ballot` and the other changes return.
///
/// @par Thread Safety
/// Safe from several threads.
class sqlite_storage final : public storage {
public:
    /// Opens (or creates) the database at `path`.
    /// @throws std::runtime_error naming the file if it cannot be opened, is not a ballot-box
    ///         database, or is in use by another process.
    explicit sqlite_storage(const std::filesystem::path& path);
    ~sqlite_storage() override;
    sqlite_storage(const sqlite_storage&) = delete;
    sqlite_storage& operator=(const sqlite_storage&) = delete;

    bool add_election(const stored_election& e) override;
    std::vector<stored_election> elections() override;
    std::optional<stored_election> election(const std::string& id) override;
    add_ballot_result add_ballot(const std::string& election, stored_ballot b) override;
    std::optional<stored_ballot> ballot_of(const std::string& election, const std::string& voter) override;
    std::vector<stored_ballot> ballots(const std::string& election) override;
    std::uint64_t ballot_count(const std::string& election) override;
    std::vector<std::string> receipts(const std::string& election) override;
    bool close(const std::string& election, unix_seconds at) override;
    bool set_tally(const std::string& election, const std::string& tally) override;
    bool add_blinding(const std::string& election, stored_blinding b) override;
    std::vector<stored_blinding> blindings(const std::string& election) override;
    bool add_decryption(const std::string& election, const stored_decryption& d) override;
    std::vector<stored_decryption> decryptions(const std::string& election) override;
    bool set_result(const std::string& election, const std::string& result) override;

private:
    class statement;
    class transaction;

    void execute(const char* sql);
    /// Runs an UPDATE of one election (?1 its id, ?2 `value`) in a transaction; whether it changed a row.
    bool update_election_once(const char* sql, const std::string& election, const std::string& value);
    std::optional<stored_election> election_locked(const std::string& id);
    std::optional<stored_ballot> ballot_of_locked(const std::string& election, const std::string& voter);

    std::filesystem::path path_;
    sqlite3* db_ = nullptr;
    int lock_fd_ = -1;
    std::mutex mutex_;
};

} // namespace dkg::vote
