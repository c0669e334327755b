#include "json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace dkg::vote {

namespace {

const char* kind_name(const boost::json::value& v)
{
    switch (v.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return "a number";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "an object";
    }
    return "a value";
}

[[noreturn]] void wrong_kind(const std::string& path, const char* expected, const boost::json::value& v)
{
    throw document_error(path + ": expected " + expected + ", got " + kind_name(v));
}

} // namespace

boost::json::value parse_json(std::string_view text, std::size_t max_bytes, std::string_view what)
{
    if (text.size() > max_bytes)
        throw document_error(std::string(what) + ": " + std::to_string(text.size()) + " bytes, more than the limit of " +
                             std::to_string(max_bytes));
    boost::json::parse_options options;
    options.max_depth = 32;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec, {}, options);
    if (ec) throw document_error(std::string(what) + ": not valid JSON (" + ec.message() + ")");
    return v;
}

std::string to_text(const boost::json::value& v)
{
    return boost::json::serialize(v);
}

object_reader::object_reader(const boost::json::value& v, std::string path) : path_(std::move(path))
{
    object_ = v.if_object();
    if (!object_) wrong_kind(path_, "an object", v);
}

std::string object_reader::path(std::string_view key) const
{
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const boost::json::value* object_reader::optional(std::string_view key)
{
    const auto* v = object_->if_contains(boost::json::string_view(key.data(), key.size()));
    if (v) read_.emplace(key);
    return v;
}

const boost::json::value& object_reader::required(std::string_view key)
{
    const auto* v = optional(key);
    if (!v) throw document_error(path(key) + ": missing");
    return *v;
}

std::string object_reader::string(std::string_view key, std::size_t max_length, bool any_text)
{
    return json_text(required(key), path(key), max_length, any_text);
}

std::int64_t object_reader::integer(std::string_view key, std::int64_t min, std::int64_t max)
{
    return json_integer(required(key), path(key), min, max);
}

bool object_reader::boolean(std::string_view key)
{
    const auto& v = required(key);
    if (!v.is_bool()) wrong_kind(path(key), "a boolean", v);
    return v.get_bool();
}

const boost::json::array& object_reader::array(std::string_view key, std::size_t max_items)
{
    const auto& v = required(key);
    if (!v.is_array()) wrong_kind(path(key), "an array", v);
    if (v.get_array().size() > max_items)
        throw document_error(path(key) + ": " + std::to_string(v.get_array().size()) + " elements, more than the limit of " +
                             std::to_string(max_items));
    return v.get_array();
}

object_reader object_reader::object(std::string_view key)
{
    return object_reader(required(key), path(key));
}

number object_reader::decimal(std::string_view key, std::size_t max_digits)
{
    return json_decimal(required(key), path(key), max_digits);
}

void object_reader::done() const
{
    for (const auto& member : *object_)
        if (!read_.contains(std::string_view(member.key().data(), member.key().size())))
            throw document_error(path(std::string_view(member.key().data(), member.key().size())) + ": unknown field");
}

std::string json_text(const boost::json::value& v, const std::string& path, std::size_t max_length, bool any_text)
{
    if (!v.is_string()) wrong_kind(path, "a string", v);
    const auto& s = v.get_string();
    if (s.empty()) throw document_error(path + ": empty");
    if (s.size() > max_length)
        throw document_error(path + ": " + std::to_string(s.size()) + " characters, more than the limit of " + std::to_string(max_length));
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7f) throw document_error(path + ": contains a control character");
        if (!any_text && c > 0x7e) throw document_error(path + ": only printable ASCII characters are allowed");
    }
    return std::string(s.data(), s.size());
}

std::int64_t json_integer(const boost::json::value& v, const std::string& path, std::int64_t min, std::int64_t max)
{
    std::int64_t x = 0;
    if (v.is_int64())
        x = v.get_int64();
    else if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        x = static_cast<std::int64_t>(v.get_uint64());
    else if (v.is_uint64())
        x = INT64_MAX;
    else
        wrong_kind(path, "an integer", v);
    if (x < min || x > max)
        throw document_error(path + ": " + std::to_string(x) + " is outside " + std::to_string(min) + ".." + std::to_string(max));
    return x;
}

number json_decimal(const boost::json::value& v, const std::string& path, std::size_t max_digits)
{
    if (!v.is_string()) wrong_kind(path, "a decimal string", v);
    const auto& s = v.get_string();
    if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw document_error(path + ": expected a decimal string of digits");
    if (s.size() > 1 && s[0] == '0') throw document_error(path + ": leading zero in a decimal string");
    if (s.size() > max_digits) throw document_error(path + ": more than " + std::to_string(max_digits) + " digits");
    return dkg::from_decimal<number>(std::string_view(s.data(), s.size()));
}

std::size_t decimal_digits(std::size_t bits)
{
    // log10(2) < 0.30103; one more for rounding.
    return bits * 30103 / 100000 + 1;
}

boost::json::value decimal_value(const number& n)
{
    return boost::json::value(dkg::to_decimal(n));
}

} // namespace dkg::vote
