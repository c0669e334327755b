// The JSON writer of dkg's objects (docs/formats.md): one member per line, indented by two
// spaces, big integers as decimal strings; what dkg/serialization/json_reader.hpp reads back.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/serialization/format.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dkg::detail::json {

/// Appends `"key": ` in the indented layout used for every object.
inline void member(std::string& out, std::string_view key, bool first)
{
    out += first ? "{\n  \"" : ",\n  \"";
    out += key;
    out += "\": ";
}

/// Appends `"key": "…"` with the decimal string of `v`.
template <big_integer N>
void integer_member(std::string& out, std::string_view key, const N& v)
{
    member(out, key, false);
    out += '"' + to_decimal(v) + '"';
}

/// Appends `"key": ["…", …]` with one decimal string per element.
template <big_integer N>
void integer_list_member(std::string& out, std::string_view key, const std::vector<N>& values)
{
    member(out, key, false);
    out += '[';
    for (std::size_t i = 0; i < values.size(); ++i) out += (i == 0 ? "\n    \"" : ",\n    \"") + to_decimal(values[i]) + '"';
    out += "\n  ]";
}

/// Opens an object with the members every object has: "type" and "version".
inline void header_members(std::string& out, object_type t)
{
    member(out, "type", true);
    out += '"' + std::string(type_name(t)) + '"';
    member(out, "version", false);
    out += std::to_string(serialization_version);
}

} // namespace dkg::detail::json
