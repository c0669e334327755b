// Example 4: your own big-integer type.
//
// dkg is generic over the integer type: anything that models dkg::big_integer works everywhere
// (docs/bigint.md). Suppose a code base already has its own big-integer class; here it is
// `mylib::bignum`, a thin RAII wrapper around GMP's mpz_t. Plugging it in takes two steps:
//
//   1. the operators (+ - * / % << >>, comparisons, construction from built-in integers), which
//      the class has anyway;
//   2. a `dkg::bigint_traits<mylib::bignum>` specialisation derived from
//      `dkg::generic_bigint_traits`, which implements all the number theory with those operators,
//      overriding the members the underlying library does faster. The one that matters most is
//      `powm`: modular exponentiation is most of the time of key generation and decryption.
//
// The example then generates a key with the type, encrypts, computes on ciphertexts and decrypts.
//
// Usage: 04_custom_bigint [--bits B]     (default 1024)
#include <dkg/dkg.hpp>

#include <gmp.h>

#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <concepts>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

// ---- the user's type ----------------------------------------------------------------------------

namespace mylib {

/// Arbitrary-precision signed integer (GMP's mpz_t with value semantics).
class bignum {
public:
    bignum() { mpz_init(z_); }

    /// From any built-in integer, implicitly, like the built-in integer types convert.
    template <std::integral I>
    bignum(I v) // NOLINT(google-explicit-constructor)
    {
        static_assert(sizeof(I) <= sizeof(long), "GMP's mpz_set_si/mpz_set_ui take a long");
        if constexpr (std::is_signed_v<I>)
            mpz_init_set_si(z_, static_cast<long>(v));
        else
            mpz_init_set_ui(z_, static_cast<unsigned long>(v));
    }

    bignum(const bignum& other) { mpz_init_set(z_, other.z_); }
    bignum(bignum&& other) noexcept
    {
        mpz_init(z_);
        mpz_swap(z_, other.z_);
    }
    bignum& operator=(const bignum& other)
    {
        mpz_set(z_, other.z_);
        return *this;
    }
    bignum& operator=(bignum&& other) noexcept
    {
        mpz_swap(z_, other.z_);
        return *this;
    }
    ~bignum() { mpz_clear(z_); }

    /// The low 64 bits of |a| (dkg only converts values in [0, 2^64)).
    explicit operator unsigned long long() const { return mpz_get_ui(z_); }

    friend bignum operator+(const bignum& a, const bignum& b) { return apply(mpz_add, a, b); }
    friend bignum operator-(const bignum& a, const bignum& b) { return apply(mpz_sub, a, b); }
    friend bignum operator*(const bignum& a, const bignum& b) { return apply(mpz_mul, a, b); }
    friend bignum operator/(const bignum& a, const bignum& b) { return apply(mpz_tdiv_q, a, b); } // truncates, as int does
    friend bignum operator%(const bignum& a, const bignum& b) { return apply(mpz_tdiv_r, a, b); } // sign of a, as int does
    friend bignum operator<<(const bignum& a, unsigned k) { return apply(mpz_mul_2exp, a, k); }
    friend bignum operator>>(const bignum& a, unsigned k) { return apply(mpz_fdiv_q_2exp, a, k); }
    bignum operator-() const
    {
        bignum r;
        mpz_neg(r.z_, z_);
        return r;
    }
    bignum& operator+=(const bignum& b) { return *this = *this + b; }
    bignum& operator-=(const bignum& b) { return *this = *this - b; }
    bignum& operator*=(const bignum& b) { return *this = *this * b; }

    friend bool operator==(const bignum& a, const bignum& b) { return mpz_cmp(a.z_, b.z_) == 0; }
    friend std::strong_ordering operator<=>(const bignum& a, const bignum& b) { return mpz_cmp(a.z_, b.z_) <=> 0; }

    mpz_srcptr get() const { return z_; }
    mpz_ptr get() { return z_; }

private:
    template <class Op, class B>
    static bignum apply(Op op, const bignum& a, const B& b)
    {
        bignum r;
        if constexpr (std::is_same_v<B, bignum>)
            op(r.z_, a.z_, b.z_);
        else
            op(r.z_, a.z_, b);
        return r;
    }

    mpz_t z_;
};

} // namespace mylib

// ---- plugging it into dkg -----------------------------------------------------------------------

/// Everything from the generic implementation, except what GMP does much faster. The generic
/// members call each other through this final type, so the replaced ones speed up the rest too.
template <>
struct dkg::bigint_traits<mylib::bignum> : dkg::generic_bigint_traits<mylib::bignum> {
    using N = mylib::bignum;

    /// b^e mod m in [0, m), for e >= 0 and m > 0 (b may be negative). The generic version is
    /// square-and-multiply with a division per step.
    static N powm(const N& b, const N& e, const N& m)
    {
        N r;
        mpz_powm(r.get(), b.get(), e.get(), m.get());
        return r;
    }

