// A distributed decryption with a deliberately wrong threshold-decryption scheme, which must not
// compile: the build must stop at the call of dkg::async_decrypt with a short message naming the
// concept dkg::threshold_scheme and the requirement the scheme breaks (checked by
// check_compile_error.cmake). DKG_WRONG_LAYER selects the case; case 0 is the same program with
// correct schemes (the archetype, and the default scheme of a dkg::key_share), which must compile.
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/testing/threshold_scheme_archetype.hpp>
#include <dkg/threshold/async_decrypt.hpp>
#include <dkg/transport/memory.hpp>

#include <boost/asio/io_context.hpp>

#include <exception>
#include <random>
#include <utility>
#include <vector>

using archetype = dkg::testing::threshold_scheme_archetype;
using N = dkg::cpp_int;

#if DKG_WRONG_LAYER == 1
/// Wrong: verifies against the secret key share instead of the public data.
struct scheme : archetype {
    static bool verify(const share_type&, const ciphertext_type&, const partial_type&);
};
#elif DKG_WRONG_LAYER == 2
/// Wrong: its proofs take a non-cryptographic generator, not any dkg::secure_rng.
struct scheme : archetype {
    static partial_type partial_decrypt(const share_type&, const public_data_type&, const ciphertext_type&);
    static partial_type partial_decrypt(const share_type&, const public_data_type&, const ciphertext_type&, std::mt19937_64&, std::size_t);
};
#elif DKG_WRONG_LAYER == 3
/// Wrong: no batch digest, so a receiver could not tell partials of other ciphertexts.
struct scheme : archetype {
    struct batch_digest {};
};
#else
using scheme = archetype;
#endif

/// A key-share type of the user's for which no scheme is named (case 4).
struct unknown_share {};

int main()
{
    boost::asio::io_context io;
    dkg::memory_network network(io, 1);
    dkg::session<dkg::memory_transport> session(network.party(1));
    dkg::testing::insecure_seeded_rng rng;
    const archetype::share_type share{archetype::construct_tag{}};
    dkg::async_decrypt<scheme>(session, share, {}, dkg::decrypt_options{}, rng, [](std::exception_ptr, auto) {});
#if DKG_WRONG_LAYER == 4
    // Wrong: a share type without dkg::default_threshold_scheme, and no scheme named.
    dkg::async_decrypt(session, unknown_share{}, {}, dkg::decrypt_options{}, rng, [](std::exception_ptr, auto) {});
#else
    // The default scheme of a dkg::key_share<N> (dkg::paillier_threshold_scheme<N>).
    const dkg::key_share<N> key_share;
    dkg::async_decrypt(session, key_share, {}, dkg::decrypt_options{}, rng, [](std::exception_ptr, dkg::decryption_result<N>) {});
#endif
}
