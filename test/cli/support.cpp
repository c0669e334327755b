#include "support.hpp"

#include <cli/cli.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/parse.hpp>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dkg_cli_test {

namespace {

std::vector<std::string> split_lines(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

std::string slurp(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream o;
    o << in.rdbuf();
    return o.str();
}

} // namespace

std::vector<std::string> result::error_lines() const
{
    std::vector<std::string> out;
    for (auto& line : split_lines(err))
        if (line.find(": note: ") == std::string::npos && line.find(": warning: ") == std::string::npos) out.push_back(line);
    return out;
}

std::vector<std::string> result::lines() const
{
    return split_lines(out);
}

result run(const std::vector<std::string>& args)
{
    std::vector<const char*> argv{"dkg"};
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    result r;
    r.code = dkg::cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

process::process(const std::vector<std::string>& args, const std::filesystem::path& log_dir, const std::string& name)
    : out_(log_dir / (name + ".out")), err_(log_dir / (name + ".err"))
{
    std::vector<std::string> full{executable()};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int in = ::open("/dev/null", O_RDONLY);
        if (out < 0 || err < 0 || in < 0) ::_exit(127);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
}

process::process(process&& other) noexcept : pid_(other.pid_), out_(std::move(other.out_)), err_(std::move(other.err_))
{
    other.pid_ = -1;
}

process::~process()
{
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

result process::wait(std::chrono::seconds limit)
{
    result r;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_) break;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            r.err = "(killed after the time limit)\n";
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out_);
    r.err += slurp(err_);
    return r;
}

result run_process(const std::vector<std::string>& args, const std::filesystem::path& log_dir, const std::string& name)
{
    return process(args, log_dir, name).wait();
}

temp_dir::temp_dir()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "dkg-cli-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

temp_dir::~temp_dir()
{
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

unsigned free_base_port(unsigned count)
{
    static std::mt19937 gen{std::random_device{}()};
    boost::asio::io_context context;
    for (int attempt = 0; attempt < 200; ++attempt) {
        const unsigned base = 20000 + gen() % 35000;
        bool free = true;
        for (unsigned i = 1; i <= count && free; ++i) {
            boost::system::error_code ec;
            boost::asio::ip::tcp::acceptor a(context);
            a.open(boost::asio::ip::tcp::v4(), ec);
            if (!ec) a.bind({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(base + i)}, ec);
            free = !ec;
        }
        if (free) return base;
    }
    throw std::runtime_error("no free ports found");
}

boost::json::value parse_json(const std::string& text)
{
    return boost::json::parse(text);
}

std::string executable()
{
    return DKG_CLI_EXECUTABLE;
}

std::filesystem::path source_dir()
{
    return DKG_SOURCE_DIR;
}

const std::filesystem::path& test_certificates()
{
    static const temp_dir dir;
    static const bool made = [] {
        const std::string command = "bash '" + (source_dir() / "scripts/make_test_certificates.sh").string() + "' '" + dir.path().string() +
                                    "' 3 >'" + dir / "make.log" + "' 2>&1";
        if (std::system(command.c_str()) != 0) throw std::runtime_error("cannot make the test certificates: " + command);
        return true;
    }();
    static_cast<void>(made);
    return dir.path();
}

std::vector<std::string> tls_options(int id, const std::string& certificate)
{
    const auto& dir = test_certificates();
    const std::string name = certificate.empty() ? "party-" + std::to_string(id) : certificate;
    return {"--ca", (dir / "ca.pem").string(), "--cert", (dir / (name + ".pem")).string(), "--key", (dir / (name + ".key")).string()};
}

} // namespace dkg_cli_test
