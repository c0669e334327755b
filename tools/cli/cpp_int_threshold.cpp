// encrypt, add, multiply, decrypt, decrypt-party and info with the Boost.Multiprecision cpp_int backend.
#include "threshold_commands.hpp"

dkg::cli::backend_commands dkg::cli::cpp_int_threshold_commands()
{
    return threshold_commands<dkg::cpp_int>();
}
