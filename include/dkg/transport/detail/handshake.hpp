// The hello handshake of the TCP and TLS transports: once the stream is up (after TLS's own
// handshake, if any), each side sends a hello frame naming its party id, the number of parties and
// the network id (docs/transport.md); a side that refuses the other sends a goodbye frame with the
// reason instead and closes. The checks that need the transport's state (who is connected already,
// which side dials whom) stay with the transport (detail/stream_engine.hpp).
#pragma once

#include <dkg/error.hpp>
#include <dkg/transport.hpp>
#include <dkg/transport/detail/stream_connection.hpp>
#include <dkg/transport/framing.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace dkg::detail {

/// The hello this party sends.
inline framing::hello own_hello(party_id self, std::size_t party_count, const std::string& network_id)
{
    return framing::hello{framing::version, self, static_cast<std::uint32_t>(party_count), network_id};
}

/// Checks a peer's hello against this network (n, network id, a party id in 1..n).
/// @returns success, or the error with a description in `why`.
inline boost::system::error_code check_hello(const framing::hello& h, std::size_t party_count, std::string_view network_id, std::string& why)
{
    if (h.party_count != party_count) {
        why = "configured for " + std::to_string(h.party_count) + " parties, this network has " + std::to_string(party_count);
        return errc::inconsistent_result;
    }
    if (h.network_id != network_id) {
        why = "network id differs";
        return errc::wrong_session;
    }
    if (h.sender == 0 || h.sender > party_count) {
        why = "hello from unknown party id " + std::to_string(h.sender);
        return errc::unknown_party;
    }
    return {};
}

/// Reads one hello, or a refusing goodbye, from `conn`; frames larger than `max_frame_size` are
/// refused before their body is read.
///
/// `done(error_code, framing::hello, std::string why)` runs on `ex`: success with the decoded
/// hello; errc::peer_disconnected (or `Security::read_error` of the failed read) if the connection
/// closed or the peer refused us (`why` gives the peer's reason); a frame error otherwise.
template <class Security, class Done>
void async_read_hello(const std::shared_ptr<stream_connection<Security>>& conn, const tcp_strand& ex, std::size_t max_frame_size, Done&& done)
{
    boost::asio::async_read(
        conn->stream, boost::asio::buffer(conn->header),
        boost::asio::bind_executor(ex, [conn, ex, max_frame_size, done = std::forward<Done>(done)](boost::system::error_code ec, std::size_t) mutable {
            if (ec) return done(Security::read_error(ec), framing::hello{}, "connection closed during handshake: " + ec.message());
            framing::frame_header h;
            try {
                h = framing::decode_header(conn->header, max_frame_size);
            } catch (const framing::frame_error& e) {
                return done(e.code(), framing::hello{}, e.what());
            }
            if (h.type == framing::frame_type::message)
                return done(make_error_code(errc::malformed_message), framing::hello{}, "expected a hello frame");
            conn->body.resize(h.body_size);
            boost::asio::async_read(conn->stream, boost::asio::buffer(conn->body),
                                    boost::asio::bind_executor(ex, [conn, type = h.type, done = std::move(done)](boost::system::error_code e, std::size_t) mutable {
                                        if (e) return done(make_error_code(errc::peer_disconnected), framing::hello{}, "connection closed during handshake");
                                        try {
                                            if (type == framing::frame_type::goodbye) {
                                                const auto reason = framing::decode_goodbye(conn->body);
                                                return done(make_error_code(errc::peer_disconnected), framing::hello{},
                                                            "refused by the peer: " + make_error_code(static_cast<errc>(reason)).message());
                                            }
                                            return done(boost::system::error_code{}, framing::decode_hello(conn->body), std::string());
                                        } catch (const framing::frame_error& err) {
                                            return done(err.code(), framing::hello{}, err.what());
                                        }
                                    }));
        }));
}

/// Tells the peer why it is refused (a goodbye frame with the reason; best effort), then closes the
/// connection. Errors outside dkg's category are sent as errc::protocol_violation.
template <class Security>
void async_refuse(const std::shared_ptr<stream_connection<Security>>& conn, boost::system::error_code ec, const tcp_strand& ex)
{
    errc reason = errc::protocol_violation;
    if (ec.category() == dkg_category()) reason = static_cast<errc>(ec.value());
    conn->body = framing::encode_goodbye(reason);
    boost::asio::async_write(conn->stream, boost::asio::buffer(conn->body),
                             boost::asio::bind_executor(ex, [conn](boost::system::error_code, std::size_t) { close_socket(*conn); }));
}

} // namespace dkg::detail
