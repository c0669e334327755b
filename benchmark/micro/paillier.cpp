// Micro-benchmarks of Paillier on both backends: encryption, homomorphic addition and
// multiplication by a plain integer, and decryption with the secret key (CRT).
#include "support.hpp"

namespace dkg_micro {

namespace {

template <class N>
struct paillier_inputs {
    std::vector<N> plaintexts, scalars;
    std::vector<dkg::ciphertext<N>> ciphertexts;

    paillier_inputs()
    {
        const auto& pk = paillier_key<N>().public_key();
        auto rng = input_rng(2);
        for (std::size_t i = 0; i < pool_size; ++i) {
            plaintexts.push_back(dkg::random_symmetric(pk.max_plaintext(), rng));
            scalars.push_back(dkg::random_below(pk.n(), rng));
            ciphertexts.push_back(pk.encrypt(plaintexts.back(), rng));
        }
    }
};

template <class N>
const paillier_inputs<N>& inputs()
{
    return once<paillier_inputs<N>>();
}

template <class N>
void register_backend()
{
    register_cycling(name<N>("paillier", "encrypt"), [](std::size_t i) {
        static dkg::system_rng rng;
        return paillier_key<N>().public_key().encrypt(inputs<N>().plaintexts[i], rng);
    });
    register_cycling(name<N>("paillier", "add"), [](std::size_t i) {
        const auto& in = inputs<N>();
        return in.ciphertexts[i] + in.ciphertexts[(i + 1) % pool_size];
    });
    register_cycling(name<N>("paillier", "multiply_plain"), [](std::size_t i) { return inputs<N>().ciphertexts[i] * inputs<N>().scalars[i]; });
    register_checked(name<N>("paillier", "decrypt"), "a decryption was wrong",
                     [](std::size_t i) { return paillier_key<N>().decrypt(inputs<N>().ciphertexts[i]) == inputs<N>().plaintexts[i]; });
}

} // namespace

void register_paillier_benchmarks()
{
    register_backend<dkg::cpp_int>();
    register_backend<dkg::gmp_int>();
}

} // namespace dkg_micro
