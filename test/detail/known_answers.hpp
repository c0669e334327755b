// Reading known-answer files of test/data: one vector per line, fields separated by spaces, lines
// starting with '#' are comments. Hex fields decode to bytes ('-' is the empty string).
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace dkg_test {

inline std::vector<std::uint8_t> from_hex(const std::string& text)
{
    if (text == "-") return {};
    if (text.size() % 2 != 0) throw std::runtime_error("known answers: odd number of hex digits");
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        throw std::runtime_error(std::string("known answers: not a hex digit: ") + c);
    };
    std::vector<std::uint8_t> out(text.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(digit(text[2 * i]) * 16 + digit(text[2 * i + 1]));
    return out;
}

inline std::string to_hex(const std::vector<std::uint8_t>& bytes)
{
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (auto b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

/// The vectors of `test/data/<file>`, each as its list of fields; fails the test if the file is
/// missing or a line has not `fields` fields.
inline std::vector<std::vector<std::string>> read_known_answers(const std::string& file, std::size_t fields)
{
    std::ifstream in(std::string(DKG_TEST_DATA_DIR) + "/" + file);
    BOOST_TEST_REQUIRE(in.good(), "cannot open test/data/" << file);
    std::vector<std::vector<std::string>> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        std::vector<std::string> row;
        for (std::string w; words >> w;) row.push_back(w);
        BOOST_TEST_REQUIRE(row.size() == fields, file << ": a line with " << row.size() << " fields, expected " << fields);
        out.push_back(std::move(row));
    }
    return out;
}

} // namespace dkg_test
