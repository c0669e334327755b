// Boost.JSON, compiled into the tests (header-only mode): used to check the tool's --json output.
#include <boost/json/src.hpp>
