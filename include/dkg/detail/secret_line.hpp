// Reading a secret (a passphrase, a key password) from the first line of a file without leaving a
// copy behind: read(2) into a fixed buffer that is overwritten before returning.
#pragma once

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace dkg::detail {

/// Calls `use(line)` with the first line of the file at `path`, without its line end ("\n" or
/// "\r\n"), then overwrites the buffer that held it. `use` must copy what it keeps.
/// @tparam Limit the longest line accepted, in bytes.
/// @throws std::invalid_argument "<what> <path>: <why>" (never the contents) if the file cannot be
///         read, its first line is longer than Limit bytes, or empty.
template <std::size_t Limit, class Use>
void read_secret_line(const std::filesystem::path& path, std::string_view what, Use&& use)
{
    const auto fail = [&](const std::string& why) { return std::invalid_argument(std::string(what) + " " + path.string() + ": " + why); };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw fail("cannot read it: " + std::generic_category().message(errno));
    std::array<char, Limit + 2> buffer; // room for the limit and a line end, to tell a longer line
    struct wipe_buffer {
        std::array<char, Limit + 2>& b;
        ~wipe_buffer()
        {
            volatile char* p = b.data();
            for (std::size_t i = 0; i < b.size(); ++i) p[i] = 0;
        }
    } wiper{buffer};
    std::size_t size = 0;
    int error = 0;
    while (size < buffer.size()) {
        const ::ssize_t got = ::read(fd, buffer.data() + size, buffer.size() - size);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) error = errno;
        if (got <= 0) break;
        size += static_cast<std::size_t>(got);
    }
    ::close(fd);
    if (error != 0) throw fail("cannot read it: " + std::generic_category().message(error));
    const std::string_view text(buffer.data(), size);
    const std::size_t length = std::min(text.find_first_of("\r\n"), size);
    if (length > Limit) throw fail("the first line is longer than " + std::to_string(Limit) + " bytes");
    if (length == 0) throw fail("the first line is empty");
    use(text.substr(0, length));
}

} // namespace dkg::detail
