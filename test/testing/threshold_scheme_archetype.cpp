#include <dkg/testing/threshold_scheme_archetype.hpp>

#include "error_text.hpp"
#include "threshold/session_support.hpp"

#include <dkg/session.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/testing/transport_archetype.hpp>
#include <dkg/threshold/async_decrypt.hpp>
#include <dkg/threshold/scheme.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <exception>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using archetype = dkg::testing::threshold_scheme_archetype;

// The archetype models the concept, and has no optional member.
static_assert(dkg::threshold_scheme<archetype>);
template <class S>
concept has_verify_batch = requires { &S::template verify_batch<dkg::system_rng>; };
template <class S>
concept has_partial_decrypt_batch = requires { &S::partial_decrypt_batch; };
static_assert(!has_verify_batch<archetype> && !has_partial_decrypt_batch<archetype>);

// Nothing beyond the requirements: the share is copy constructible only, the other types move
// constructible only; none is default constructible or assignable.
static_assert(std::is_copy_constructible_v<archetype::share_type> && !std::is_copy_assignable_v<archetype::share_type>);
static_assert(!std::is_default_constructible_v<archetype::share_type>);
template <class T>
constexpr bool move_only_value = std::is_move_constructible_v<T> && !std::is_copy_constructible_v<T> && !std::is_move_assignable_v<T> &&
                                 !std::is_default_constructible_v<T>;
static_assert(move_only_value<archetype::public_data_type> && move_only_value<archetype::ciphertext_type> &&
              move_only_value<archetype::partial_type> && move_only_value<archetype::plaintext_type>);
static_assert(!std::is_same_v<archetype::ciphertext_type, archetype::partial_type>);

} // namespace

BOOST_AUTO_TEST_SUITE(threshold_scheme_archetype)

// async_decrypt asks nothing of a scheme beyond the concept: it runs the archetype, whose partials
// never combine, to the end (one party, threshold 0, its own partial only).
BOOST_AUTO_TEST_CASE(async_decrypt_runs_the_archetype)
{
    boost::asio::io_context io;
    dkg::testing::transport_archetype transport(io.get_executor(), 1, 1);
    dkg::session<dkg::testing::transport_archetype> session(transport);
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 62);
    const archetype::share_type share{archetype::construct_tag{}};
    for (bool proofs : {true, false}) {
        std::vector<archetype::ciphertext_type> cts;
        cts.emplace_back(archetype::construct_tag{});
        std::exception_ptr error;
        bool done = false;
        dkg::async_decrypt<archetype>(session, share, std::move(cts), test_support::with_id(1, proofs), rng,
                                      [&](std::exception_ptr e, dkg::decryption_result<archetype::plaintext_type>) {
                                          error = e;
                                          done = true;
                                      });
        io.run();
        io.restart();
        BOOST_TEST_REQUIRE(done);
        const std::string text = test_support::message_of(error);
        BOOST_TEST(text.find("1 valid partial decryptions needed") != std::string::npos, text);
        BOOST_TEST(text.find("the valid ones do not combine") != std::string::npos, text);
    }
    // An empty batch completes at once, and the blocking form takes the archetype as well.
    const auto result = dkg::decrypt<archetype>(io, session, share, {}, test_support::with_id(2, true));
    BOOST_TEST_REQUIRE(result.plaintexts.has_value());
    BOOST_TEST(result.plaintexts->empty());
}

BOOST_AUTO_TEST_SUITE_END()
