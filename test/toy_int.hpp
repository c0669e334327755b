// A minimal user-defined big-integer type for tests: a thin wrapper around cpp_int whose
// bigint_traits come entirely from dkg::generic_bigint_traits. It shows that any type modelling
// dkg::big_integer works with every layer. basic_toy_int<Tag> makes distinct types of it, so that
// a test can give one of them traits of its own (test/hygiene/secret_exponents.cpp).
#pragma once

#include <dkg/bigint.hpp>

#include <compare>
#include <ostream>

namespace test_support {

template <class Tag>
class basic_toy_int {
    using toy_int = basic_toy_int;

public:
    basic_toy_int() = default;
    basic_toy_int(long long v) : v_(v) {}                 // NOLINT: implicit like built-in integers
    basic_toy_int(unsigned long long v) : v_(v) {}        // NOLINT
    basic_toy_int(int v) : v_(v) {}                       // NOLINT
    basic_toy_int(unsigned v) : v_(v) {}                  // NOLINT
    explicit basic_toy_int(const boost::multiprecision::cpp_int& v) : v_(v) {}

    explicit operator unsigned long long() const { return static_cast<unsigned long long>(v_); }

    friend toy_int operator+(const toy_int& a, const toy_int& b) { return toy_int(boost::multiprecision::cpp_int(a.v_ + b.v_)); }
    friend toy_int operator-(const toy_int& a, const toy_int& b) { return toy_int(boost::multiprecision::cpp_int(a.v_ - b.v_)); }
    friend toy_int operator*(const toy_int& a, const toy_int& b) { return toy_int(boost::multiprecision::cpp_int(a.v_ * b.v_)); }
    friend toy_int operator/(const toy_int& a, const toy_int& b) { return toy_int(boost::multiprecision::cpp_int(a.v_ / b.v_)); }
    friend toy_int operator%(const toy_int& a, const toy_int& b) { return toy_int(boost::multiprecision::cpp_int(a.v_ % b.v_)); }
    friend toy_int operator<<(const toy_int& a, unsigned s) { return toy_int(boost::multiprecision::cpp_int(a.v_ << s)); }
    friend toy_int operator>>(const toy_int& a, unsigned s) { return toy_int(boost::multiprecision::cpp_int(a.v_ >> s)); }
    toy_int operator-() const { return toy_int(boost::multiprecision::cpp_int(-v_)); }
    toy_int& operator+=(const toy_int& b) { v_ += b.v_; return *this; }
    toy_int& operator-=(const toy_int& b) { v_ -= b.v_; return *this; }
    toy_int& operator*=(const toy_int& b) { v_ *= b.v_; return *this; }

    friend bool operator==(const toy_int& a, const toy_int& b) { return a.v_ == b.v_; }
    friend std::strong_ordering operator<=>(const toy_int& a, const toy_int& b)
    {
        return a.v_ < b.v_ ? std::strong_ordering::less : (a.v_ == b.v_ ? std::strong_ordering::equal : std::strong_ordering::greater);
    }

    const boost::multiprecision::cpp_int& value() const { return v_; }

    friend std::ostream& operator<<(std::ostream& os, const toy_int& a) { return os << a.v_; }

private:
    boost::multiprecision::cpp_int v_;
};

/// The user type of the backend lists.
using toy_int = basic_toy_int<void>;

} // namespace test_support

template <>
struct dkg::bigint_traits<test_support::toy_int> : dkg::generic_bigint_traits<test_support::toy_int> {};

static_assert(dkg::big_integer<test_support::toy_int>);
