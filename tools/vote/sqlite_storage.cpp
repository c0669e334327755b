#include "sqlite_storage.hpp"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace dkg::vote {

namespace {

// Version 1 of the schema. Every published value is stored as text exactly as published.
constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS elections (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  manifest TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  closed_at INTEGER,
  tally TEXT,
  result TEXT);
CREATE TABLE IF NOT EXISTS ballots (
  election TEXT NOT NULL REFERENCES elections(id),
  idx INTEGER NOT NULL,
  voter TEXT NOT NULL,
  credential TEXT NOT NULL,
  ballot TEXT NOT NULL,
  receipt TEXT NOT NULL,
  cast_at INTEGER NOT NULL,
  PRIMARY KEY (election, idx),
  UNIQUE (election, voter));
CREATE TABLE IF NOT EXISTS blindings (
  election TEXT NOT NULL REFERENCES elections(id),
  idx INTEGER NOT NULL,
  trustee INTEGER NOT NULL,
  credential TEXT NOT NULL,
  blinding TEXT NOT NULL,
  PRIMARY KEY (election, idx),
  UNIQUE (election, trustee));
CREATE TABLE IF NOT EXISTS decryptions (
  election TEXT NOT NULL REFERENCES elections(id),
  trustee INTEGER NOT NULL,
  partials TEXT NOT NULL,
  PRIMARY KEY (election, trustee));
INSERT OR IGNORE INTO meta (key, value) VALUES ('format', 'dkg-vote/1');
)sql";

std::string sqlite_message(sqlite3* db)
{
    return db ? sqlite3_errmsg(db) : "out of memory";
}

} // namespace

/// A prepared statement, finalized on scope exit.
class sqlite_storage::statement {
public:
    statement(sqlite3* db, const char* sql) : db_(db)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
            throw std::runtime_error("storage: cannot prepare a statement: " + sqlite_message(db));
    }
    ~statement() { sqlite3_finalize(stmt_); }
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;

    statement& bind(int i, const std::string& text)
    {
        check(sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
        return *this;
    }
    statement& bind(int i, std::int64_t v)
    {
        check(sqlite3_bind_int64(stmt_, i, v));
        return *this;
    }
    /// Steps once: true if a row is available, false when done.
    bool step()
    {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw std::runtime_error("storage: " + sqlite_message(db_));
    }
    /// Steps a statement that may violate a UNIQUE or PRIMARY KEY constraint: false if it did.
    bool step_unique()
    {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_DONE) return true;
        if (rc == SQLITE_CONSTRAINT) return false;
        throw std::runtime_error("storage: " + sqlite_message(db_));
    }
    std::string text(int column) const
    {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
    }
    std::optional<std::string> optional_text(int column) const
    {
        if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
        return text(column);
    }
    std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
    std::optional<std::int64_t> optional_integer(int column) const
    {
        if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
        return integer(column);
    }

private:
    void check(int rc)
    {
        if (rc != SQLITE_OK) throw std::runtime_error("storage: cannot bind a value: " + sqlite_message(db_));
    }

    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

/// BEGIN IMMEDIATE ... COMMIT; rolled back unless committed.
class sqlite_storage::transaction {
public:
    explicit transaction(sqlite_storage& s) : s_(s) { s_.execute("BEGIN IMMEDIATE"); }
    ~transaction()
    {
        if (!done_) sqlite3_exec(s_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    void commit()
    {
        s_.execute("COMMIT");
        done_ = true;
    }

private:
    sqlite_storage& s_;
    bool done_ = false;
};

sqlite_storage::sqlite_storage(const std::filesystem::path& path) : path_(path)
{
    const std::string where = "storage " + path.string() + ": ";
    // One ballot box per database: an exclusive lock on a file next to it, released by the
    // operating system when the process ends, however it ends.
    const std::string lock_path = path.string() + ".lock";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) throw std::runtime_error(where + "cannot open the lock file " + lock_path + ": " + std::strerror(errno));
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(lock_fd_);
        throw std::runtime_error(where + "the database is in use by another ballot box");
    }
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        const std::string message = sqlite_message(db_);
        sqlite3_close(db_);
        ::close(lock_fd_);
        throw std::runtime_error(where + "cannot open: " + message);
    }
    try {
        sqlite3_busy_timeout(db_, 5000);
        execute("PRAGMA journal_mode=WAL");
        execute("PRAGMA synchronous=FULL");
        execute("PRAGMA foreign_keys=ON");
        execute(schema);
        statement format(db_, "SELECT value FROM meta WHERE key = 'format'");
        if (!format.step() || format.text(0) != "dkg-vote/1") throw std::runtime_error("not a dkg-vote database of format 1");
    } catch (const std::exception& e) {
        sqlite3_close(db_);
        ::close(lock_fd_);
        throw std::runtime_error(where + e.what());
    }
}

