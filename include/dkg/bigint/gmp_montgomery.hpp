// Montgomery arithmetic modulo an odd m on GMP's mpn layer, for the algorithms of
// dkg/bigint/multi_exponentiation.hpp: a constant-time form for secret exponents and a faster
// variable-time form for public ones.
//
// Elements are n-limb numbers x < R = 2^(64·n) (n the limbs of m) standing for x·R^−1 mod m; they
// are kept below R but not always below m, as in GMP's own mpn_sec_powm, and reduced to [0, m)
// when converted back. Montgomery, "Modular multiplication without trial division", Math. Comp.
// 1985; the reduction is the word-by-word REDC of Koç–Acar–Kaliski, IEEE Micro 1996 ("SOS").
#pragma once

#include <gmp.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace dkg::detail {

/// The constants of Montgomery arithmetic modulo an odd m > 1: immutable once made, so one object
/// serves any number of threads (each with its own montgomery_arithmetic).
class montgomery_modulus {
public:
    /// @throws std::invalid_argument naming `modulus` if m is even or below 3.
    explicit montgomery_modulus(mpz_srcptr m)
    {
        if (mpz_cmp_ui(m, 3) < 0 || mpz_even_p(m)) throw std::invalid_argument("modulus: Montgomery arithmetic needs an odd modulus above 1");
        const std::size_t n = mpz_size(m);
        m_.assign(mpz_limbs_read(m), mpz_limbs_read(m) + n);
        // −m^−1 mod 2^64 by Newton's iteration: m·m ≡ 1 (mod 8), and each step doubles the bits.
        mp_limb_t inverse = m_[0];
        for (int i = 0; i < 6; ++i) inverse *= 2 - m_[0] * inverse;
        minus_inverse_ = 0 - inverse;
        mpz_t t;
        mpz_init(t);
        mpz_setbit(t, 64 * n);
        mpz_mod(t, t, m);
        one_ = padded(t, n);
        mpz_set_ui(t, 0);
        mpz_setbit(t, 128 * n);
        mpz_mod(t, t, m);
        r_squared_ = padded(t, n);
        mpz_clear(t);
    }

    /// n, the limbs of m.
    std::size_t limbs() const noexcept { return m_.size(); }
    const mp_limb_t* m() const noexcept { return m_.data(); }
    /// −m^−1 mod 2^64.
    mp_limb_t minus_inverse() const noexcept { return minus_inverse_; }
    /// R mod m: 1 in Montgomery form.
    const std::vector<mp_limb_t>& one() const noexcept { return one_; }
    /// R² mod m, which turns x into its Montgomery form x·R.
    const std::vector<mp_limb_t>& r_squared() const noexcept { return r_squared_; }

    /// The n-limb form of a value in [0, R).
    static std::vector<mp_limb_t> padded(mpz_srcptr a, std::size_t n)
    {
        std::vector<mp_limb_t> out(n, 0);
        std::copy_n(mpz_limbs_read(a), std::min(n, mpz_size(a)), out.begin());
        return out;
    }

private:
    std::vector<mp_limb_t> m_, one_, r_squared_;
    mp_limb_t minus_inverse_ = 0;
};

/// All ones if a == b, else zero, without a branch on the values.
inline mp_limb_t equal_mask(std::size_t a, std::size_t b) noexcept
{
    const std::uint64_t x = static_cast<std::uint64_t>(a ^ b);
    mp_limb_t mask = static_cast<mp_limb_t>(((x | (0 - x)) >> 63) - 1);
#if defined(__GNUC__)
    __asm__("" : "+r"(mask)); // keep the compiler from turning the masks below into branches
#endif
    return mask;
}

/// Multiplication, squaring and table access modulo one montgomery_modulus, with scratch space of
/// its own. With ConstantTime, every operation's instructions and memory accesses depend only on
/// n and the table sizes: products by mpn_sec_mul / mpn_sec_sqr (GMP's side-channel silent
/// functions), the reduction by mpn_addmul_1, mpn_add_n and mpn_cnd_sub_n, and table entries read
/// and written by scanning the whole table under masks. Without it, products use mpn_mul_n and
/// mpn_sqr (subquadratic, variable-time) and tables are indexed directly.
///
/// @par Thread Safety
/// Distinct objects: safe. Shared objects: unsafe (the scratch space).
template <bool ConstantTime>
class montgomery_arithmetic {
public:
    using element = std::vector<mp_limb_t>;

    /// `modulus` must outlive the arithmetic.
    explicit montgomery_arithmetic(const montgomery_modulus& modulus) : mod_(modulus), n_(modulus.limbs())
    {
        std::size_t extra = 0;
        if constexpr (ConstantTime)
            extra = static_cast<std::size_t>(std::max(mpn_sec_mul_itch(static_cast<mp_size_t>(n_), static_cast<mp_size_t>(n_)),
                                                      mpn_sec_sqr_itch(static_cast<mp_size_t>(n_))));
        scratch_.resize(2 * n_ + extra);
    }

