#include <dkg/testing/keygen_archetypes.hpp>

#include "error_text.hpp"
#include "keygen_support.hpp"

#include <dkg/keygen.hpp>
#include <dkg/keygen/policies.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/testing/transport_archetype.hpp>

#include <boost/test/unit_test.hpp>

#include <type_traits>

namespace {

template <class N>
using archetypes = dkg::keygen_policies<N, dkg::testing::candidate_archetype<N>, dkg::testing::biprimality_archetype<N>,
                                        dkg::testing::key_sharing_archetype<N>, dkg::testing::opening_archetype<N>>;
using archetype_session = dkg::session<dkg::testing::transport_archetype>;

// Each archetype models its concept, with the library's sessions and generators and with the archetypes of those.
template <class N, class S, class G>
constexpr bool archetypes_model_their_concepts()
{
    return dkg::candidate_policy<dkg::testing::candidate_archetype<N>, N, S, G> &&
           dkg::opening_policy<dkg::testing::opening_archetype<N>, N, S, G> &&
           dkg::biprimality_policy<dkg::testing::biprimality_archetype<N>, N, S, G> &&
           dkg::key_sharing_policy<dkg::testing::key_sharing_archetype<N>, N, S, G> && dkg::keygen_policy_bundle<archetypes<N>, S, G>;
}
static_assert(archetypes_model_their_concepts<test_support::fast_int, archetype_session, dkg::testing::insecure_seeded_rng>());
static_assert(archetypes_model_their_concepts<dkg::cpp_int, dkg::session<dkg::memory_transport>, dkg::system_rng>());
static_assert(archetypes_model_their_concepts<test_support::toy_int, archetype_session, dkg::system_rng>());

// Nothing beyond the requirements: no copies, no moves, no default construction.
static_assert(!std::is_copy_constructible_v<dkg::testing::candidate_archetype<test_support::fast_int>>);
static_assert(!std::is_move_constructible_v<dkg::testing::opening_archetype<test_support::fast_int>>);
static_assert(!std::is_default_constructible_v<dkg::testing::biprimality_archetype<test_support::fast_int>>);
static_assert(!std::is_copy_assignable_v<dkg::testing::key_sharing_archetype<test_support::fast_int>>);

} // namespace

// The run of key generation compiles with nothing but the archetypes: it asks no more of a layer
// (nor of a transport) than the concepts promise.
template class dkg::detail::keygen_run<archetypes<test_support::fast_int>, archetype_session, dkg::testing::insecure_seeded_rng>;
template class dkg::detail::keygen_run<archetypes<test_support::toy_int>, archetype_session, dkg::system_rng>;

BOOST_AUTO_TEST_SUITE(keygen_archetypes)

// Plugged into a real key generation, an archetype ends it at once with its std::logic_error (and
// the other parties, waiting for its messages, with an error naming it).
BOOST_AUTO_TEST_CASE(a_key_generation_with_an_archetype_fails_at_once)
{
    using N = test_support::fast_int;
    dkg::keygen_params params;
    params.key_length = 128;
    dkg::session_options options;
    options.timeout = std::chrono::milliseconds(2000);
    const auto outcome = test_support::run_memory_keygen<N, dkg::keygen_policies<N, dkg::testing::candidate_archetype<N>>>(3, params, 1, options);
    for (const auto& e : outcome.errors) {
        BOOST_TEST_REQUIRE(static_cast<bool>(e));
        BOOST_CHECK_THROW(std::rethrow_exception(e), std::logic_error);
        BOOST_TEST(test_support::message_of(e).find("candidate_archetype: a compile-time model") == 0u, test_support::message_of(e));
    }
}

BOOST_AUTO_TEST_CASE(archetypes_describe_themselves)
{
    boost::asio::thread_pool pool(1);
    const auto context = test_support::make_context(1, 3, 1, 64, pool);
    const dkg::keygen_params params;
    dkg::agreed_parameters agreed;
    dkg::testing::candidate_archetype<test_support::fast_int>(context, params).describe(agreed);
    dkg::testing::opening_archetype<test_support::fast_int>(context, params).describe(agreed);
    dkg::testing::biprimality_archetype<test_support::fast_int>(context, params).describe(agreed);
    dkg::testing::key_sharing_archetype<test_support::fast_int>(context, params).describe(agreed);
    BOOST_TEST(agreed.entries().size() == 4u);
    BOOST_TEST(dkg::testing::candidate_archetype<test_support::fast_int>(context, params).expected_pairs() == 1.0);
}

BOOST_AUTO_TEST_SUITE_END()
