// JSON documents of dkg-vote on Boost.JSON: parsing with size and depth limits, and a strict
// reader of objects (every member known, read once, of the expected kind and size) whose errors
// name the field, e.g. "ballot.options[1]: expected a decimal string".
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/bigint/gmp.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dkg::vote {

/// The big-integer type of dkg-vote.
using number = dkg::gmp_int;

/// A JSON document that is not what was expected. The message names the field at fault.
class document_error : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// Parses a JSON text of at most `max_bytes` bytes and nesting depth 32.
/// @param what names the document in errors ("request body", "board file").
/// @throws document_error if the text is too long or not JSON.
boost::json::value parse_json(std::string_view text, std::size_t max_bytes, std::string_view what);

/// A compact JSON text of `v` (members in insertion order, so equal documents built the same way
/// give equal texts).
std::string to_text(const boost::json::value& v);

/// Reads one JSON object strictly: each member may be read once, and `done()` fails on members
/// that were not read (unknown fields are refused, not ignored).
class object_reader {
public:
    /// @throws document_error naming `path` if `v` is not an object.
    object_reader(const boost::json::value& v, std::string path);

    /// The member `key`. @throws document_error if missing.
    const boost::json::value& required(std::string_view key);
    /// The member `key`, or nullptr if missing.
    const boost::json::value* optional(std::string_view key);

    /// A string member of 1..max_length printable ASCII characters (or any UTF-8 with `any_text`).
    std::string string(std::string_view key, std::size_t max_length, bool any_text = false);
    /// An integer member in [min, max].
    std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max);
    /// A boolean member.
    bool boolean(std::string_view key);
    /// An array member of at most `max_items` elements.
    const boost::json::array& array(std::string_view key, std::size_t max_items);
    /// An object member.
    object_reader object(std::string_view key);
    /// A non-negative integer written as a decimal string of at most `max_digits` digits (no sign,
    /// no leading zero).
    number decimal(std::string_view key, std::size_t max_digits);

    /// The path of member `key` ("ballot.voter").
    std::string path(std::string_view key) const;
    const std::string& path() const noexcept { return path_; }
    const boost::json::object& value() const noexcept { return *object_; }

    /// @throws document_error naming the first member that was not read.
    void done() const;

private:
    const boost::json::object* object_;
    std::string path_;
    std::set<std::string, std::less<>> read_;
};

/// `v` as a string of 1..max_length characters (printable ASCII unless `any_text`).
/// @throws document_error naming `path` otherwise.
std::string json_text(const boost::json::value& v, const std::string& path, std::size_t max_length, bool any_text = false);

/// `v` as an integer in [min, max]. @throws document_error naming `path` otherwise.
std::int64_t json_integer(const boost::json::value& v, const std::string& path, std::int64_t min, std::int64_t max);

/// `v` as a decimal string of a non-negative integer of at most `max_digits` digits.
/// @throws document_error naming `path` otherwise.
number json_decimal(const boost::json::value& v, const std::string& path, std::size_t max_digits);

/// Decimal digits of the largest value of `bits` bits.
std::size_t decimal_digits(std::size_t bits);

/// A decimal string value of `n`.
boost::json::value decimal_value(const number& n);

} // namespace dkg::vote