    montgomery_arithmetic(const montgomery_arithmetic&) = delete;
    montgomery_arithmetic& operator=(const montgomery_arithmetic&) = delete;
    ~montgomery_arithmetic() { wipe(scratch_); }

    element one() const { return mod_.one(); }

    /// The Montgomery form of a ∈ [0, m).
    element to_montgomery(mpz_srcptr a)
    {
        element x = montgomery_modulus::padded(a, n_), out;
        mul(out, x, mod_.r_squared());
        wipe(x);
        return out;
    }

    /// out = x·R^−1 mod m in [0, m).
    void from_montgomery(mpz_ptr out, const element& x)
    {
        mp_limb_t* t = scratch_.data();
        std::copy_n(x.data(), n_, t);
        std::fill_n(t + n_, n_, mp_limb_t{0});
        element r(n_), difference(n_);
        reduce(r.data(), t); // now in [0, m]: (x + q·m)/R < 1 + m for x < R
        const mp_limb_t borrow = mpn_sub_n(difference.data(), r.data(), mod_.m(), static_cast<mp_size_t>(n_));
        mpn_cnd_sub_n(1 - borrow, r.data(), r.data(), mod_.m(), static_cast<mp_size_t>(n_));
        mp_limb_t* d = mpz_limbs_write(out, static_cast<mp_size_t>(n_));
        std::copy_n(r.data(), n_, d);
        mpz_limbs_finish(out, static_cast<mp_size_t>(n_));
        wipe(r);
        wipe(difference);
    }

    /// r = x·y·R^−1 (x, y < R); r may be x or y.
    void mul(element& r, const element& x, const element& y)
    {
        mp_limb_t* t = scratch_.data();
        const auto n = static_cast<mp_size_t>(n_);
        if constexpr (ConstantTime) mpn_sec_mul(t, x.data(), n, y.data(), n, t + 2 * n_);
        else if (&x == &y) mpn_sqr(t, x.data(), n);
        else mpn_mul_n(t, x.data(), y.data(), n);
        r.resize(n_);
        reduce(r.data(), t);
    }

    /// r = x²·R^−1; r may be x.
    void sqr(element& r, const element& x)
    {
        mp_limb_t* t = scratch_.data();
        const auto n = static_cast<mp_size_t>(n_);
        if constexpr (ConstantTime) mpn_sec_sqr(t, x.data(), n, t + 2 * n_);
        else mpn_sqr(t, x.data(), n);
        r.resize(n_);
        reduce(r.data(), t);
    }

    /// r = table[index].
    void gather(element& r, const std::vector<element>& table, std::size_t index) const
    {
        if constexpr (ConstantTime) {
            r.assign(n_, 0);
            for (std::size_t k = 0; k < table.size(); ++k) {
                const mp_limb_t mask = equal_mask(k, index);
                const mp_limb_t* source = table[k].data();
                for (std::size_t j = 0; j < n_; ++j) r[j] |= source[j] & mask;
            }
        } else {
            r = table[index];
        }
    }

    /// table[index] = x.
    void scatter(std::vector<element>& table, std::size_t index, const element& x) const
    {
        if constexpr (ConstantTime) {
            for (std::size_t k = 0; k < table.size(); ++k) {
                const mp_limb_t mask = equal_mask(k, index);
                mp_limb_t* target = table[k].data();
                for (std::size_t j = 0; j < n_; ++j) target[j] = (target[j] & ~mask) | (x[j] & mask);
            }
        } else {
            table[index] = x;
        }
    }

    /// Overwrites x's limbs.
    static void wipe(element& x) noexcept
    {
        volatile mp_limb_t* p = x.data();
        for (std::size_t i = 0; i < x.size(); ++i) p[i] = 0;
    }

private:
    /// r = t·R^−1 for t < R·(R + m) in 2n limbs (destroyed), r < R (word-by-word REDC).
    void reduce(mp_limb_t* r, mp_limb_t* t) const
    {
        const mp_limb_t* m = mod_.m();
        const auto n = static_cast<mp_size_t>(n_);
        for (std::size_t j = 0; j < n_; ++j) {
            const mp_limb_t q = t[j] * mod_.minus_inverse();
            t[j] = mpn_addmul_1(t + j, m, n, q); // t[j] is now 0 mod 2^64: keep the carry there
        }
        const mp_limb_t carry = mpn_add_n(r, t + n_, t, n);
        mpn_cnd_sub_n(carry, r, r, m, n);
    }

    const montgomery_modulus& mod_;
    std::size_t n_;
    std::vector<mp_limb_t> scratch_;
};

} // namespace dkg::detail
