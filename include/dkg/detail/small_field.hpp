// Small finite fields GF(r^k) with table arithmetic, for Shamir sharing modulo a prime r that is
// not larger than the number of parties (the distributed sieve needs n distinct nonzero evaluation
// points, which Z_r lacks when r ≤ n; GF(r^k) with r^k > n has them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace dkg::detail {

/// GF(r^k), the smallest extension of Z_r with more than `min_size` elements. An element is an
/// integer 0..r^k-1 whose base-r digits are its coefficients over Z_r (digit 0 is the constant term),
/// so the elements 0..r-1 are Z_r itself.
class small_field {
public:
    small_field(std::uint32_t r, std::uint32_t min_size) : r_(r)
    {
        if (r < 2) throw std::invalid_argument("small_field: r must be a prime");
        k_ = 1;
        size_ = r;
        while (size_ <= min_size) {
            size_ *= r;
            ++k_;
        }
        if (size_ > (1u << 16)) throw std::invalid_argument("small_field: field too large");
        find_modulus();
    }

    std::uint32_t characteristic() const noexcept { return r_; }
    std::uint32_t degree() const noexcept { return k_; }
    std::uint32_t size() const noexcept { return size_; }

    std::uint32_t add(std::uint32_t a, std::uint32_t b) const noexcept
    {
        std::uint32_t out = 0, scale = 1;
        for (std::uint32_t i = 0; i < k_; ++i) {
            out += ((a % r_ + b % r_) % r_) * scale;
            a /= r_;
            b /= r_;
            scale *= r_;
        }
        return out;
    }

    std::uint32_t mul(std::uint32_t a, std::uint32_t b) const noexcept
    {
        if (a == 0 || b == 0) return 0;
        return exp_[(log_[a] + log_[b]) % (size_ - 1)];
    }

    std::uint32_t inverse(std::uint32_t a) const
    {
        if (a == 0) throw std::invalid_argument("small_field: zero has no inverse");
        return exp_[(size_ - 1 - log_[a]) % (size_ - 1)];
    }

    std::uint32_t negate(std::uint32_t a) const noexcept
    {
        std::uint32_t out = 0, scale = 1;
        for (std::uint32_t i = 0; i < k_; ++i) {
            out += ((r_ - a % r_) % r_) * scale;
            a /= r_;
            scale *= r_;
        }
        return out;
    }

    /// The constant coefficient: a Z_r-linear map onto Z_r that is the identity on Z_r.
    std::uint32_t constant_term(std::uint32_t a) const noexcept { return a % r_; }

    /// Lagrange coefficients ℓ_j(0) for the distinct nonzero points.
    std::vector<std::uint32_t> lagrange_at_zero(const std::vector<std::uint32_t>& points) const
    {
        std::vector<std::uint32_t> out;
        for (std::size_t j = 0; j < points.size(); ++j) {
            std::uint32_t num = 1, den = 1;
            for (std::size_t m = 0; m < points.size(); ++m) {
                if (m == j) continue;
                num = mul(num, points[m]);                            // (0 - x_m) up to sign, see below
                den = mul(den, add(points[m], negate(points[j])));    // x_m - x_j
            }
            out.push_back(mul(num, inverse(den)));                    // ∏ x_m / ∏ (x_m - x_j)
        }
        return out;
    }

    /// f(x) for the polynomial with `coefficients` (constant first).
    std::uint32_t evaluate(const std::vector<std::uint32_t>& coefficients, std::uint32_t x) const noexcept
    {
        std::uint32_t acc = 0;
        for (auto it = coefficients.rbegin(); it != coefficients.rend(); ++it) acc = add(mul(acc, x), *it);
        return acc;
    }

private:
    // Multiplies two elements as polynomials modulo the monic modulus with low coefficients `m`.
    std::uint32_t slow_mul(std::uint32_t a, std::uint32_t b, const std::vector<std::uint32_t>& m) const
    {
        std::vector<std::uint32_t> pa(k_), pb(k_), prod(2 * k_, 0);
        for (std::uint32_t i = 0; i < k_; ++i) {
            pa[i] = a % r_;
            a /= r_;
            pb[i] = b % r_;
            b /= r_;
        }
        for (std::uint32_t i = 0; i < k_; ++i)
            for (std::uint32_t j = 0; j < k_; ++j) prod[i + j] = (prod[i + j] + pa[i] * pb[j]) % r_;
        // x^k = -(m_0 + m_1 x + ... + m_{k-1} x^{k-1})
        for (std::uint32_t d = 2 * k_ - 1; d >= k_ && d > 0; --d) {
            const std::uint32_t c = prod[d];
            if (c == 0) continue;
            prod[d] = 0;
            for (std::uint32_t i = 0; i < k_; ++i) prod[d - k_ + i] = (prod[d - k_ + i] + (r_ - m[i]) * c) % r_;
        }
        std::uint32_t out = 0, scale = 1;
        for (std::uint32_t i = 0; i < k_; ++i) {
            out += prod[i] * scale;
            scale *= r_;
        }
        return out;
    }

    // Finds a monic modulus of degree k for which x generates the multiplicative group (a
    // primitive polynomial), and builds the exp/log tables.
    void find_modulus()
    {
        exp_.assign(size_, 0);
        log_.assign(size_, 0);
        if (k_ == 1) { // Z_r itself: find a generator
            for (std::uint32_t g = 1; g < r_; ++g)
                if (try_generator([&](std::uint32_t a) { return (a * g) % r_; }, 1)) return;
            throw std::logic_error("small_field: no generator");
        }
        const std::uint32_t x = r_; // the element "x" (digit 1 in position 1)
        std::vector<std::uint32_t> m(k_);
        for (std::uint32_t code = 0; code < size_; ++code) {
            std::uint32_t c = code;
            for (std::uint32_t i = 0; i < k_; ++i) {
                m[i] = c % r_;
                c /= r_;
            }
            if (m[0] == 0) continue; // divisible by x
            if (try_generator([&](std::uint32_t a) { return slow_mul(a, x, m); }, 1)) return;
        }
        throw std::logic_error("small_field: no primitive polynomial");
    }

    template <class Step>
    bool try_generator(Step step, std::uint32_t one)
    {
        std::vector<bool> seen(size_, false);
        std::uint32_t a = one;
        for (std::uint32_t e = 0; e + 1 < size_; ++e) {
            if (seen[a] || a == 0) return false;
            seen[a] = true;
            exp_[e] = a;
            log_[a] = e;
            a = step(a);
        }
        return a == one;
    }

    std::uint32_t r_;
    std::uint32_t k_ = 1;
    std::uint32_t size_ = 0;
    std::vector<std::uint32_t> exp_, log_;
};

} // namespace dkg::detail
