// Exponentiation algorithms shared by every backend, written once over an "arithmetic" (the
// operations of one modulus): products of many powers, several powers of one base, and powers of
// a fixed base from a precomputed table. dkg/bigint/traits.hpp runs them on N's own operators;
// dkg/bigint/gmp.hpp on Montgomery arithmetic in GMP's mpn layer (dkg/bigint/gmp_montgomery.hpp).
//
// An arithmetic A provides, for its element type `typename A::element` (a regular value type):
// | expression               | semantics                                                           |
// |--------------------------|---------------------------------------------------------------------|
// | `a.one()`                | the element 1                                                       |
// | `a.mul(r, x, y)`         | r = x·y; r may be x or y                                            |
// | `a.sqr(r, x)`            | r = x²; r may be x                                                  |
// | `a.gather(r, table, i)`  | r = table[i] for a `std::vector<element>`; for secret i a constant-time arithmetic reads every entry |
// | `a.scatter(table, i, x)` | table[i] = x, the same way                                          |
// | `a.wipe(x)`              | overwrite x's storage                                               |
//
// Exponents are non-negative integers given as little-endian 64-bit limbs. The public-exponent
// algorithms (multi_power, fixed_base_power) branch on the exponents' bits. The secret-exponent
// ones (several_powers_secret, fixed_base_power_secret) take a public bit bound and perform the
// same operations, on the same table positions, whatever the exponents' values: they are
// constant-time exactly when the arithmetic's mul, sqr, gather and scatter are.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace dkg::detail::multiexp {

/// An exponent: little-endian 64-bit limbs.
using exponent_view = std::span<const std::uint64_t>;

/// The number of significant bits (variable-time).
inline std::size_t bit_count(exponent_view e) noexcept
{
    for (std::size_t i = e.size(); i-- > 0;)
        if (e[i] != 0) return 64 * i + static_cast<std::size_t>(std::bit_width(e[i]));
    return 0;
}

/// Bits [pos, pos + w) of e, w ≤ 16. Which limbs are read depends on pos, w and e.size() only.
inline unsigned window_at(exponent_view e, std::size_t pos, unsigned w) noexcept
{
    const std::size_t limb = pos / 64;
    const unsigned shift = static_cast<unsigned>(pos % 64);
    std::uint64_t v = limb < e.size() ? e[limb] >> shift : 0;
    if (shift + w > 64 && limb + 1 < e.size()) v |= e[limb + 1] << (64 - shift);
    return static_cast<unsigned>(v & ((std::uint64_t{1} << w) - 1));
}

inline unsigned bit_at(exponent_view e, std::size_t pos) noexcept { return window_at(e, pos, 1); }

/// Multiplications (squarings counted as one) of a sliding-window power with w-bit windows of a
/// b-bit exponent, beyond the b squarings: one per window plus the odd powers of the table.
inline double sliding_cost(std::size_t bits, unsigned w) noexcept
{
    return static_cast<double>(bits) / (w + 1) + static_cast<double>((std::size_t{1} << (w - 1)));
}

inline unsigned sliding_window(std::size_t bits) noexcept
{
    unsigned best = 1;
    for (unsigned w = 2; w <= 7; ++w)
        if (sliding_cost(bits, w) < sliding_cost(bits, best)) best = w;
    return best;
}

/// x = x·y, or x = y while x is still empty (`has` false): saves the multiplications by 1.
template <class A, class Flag>
void multiply_into(A& a, typename A::element& x, Flag& has, const typename A::element& y)
{
    if (has) {
        a.mul(x, x, y);
    } else {
        x = y;
        has = true;
    }
}

