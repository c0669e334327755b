// Micro-benchmarks of threshold decryption (n = 3, t = 1) on both backends: one party's partial
// decryption without and with its proof of correctness, the verification of a proof, and the
// combination of t+1 = 2 partial decryptions.
#include "support.hpp"

#include <dkg/threshold.hpp>

#include <span>

namespace dkg_micro {

namespace {

template <class N>
struct threshold_inputs {
    dkg::threshold_key<N> public_part;
    std::vector<dkg::ciphertext<N>> ciphertexts;
    std::vector<N> plaintexts;
    std::vector<dkg::partial_decryption<N>> proved, first, second; ///< with proof by party 2; of parties 1 and 2

    threshold_inputs() : public_part(threshold_key<N>().shares[0])
    {
        const auto& shares = threshold_key<N>().shares;
        const auto& pk = public_part.public_key();
        auto rng = input_rng(3);
        for (std::size_t i = 0; i < pool_size; ++i) {
            plaintexts.push_back(dkg::random_below(pk.n(), rng));
            ciphertexts.push_back(pk.encrypt_residue(plaintexts.back(), rng));
            proved.push_back(dkg::partial_decrypt(shares[1], ciphertexts.back(), rng));
            first.push_back(dkg::partial_decrypt(shares[0], ciphertexts.back()));
            second.push_back(dkg::partial_decrypt(shares[1], ciphertexts.back()));
        }
    }
};

template <class N>
const threshold_inputs<N>& inputs()
{
    return once<threshold_inputs<N>>();
}

template <class N>
void register_backend()
{
    register_cycling(name<N>("threshold", "partial_decrypt"), [](std::size_t i) {
        return dkg::partial_decrypt(threshold_key<N>().shares[0], inputs<N>().ciphertexts[i]);
    });
    register_cycling(name<N>("threshold", "partial_decrypt_with_proof"), [](std::size_t i) {
        static dkg::system_rng rng;
        return dkg::partial_decrypt(threshold_key<N>().shares[0], inputs<N>().ciphertexts[i], rng);
    });
    register_checked(name<N>("threshold", "verify_proof"), "a valid proof was rejected", [](std::size_t i) {
        const auto& in = inputs<N>();
        return dkg::verify(in.public_part, in.ciphertexts[i], in.proved[i]);
    });
    register_checked(name<N>("threshold", "combine"), "a combination was wrong", [](std::size_t i) {
        const auto& in = inputs<N>();
        const std::vector<dkg::partial_decryption<N>> two{in.first[i], in.second[i]};
        return dkg::combine(in.public_part, in.ciphertexts[i], std::span<const dkg::partial_decryption<N>>(two)) == in.plaintexts[i];
    });
}

} // namespace

void register_threshold_benchmarks()
{
    register_backend<dkg::cpp_int>();
    register_backend<dkg::gmp_int>();
}

} // namespace dkg_micro
