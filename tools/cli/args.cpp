#include "args.hpp"

#include "cli.hpp"

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/parsers.hpp>
#include <boost/program_options/variables_map.hpp>

#include <algorithm>
#include <sstream>

namespace dkg::cli {

namespace po = boost::program_options;

namespace {

std::string quoted(std::string_view s)
{
    return "'" + std::string(s) + "'";
}

const option_spec* find_option(const command_spec& spec, std::string_view name)
{
    for (const auto& o : spec.options)
        if (o.name == name) return &o;
    return nullptr;
}

bool looks_like_negative_number(std::string_view token)
{
    return token.size() >= 2 && token[0] == '-' && ((token[1] >= '0' && token[1] <= '9') || token[1] == '.');
}

/// The table of a command as Program_options' description: flags take no value, every other
/// option one string (converted strictly by parsed_args); --help and --quiet also as -h and -q.
po::options_description description_of(const command_spec& spec)
{
    po::options_description description;
    for (const auto& o : spec.options) {
        std::string name(o.name.substr(2));
        if (o.name == "--help") name += ",h";
        if (o.name == "--quiet") name += ",q";
        const std::string help(o.help);
        if (o.value_name.empty())
            description.add_options()(name.c_str(), help.c_str());
        else
            description.add_options()(name.c_str(), po::value<std::string>()->value_name(std::string(o.value_name)), help.c_str());
    }
    return description;
}

/// A style parser run before Program_options' own: a negative number ("-7", "-.5") is a
/// positional value (or the value of the option before it), not a short option.
std::vector<po::option> negative_number_as_value(std::vector<std::string>& tokens)
{
    if (!looks_like_negative_number(tokens.front())) return {};
    po::option value;
    value.value.push_back(tokens.front());
    value.original_tokens.push_back(tokens.front());
    tokens.erase(tokens.begin());
    return {value};
}

/// "--name" of the option an error of Program_options is about.
std::string long_name(const po::error_with_option_name& e)
{
    const std::string name = e.get_option_name();
    return "--" + name.substr(std::min(name.find_first_not_of('-'), name.size()));
}

std::string needs_value(const command_spec& spec, const std::string& name, std::optional<std::string_view> next)
{
    const option_spec* o = find_option(spec, name);
    std::string text = "option " + name + " needs a value (" + std::string(o ? o->value_name : "") + ")";
    if (next) text += ", got option " + quoted(*next);
    return text;
}

/// The usage error for a syntax error of Program_options, in the tool's words.
usage_error syntax_error(const command_spec& spec, const po::invalid_command_line_syntax& e, std::span<const std::string> tokens)
{
    const std::string name = long_name(e);
    const option_spec* o = find_option(spec, name);
    if (!o) return usage_error("unknown option " + quoted(name));
    const bool flag = o->value_name.empty();
    switch (e.kind()) {
    case po::invalid_syntax::extra_parameter:
        return usage_error("option " + name + " takes no value");
    case po::invalid_syntax::empty_adjacent_parameter:
        return usage_error(flag ? "option " + name + " takes no value" : needs_value(spec, name, std::nullopt));
    case po::invalid_syntax::missing_parameter: {
        // The option is last, or the next token is another option: name that one.
        for (auto at = std::find(tokens.begin(), tokens.end(), name); at != tokens.end(); at = std::find(at + 1, tokens.end(), name)) {
            if (at + 1 == tokens.end()) break;
            const std::string& next = *(at + 1);
            if (next.size() > 1 && next[0] == '-' && !looks_like_negative_number(next)) return usage_error(needs_value(spec, name, next));
        }
        return usage_error(needs_value(spec, name, std::nullopt));
    }
    default:
        return usage_error(std::string(e.what()));
    }
}


} // namespace

std::string wrap(std::string_view text, std::size_t indent, std::size_t width)
{
    std::string out, line;
    std::istringstream words{std::string(text)};
    std::string word;
    while (words >> word) {
        if (!line.empty() && indent + line.size() + 1 + word.size() > width) {
            out += line + "\n" + std::string(indent, ' ');
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    return out + line;
}

std::optional<std::string> parsed_args::value(std::string_view name) const
{
    const auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::string parsed_args::required(std::string_view name) const
{
    auto v = value(name);
    if (!v) throw usage_error("missing required option " + std::string(name));
    return *std::move(v);
}

std::uint64_t parsed_args::number(std::string_view name, std::uint64_t fallback, std::uint64_t min, std::uint64_t max) const
{
    const auto v = value(name);
    return v ? parse_unsigned(*v, name, min, max) : fallback;
}

std::uint64_t parsed_args::required_number(std::string_view name, std::uint64_t min, std::uint64_t max) const
{
    return parse_unsigned(required(name), name, min, max);
}

std::chrono::milliseconds parsed_args::seconds(std::string_view name, std::chrono::milliseconds fallback, double max_seconds) const
{
    const auto v = value(name);
    if (!v) return fallback;
    const std::string& text = *v;
    const auto bad = [&] {
        return usage_error(std::string(name) + ": expected a number of seconds (e.g. 30 or 1.5) up to " +
                           std::to_string(static_cast<long long>(max_seconds)) + ", got " + quoted(text));
    };
    // digits, optionally '.' and up to 3 digits
    const auto point = text.find('.');
    const std::string_view whole = std::string_view(text).substr(0, point);
    const std::string_view fraction = point == std::string::npos ? std::string_view() : std::string_view(text).substr(point + 1);
    const auto digits = [](std::string_view s) { return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }); };
    if (whole.empty() || whole.size() > 9 || !digits(whole)) throw bad();
    if (point != std::string::npos && (fraction.empty() || fraction.size() > 3 || !digits(fraction))) throw bad();
    long long ms = std::stoll(std::string(whole)) * 1000;
    if (!fraction.empty()) ms += std::stoll(std::string(fraction) + std::string(3 - fraction.size(), '0'));
    if (ms <= 0) throw usage_error(std::string(name) + ": must be positive");
    if (static_cast<double>(ms) > max_seconds * 1000) throw bad();
    return std::chrono::milliseconds(ms);
}

std::string parsed_args::choice(std::string_view name, std::string_view fallback, std::initializer_list<std::string_view> choices) const
{
    const auto v = value(name);
    if (!v) return std::string(fallback);
    if (std::find(choices.begin(), choices.end(), *v) != choices.end()) return *v;
    std::string list;
    for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
    throw usage_error(std::string(name) + ": expected one of " + list + ", got " + quoted(*v));
}

parsed_args parse_args(const command_spec& spec, std::span<const std::string> tokens)
{
    namespace style = po::command_line_style;
    // Long options with "--name value" or "--name=value", and -h, -q; no abbreviations, no
    // grouped short options, no case folding.
    constexpr int command_line_style = style::allow_long | style::long_allow_adjacent | style::long_allow_next | style::allow_short |
                                       style::allow_dash_for_short | style::short_allow_next;
    const po::options_description description = description_of(spec);
    po::parsed_options parsed(&description);
    try {
        parsed = po::command_line_parser(std::vector<std::string>(tokens.begin(), tokens.end()))
                     .options(description)
                     .style(command_line_style)
                     .extra_style_parser(&negative_number_as_value)
                     .allow_unregistered()
                     .run();
    } catch (const po::invalid_command_line_syntax& e) {
        throw syntax_error(spec, e, tokens);
    } catch (const po::error& e) {
        throw usage_error(e.what()); // none other is expected with this style and these options
    }
    parsed_args out;
    for (const auto& o : parsed.options) {
        if (o.unregistered) {
            const std::string& token = o.original_tokens.front();
            throw usage_error("unknown option " + quoted(std::string_view(token).substr(0, token.find('='))));
        }
        if (o.position_key != -1) {
            out.positionals_.push_back(o.original_tokens.front());
            continue;
        }
        const std::string name = "--" + o.string_key;
        // Program_options takes the next token as the value even if it is another long option.
        if (o.original_tokens.size() == 2 && o.original_tokens[1].rfind("--", 0) == 0 && o.original_tokens[1].size() > 2)
            throw usage_error(needs_value(spec, name, o.original_tokens[1]));
    }
    po::variables_map map;
    try {
        po::store(parsed, map);
    } catch (const po::multiple_occurrences& e) {
        throw usage_error("option " + long_name(e) + " given twice");
    } catch (const po::error& e) {
        throw usage_error(e.what());
    }
    for (const auto& [key, value] : map) out.values_["--" + key] = value.as<std::string>();
    return out;
}

std::uint64_t parse_unsigned(std::string_view text, std::string_view what, std::uint64_t min, std::uint64_t max)
{
    const auto bad = [&](const std::string& why) { return usage_error(std::string(what) + ": " + why + ", got " + quoted(text)); };
    if (text.empty() || text.size() > 19 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw bad("expected a non-negative integer (digits only)");
    if (text.size() > 1 && text[0] == '0') throw bad("expected a non-negative integer without leading zeros");
    std::uint64_t v = 0;
    for (char c : text) v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v < min || v > max) throw bad("must be in " + std::to_string(min) + ".." + std::to_string(max));
    return v;
}

std::vector<std::string> split_list(std::string_view text, std::string_view what)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto comma = text.find(',', start);
        const auto item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (item.empty()) throw usage_error(std::string(what) + ": empty item in the list " + quoted(text));
        out.emplace_back(item);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

std::vector<std::uint32_t> parse_party_ids(std::string_view text, std::string_view what, std::size_t parties)
{
    std::vector<std::uint32_t> ids;
    for (const auto& item : split_list(text, what)) {
        const auto id = static_cast<std::uint32_t>(parse_unsigned(item, what, 1, parties));
        if (std::find(ids.begin(), ids.end(), id) != ids.end())
            throw usage_error(std::string(what) + ": party " + std::to_string(id) + " listed twice");
        ids.push_back(id);
    }
    return ids;
}

std::string command_help(const command_spec& spec)
{
    constexpr std::size_t width = 100;
    std::string out = "Usage: dkg " + std::string(spec.name) + " " + std::string(spec.usage) + "\n\n";
    // Paragraphs are separated by blank lines; lines starting with two spaces are kept as they are.
    std::istringstream lines{std::string(spec.description)};
    std::string line, paragraph;
    const auto flush = [&] {
        if (!paragraph.empty()) out += wrap(paragraph, 0, width) + "\n";
        paragraph.clear();
    };
    while (std::getline(lines, line)) {
        if (line.empty()) {
            flush();
            out += "\n";
        } else if (line.rfind("  ", 0) == 0) {
            flush();
            out += line + "\n";
        } else {
            paragraph += (paragraph.empty() ? "" : " ") + line;
        }
    }
    flush();
    out += "\nOptions:\n";
    std::size_t column = 0;
    for (const auto& o : spec.options)
        column = std::max(column, o.name.size() + (o.value_name.empty() ? 0 : o.value_name.size() + 1));
    column += 4;
    for (const auto& o : spec.options) {
        std::string left(2, ' ');
        left += o.name;
        if (!o.value_name.empty()) (left += ' ') += o.value_name;
        left.resize(std::max(left.size() + 2, column), ' ');
        out += left + wrap(o.help, left.size(), width) + "\n";
    }
    return out;
}

} // namespace dkg::cli