/// Π_d buckets[d]^d for d ≥ 1 in a secret-exponent algorithm: every bucket is used, with two
/// running products, in the same order whatever the buckets hold.
template <class A>
typename A::element sum_all_buckets(A& a, std::vector<typename A::element>& buckets)
{
    const std::size_t slots = buckets.size();
    typename A::element running = buckets[slots - 1], total = running;
    for (std::size_t d = slots - 2; d > 0; --d) {
        a.mul(running, running, buckets[d]);
        a.mul(total, total, running);
    }
    a.wipe(running);
    for (auto& x : buckets) a.wipe(x);
    return total;
}

// ---- products of powers with public exponents ---------------------------------------------------

/// ∏ bases[i]^exps[i] by interleaved sliding windows (Straus 1964; Möller, "Algorithms for
/// multi-exponentiation", SAC 2001, §3.2): one chain of squarings for all bases, each base with
/// its own table of odd powers and its own window width. Variable-time.
template <class A>
typename A::element straus(A& a, std::span<const typename A::element> bases, std::span<const exponent_view> exps)
{
    using element = typename A::element;
    struct event {
        std::size_t pos;      // the lowest bit of a window
        std::size_t base;     // whose table
        std::size_t index;    // odd power (2·index + 1)
    };
    std::vector<event> events;
    std::vector<std::vector<element>> tables(bases.size());
    std::size_t top = 0;
    element square;
    for (std::size_t i = 0; i < bases.size(); ++i) {
        const std::size_t bits = bit_count(exps[i]);
        if (bits == 0) continue;
        top = std::max(top, bits);
        const unsigned w = sliding_window(bits);
        auto& table = tables[i];
        table.resize(std::size_t{1} << (w - 1));
        table[0] = bases[i];
        if (table.size() > 1) {
            a.sqr(square, bases[i]);
            for (std::size_t j = 1; j < table.size(); ++j) a.mul(table[j], table[j - 1], square);
        }
        // Windows from the top: each starts at a set bit and ends at the lowest set bit within w bits.
        std::size_t high = bits; // one past the highest bit not yet consumed
        while (high > 0) {
            if (bit_at(exps[i], high - 1) == 0) {
                --high;
                continue;
            }
            std::size_t low = high >= w ? high - w : 0;
            while (bit_at(exps[i], low) == 0) ++low;
            const unsigned value = window_at(exps[i], low, static_cast<unsigned>(high - low));
            events.push_back({low, i, (value - 1) / 2});
            high = low;
        }
    }
    std::stable_sort(events.begin(), events.end(), [](const event& x, const event& y) { return x.pos > y.pos; });
    element acc = a.one();
    bool started = false;
    std::size_t next = 0;
    for (std::size_t pos = top; pos-- > 0;) {
        if (started) a.sqr(acc, acc);
        for (; next < events.size() && events[next].pos == pos; ++next)
            multiply_into(a, acc, started, tables[events[next].base][events[next].index]);
    }
    return acc;
}

/// Π_d buckets[d]^d over the used buckets d ≥ 1, with two running products (2 multiplications
/// per bucket); false, and `total` untouched, if no bucket is used. Variable-time.
template <class A>
bool sum_buckets(A& a, const std::vector<typename A::element>& buckets, const std::vector<char>& used, typename A::element& total)
{
    typename A::element running;
    bool have_running = false, have_total = false;
    for (std::size_t d = buckets.size() - 1; d > 0; --d) {
        if (used[d]) multiply_into(a, running, have_running, buckets[d]);
        if (have_running) multiply_into(a, total, have_total, running);
    }
    return have_total;
}

