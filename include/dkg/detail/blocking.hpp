// Blocking forms of asynchronous operations: run an io_context until one operation completes.
#pragma once

#include <dkg/error.hpp>

#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>
#include <string>
#include <utility>

namespace dkg::detail {

/// Starts an operation that completes with `void(std::exception_ptr, T)` by calling
/// `start(handler)`, then runs `context` until it completes; returns its value or rethrows its
/// exception. `context` must not be run by another thread meanwhile.
/// @throws dkg::protocol_error (errc::closed) naming `what` if the context runs out of work first.
template <class T, class Start>
T run_until_complete(boost::asio::io_context& context, Start&& start, const char* what)
{
    std::optional<T> result;
    std::exception_ptr error;
    bool done = false;
    std::forward<Start>(start)([&](std::exception_ptr e, T value) {
        error = e;
        if (!e) result.emplace(std::move(value));
        done = true;
    });
    context.restart();
    while (!done) {
        if (context.run_one() == 0) break;
    }
    if (error) std::rethrow_exception(error);
    if (!result) throw protocol_error(make_error_code(errc::closed), no_party, std::string(what) + ": the execution context stopped");
    return std::move(*result);
}

} // namespace dkg::detail
