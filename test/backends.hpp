// The big-integer backends every layer is tested with.
#pragma once

#include <dkg/bigint.hpp>

#include "toy_int.hpp"

#include <boost/mpl/list.hpp>
#include <string>

namespace test_support {

using cpp_int_et_off = boost::multiprecision::number<boost::multiprecision::cpp_int_backend<>, boost::multiprecision::et_off>;

/// Every backend: the shipped ones, with and without expression templates, and a user type.
using all_backends = boost::mpl::list<dkg::cpp_int, cpp_int_et_off, dkg::gmp_int, dkg::gmp_int_et_off, toy_int>;

/// The backends used by the heavier tests: one portable, one fast, one user type.
using backends = boost::mpl::list<dkg::cpp_int, dkg::gmp_int, toy_int>;

/// The two shipped backends (for protocol tests, where the user type adds only run time).
using shipped_backends = boost::mpl::list<dkg::cpp_int, dkg::gmp_int>;

template <class N>
N num(const char* decimal)
{
    return dkg::from_decimal<N>(decimal);
}

} // namespace test_support
