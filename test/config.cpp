#include <dkg/config.hpp>

#include <dkg/bigint.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

// DKG_HAS_GMP is always defined, to 0 or 1, once dkg/config.hpp is included.
#if !defined(DKG_HAS_GMP) || (DKG_HAS_GMP != 0 && DKG_HAS_GMP != 1)
#error "dkg/config.hpp must define DKG_HAS_GMP as 0 or 1"
#endif

BOOST_AUTO_TEST_SUITE(config)

// The macro and the backends agree: with DKG_HAS_GMP the GMP backend is there and works (the
// tests link libgmp exactly then); without it the headers have not included <gmp.h>.
BOOST_AUTO_TEST_CASE(gmp_backend_follows_the_macro)
{
#if DKG_HAS_GMP
    static_assert(dkg::big_integer<dkg::gmp_int>);
    BOOST_TEST(dkg::to_decimal(dkg::powm(dkg::gmp_int(3u), dkg::gmp_int(200u), dkg::gmp_int(1000003u))) ==
               dkg::to_decimal(dkg::powm(dkg::cpp_int(3u), dkg::cpp_int(200u), dkg::cpp_int(1000003u))));
#else
#if defined(__GNU_MP_VERSION)
#error "DKG_HAS_GMP is 0 but <gmp.h> was included"
#endif
    BOOST_TEST_MESSAGE("built without GMP: only cpp_int");
#endif
    static_assert(dkg::big_integer<dkg::cpp_int>);
    BOOST_TEST(dkg::to_decimal(dkg::cpp_int(42u)) == "42");
}

BOOST_AUTO_TEST_SUITE_END()