/// ∏ bases[i]^exps[i] by buckets (Pippenger 1976; Bernstein et al., "Faster batch forgery
/// identification", Indocrypt 2012, §4): for each c-bit window from the top, multiply each base
/// into the bucket of its digit, then add up d·bucket[d] with two running products. Suits many
/// bases with short exponents. Variable-time.
template <class A>
typename A::element pippenger(A& a, std::span<const typename A::element> bases, std::span<const exponent_view> exps, unsigned c)
{
    using element = typename A::element;
    std::size_t top = 0;
    for (const auto& e : exps) top = std::max(top, bit_count(e));
    const std::size_t windows = (top + c - 1) / c;
    const std::size_t slots = std::size_t{1} << c;
    std::vector<element> buckets(slots);
    std::vector<char> used(slots);
    element acc = a.one(), total;
    bool started = false;
    for (std::size_t k = windows; k-- > 0;) {
        if (started)
            for (unsigned s = 0; s < c; ++s) a.sqr(acc, acc);
        std::fill(used.begin(), used.end(), 0);
        for (std::size_t i = 0; i < bases.size(); ++i) {
            const unsigned d = window_at(exps[i], k * c, c);
            if (d != 0) multiply_into(a, buckets[d], used[d], bases[i]);
        }
        if (sum_buckets(a, buckets, used, total)) multiply_into(a, acc, started, total);
    }
    return acc;
}

/// Estimated multiplications of straus (its squarings included).
inline double straus_cost(std::span<const exponent_view> exps)
{
    std::size_t top = 0;
    double cost = 0;
    for (const auto& e : exps) {
        const std::size_t bits = bit_count(e);
        if (bits == 0) continue;
        top = std::max(top, bits);
        cost += sliding_cost(bits, sliding_window(bits));
    }
    return cost + static_cast<double>(top);
}

/// Estimated multiplications of pippenger with c-bit windows (its squarings included).
inline double pippenger_cost(std::span<const exponent_view> exps, unsigned c)
{
    std::vector<std::size_t> bits;
    std::size_t top = 0;
    for (const auto& e : exps) {
        bits.push_back(bit_count(e));
        top = std::max(top, bits.back());
    }
    const double nonzero = 1.0 - 1.0 / static_cast<double>(std::size_t{1} << c);
    double cost = static_cast<double>(top);
    for (std::size_t low = 0; low < top; low += c) {
        std::size_t active = 0;
        for (std::size_t b : bits) active += b > low ? 1 : 0;
        cost += static_cast<double>(active) * nonzero + 2.0 * static_cast<double>(std::size_t{1} << c);
    }
    return cost;
}

/// ∏ bases[i]^exps[i] (variable-time), by straus or pippenger, whichever is estimated cheaper.
/// 1 for no bases.
template <class A>
typename A::element multi_power(A& a, std::span<const typename A::element> bases, std::span<const exponent_view> exps)
{
    double best = straus_cost(exps);
    unsigned best_c = 0;
    if (bases.size() >= 8) {
        for (unsigned c = 2; c <= 14; ++c) {
            const double cost = pippenger_cost(exps, c);
            if (cost < best) {
                best = cost;
                best_c = c;
            }
        }
    }
    return best_c == 0 ? straus(a, bases, exps) : pippenger(a, bases, exps, best_c);
}

// ---- several secret exponents of one base -------------------------------------------------------

/// The window of the right-to-left bucket method for `bits`-bit secret exponents.
inline unsigned secret_window(std::size_t bits) noexcept
{
    return bits >= 1024 ? 5 : bits >= 128 ? 4 : 2;
}