    // Cheap questions the generic versions answer with big-number divisions and shifts: the low
    // 64 bits, remainders by small primes (trial division in key generation), the bit length.
    static std::uint64_t low_u64(const N& a) { return mpz_getlimbn(a.get(), 0); }
    static std::uint64_t mod_u64(const N& a, std::uint64_t m) { return mpz_tdiv_ui(a.get(), m); }
    static std::size_t bit_length(const N& a) { return mpz_sgn(a.get()) == 0 ? 0 : mpz_sizeinbase(a.get(), 2); }

    /// |a| as big-endian bytes without leading zeros (every value on the wire goes through these).
    static std::vector<std::uint8_t> to_bytes(const N& a)
    {
        std::vector<std::uint8_t> out((bit_length(a) + 7) / 8);
        std::size_t written = 0;
        mpz_export(out.data(), &written, 1, 1, 1, 0, a.get());
        out.resize(written);
        return out;
    }
    static N from_bytes(std::span<const std::uint8_t> bytes)
    {
        N r;
        mpz_import(r.get(), bytes.size(), 1, 1, 1, 0, bytes.data());
        return r;
    }
};
static_assert(sizeof(mp_limb_t) == 8 && sizeof(unsigned long) == 8, "low_u64 and mod_u64 above assume 64-bit limbs and longs");

static_assert(dkg::big_integer<mylib::bignum>);

// ---- using it -----------------------------------------------------------------------------------

namespace {

using number = mylib::bignum;

// Seconds per call of f, averaged over `runs` calls.
template <class F>
double seconds_per_call(int runs, F f)
{
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < runs; ++i) f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / runs;
}

// The overridden powm agrees with the generic one, and is faster.
bool compare_powm(dkg::system_rng& rng)
{
    const number m = number(dkg::random_exact_bits<number>(1024, rng) * 2 + 1);
    const number b = dkg::random_below(m, rng), e = dkg::random_bits<number>(1024, rng);
    number generic, fast;
    const double t_generic = seconds_per_call(5, [&] { generic = dkg::generic_bigint_traits<number>::powm(b, e, m); });
    const double t_fast = seconds_per_call(50, [&] { fast = dkg::bigint_traits<number>::powm(b, e, m); });
    std::cout << "1024-bit powm: generic " << std::fixed << std::setprecision(2) << t_generic * 1e3 << " ms, mpz_powm "
              << t_fast * 1e3 << " ms (" << std::setprecision(0) << t_generic / t_fast << "x faster); results "
              << (generic == fast ? "agree" : "DIFFER") << '\n';
    return generic == fast;
}

} // namespace

int main(int argc, char** argv)
try {
    dkg::keygen_params params;
    params.key_length = 1024;
    if (argc == 3 && std::string(argv[1]) == "--bits")
        params.key_length = std::stoul(argv[2]);
    else if (argc != 1)
        throw std::invalid_argument("usage: 04_custom_bigint [--bits B]");

    dkg::system_rng rng;
    if (!compare_powm(rng)) return EXIT_FAILURE;

    // Key generation with mylib::bignum: the same call as with dkg::gmp_int or dkg::cpp_int.
    const auto start = std::chrono::steady_clock::now();
    const auto shares = dkg::generate_key_in_process<number>(3, params);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    const dkg::public_key<number>& key = shares[0].public_key();
    std::cout << "Generated a " << key.bits() << "-bit key with mylib::bignum in " << std::setprecision(1) << took.count()
              << " s (3 parties, t = 1)\n";

    // Encrypt, compute on ciphertexts: 3·a + b and a - b.
    const number a = 1000, b = 234;
    const auto ca = key.encrypt(a, rng), cb = key.encrypt(b, rng);
    const std::vector<dkg::ciphertext<number>> results = {ca * number(3) + cb, ca - cb};
    const std::vector<number> expected = {number(3) * a + b, a - b};

    // Parties 2 and 3 decrypt the batch: partial decryptions of each, then the combination.
    const std::vector<std::vector<dkg::partial_decryption<number>>> partials = {
        dkg::partial_decrypt_batch<number>(shares[1], results), dkg::partial_decrypt_batch<number>(shares[2], results)};
    const std::vector<number> residues = dkg::combine_batch<number>(dkg::threshold_key<number>(shares[1]), results, partials);
    const std::vector<number> plaintexts = dkg::to_signed<number>(key, residues);

    bool ok = true;
    const char* names[] = {"3*a + b", "a - b"};
    for (std::size_t i = 0; i < plaintexts.size(); ++i) {
        std::cout << "Parties 2 and 3 decrypt " << names[i] << " = " << dkg::to_decimal(plaintexts[i]) << " (expected "
                  << dkg::to_decimal(expected[i]) << ")\n";
        ok = ok && plaintexts[i] == expected[i];
    }
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
} catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return EXIT_FAILURE;
}
