// The commands of dkg-vote (docs/voting.md, "Commands"), grouped by who runs them.
#pragma once

#include "command_support.hpp"

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include <iosfwd>
#include <vector>

namespace dkg::vote {

/// One command: its name, usage line, summary, description, options and implementation.
struct command {
    const char* name;
    const char* usage;       ///< after "dkg-vote NAME "
    const char* summary;     ///< one line for `dkg-vote --help`
    const char* description; ///< paragraphs for `dkg-vote NAME --help`
    void (*declare)(boost::program_options::options_description&);
    int (*run)(const boost::program_options::variables_map&, const io&);
};

/// serve, public-key, credentials, admin-token, create, close.
std::vector<command> administrator_commands();

/// vote, status, fetch, verify.
std::vector<command> voter_commands();

/// threshold-key, tally, blind, submit-decryption.
std::vector<command> trustee_commands();

/// Runs dkg-vote with the given arguments (argv[0] excluded from parsing).
/// @return the exit status (docs/voting.md: 0, 1 failure, 2 usage, 3 input).
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

} // namespace dkg::vote
