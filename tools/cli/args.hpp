// Command-line parsing for the dkg tool: the option tables of the commands, the tokens parsed
// against them with Boost.Program_options, strict conversion of option values (numbers,
// durations, lists), and the help texts and bash completion generated from the same tables.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dkg::cli {

/// What the shell may offer as an option's value (bash completion).
enum class value_completion {
    none,  ///< nothing to offer (numbers, names, host lists)
    file,  ///< a file name
    files, ///< a comma-separated list of file names
    dir,   ///< a directory name
};

/// One option of a command.
struct option_spec {
    std::string_view name;       ///< "--bits"
    std::string_view value_name; ///< "B"; empty for a flag; "a|b" lists the choices
    std::string_view help;       ///< one line (wrapped by the help printer)
    value_completion completes = value_completion::none;
};

/// A command: its name, usage line, summary, description and options.
struct command_spec {
    std::string_view name;
    std::string_view usage;       ///< after "dkg NAME ": "--public-key FILE [options] VALUE..."
    std::string_view summary;     ///< one line, for `dkg --help`
    std::string_view description; ///< paragraphs for `dkg NAME --help`
    std::vector<option_spec> options;
    value_completion positionals = value_completion::none; ///< what the arguments are, for completion
};

/// The parsed command line of one command.
class parsed_args {
public:
    /// Whether a flag or an option was given.
    bool has(std::string_view name) const { return values_.count(std::string(name)) != 0; }

    /// The value of an option, if given.
    std::optional<std::string> value(std::string_view name) const;

    /// The value of an option that must be given. @throws usage_error naming it otherwise.
    std::string required(std::string_view name) const;

    /// An unsigned integer option in [min, max]; `fallback` if not given.
    /// @throws usage_error for anything but plain decimal digits in range.
    std::uint64_t number(std::string_view name, std::uint64_t fallback, std::uint64_t min, std::uint64_t max) const;

    /// A required unsigned integer option in [min, max].
    std::uint64_t required_number(std::string_view name, std::uint64_t min, std::uint64_t max) const;

    /// A duration in seconds ("30", "1.5"), at most `max_seconds`; `fallback` if not given.
    std::chrono::milliseconds seconds(std::string_view name, std::chrono::milliseconds fallback, double max_seconds) const;

    /// One of `choices`; `fallback` if not given.
    std::string choice(std::string_view name, std::string_view fallback, std::initializer_list<std::string_view> choices) const;

    /// Positional arguments, in order.
    const std::vector<std::string>& positionals() const noexcept { return positionals_; }

private:
    friend parsed_args parse_args(const command_spec& spec, std::span<const std::string> tokens);
    std::map<std::string, std::string, std::less<>> values_;
    std::vector<std::string> positionals_;
};

/// Parses `tokens` (the arguments after the command name) against `spec` with
/// Boost.Program_options: "--name value", "--name=value", flags, "-h" and "-q", "--" ending the
/// options, and positionals anywhere. A token that starts with '-' followed by a digit or '.' is a
/// value (a negative number), not an option. Option names are never abbreviated.
/// @throws usage_error for an unknown option, a missing value, a value given to a flag, or an
///         option given twice.
parsed_args parse_args(const command_spec& spec, std::span<const std::string> tokens);

/// Strict unsigned decimal: digits only, no sign, no spaces, within [min, max].
/// @throws usage_error naming `what`.
std::uint64_t parse_unsigned(std::string_view text, std::string_view what, std::uint64_t min, std::uint64_t max);

/// A comma-separated list of non-empty items ("a,b,c").
/// @throws usage_error naming `what` for an empty item.
std::vector<std::string> split_list(std::string_view text, std::string_view what);

/// A comma-separated list of party ids in 1..parties, without repeats.
std::vector<std::uint32_t> parse_party_ids(std::string_view text, std::string_view what, std::size_t parties);

/// Wraps `text` to `width` columns, each line after the first indented by `indent` spaces.
std::string wrap(std::string_view text, std::size_t indent, std::size_t width);

/// Help text of a command (usage, description, options).
std::string command_help(const command_spec& spec);

/// A bash completion script for `dkg` (the function _dkg, registered with `complete`): the
/// commands, each command's options (those not given yet), the choices of an option such as
/// `--method sieve|trial`, and file or directory names where an option or argument takes one.
/// `extra_words` are completed as the first word besides the commands (e.g. "--help").
std::string bash_completion(const std::vector<const command_spec*>& commands, const std::vector<std::string_view>& extra_words);

} // namespace dkg::cli
