// A test-only generator must not reach a function that needs a secure one by accident: passing the
// plain dkg::testing::seeded_rng to dkg::random_below must stop the build (case 1), while the named
// opt-in dkg::testing::insecure_seeded_rng (case 0) compiles. Checked by check_compile_error.cmake.
#include <dkg/bigint.hpp>
#include <dkg/testing/seeded_rng.hpp>

using N = dkg::cpp_int;

int main()
{
#if DKG_WRONG_LAYER == 1
    dkg::testing::seeded_rng rng(1);
#else
    dkg::testing::insecure_seeded_rng rng(1);
#endif
    const N drawn = dkg::random_below(N(1000u), rng);
    return drawn < N(1000u) ? 0 : 1;
}
