// Shared pieces of the dkg tool's commands: output streams and flags, JSON output (Boost.JSON),
// files written atomically, and the live progress line.
#pragma once

#include <dkg/keygen/params.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace dkg::cli {

/// Where a command writes, and how.
struct io {
    std::ostream& out;
    std::ostream& err;
    std::string command;   ///< for messages: "dkg <command>: ..."
    bool json = false;     ///< --json: machine-readable results on `out`
    bool quiet = false;    ///< --quiet: no progress, notes or warnings on `err`
    bool progress = false; ///< draw the live progress line on `err`
    std::mutex* err_mutex = nullptr; ///< serialises writes to `err` (progress, warnings)

    /// "dkg <command>: note: text" on `err`, unless quiet.
    void note(std::string_view text) const;
    /// "dkg <command>: warning: text" on `err`, unless quiet.
    void warning(std::string_view text) const;
};

// ---- JSON output ------------------------------------------------------------------------------

/// `v` as JSON text on one line, laid out as in docs/cli.md: ", " between members and items,
/// ": " after keys, members in insertion order, numbers with a fraction in plain decimal notation
/// (Boost.JSON's serializer writes 3.152 as 3.152E0). Strings are escaped by Boost.JSON.
std::string json_text(const boost::json::value& v);

/// A duration as a JSON number of seconds, rounded to milliseconds.
boost::json::value json_seconds(std::chrono::steady_clock::duration d);

/// A JSON array of strings.
boost::json::array json_strings(const std::vector<std::string>& items);

/// A duration for people: "0.42 s", "12.3 s", "2 min 5 s".
std::string human_seconds(std::chrono::steady_clock::duration d);

// ---- files ------------------------------------------------------------------------------------

/// Writes `data` to `path` atomically: a temporary file in the same directory (permissions `mode`),
/// flushed to disk, then renamed over `path`. A reader sees the old file or the new one.
/// @throws std::system_error naming the path if it cannot be written.
void write_file_atomically(const std::filesystem::path& path, std::string_view data, std::filesystem::perms mode);

/// Reads a whole file of at most `max_bytes`.
/// @throws input_error naming the path and `what` if it cannot be read or is too large.
std::string read_file(const std::filesystem::path& path, std::size_t max_bytes, std::string_view what);

/// Creates `dir` (and its parents) if needed. @throws operation_error naming it otherwise.
void make_directory(const std::filesystem::path& dir);

/// @throws input_error if `path` exists and `force` is false.
void refuse_to_overwrite(const std::filesystem::path& path, bool force);

// ---- progress ---------------------------------------------------------------------------------

/// A status line on standard error, redrawn in place (every quarter second and after every batch)
/// while key generation runs: candidates tried, biprimality tests, batches, elapsed time.
/// Does nothing unless enabled. `update` may be called from any thread.
class progress_line {
public:
    progress_line(const io& streams, std::string label, bool enabled);
    ~progress_line();
    progress_line(const progress_line&) = delete;
    progress_line& operator=(const progress_line&) = delete;

    void update(const keygen_progress& p);
    /// Erases the line and stops redrawing.
    void stop();

private:
    void draw();

    const io& io_;
    std::string label_;
    bool enabled_;
    std::chrono::steady_clock::time_point start_;
    keygen_progress last_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread ticker_;
};

} // namespace dkg::cli
