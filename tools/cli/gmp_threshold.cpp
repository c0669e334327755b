// encrypt, add, multiply, decrypt, decrypt-party and info with the GMP (mpz_int) backend.
#include "threshold_commands.hpp"

dkg::cli::backend_commands dkg::cli::gmp_threshold_commands()
{
    return threshold_commands<dkg::gmp_int>();
}
