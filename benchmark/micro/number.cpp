// Micro-benchmarks of the number layer on both backends: modular exponentiation (the cost behind
// every Paillier and threshold operation), inversion, gcd, and conversion to and from bytes.
#include "support.hpp"

#include <dkg/bigint.hpp>

namespace dkg_micro {

namespace {

/// Random operands of the sizes the protocol uses, from a fixed seed.
template <class N>
struct number_inputs {
    std::vector<N> below_n2, below_n, exponents_half, exponents_full;
    std::vector<std::vector<std::uint8_t>> bytes_n2;
    N n, n2;

    number_inputs()
    {
        const auto& pk = paillier_key<N>().public_key();
        n = pk.n();
        n2 = pk.n_squared();
        auto rng = input_rng(1);
        for (std::size_t i = 0; i < pool_size; ++i) {
            below_n2.push_back(dkg::random_below(n2, rng));
            below_n.push_back(dkg::random_below(n, rng));
            exponents_half.push_back(dkg::random_exact_bits<N>(modulus_bits / 2, rng));
            exponents_full.push_back(dkg::random_exact_bits<N>(modulus_bits, rng));
            bytes_n2.push_back(dkg::to_bytes(below_n2.back()));
        }
    }
};

template <class N>
const number_inputs<N>& inputs()
{
    return once<number_inputs<N>>();
}

template <class N>
void register_backend()
{
    using traits = dkg::bigint_traits<N>;
    // b^e mod N² with a 2048-bit exponent: r^N in every encryption.
    register_cycling(name<N>("number", "powm_mod_n2_exp2048"), [](std::size_t i) {
        const auto& in = inputs<N>();
        return traits::powm(in.below_n2[i], in.exponents_full[i], in.n2);
    });
    // b^e mod N with a 1024-bit exponent (a CRT half's size) and with a 2048-bit exponent.
    register_cycling(name<N>("number", "powm_mod_n_exp1024"), [](std::size_t i) {
        const auto& in = inputs<N>();
        return traits::powm(in.below_n[i], in.exponents_half[i], in.n);
    });
    register_cycling(name<N>("number", "powm_mod_n_exp2048"), [](std::size_t i) {
        const auto& in = inputs<N>();
        return traits::powm(in.below_n[i], in.exponents_full[i], in.n);
    });
    // The same with a secret exponent (dkg::powm_secret: mpz_powm_sec with GMP, powm with cpp_int):
    // the price of constant time. Boneh–Franklin's exponents are about N's length (mod N), a
    // partial decryption's about 4,150 bits (mod N², rows of the threshold group).
    register_cycling(name<N>("number", "powm_secret_mod_n_exp1024"), [](std::size_t i) {
        const auto& in = inputs<N>();
        return dkg::powm_secret(in.below_n[i], in.exponents_half[i], in.n);
    });
    register_cycling(name<N>("number", "powm_secret_mod_n_exp2048"), [](std::size_t i) {
        const auto& in = inputs<N>();
        return dkg::powm_secret(in.below_n[i], in.exponents_full[i], in.n);
    });
    register_cycling(name<N>("number", "powm_secret_mod_n2_exp2048"), [](std::size_t i) {
        const auto& in = inputs<N>();
        return dkg::powm_secret(in.below_n2[i], in.exponents_full[i], in.n2);
    });
    register_cycling(name<N>("number", "invert_mod_n2"), [](std::size_t i) { return traits::invert(inputs<N>().below_n2[i], inputs<N>().n2); });
    register_cycling(name<N>("number", "gcd_with_n"), [](std::size_t i) { return traits::gcd(inputs<N>().below_n2[i], inputs<N>().n); });
    register_cycling(name<N>("number", "to_bytes_4096bit"), [](std::size_t i) { return traits::to_bytes(inputs<N>().below_n2[i]); });
    register_cycling(name<N>("number", "from_bytes_4096bit"), [](std::size_t i) { return traits::from_bytes(inputs<N>().bytes_n2[i]); });
}

} // namespace

void register_number_benchmarks()
{
    register_backend<dkg::cpp_int>();
    register_backend<dkg::gmp_int>();
}

} // namespace dkg_micro
