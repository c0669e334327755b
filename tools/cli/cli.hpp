// The dkg command-line tool: its entry point. The exit codes and the errors commands report are in
// errors.hpp.
//
// `run` is what `main` calls; tests call it directly with their own streams.
#pragma once

#include "errors.hpp"

#include <iosfwd>
#include <string>

namespace dkg::cli {

/// Runs the tool: `argv[0]` is the program name, then the command and its arguments. Results go to
/// `out`; progress, notes, warnings and errors (one line each) go to `err`. A live progress line is
/// drawn only when `err` is std::cerr and standard error is a terminal (or with --progress).
/// While it runs, the library's warnings (dkg::set_warning_handler, process-wide) go to `err`, so
/// run one call at a time per process.
/// @return one of exit_code.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

} // namespace dkg::cli
