#include <dkg/keygen/policies.hpp>

#include "keygen_support.hpp"

#include <dkg/keygen.hpp>
#include <dkg/testing/keygen_archetypes.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/testing/transport_archetype.hpp>

#include <boost/test/unit_test.hpp>

#include <type_traits>

// Static tests of the layer concepts: the shipped layers and the archetypes model them; types with
// a member missing or of the wrong signature do not; keygen_run uses no more than the concepts say.

namespace {

using memory_session = dkg::session<dkg::memory_transport>;
using archetype_session = dkg::session<dkg::testing::transport_archetype>;
using rng = dkg::testing::insecure_seeded_rng;

template <class N, class S, class G>
constexpr bool shipped_layers_model_their_concepts()
{
    return dkg::candidate_policy<dkg::sieve::trial_division<N>, N, S, G> && dkg::candidate_policy<dkg::sieve::distributed_sieve<N>, N, S, G> &&
           dkg::candidate_policy<dkg::sieve::configured<N>, N, S, G> && dkg::opening_policy<dkg::bgw_opening<N>, N, S, G> &&
           dkg::biprimality_policy<dkg::biprime::boneh_franklin<N>, N, S, G> && dkg::key_sharing_policy<dkg::integer_key_sharing<N>, N, S, G> &&
           dkg::keygen_policy_bundle<dkg::keygen_policies<N>, S, G>;
}

static_assert(shipped_layers_model_their_concepts<dkg::cpp_int, memory_session, rng>());
static_assert(shipped_layers_model_their_concepts<test_support::fast_int, memory_session, dkg::system_rng>());
static_assert(shipped_layers_model_their_concepts<test_support::toy_int, archetype_session, rng>());

// The bundle keeps the order of its first four parameters; the opening layer comes last.
using four = dkg::keygen_policies<test_support::fast_int, dkg::sieve::trial_division<test_support::fast_int>, dkg::biprime::boneh_franklin<test_support::fast_int>,
                                  dkg::integer_key_sharing<test_support::fast_int>>;
static_assert(std::is_same_v<four::candidates, dkg::sieve::trial_division<test_support::fast_int>>);
static_assert(std::is_same_v<four::biprimality, dkg::biprime::boneh_franklin<test_support::fast_int>>);
static_assert(std::is_same_v<four::key_sharing, dkg::integer_key_sharing<test_support::fast_int>>);
static_assert(std::is_same_v<four::opening, dkg::bgw_opening<test_support::fast_int>>);
static_assert(std::is_same_v<dkg::keygen_policies<test_support::fast_int>::candidates, dkg::sieve::configured<test_support::fast_int>>);

// ---- types that miss a requirement -------------------------------------------------------------

using N = test_support::fast_int;
using awaitable_shares = boost::asio::awaitable<std::vector<N>>;
using ctx = const dkg::keygen_context&;
using prm = const dkg::keygen_params&;

struct candidates_without_describe {
    candidates_without_describe(ctx, prm);
    double expected_pairs() const;
    template <class S, class G>
    awaitable_shares generate(S&, G&, std::size_t, std::uint32_t);
};
struct candidates_with_a_mutable_describe { // describe must work on a const layer
    candidates_with_a_mutable_describe(ctx, prm);
    void describe(dkg::agreed_parameters&);
    double expected_pairs() const;
    template <class S, class G>
    awaitable_shares generate(S&, G&, std::size_t, std::uint32_t);
};
struct candidates_without_a_context_constructor {
    explicit candidates_without_a_context_constructor(prm);
    void describe(dkg::agreed_parameters&) const;
    double expected_pairs() const;
    template <class S, class G>
    awaitable_shares generate(S&, G&, std::size_t, std::uint32_t);
};
struct candidates_returning_a_vector { // not asynchronous
    candidates_returning_a_vector(ctx, prm);
    void describe(dkg::agreed_parameters&) const;
    double expected_pairs() const;
    template <class S, class G>
    std::vector<N> generate(S&, G&, std::size_t, std::uint32_t);
};
struct candidates_of_another_number_type {
    candidates_of_another_number_type(ctx, prm);
    void describe(dkg::agreed_parameters&) const;
    double expected_pairs() const;
    template <class S, class G>
    boost::asio::awaitable<std::vector<dkg::cpp_int>> generate(S&, G&, std::size_t, std::uint32_t);
};
struct candidates_without_an_estimate {
    candidates_without_an_estimate(ctx, prm);
    void describe(dkg::agreed_parameters&) const;
    template <class S, class G>
    awaitable_shares generate(S&, G&, std::size_t, std::uint32_t);
};
static_assert(!dkg::candidate_policy<candidates_without_describe, N, memory_session, rng>);
static_assert(!dkg::candidate_policy<candidates_with_a_mutable_describe, N, memory_session, rng>);
static_assert(!dkg::candidate_policy<candidates_without_a_context_constructor, N, memory_session, rng>);
static_assert(!dkg::candidate_policy<candidates_returning_a_vector, N, memory_session, rng>);
static_assert(!dkg::candidate_policy<candidates_of_another_number_type, N, memory_session, rng>);
static_assert(!dkg::candidate_policy<candidates_without_an_estimate, N, memory_session, rng>);

struct opening_of_one_vector { // takes p's and q's shares in one range, as before the layer existed
    opening_of_one_vector(ctx, prm);
    void describe(dkg::agreed_parameters&) const;
    template <class S, class G>
    awaitable_shares open(S&, G&, std::span<const N>, std::uint32_t);
};
struct opening_that_takes_vectors {
    opening_that_takes_vectors(ctx, prm);
    void describe(dkg::agreed_parameters&) const;
    template <class S, class G>
    awaitable_shares open(S&, G&, const std::vector<N>&, const std::vector<N>&, std::uint32_t);
};
static_assert(!dkg::opening_policy<opening_of_one_vector, N, memory_session, rng>);
static_assert(!dkg::opening_policy<opening_that_takes_vectors, N, memory_session, rng>);

struct biprimality_without_rng { // the signature before the concept
    biprimality_without_rng(ctx, prm);
    void describe(dkg::agreed_parameters&) const;
    template <class S>
    boost::asio::awaitable<std::optional<std::size_t>> test(S&, const dkg::joint_seed&, std::span<const dkg::candidate<N>>, std::uint32_t);
};
struct biprimality_returning_bool {
    biprimality_returning_bool(ctx, prm);
    void describe(dkg::agreed_parameters&) const;
    template <class S, class G>
    boost::asio::awaitable<bool> test(S&, G&, const dkg::joint_seed&, std::span<const dkg::candidate<N>>, std::uint32_t);
};
static_assert(!dkg::biprimality_policy<biprimality_without_rng, N, memory_session, rng>);
static_assert(!dkg::biprimality_policy<biprimality_returning_bool, N, memory_session, rng>);

struct key_sharing_taking_shares_by_value_and_rvalue {
    key_sharing_taking_shares_by_value_and_rvalue(ctx, prm);
    void describe(dkg::agreed_parameters&) const;
    template <class S, class G>
    boost::asio::awaitable<std::optional<dkg::key_share<N>>> share(S&, G&, const dkg::joint_seed&, const N&, N&&, N&&);
};
struct key_sharing_without_seed {
    key_sharing_without_seed(ctx, prm);
    void describe(dkg::agreed_parameters&) const;
    template <class S, class G>
    boost::asio::awaitable<std::optional<dkg::key_share<N>>> share(S&, G&, const N&, N&, N&);
};
// A layer that cannot reject a modulus (the contract before rejection: a key share or an error).
struct key_sharing_that_cannot_reject {
    key_sharing_that_cannot_reject(ctx, prm);
    void describe(dkg::agreed_parameters&) const;
    template <class S, class G>
    boost::asio::awaitable<dkg::key_share<N>> share(S&, G&, const dkg::joint_seed&, const N&, N&, N&);
};
static_assert(!dkg::key_sharing_policy<key_sharing_taking_shares_by_value_and_rvalue, N, memory_session, rng>);
static_assert(!dkg::key_sharing_policy<key_sharing_without_seed, N, memory_session, rng>);
static_assert(!dkg::key_sharing_policy<key_sharing_that_cannot_reject, N, memory_session, rng>);

// A layer that needs more of the generator than a secure_rng gives is checked with the real type.
struct candidates_needing_a_seedable_rng {
    candidates_needing_a_seedable_rng(ctx, prm);
    void describe(dkg::agreed_parameters&) const;
    double expected_pairs() const;
    template <class S, class G>
        requires requires(G& g) { g.seed(1u); }
    awaitable_shares generate(S&, G&, std::size_t, std::uint32_t);
};
static_assert(!dkg::candidate_policy<candidates_needing_a_seedable_rng, N, memory_session, dkg::system_rng>);

// Bundles: a wrong layer, a missing member type, another number type.
static_assert(!dkg::keygen_policy_bundle<dkg::keygen_policies<N, candidates_without_describe>, memory_session, rng>);
static_assert(!dkg::keygen_policy_bundle<dkg::keygen_policies<N, dkg::sieve::configured<N>, biprimality_without_rng>, memory_session, rng>);
struct bundle_without_opening {
    using number = N;
    using candidates = dkg::sieve::configured<N>;
    using biprimality = dkg::biprime::boneh_franklin<N>;
    using key_sharing = dkg::integer_key_sharing<N>;
};
static_assert(!dkg::keygen_policy_bundle<bundle_without_opening, memory_session, rng>);
static_assert(!dkg::keygen_policy_bundle<dkg::keygen_policies<N, dkg::sieve::configured<dkg::cpp_int>>, memory_session, rng>);

} // namespace

BOOST_AUTO_TEST_SUITE(keygen_policies)

BOOST_AUTO_TEST_CASE(the_default_bundle_describes_the_configured_layers)
{
    boost::asio::thread_pool pool(1);
    dkg::keygen_params params;
    params.key_length = 2048;
    const auto context = test_support::make_context(1, 3, 1, 1024, pool);
    using P = dkg::keygen_policies<N>;
    dkg::agreed_parameters agreed;
    P::candidates(context, params).describe(agreed);
    P::opening(context, params).describe(agreed);
    P::biprimality(context, params).describe(agreed);
    P::key_sharing(context, params).describe(agreed);
    BOOST_TEST(agreed.to_string() == "biprimality = boneh_franklin, biprimality.rounds = 40, candidates = distributed_sieve, "
                                     "candidates.sieve_bound = 683, key_sharing = integer_key_sharing, "
                                     "key_sharing.statistical_security = 40, opening = bgw_opening");
    params.candidates = dkg::candidate_method::trial_division;
    dkg::agreed_parameters trial;
    P::candidates(context, params).describe(trial);
    BOOST_TEST(trial.to_string() == "candidates = trial_division");
}

BOOST_AUTO_TEST_SUITE_END()
