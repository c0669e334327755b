// keygen and party with the GMP (mpz_int) backend.
#include "keygen_commands.hpp"

dkg::cli::backend_commands dkg::cli::gmp_keygen_commands()
{
    return keygen_commands<dkg::gmp_int>();
}
