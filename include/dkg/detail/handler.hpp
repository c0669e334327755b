// Storing type-erased completion handlers safely with Boost 1.81.
#pragma once

#include <boost/asio/any_completion_handler.hpp>

#include <utility>

namespace dkg::detail {

/// Moves `handler` into `target`. (In Boost 1.81 the move assignment of any_completion_handler
/// recurses forever, so it must never be assigned, nor kept in containers that move-assign.)
template <class Signature, class Handler>
void assign_handler(boost::asio::any_completion_handler<Signature>& target, Handler&& handler)
{
    boost::asio::any_completion_handler<Signature>(std::forward<Handler>(handler)).swap(target);
}

} // namespace dkg::detail
