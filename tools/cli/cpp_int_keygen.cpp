// keygen and party with the Boost.Multiprecision cpp_int backend.
#include "keygen_commands.hpp"

dkg::cli::backend_commands dkg::cli::cpp_int_keygen_commands()
{
    return keygen_commands<dkg::cpp_int>();
}