sqlite_storage::~sqlite_storage()
{
    sqlite3_close(db_);
    ::close(lock_fd_);
}

void sqlite_storage::execute(const char* sql)
{
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string text = message ? message : sqlite_message(db_);
        sqlite3_free(message);
        throw std::runtime_error("storage: " + text);
    }
}

bool sqlite_storage::add_election(const stored_election& e)
{
    std::lock_guard lock(mutex_);
    transaction t(*this);
    statement s(db_, "INSERT INTO elections (id, seq, manifest, created_at) "
                     "VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM elections), ?2, ?3)");
    s.bind(1, e.id).bind(2, e.manifest).bind(3, e.created_at);
    if (!s.step_unique()) return false;
    t.commit();
    return true;
}

namespace {

constexpr const char* election_columns = "SELECT id, manifest, created_at, closed_at, tally, result FROM elections";

} // namespace

std::vector<stored_election> sqlite_storage::elections()
{
    std::lock_guard lock(mutex_);
    statement s(db_, (std::string(election_columns) + " ORDER BY seq").c_str());
    std::vector<stored_election> out;
    while (s.step())
        out.push_back({s.text(0), s.text(1), s.integer(2), s.optional_integer(3), s.optional_text(4), s.optional_text(5)});
    return out;
}

std::optional<stored_election> sqlite_storage::election_locked(const std::string& id)
{
    statement s(db_, (std::string(election_columns) + " WHERE id = ?1").c_str());
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return stored_election{s.text(0), s.text(1), s.integer(2), s.optional_integer(3), s.optional_text(4), s.optional_text(5)};
}

std::optional<stored_election> sqlite_storage::election(const std::string& id)
{
    std::lock_guard lock(mutex_);
    return election_locked(id);
}

