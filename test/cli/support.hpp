// Helpers of the command-line tool's tests: running `dkg` in this process or as child processes,
// temporary directories, free loopback ports, JSON parsing and test certificates.
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

namespace dkg_cli_test {

/// What one run of the tool gave.
struct result {
    int code = -1;
    std::string out, err;

    /// The lines of `err` that are not notes or warnings.
    std::vector<std::string> error_lines() const;
    /// `out` split into lines.
    std::vector<std::string> lines() const;
};

/// Runs dkg::cli::run in this process.
result run(const std::vector<std::string>& args);

/// A child process running the dkg executable, with its output going to files.
class process {
public:
    process(const std::vector<std::string>& args, const std::filesystem::path& log_dir, const std::string& name);
    process(const process&) = delete;
    process(process&& other) noexcept;
    ~process();

    /// Waits up to `limit` (then kills it) and returns what it gave.
    result wait(std::chrono::seconds limit = std::chrono::seconds(60));

private:
    int pid_ = -1;
    std::filesystem::path out_, err_;
};

/// Runs the executable and waits for it.
result run_process(const std::vector<std::string>& args, const std::filesystem::path& log_dir, const std::string& name);

/// A fresh directory, removed with its content at destruction.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }
    std::string operator/(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

/// A base port P such that P+1..P+count are free on 127.0.0.1 (checked by binding them).
unsigned free_base_port(unsigned count);

/// Parses JSON (throws on malformed text).
boost::json::value parse_json(const std::string& text);

/// The dkg executable built with these tests.
std::string executable();

/// The source tree's root.
std::filesystem::path source_dir();

/// A directory of test certificates for parties 1..3 (ca.pem, party-I.pem and party-I.key,
/// other-ca-party-1.pem/.key from an unknown CA), made once per process by
/// scripts/make_test_certificates.sh and removed at exit.
const std::filesystem::path& test_certificates();

/// TLS options for party `id`: --ca, --cert and --key with its test certificate, or with the test
/// certificate and key named `certificate` ("party-3", "other-ca-party-1", ...).
std::vector<std::string> tls_options(int id, const std::string& certificate = "");

} // namespace dkg_cli_test