/// base^exps[i] for every i, sharing one chain of squarings of the base (the right-to-left
/// "bucket" method of Yao, "On the evaluation of powers", SIAM J. Comput. 1976, as used for fixed
/// bases by Brickell–Gordon–McCurley–Wilson, Eurocrypt 1992): P_k = base^(2^(w·k)) is multiplied
/// into bucket d_k of each exponent (its k-th w-bit digit), and Π_d bucket[d]^d is formed at the end
/// with two running products. Every exponent must have at least ⌈bits/64⌉ limbs and fewer than
/// `bits` bits; the sequence of operations and the table positions touched (through gather and
/// scatter) depend on `bits` and the number of exponents only.
template <class A>
std::vector<typename A::element> several_powers_secret(A& a, const typename A::element& base, std::span<const exponent_view> exps,
                                                       std::size_t bits)
{
    using element = typename A::element;
    const unsigned w = secret_window(bits);
    const std::size_t digits = std::max<std::size_t>(1, (bits + w - 1) / w);
    const std::size_t slots = std::size_t{1} << w;
    std::vector<std::vector<element>> buckets(exps.size(), std::vector<element>(slots, a.one()));
    element power = base, t;
    for (std::size_t k = 0; k < digits; ++k) {
        for (std::size_t i = 0; i < exps.size(); ++i) {
            const unsigned d = window_at(exps[i], k * w, w); // slot 0 is a dummy that absorbs zero digits
            a.gather(t, buckets[i], d);
            a.mul(t, t, power);
            a.scatter(buckets[i], d, t);
        }
        if (k + 1 < digits)
            for (unsigned s = 0; s < w; ++s) a.sqr(power, power);
    }
    std::vector<element> out;
    out.reserve(exps.size());
    for (auto& b : buckets) out.push_back(sum_all_buckets(a, b));
    a.wipe(t);
    return out;
}

// ---- a fixed base --------------------------------------------------------------------------------

/// The window of the fixed-base tables.
inline constexpr unsigned fixed_base_window = 5;

/// P_k = base^(2^(w·k)) for k = 0..⌈bits/w⌉ (one more than the exponents need, for splitting
/// longer exponents), w = fixed_base_window.
template <class A>
std::vector<typename A::element> fixed_base_powers(A& a, const typename A::element& base, std::size_t bits)
{
    const std::size_t count = (bits + fixed_base_window - 1) / fixed_base_window + 1;
    std::vector<typename A::element> powers(count);
    powers[0] = base;
    for (std::size_t k = 1; k < count; ++k) {
        a.sqr(powers[k], powers[k - 1]);
        for (unsigned s = 1; s < fixed_base_window; ++s) a.sqr(powers[k], powers[k]);
    }
    return powers;
}

/// base^e from fixed_base_powers (Brickell–Gordon–McCurley–Wilson: one multiplication per
/// non-zero digit into its bucket, then Π_d bucket[d]^d). e has at most w·(powers.size() − 1)
/// bits. Variable-time.
template <class A>
typename A::element fixed_base_power(A& a, const std::vector<typename A::element>& powers, exponent_view e)
{
    using element = typename A::element;
    constexpr unsigned w = fixed_base_window;
    const std::size_t slots = std::size_t{1} << w;
    const std::size_t digits = (bit_count(e) + w - 1) / w;
    std::vector<element> buckets(slots);
    std::vector<char> used(slots, 0);
    for (std::size_t k = 0; k < digits; ++k) {
        const unsigned d = window_at(e, k * w, w);
        if (d != 0) multiply_into(a, buckets[d], used[d], powers[k]);
    }
    element total;
    return sum_buckets(a, buckets, used, total) ? total : a.one();
}

/// base^e from fixed_base_powers for a secret e with fewer than `bits` bits (and at least
/// ⌈bits/64⌉ limbs), `bits` ≤ w·(powers.size() − 1): the same operations and table positions for
/// every e of that size (masked bucket access through gather and scatter).
template <class A>
typename A::element fixed_base_power_secret(A& a, const std::vector<typename A::element>& powers, exponent_view e, std::size_t bits)
{
    using element = typename A::element;
    constexpr unsigned w = fixed_base_window;
    const std::size_t slots = std::size_t{1} << w;
    const std::size_t digits = std::max<std::size_t>(1, (bits + w - 1) / w);
    std::vector<element> buckets(slots, a.one());
    element t;
    for (std::size_t k = 0; k < digits; ++k) {
        const unsigned d = window_at(e, k * w, w);
        a.gather(t, buckets, d);
        a.mul(t, t, powers[k]);
        a.scatter(buckets, d, t);
    }
    a.wipe(t);
    return sum_all_buckets(a, buckets);
}

} // namespace dkg::detail::multiexp
