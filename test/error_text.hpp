// The texts of the errors that tests check.
#pragma once

#include <boost/test/unit_test.hpp>

#include <exception>
#include <stdexcept>
#include <string>

namespace test_support {

/// The message of the std::invalid_argument that f throws (a test error if it throws none).
template <class F>
std::string invalid_argument_text(F&& f)
{
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    BOOST_ERROR("no std::invalid_argument");
    return {};
}

/// The message of the exception in `e` (empty if `e` is null or not a std::exception).
inline std::string message_of(const std::exception_ptr& e)
{
    if (!e) return {};
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
    }
    return {};
}

} // namespace test_support
