// A key generation with a deliberately wrong layer, which must not compile: the build must stop at
// the call of dkg::async_generate_key with a short message naming the layer and what it misses
// (checked by check_compile_error.cmake). DKG_WRONG_LAYER selects the case; case 0 is the same
// program with correct layers, which must compile (so that the other cases fail for their layer).
#include <dkg/keygen.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/transport/memory.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <span>

using N = dkg::cpp_int;

/// Boneh–Franklin with a counter, in each case's shape.
struct counting_biprimality {
    counting_biprimality(const dkg::keygen_context& context, const dkg::keygen_params& params) : inner_(context, params) {}
    void describe(dkg::agreed_parameters& agreed) const { inner_.describe(agreed); }

#if DKG_WRONG_LAYER == 1
    // Wrong: written against a signature without the generator.
    template <class Session>
    boost::asio::awaitable<std::optional<std::size_t>> test(Session& session, const dkg::joint_seed& seed,
                                                            std::span<const dkg::candidate<N>> candidates, std::uint32_t batch)
    {
        int unused = 0;
        co_return co_await inner_.test(session, unused, seed, candidates, batch);
    }
#else
    template <class Session, class G>
    boost::asio::awaitable<std::optional<std::size_t>> test(Session& session, G& rng, const dkg::joint_seed& seed,
                                                            std::span<const dkg::candidate<N>> candidates, std::uint32_t batch)
    {
        ++tests;
        co_return co_await inner_.test(session, rng, seed, candidates, batch);
    }
#endif
    std::size_t tests = 0;

private:
    dkg::biprime::boneh_franklin<N> inner_;
};

/// The distributed sieve under another name, in each case's shape.
struct renamed_sieve {
    renamed_sieve(const dkg::keygen_context& context, const dkg::keygen_params& params) : inner_(context, params) {}
#if DKG_WRONG_LAYER != 2 // wrong: no describe
    void describe(dkg::agreed_parameters& agreed) const
    {
        agreed.add("candidates", "renamed_sieve");
        agreed.add("candidates.sieve_bound", inner_.bound());
    }
#endif
    double expected_pairs() const { return inner_.expected_pairs(); }
    template <class Session, class G>
    boost::asio::awaitable<std::vector<N>> generate(Session& session, G& rng, std::size_t count, std::uint32_t batch)
    {
        return inner_.generate(session, rng, count, batch);
    }

private:
    dkg::sieve::distributed_sieve<N> inner_;
};

/// Integer key sharing, in each case's shape.
struct plain_key_sharing {
    plain_key_sharing(const dkg::keygen_context& context, const dkg::keygen_params& params) : inner_(context, params) {}
    void describe(dkg::agreed_parameters& agreed) const { inner_.describe(agreed); }
    template <class Session, class G>
#if DKG_WRONG_LAYER == 3 // wrong: returns the share itself, not an awaitable
    dkg::key_share<N> share(Session&, G&, const dkg::joint_seed&, const N&, N&, N&);
#else
    boost::asio::awaitable<std::optional<dkg::key_share<N>>> share(Session& session, G& rng, const dkg::joint_seed& seed, const N& modulus, N& p, N& q)
    {
        return inner_.share(session, rng, seed, modulus, p, q);
    }
#endif

private:
    dkg::integer_key_sharing<N> inner_;
};

#if DKG_WRONG_LAYER == 4
/// Wrong: a bundle without the opening layer.
struct policies {
    using number = N;
    using candidates = renamed_sieve;
    using biprimality = counting_biprimality;
    using key_sharing = plain_key_sharing;
};
#else
using policies = dkg::keygen_policies<N, renamed_sieve, counting_biprimality, plain_key_sharing>;
#endif

int main()
{
    boost::asio::io_context io;
    dkg::memory_network network(io, 3);
    dkg::session<dkg::memory_transport> session(network.party(1));
    dkg::testing::insecure_seeded_rng rng;
    dkg::async_generate_key<N, policies>(session, rng, dkg::keygen_params{}, {}, [](std::exception_ptr, dkg::key_share<N>) {});
}
