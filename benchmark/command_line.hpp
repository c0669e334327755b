// Command-line parsing of the benchmark programs (benchmark_keygen, benchmark_threshold,
// benchmark_soak, benchmark_ballot, benchmark_voting) with Boost.Program_options: --help prints
// the options; a mistake prints one error line and the usage, and exits with status 2.
#pragma once

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/parsers.hpp>
#include <boost/program_options/value_semantic.hpp>
#include <boost/program_options/variables_map.hpp>

#include <cstdlib>
#include <initializer_list>
#include <iostream>
#include <string>

namespace dkg_benchmark {

namespace po = boost::program_options;

/// An option whose value, a number in [min, max], is stored in `target` (whose value is the
/// default). Program_options reads numbers with lexical_cast, which takes "-1" for an unsigned
/// type as its largest value: the range check rejects that too.
template <class T>
po::typed_value<T>* number_in(T& target, T min, T max, const char* name, const char* value_name)
{
    return po::value<T>(&target)->default_value(target)->value_name(value_name)->notifier([min, max, name](T v) {
        if (v < min || v > max) throw po::error(std::string("--") + name + ": must be in " + std::to_string(min) + ".." + std::to_string(max));
    });
}

/// An option whose value must be one of `choices`, stored in `target` (whose value, if not empty,
/// is the default).
inline po::typed_value<std::string>* one_of(std::string& target, std::initializer_list<const char*> choices, const char* name)
{
    std::string list;
    for (const char* c : choices) list += (list.empty() ? "" : "|") + std::string(c);
    auto* value = po::value<std::string>(&target);
    if (!target.empty()) value->default_value(target);
    return value->value_name(list)->notifier([list, name](const std::string& v) {
        if (("|" + list + "|").find("|" + v + "|") == std::string::npos)
            throw po::error(std::string("--") + name + ": expected one of " + list + ", got '" + v + "'");
    });
}

/// Parses the command line against `options` (and `hidden` ones, not listed by --help) and
/// stores the values in their targets. --help prints `usage` and the options, then exits with
/// status 0; an unknown option, a missing or malformed value or an argument exits with status 2.
inline void parse_command_line(int argc, char** argv, const char* program, const char* usage, po::options_description options,
                               const po::options_description& hidden = po::options_description())
{
    options.add_options()("help,h", "show this help");
    po::options_description all;
    all.add(options).add(hidden);
    try {
        po::variables_map map;
        // Long options only ("--runs 5" or "--runs=5"), never abbreviated; no positional arguments.
        namespace style = po::command_line_style;
        po::store(po::command_line_parser(argc, argv)
                      .options(all)
                      .style(style::allow_long | style::long_allow_adjacent | style::long_allow_next | style::allow_short |
                             style::allow_dash_for_short | style::short_allow_next)
                      .positional(po::positional_options_description())
                      .run(),
                  map);
        if (map.count("help")) {
            std::cout << "usage: " << usage << "\n\n" << options;
            std::exit(0);
        }
        po::notify(map);
    } catch (const po::error& e) {
        std::cerr << program << ": " << e.what() << "\nusage: " << usage << "\n(--help lists the options)\n";
        std::exit(2);
    }
}

} // namespace dkg_benchmark
