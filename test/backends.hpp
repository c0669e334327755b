// The big-integer backends every layer is tested with.
//
// With GMP (DKG_HAS_GMP, see dkg/config.hpp) the lists hold both shipped backends and the test-only
// user type; without it, cpp_int and the user type, and the cases that need GMP itself (it is their
// independent reference, or what they measure) are skipped with the reason (`needs_gmp`).
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/config.hpp>

#include "toy_int.hpp"

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace test_support {

using cpp_int_et_off = boost::multiprecision::number<boost::multiprecision::cpp_int_backend<>, boost::multiprecision::et_off>;

#if DKG_HAS_GMP
/// Every backend: the shipped ones, with and without expression templates, and a user type.
using all_backends = boost::mpl::list<dkg::cpp_int, cpp_int_et_off, dkg::gmp_int, dkg::gmp_int_et_off, toy_int>;

/// The backends used by the heavier tests: one portable, one fast, one user type.
using backends = boost::mpl::list<dkg::cpp_int, dkg::gmp_int, toy_int>;

/// The shipped backends (for protocol tests, where the user type adds only run time).
using shipped_backends = boost::mpl::list<dkg::cpp_int, dkg::gmp_int>;

/// The fastest shipped backend, for tests that are about the protocol rather than the numbers.
using fast_int = dkg::gmp_int;
#else
using all_backends = boost::mpl::list<dkg::cpp_int, cpp_int_et_off, toy_int>;
using backends = boost::mpl::list<dkg::cpp_int, toy_int>;
using shipped_backends = boost::mpl::list<dkg::cpp_int>;
using fast_int = dkg::cpp_int;
#endif

/// Precondition of the cases that need GMP itself: without it they are reported as skipped, saying
/// why. (Their bodies are compiled only with GMP.)
inline boost::test_tools::assertion_result gmp_available(boost::unit_test::test_unit_id)
{
    boost::test_tools::assertion_result available(DKG_HAS_GMP != 0);
    available.message() << "needs GMP (this build has DKG_HAS_GMP = 0: GMP was not found or DKG_WITH_GMP is OFF)";
    return available;
}

/// Decorator of a case that needs GMP: `BOOST_AUTO_TEST_CASE(name, *needs_gmp())`.
inline auto needs_gmp() { return boost::unit_test::precondition(gmp_available); }

template <class N>
N num(const char* decimal)
{
    return dkg::from_decimal<N>(decimal);
}

} // namespace test_support
