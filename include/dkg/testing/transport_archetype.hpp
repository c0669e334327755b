// A minimal model of dkg::transport, with nothing beyond the concept's requirements.
//
// Use it to check that generic code asks no more of a transport than the concept promises:
// @code
// static_assert(dkg::transport<dkg::testing::transport_archetype>);
// template class dkg::session<dkg::testing::transport_archetype>; // instantiates every member
// @endcode
#pragma once

#include <dkg/error.hpp>
#include <dkg/transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace dkg::testing {

/// Models exactly `dkg::transport`: it has no `close_session`, `discard_next` or other extras.
///
/// Operations are valid but do nothing useful: `async_send` and `async_receive` complete (posted)
/// with boost::asio::error::operation_not_supported.
class transport_archetype {
public:
    /// Any I/O executor.
    using executor_type = boost::asio::any_io_executor;

    /// @param ex where completions are posted.
    /// @param self this party's id.
    /// @param n the number of parties.
    transport_archetype(executor_type ex, party_id self, std::size_t n) : ex_(std::move(ex)), self_(self), n_(n) {}

    /// The executor given at construction.
    executor_type get_executor() const { return ex_; }
    /// The id given at construction.
    party_id self() const noexcept { return self_; }
    /// The n given at construction.
    std::size_t party_count() const noexcept { return n_; }

    /// Completion signature: `void(boost::system::error_code)`.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(send_signature) CompletionToken>
    auto async_send(party_id, const message_tag&, std::vector<std::uint8_t>, CompletionToken&& token)
    {
        return boost::asio::async_initiate<CompletionToken, send_signature>(
            [ex = ex_](auto handler) {
                boost::asio::post(ex, boost::asio::append(std::move(handler), boost::system::error_code(boost::asio::error::operation_not_supported)));
            },
            token);
    }

    /// Completion signature: `void(boost::system::error_code, std::vector<std::uint8_t>)`.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(receive_signature) CompletionToken>
    auto async_receive(party_id, const message_tag&, CompletionToken&& token)
    {
        return boost::asio::async_initiate<CompletionToken, receive_signature>(
            [ex = ex_](auto handler) {
                boost::asio::post(ex, boost::asio::append(std::move(handler), boost::system::error_code(boost::asio::error::operation_not_supported),
                                                          std::vector<std::uint8_t>{}));
            },
            token);
    }

private:
    executor_type ex_;
    party_id self_;
    std::size_t n_;
};

} // namespace dkg::testing
