// dkg-vote's command line: the table of commands, help texts, option parsing with
// Boost.Program_options, and the mapping of errors to exit statuses.
#include "commands.hpp"

#include "audit.hpp"
#include "json.hpp"

#include <boost/program_options/parsers.hpp>

#include <iostream>
#include <sstream>

namespace dkg::vote {

namespace po = boost::program_options;

namespace {

#ifndef DKG_VERSION
#define DKG_VERSION "0.0.0"
#endif

std::vector<command> all_commands()
{
    std::vector<command> list;
    for (auto group : {administrator_commands(), voter_commands(), trustee_commands()})
        list.insert(list.end(), group.begin(), group.end());
    return list;
}

std::string general_help()
{
    std::ostringstream s;
    s << "dkg-vote — a verifiable election with threshold Paillier: an HTTPS ballot box, and the commands of\n"
         "the administrator, the voters, the trustees and anyone who verifies the result.\n\n"
         "usage: dkg-vote COMMAND [options]     (dkg-vote COMMAND --help for one command)\n\n";
    const char* groups[] = {"administrator and ballot box", "voters and verifiers", "trustees"};
    std::size_t g = 0;
    for (const auto& group : {administrator_commands(), voter_commands(), trustee_commands()}) {
        s << groups[g++] << ":\n";
        for (const auto& c : group) {
            std::string name = c.name;
            name.resize(std::max<std::size_t>(name.size(), 19), ' ');
            s << "  " << name << c.summary << '\n';
        }
    }
    s << "\nEvery command takes --help, --json (results as one JSON object) and --quiet (-q). Exit status:\n"
         "0 success, 1 the operation failed (network, refusal, a check that failed), 2 bad command line,\n"
         "3 bad input file or value. See docs/voting.md.\n";
    return s.str();
}

std::string command_help(const command& c, const po::options_description& options)
{
    std::ostringstream s;
    s << "usage: dkg-vote " << c.name << ' ' << c.usage << "\n\n" << c.description << "\n\n" << options;
    return s.str();
}

} // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err)
{
    std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        if (args.size() >= 2) args = {args[1], "--help"};
        else {
            (args.empty() ? err : out) << general_help();
            return args.empty() ? exit_usage : exit_ok;
        }
    }
    if (args[0] == "--version" || args[0] == "version") {
        out << "dkg-vote " << DKG_VERSION << '\n';
        return exit_ok;
    }
    const auto commands = all_commands();
    const auto found = std::find_if(commands.begin(), commands.end(), [&](const command& c) { return args[0] == c.name; });
    if (found == commands.end()) {
        err << "dkg-vote: error: unknown command '" << args[0] << "' (dkg-vote --help lists the commands)\n";
        return exit_usage;
    }
    const command& c = *found;
    io streams{out, err, c.name};
    try {
        po::options_description options("options");
        c.declare(options);
        options.add_options()("json", "print the result as one JSON object")("quiet,q", "no notes on standard error")("help,h", "this help");
        po::variables_map vm;
        try {
            const std::vector<std::string> rest(args.begin() + 1, args.end());
            const auto parsed = po::command_line_parser(rest).options(options).run();
            for (const auto& o : parsed.options)
                if (o.position_key != -1)
                    throw usage_error("unexpected argument '" + (o.original_tokens.empty() ? std::string() : o.original_tokens.front()) +
                                      "' (every value follows its --option)");
            po::store(parsed, vm);
            po::notify(vm);
        } catch (const po::error& e) {
            throw usage_error(e.what());
        }
        if (vm.count("help")) {
            out << command_help(c, options);
            return exit_ok;
        }
        streams.json = vm.count("json") != 0;
        streams.quiet = vm.count("quiet") != 0;
        return c.run(vm, streams);
    } catch (const usage_error& e) {
        err << "dkg-vote " << c.name << ": error: " << e.what() << " (dkg-vote " << c.name << " --help)\n";
        return exit_usage;
    } catch (const input_error& e) {
        err << "dkg-vote " << c.name << ": error: " << e.what() << '\n';
        return exit_input;
    } catch (const document_error& e) {
        err << "dkg-vote " << c.name << ": error: " << e.what() << '\n';
        return exit_input;
    } catch (const audit_failure& e) {
        err << "dkg-vote " << c.name << ": error: verification failed: " << e.what() << '\n';
        return exit_failure;
    } catch (const std::exception& e) {
        err << "dkg-vote " << c.name << ": error: " << e.what() << '\n';
        return exit_failure;
    }
}

} // namespace dkg::vote
