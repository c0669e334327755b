#include "common.hpp"

#include "cli.hpp"

#include <boost/json/serialize.hpp>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dkg::cli {

namespace {

void locked_line(const io& streams, std::string_view kind, std::string_view text)
{
    std::unique_lock<std::mutex> lock;
    if (streams.err_mutex) lock = std::unique_lock<std::mutex>(*streams.err_mutex);
    // Erase a progress line being drawn; it is redrawn on its next tick.
    if (streams.progress) streams.err << "\r\033[K";
    streams.err << "dkg " << streams.command << ": " << kind << ": " << text << std::endl;
}

} // namespace

void io::note(std::string_view text) const
{
    if (!quiet) locked_line(*this, "note", text);
}

void io::warning(std::string_view text) const
{
    if (!quiet) locked_line(*this, "warning", text);
}

namespace {

void write_json(std::string& out, const boost::json::value& v);

/// `open`, the elements written by `write` and separated by ", ", then `close`.
template <class Range, class Write>
void write_sequence(std::string& out, char open, const Range& elements, Write write, char close)
{
    out += open;
    bool first = true;
    for (const auto& e : elements) {
        if (!first) out += ", ";
        first = false;
        write(e);
    }
    out += close;
}

void write_json(std::string& out, const boost::json::value& v)
{
    switch (v.kind()) {
    case boost::json::kind::object:
        write_sequence(out, '{', v.get_object(), [&](const boost::json::key_value_pair& member) {
            out += boost::json::serialize(member.key());
            out += ": ";
            write_json(out, member.value());
        }, '}');
        break;
    case boost::json::kind::array:
        write_sequence(out, '[', v.get_array(), [&](const boost::json::value& item) { write_json(out, item); }, ']');
        break;
    case boost::json::kind::double_: {
        // The shortest decimal that reads back as the same double, without an exponent for the
        // values the tool prints (seconds).
        char buffer[64];
        const auto end = std::to_chars(buffer, buffer + sizeof buffer, v.get_double(), std::chars_format::fixed).ptr;
        out.append(buffer, end);
        break;
    }
    default:
        out += boost::json::serialize(v);
    }
}

} // namespace

std::string json_text(const boost::json::value& v)
{
    std::string out;
    write_json(out, v);
    return out;
}

boost::json::value json_seconds(std::chrono::steady_clock::duration d)
{
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    return static_cast<double>(ms) / 1000.0;
}

boost::json::array json_strings(const std::vector<std::string>& items)
{
    boost::json::array out;
    for (const auto& s : items) out.emplace_back(s);
    return out;
}

std::string human_seconds(std::chrono::steady_clock::duration d)
{
    const double s = std::chrono::duration<double>(d).count();
    std::ostringstream o;
    if (s < 10)
        o << std::fixed << std::setprecision(2) << s << " s";
    else if (s < 120)
        o << std::fixed << std::setprecision(1) << s << " s";
    else
        o << static_cast<long long>(s) / 60 << " min " << static_cast<long long>(s) % 60 << " s";
    return o.str();
}

void write_file_atomically(const std::filesystem::path& path, std::string_view data, std::filesystem::perms mode)
{
    const auto fail = [&](int error) {
        throw std::system_error(error, std::generic_category(), "cannot write " + path.string());
    };
    const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    std::string name(1, '.');
    name += path.filename().string();
    name += ".tmp-XXXXXX";
    std::string temp = (directory / name).string();
    const int fd = ::mkstemp(temp.data());
    if (fd < 0) fail(errno);
    int error = 0;
    if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) error = errno;
    for (std::size_t written = 0; error == 0 && written < data.size();) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) error = n < 0 ? errno : EIO;
        else written += static_cast<std::size_t>(n);
    }
    if (error == 0 && ::fsync(fd) != 0) error = errno;
    if (::close(fd) != 0 && error == 0) error = errno;
    if (error == 0 && ::rename(temp.c_str(), path.c_str()) != 0) error = errno;
    if (error != 0) {
        ::unlink(temp.c_str());
        fail(error);
    }
    const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

std::string read_file(const std::filesystem::path& path, std::size_t max_bytes, std::string_view what)
{
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status))
        throw input_error("cannot read " + std::string(what) + " " + path.string() + ": no such file");
    if (std::filesystem::is_directory(status)) throw input_error("cannot read " + std::string(what) + " " + path.string() + ": it is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw input_error("cannot read " + std::string(what) + " " + path.string() + ": permission denied or unreadable");
    std::string data;
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        data.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (data.size() > max_bytes) throw input_error(std::string(what) + " " + path.string() + ": file larger than allowed");
    }
    if (in.bad()) throw input_error("cannot read " + std::string(what) + " " + path.string());
    return data;
}

void make_directory(const std::filesystem::path& dir)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw operation_error("cannot create the directory " + dir.string() + ": " + ec.message());
    if (!std::filesystem::is_directory(dir)) throw operation_error(dir.string() + " is not a directory");
}

void refuse_to_overwrite(const std::filesystem::path& path, bool force)
{
    std::error_code ec;
    if (!force && std::filesystem::exists(path, ec))
        throw input_error(path.string() + " already exists (use --force to overwrite it)");
}

// ---- progress ---------------------------------------------------------------------------------

progress_line::progress_line(const io& streams, std::string label, bool enabled)
    : io_(streams), label_(std::move(label)), enabled_(enabled), start_(std::chrono::steady_clock::now())
{
    if (!enabled_) return;
    ticker_ = std::thread([this] {
        std::unique_lock<std::mutex> lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            draw();
            lock.lock();
            wake_.wait_for(lock, std::chrono::milliseconds(250));
        }
    });
}

progress_line::~progress_line()
{
    stop();
}

void progress_line::update(const keygen_progress& p)
{
    if (!enabled_) return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        last_ = p;
    }
    wake_.notify_one();
}

void progress_line::draw()
{
    keygen_progress p;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        p = last_;
    }
    std::ostringstream line;
    line << "\r\033[K" << label_ << ": " << p.candidates << " candidates, " << p.moduli_revealed << " moduli, "
         << p.biprimality_tests << " biprimality tests, " << p.batches << (p.batches == 1 ? " batch, " : " batches, ")
         << human_seconds(std::chrono::steady_clock::now() - start_);
    std::unique_lock<std::mutex> lock;
    if (io_.err_mutex) lock = std::unique_lock<std::mutex>(*io_.err_mutex);
    io_.err << line.str() << std::flush;
}

void progress_line::stop()
{
    if (!enabled_) return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    wake_.notify_one();
    if (ticker_.joinable()) ticker_.join();
    std::unique_lock<std::mutex> lock;
    if (io_.err_mutex) lock = std::unique_lock<std::mutex>(*io_.err_mutex);
    io_.err << "\r\033[K" << std::flush;
}

} // namespace dkg::cli
