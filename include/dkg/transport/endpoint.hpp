// Where the parties of the TCP and TLS transports listen: a host and a port per party, and the
// parsers of "host:port" and of party lists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dkg {

/// Where a party listens: a host name or address literal and a port.
struct tcp_endpoint {
    std::string host;       ///< "localhost", "10.0.0.5", "::1" (no brackets), "node3.example.org"
    std::uint16_t port = 0; ///< 1..65535

    /// "host:port", with IPv6 literals in brackets ("[::1]:7000").
    std::string to_string() const
    {
        const bool v6 = host.find(':') != std::string::npos;
        return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
    }

    friend bool operator==(const tcp_endpoint&, const tcp_endpoint&) = default;
};

/// Parses "host:port"; IPv6 literals are written in brackets: "[::1]:7000".
/// @throws std::invalid_argument if the text is not of that form or the port is not in 1..65535.
inline tcp_endpoint parse_endpoint(std::string_view text)
{
    const auto fail = [&](const char* why) { return std::invalid_argument("tcp endpoint \"" + std::string(text) + "\": " + why); };
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) throw fail("missing ']'");
        host = text.substr(1, close - 1);
        if (close + 1 >= text.size() || text[close + 1] != ':') throw fail("expected ':' after ']'");
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) throw fail("expected host:port");
        host = text.substr(0, colon);
        if (host.find(':') != std::string_view::npos) throw fail("write IPv6 addresses in brackets, e.g. [::1]:7000");
        port = text.substr(colon + 1);
    }
    if (host.empty()) throw fail("empty host");
    if (port.empty() || port.size() > 5) throw fail("bad port");
    unsigned value = 0;
    for (char c : port) {
        if (c < '0' || c > '9') throw fail("bad port");
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) throw fail("port must be in 1..65535");
    return tcp_endpoint{std::string(host), static_cast<std::uint16_t>(value)};
}

/// Parses a party list "host:port,host:port,...": entry i is party i+1.
/// @throws std::invalid_argument naming the bad entry.
inline std::vector<tcp_endpoint> parse_party_list(std::string_view text)
{
    std::vector<tcp_endpoint> out;
    std::size_t start = 0;
    while (true) {
        const auto comma = text.find(',', start);
        const auto item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        try {
            out.push_back(parse_endpoint(item));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("party list entry " + std::to_string(out.size() + 1) + ": " + e.what());
        }
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

} // namespace dkg