storage::add_ballot_result sqlite_storage::add_ballot(const std::string& election, stored_ballot b)
{
    std::lock_guard lock(mutex_);
    transaction t(*this);
    const auto e = election_locked(election);
    if (!e) return {ballot_status::no_election, {}};
    if (auto existing = ballot_of_locked(election, b.voter)) return {ballot_status::voter_has_voted, std::move(*existing)};
    if (e->closed_at) return {ballot_status::closed, {}};
    statement next(db_, "SELECT COALESCE(MAX(idx), 0) + 1 FROM ballots WHERE election = ?1");
    next.bind(1, election);
    next.step();
    b.index = static_cast<std::uint64_t>(next.integer(0));
    statement insert(db_, "INSERT INTO ballots (election, idx, voter, credential, ballot, receipt, cast_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    insert.bind(1, election).bind(2, static_cast<std::int64_t>(b.index)).bind(3, b.voter).bind(4, b.credential).bind(5, b.ballot);
    insert.bind(6, b.receipt).bind(7, b.cast_at);
    if (!insert.step_unique()) throw std::runtime_error("storage: a ballot's index or voter was taken inside its transaction");
    t.commit();
    return {ballot_status::stored, std::move(b)};
}

std::optional<stored_ballot> sqlite_storage::ballot_of_locked(const std::string& election, const std::string& voter)
{
    statement s(db_, "SELECT idx, voter, credential, ballot, receipt, cast_at FROM ballots WHERE election = ?1 AND voter = ?2");
    s.bind(1, election).bind(2, voter);
    if (!s.step()) return std::nullopt;
    return stored_ballot{static_cast<std::uint64_t>(s.integer(0)), s.text(1), s.text(2), s.text(3), s.text(4), s.integer(5)};
}

std::optional<stored_ballot> sqlite_storage::ballot_of(const std::string& election, const std::string& voter)
{
    std::lock_guard lock(mutex_);
    return ballot_of_locked(election, voter);
}

std::vector<stored_ballot> sqlite_storage::ballots(const std::string& election)
{
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT idx, voter, credential, ballot, receipt, cast_at FROM ballots WHERE election = ?1 ORDER BY idx");
    s.bind(1, election);
    std::vector<stored_ballot> out;
    while (s.step())
        out.push_back({static_cast<std::uint64_t>(s.integer(0)), s.text(1), s.text(2), s.text(3), s.text(4), s.integer(5)});
    return out;
}

std::uint64_t sqlite_storage::ballot_count(const std::string& election)
{
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT COUNT(*) FROM ballots WHERE election = ?1");
    s.bind(1, election);
    s.step();
    return static_cast<std::uint64_t>(s.integer(0));
}

std::vector<std::string> sqlite_storage::receipts(const std::string& election)
{
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT receipt FROM ballots WHERE election = ?1 ORDER BY idx");
    s.bind(1, election);
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    return out;
}

bool sqlite_storage::close(const std::string& election, unix_seconds at)
{
    std::lock_guard lock(mutex_);
    transaction t(*this);
    statement s(db_, "UPDATE elections SET closed_at = ?2 WHERE id = ?1 AND closed_at IS NULL");
    s.bind(1, election).bind(2, at);
    s.step();
    if (sqlite3_changes(db_) != 1) return false;
    t.commit();
    return true;
}

bool sqlite_storage::update_election_once(const char* sql, const std::string& election, const std::string& value)
{
    std::lock_guard lock(mutex_);
    transaction t(*this);
    statement s(db_, sql);
    s.bind(1, election).bind(2, value);
    s.step();
    if (sqlite3_changes(db_) != 1) return false;
    t.commit();
    return true;
}

bool sqlite_storage::set_tally(const std::string& election, const std::string& tally)
{
    return update_election_once("UPDATE elections SET tally = ?2 WHERE id = ?1 AND closed_at IS NOT NULL AND tally IS NULL", election, tally);
}

bool sqlite_storage::add_blinding(const std::string& election, stored_blinding b)
{
    std::lock_guard lock(mutex_);
    transaction t(*this);
    statement s(db_, "INSERT INTO blindings (election, idx, trustee, credential, blinding) "
                     "VALUES (?1, (SELECT COALESCE(MAX(idx), 0) + 1 FROM blindings WHERE election = ?1), ?2, ?3, ?4)");
    s.bind(1, election).bind(2, static_cast<std::int64_t>(b.trustee)).bind(3, b.credential).bind(4, b.blinding);
    if (!s.step_unique()) return false;
    t.commit();
    return true;
}

std::vector<stored_blinding> sqlite_storage::blindings(const std::string& election)
{
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT idx, trustee, credential, blinding FROM blindings WHERE election = ?1 ORDER BY idx");
    s.bind(1, election);
    std::vector<stored_blinding> out;
    while (s.step())
        out.push_back({static_cast<std::uint64_t>(s.integer(0)), static_cast<unsigned>(s.integer(1)), s.text(2), s.text(3)});
    return out;
}

bool sqlite_storage::add_decryption(const std::string& election, const stored_decryption& d)
{
    std::lock_guard lock(mutex_);
    transaction t(*this);
    statement s(db_, "INSERT INTO decryptions (election, trustee, partials) VALUES (?1, ?2, ?3)");
    s.bind(1, election).bind(2, static_cast<std::int64_t>(d.trustee)).bind(3, d.partials);
    if (!s.step_unique()) return false;
    t.commit();
    return true;
}

std::vector<stored_decryption> sqlite_storage::decryptions(const std::string& election)
{
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT trustee, partials FROM decryptions WHERE election = ?1 ORDER BY trustee");
    s.bind(1, election);
    std::vector<stored_decryption> out;
    while (s.step()) out.push_back({static_cast<unsigned>(s.integer(0)), s.text(1)});
    return out;
}

bool sqlite_storage::set_result(const std::string& election, const std::string& result)
{
    return update_election_once("UPDATE elections SET result = ?2 WHERE id = ?1 AND tally IS NOT NULL AND result IS NULL", election, result);
}

} // namespace dkg::vote
