#include <dkg/keygen.hpp>

#include "error_text.hpp"
#include "keygen_support.hpp"

#include <dkg/testing/faulty_transport.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

using namespace test_support;

namespace {

dkg::keygen_params small_params(std::size_t bits, std::size_t t)
{
    dkg::keygen_params p;
    p.key_length = bits;
    p.corruption_threshold = t;
    return p;
}

/// Local options with only a progress handler.
dkg::keygen_options with_progress(dkg::keygen_progress_handler on_progress)
{
    dkg::keygen_options options;
    options.on_progress = std::move(on_progress);
    return options;
}

/// n parties over the memory transport, each behind a fault-injecting wrapper that `configure`
/// may set up, with a session and a seeded generator each.
struct faulty_memory_parties {
    using faulty = dkg::testing::faulty_transport<dkg::memory_transport>;
    boost::asio::io_context context;
    dkg::memory_network network;
    std::vector<std::unique_ptr<faulty>> transports;
    std::vector<std::unique_ptr<dkg::session<faulty>>> sessions;
    std::vector<std::unique_ptr<dkg::testing::insecure_seeded_rng>> rngs;

    template <class Configure>
    faulty_memory_parties(std::size_t n, std::uint64_t seed, dkg::session_options options, Configure configure) : network(context, n)
    {
        for (dkg::party_id j = 1; j <= n; ++j) {
            transports.push_back(std::make_unique<faulty>(network.party(j)));
            configure(j, *transports.back());
            sessions.push_back(std::make_unique<dkg::session<faulty>>(*transports.back(), options));
            rngs.push_back(std::make_unique<dkg::testing::insecure_seeded_rng>(seed, j));
        }
    }
};

/// Three parties over the memory transport; party j runs `start(j, session, rng, on_done)`. Returns
/// each party's error (null on success).
template <class Start>
std::vector<std::exception_ptr> run_three(Start start)
{
    std::vector<std::exception_ptr> errors(3);
    boost::asio::io_context context;
    dkg::memory_network network(context, 3);
    std::vector<std::unique_ptr<dkg::session<dkg::memory_transport>>> sessions;
    std::vector<std::unique_ptr<dkg::testing::insecure_seeded_rng>> rngs;
    for (dkg::party_id j = 1; j <= 3; ++j) {
        sessions.push_back(std::make_unique<dkg::session<dkg::memory_transport>>(network.party(j)));
        rngs.push_back(std::make_unique<dkg::testing::insecure_seeded_rng>(1, j));
        start(j, *sessions.back(), *rngs.back(), [&errors, j](std::exception_ptr e, dkg::key_share<fast_int>) { errors[j - 1] = e; });
    }
    context.run();
    return errors;
}

/// Parties 1 and 2 fail naming party 3 with `difference`; party 3 names party 1 (the first it checks).
void expect_setup_difference(const std::vector<std::exception_ptr>& errors, const std::string& difference)
{
    for (int j : {0, 1}) {
        BOOST_TEST_REQUIRE(static_cast<bool>(errors[j]));
        const auto text = message_of(errors[j]);
        BOOST_TEST(text.find("party 3") == 0u, text);
        BOOST_TEST(text.find("keygen: different key generation parameters: " + difference) != std::string::npos, text);
    }
    BOOST_TEST_REQUIRE(static_cast<bool>(errors[2]));
    BOOST_TEST(message_of(errors[2]).find("party 1") == 0u, message_of(errors[2]));
}

} // namespace

BOOST_AUTO_TEST_SUITE(keygen)

BOOST_AUTO_TEST_CASE_TEMPLATE(every_party_count_and_threshold_sieve, N, shipped_backends)
{
    for (std::size_t n : {3u, 4u, 5u, 7u}) {
        for (std::size_t t = 1; 2 * t + 1 <= n; ++t) {
            BOOST_TEST_CONTEXT("n=" << n << " t=" << t) {
                const auto params = small_params(128, t);
                const auto outcome = run_memory_keygen<N>(n, params, 1000 + n * 10 + t);
                check_generated_key(outcome, n, params);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(every_party_count_and_threshold_trial_division, N, shipped_backends)
{
    for (std::size_t n : {3u, 4u, 5u, 7u}) {
        for (std::size_t t = 1; 2 * t + 1 <= n; ++t) {
            BOOST_TEST_CONTEXT("n=" << n << " t=" << t) {
                auto params = small_params(128, t);
                params.candidates = dkg::candidate_method::trial_division;
                const auto outcome = run_memory_keygen<N>(n, params, 2000 + n * 10 + t);
                check_generated_key(outcome, n, params);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(every_party_count_over_tcp, N, shipped_backends)
{
    for (std::size_t n : {3u, 4u, 5u, 7u}) {
        for (std::size_t t = 1; 2 * t + 1 <= n; ++t) {
            for (auto method : {dkg::candidate_method::distributed_sieve, dkg::candidate_method::trial_division}) {
                BOOST_TEST_CONTEXT("n=" << n << " t=" << t << " " << dkg::to_string(method)) {
                    auto params = small_params(128, t);
                    params.candidates = method;
                    check_generated_key(run_tcp_keygen<N>(n, params), n, params);
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(short_keys_warn_that_they_are_insecure)
{
    std::vector<std::string> seen;
    auto previous = dkg::set_warning_handler([&seen](std::string_view w) { seen.emplace_back(w); });
    const auto outcome = run_memory_keygen<fast_int>(3, small_params(128, 1));
    BOOST_TEST_REQUIRE(outcome.all_succeeded());
    // Once per process, not once per party; a different length warns again.
    const auto again = run_memory_keygen<fast_int>(3, small_params(128, 1));
    const auto other = run_memory_keygen<fast_int>(3, small_params(130, 1));
    dkg::set_warning_handler(previous);
    BOOST_TEST_REQUIRE(again.all_succeeded());
    BOOST_TEST_REQUIRE(other.all_succeeded());
    BOOST_TEST(seen.size() <= 2u);
    BOOST_TEST(std::count_if(seen.begin(), seen.end(), [](const std::string& w) { return w.find("130 bits") != std::string::npos; }) == 1);
    for (const auto& w : seen) BOOST_TEST(w.find("insecure") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_tcp_party_that_disconnects_is_named)
{
    // Party 3 closes its TCP transport after its first key generation message arrives: the others
    // fail with an error naming party 3, well within the timeout.
    const std::size_t n = 3;
    boost::asio::io_context context;
    std::vector<boost::asio::ip::tcp::acceptor> listeners;
    std::vector<dkg::tcp_endpoint> endpoints;
    for (std::size_t j = 0; j < n; ++j) {
        listeners.emplace_back(context, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
        endpoints.push_back({"127.0.0.1", listeners.back().local_endpoint().port()});
    }
    std::vector<std::unique_ptr<dkg::tcp_transport>> transports;
    std::vector<std::unique_ptr<dkg::session<dkg::tcp_transport>>> sessions;
    std::vector<std::unique_ptr<dkg::testing::insecure_seeded_rng>> rngs;
    dkg::session_options options;
    options.timeout = std::chrono::seconds(5);
    for (std::size_t j = 0; j < n; ++j) {
        transports.push_back(std::make_unique<dkg::tcp_transport>(std::move(listeners[j]), static_cast<dkg::party_id>(j + 1), endpoints));
        sessions.push_back(std::make_unique<dkg::session<dkg::tcp_transport>>(*transports[j], options));
        rngs.push_back(std::make_unique<dkg::testing::insecure_seeded_rng>(12, j + 1));
    }
    std::vector<std::exception_ptr> errors(n);
    std::size_t started = 0, finished = 0;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t j = 0; j < n; ++j)
        transports[j]->async_start([&](std::exception_ptr e) {
            BOOST_TEST_REQUIRE(!e);
            if (++started < n) return;
            for (std::size_t k = 0; k < n; ++k) {
                auto progress = [&, k](const dkg::keygen_progress&) {
                    if (k == 2) transports[2]->close(); // party 3 vanishes after its first batch
                };
                dkg::async_generate_key<fast_int>(*sessions[k], *rngs[k], small_params(512, 1), with_progress(progress),
                                                      [&, k](std::exception_ptr e2, dkg::key_share<fast_int>) {
                                                          errors[k] = e2;
                                                          if (++finished == n)
                                                              for (auto& t : transports) t->close();
                                                      });
            }
        });
    context.run();
    BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(20)));
    for (std::size_t j : {0u, 1u}) {
        BOOST_TEST_REQUIRE(static_cast<bool>(errors[j]));
        try {
            std::rethrow_exception(errors[j]);
        } catch (const dkg::protocol_error& e) {
            BOOST_TEST(e.party() == 3u, e.what());
        }
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(larger_keys, N, shipped_backends)
{
    for (std::size_t bits : {256u, 512u}) {
        BOOST_TEST_CONTEXT("bits=" << bits) {
            const auto params = small_params(bits, 1);
            check_generated_key(run_memory_keygen<N>(3, params, bits), 3, params);
        }
    }
}

BOOST_AUTO_TEST_CASE(user_defined_integer_type)
{
    const auto params = small_params(96, 1);
    check_generated_key(run_memory_keygen<toy_int>(3, params, 7), 3, params);
}

BOOST_AUTO_TEST_CASE(minimum_key_length_and_odd_sizes)
{
    for (std::size_t bits : {64u, 66u, 130u}) {
        BOOST_TEST_CONTEXT("bits=" << bits) {
            const auto params = small_params(bits, 1);
            check_generated_key(run_memory_keygen<fast_int>(3, params, bits), 3, params);
        }
    }
}

BOOST_AUTO_TEST_CASE(worker_threads_and_explicit_batches)
{
    auto params = small_params(256, 2);
    params.batch_size = 5;
    dkg::keygen_options local;
    local.threads = 3;
    const auto outcome = run_memory_keygen<fast_int>(5, params, 17, {}, local);
    check_generated_key(outcome, 5, params);
    BOOST_TEST(outcome.progress[0].candidates % 5 == 0u);
}

BOOST_AUTO_TEST_CASE(the_arithmetic_runs_on_an_executor_of_the_caller)
{
    // One io_context, run by a thread of the test, does the arithmetic of all five parties (each
    // splitting it in two): its run() counts the work it did. The parties start no threads.
    boost::asio::io_context arithmetic;
    auto guard = boost::asio::make_work_guard(arithmetic);
    std::size_t handlers = 0;
    std::thread worker([&] { handlers = arithmetic.run(); });
    auto params = small_params(256, 2);
    dkg::keygen_options local;
    local.threads = 2;
    local.arithmetic_executor = arithmetic.get_executor();
    const auto outcome = run_memory_keygen<fast_int>(5, params, 19, {}, local);
    guard.reset();
    worker.join();
    check_generated_key(outcome, 5, params);
    // At least two pieces per party for each batch's opening, trial division and biprimality test.
    BOOST_TEST(handlers >= 5u * 2u * 3u * outcome.progress[0].batches);
}

BOOST_AUTO_TEST_CASE(the_arithmetic_may_share_the_sessions_executor)
{
    // The parties' io_context does their arithmetic too: one thread for everything.
    const auto errors = run_three([](dkg::party_id, auto& session, auto& rng, auto done) {
        dkg::keygen_options local;
        local.threads = 2;
        local.arithmetic_executor = session.get_executor();
        dkg::async_generate_key<fast_int>(session, rng, small_params(128, 1), local, std::move(done));
    });
    for (const auto& e : errors) BOOST_TEST(!e, message_of(e));
}

BOOST_AUTO_TEST_CASE(progress_reports_are_consistent)
{
    const auto params = small_params(256, 1);
    const auto outcome = run_memory_keygen<fast_int>(3, params, 5);
    BOOST_TEST_REQUIRE(outcome.all_succeeded());
    for (const auto& p : outcome.progress) {
        BOOST_TEST(p.finished);
        BOOST_TEST(p.batches >= 1u);
        BOOST_TEST(p.candidates == p.moduli_revealed);
        BOOST_TEST(p.passed_trial_division <= p.moduli_revealed);
        BOOST_TEST(p.biprimality_tests == p.passed_trial_division);
        BOOST_TEST(p.biprimality_rounds >= p.biprimality_tests + params.correct_param_biprime - 1);
        BOOST_TEST(p.communication_rounds >= 4u * p.batches);
        BOOST_TEST(p.bytes_sent > 0u);
        BOOST_TEST(p.elapsed.count() > 0);
    }
    // Everyone saw the same public counts.
    BOOST_TEST(outcome.progress[0].candidates == outcome.progress[2].candidates);
    BOOST_TEST(outcome.progress[0].biprimality_rounds == outcome.progress[1].biprimality_rounds);
}

BOOST_AUTO_TEST_CASE(completion_token_without_a_progress_handler)
{
    boost::asio::io_context context;
    dkg::memory_network network(context, 3);
    std::vector<std::unique_ptr<dkg::session<dkg::memory_transport>>> sessions;
    std::vector<std::unique_ptr<dkg::testing::insecure_seeded_rng>> rngs;
    std::vector<std::optional<dkg::key_share<fast_int>>> shares(3);
    for (dkg::party_id j = 1; j <= 3; ++j) {
        sessions.push_back(std::make_unique<dkg::session<dkg::memory_transport>>(network.party(j)));
        rngs.push_back(std::make_unique<dkg::testing::insecure_seeded_rng>(31, j));
        auto run = [](dkg::session<dkg::memory_transport>& s, dkg::testing::insecure_seeded_rng& rng) -> boost::asio::awaitable<dkg::key_share<fast_int>> {
            co_return co_await dkg::async_generate_key<fast_int>(s, rng, small_params(128, 1), boost::asio::use_awaitable);
        };
        boost::asio::co_spawn(context, run(*sessions.back(), *rngs.back()), [&shares, j](std::exception_ptr e, dkg::key_share<fast_int> k) {
            if (!e) shares[j - 1].emplace(std::move(k));
        });
    }
    context.run();
    for (const auto& s : shares) BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST(shares[0]->same_key(*shares[2]));
}

BOOST_AUTO_TEST_CASE(blocking_form_one_thread_per_party)
{
    // Each party in its own thread with its own io_context and TCP transport, as separate programs would.
    const std::size_t n = 3;
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts;
    std::vector<boost::asio::ip::tcp::acceptor> listeners;
    std::vector<dkg::tcp_endpoint> endpoints;
    for (std::size_t j = 0; j < n; ++j) {
        contexts.push_back(std::make_unique<boost::asio::io_context>());
        listeners.emplace_back(*contexts.back(), boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
        endpoints.push_back({"127.0.0.1", listeners.back().local_endpoint().port()});
    }
    std::vector<std::optional<dkg::key_share<fast_int>>> shares(n);
    std::vector<std::string> errors(n);
    std::vector<std::thread> threads;
    for (std::size_t j = 0; j < n; ++j)
        threads.emplace_back([&, j] {
            try {
                auto& context = *contexts[j];
                dkg::tcp_transport transport(std::move(listeners[j]), static_cast<dkg::party_id>(j + 1), endpoints);
                std::exception_ptr start_error;
                bool started = false;
                transport.async_start([&](std::exception_ptr e) {
                    start_error = e;
                    started = true;
                });
                while (!started) context.run_one();
                if (start_error) std::rethrow_exception(start_error);
                dkg::session<dkg::tcp_transport> session(transport);
                dkg::testing::insecure_seeded_rng rng(41, j + 1);
                shares[j].emplace(dkg::generate_key<fast_int>(context, session, rng, small_params(128, 1)));
                transport.close();
                context.restart();
                context.run();
            } catch (const std::exception& e) {
                errors[j] = e.what();
            }
        });
    for (auto& t : threads) t.join();
    for (std::size_t j = 0; j < n; ++j) {
        BOOST_TEST(errors[j].empty(), errors[j]);
        BOOST_TEST_REQUIRE(shares[j].has_value());
    }
    BOOST_TEST(shares[0]->same_key(*shares[1]));
    BOOST_TEST(shares[0]->same_key(*shares[2]));
}

BOOST_AUTO_TEST_CASE(parameter_errors_are_reported_before_anything_is_sent)
{
    boost::asio::io_context context;
    dkg::memory_network network(context, 3);
    dkg::session<dkg::memory_transport> session(network.party(1));
    dkg::testing::insecure_seeded_rng rng;
    auto try_params = [&](auto change) {
        auto p = small_params(128, 1);
        change(p);
        return invalid_argument_text([&] { dkg::async_generate_key<fast_int>(session, rng, p, {}, [](std::exception_ptr, auto) {}); });
    };
    BOOST_TEST(try_params([](auto& p) { p.corruption_threshold = 2; }).find("corruption_threshold") == 0u);
    BOOST_TEST(try_params([](auto& p) { p.corruption_threshold = 0; }).find("corruption_threshold") == 0u);
    BOOST_TEST(try_params([](auto& p) { p.key_length = 127; }).find("key_length") == 0u);
    BOOST_TEST(try_params([](auto& p) { p.key_length = 62; }).find("key_length") == 0u);
    BOOST_TEST(try_params([](auto& p) { p.correct_param_biprime = 0; }).find("correct_param_biprime") == 0u);
    BOOST_TEST(try_params([](auto& p) { p.stat_sec_shamir = 0; }).find("stat_sec_shamir") == 0u);
    BOOST_TEST(try_params([](auto& p) { p.batch_size = 1u << 21; }).find("batch_size") == 0u);
    BOOST_TEST(try_params([](auto& p) { p.prime_threshold = 2; }).find("prime_threshold") == 0u);
    dkg::keygen_options too_many;
    too_many.threads = 5000;
    BOOST_TEST(invalid_argument_text([&] {
                   dkg::async_generate_key<fast_int>(session, rng, small_params(128, 1), too_many, [](std::exception_ptr, auto) {});
               }) == "threads: at most 1024");
    // Nothing was sent: the context has no work at all.
    BOOST_TEST(context.poll() == 0u);
    BOOST_TEST(session.stats().messages_sent == 0u);
}

BOOST_AUTO_TEST_CASE(threshold_zero_needs_the_explicit_flag)
{
    auto params = small_params(96, 0);
    params.allow_insecure_threshold_zero = true;
    const auto outcome = run_memory_keygen<fast_int>(2, params, 3);
    check_generated_key(outcome, 2, params);
}


BOOST_AUTO_TEST_CASE(parties_with_different_parameters_are_named)
{
    const auto errors = run_three([](dkg::party_id j, auto& session, auto& rng, auto done) {
        auto params = small_params(128, 1);
        if (j == 3) params.correct_param_biprime = 20;
        dkg::async_generate_key<fast_int>(session, rng, params, {}, std::move(done));
    });
    expect_setup_difference(errors, "party 3 has biprimality.rounds = 20, this party 40");
    for (const auto& e : errors) {
        try {
            std::rethrow_exception(e);
        } catch (const dkg::protocol_error& pe) {
            BOOST_TEST((pe.code() == dkg::errc::inconsistent_result));
        }
    }
}

BOOST_AUTO_TEST_CASE(parties_running_different_layers_fail_in_the_first_round)
{
    using N = fast_int;
    // Party 3 runs the trial-division layer, the others the distributed sieve (the configured default).
    const auto errors = run_three([](dkg::party_id j, auto& session, auto& rng, auto done) {
        if (j == 3)
            dkg::async_generate_key<N, dkg::keygen_policies<N, dkg::sieve::trial_division<N>>>(session, rng, small_params(128, 1), {}, std::move(done));
        else
            dkg::async_generate_key<N>(session, rng, small_params(128, 1), {}, std::move(done));
    });
    expect_setup_difference(errors, "party 3 runs candidates = trial_division, this party distributed_sieve");
    // Nothing but the setup round was run: the error is from it.
    for (const auto& e : errors) BOOST_TEST(message_of(e).find("parties disagree on a public value") != std::string::npos, message_of(e));
}

BOOST_AUTO_TEST_CASE(the_same_layer_named_two_ways_agrees)
{
    using N = fast_int;
    // sieve::configured with the trial-division method describes itself as sieve::trial_division:
    // parties may pick the layer by configuration or by type.
    auto params = small_params(128, 1);
    params.candidates = dkg::candidate_method::trial_division;
    const auto errors = run_three([&params](dkg::party_id j, auto& session, auto& rng, auto done) {
        if (j == 2)
            dkg::async_generate_key<N, dkg::keygen_policies<N, dkg::sieve::trial_division<N>>>(session, rng, params, {}, std::move(done));
        else
            dkg::async_generate_key<N>(session, rng, params, {}, std::move(done));
    });
    for (const auto& e : errors) BOOST_TEST(!e, message_of(e));
}

namespace {

/// A modulus the key-sharing layer must reject: N' = p'·q' with every party's additive shares adding
/// up to P = p' and Q = 1, so that N' − P − Q + 1 = p'·(q' − 1) and gcd(θ, N') = p' for every β.
template <class N>
struct unusable_modulus {
    static inline N modulus;
    static inline std::vector<N> p_shares, q_shares; // element j-1: party j of three
};

/// The real key-sharing layer, but the first modulus it is given is swapped for unusable_modulus
/// (the first accepted N's shares are wiped and dropped): the run must reject it and go on.
template <dkg::big_integer N>
class rejecting_first_modulus {
public:
    rejecting_first_modulus(const dkg::keygen_context& context, const dkg::keygen_params& params) : self_(context.self), inner_(context, params)
    {
    }
    void describe(dkg::agreed_parameters& agreed) const { inner_.describe(agreed); }

    template <class Session, class G>
    boost::asio::awaitable<std::optional<dkg::key_share<N>>> share(Session& session, G& rng, const dkg::joint_seed& seed, const N& modulus,
                                                                   N& p_share, N& q_share)
    {
        if (swapped_) co_return co_await inner_.share(session, rng, seed, modulus, p_share, q_share);
        swapped_ = true;
        dkg::secure_clear(p_share);
        dkg::secure_clear(q_share);
        N p = unusable_modulus<N>::p_shares[self_ - 1], q = unusable_modulus<N>::q_shares[self_ - 1];
        co_return co_await inner_.share(session, rng, seed, unusable_modulus<N>::modulus, p, q);
    }

private:
    dkg::party_id self_;
    dkg::integer_key_sharing<N> inner_;
    bool swapped_ = false;
};

} // namespace

// A modulus whose gcd(θ, N) ≠ 1 reveals a factor of N: the key-sharing layer rejects it (no second
// β) and the run goes back to the candidates, ending with a good key of another N.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_rejected_modulus_sends_key_generation_back_to_the_candidates, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(17);
    const auto bad = dkg::secret_key<N>::generate(256, rng);
    unusable_modulus<N>::modulus = bad.public_key().n();
    unusable_modulus<N>::p_shares = {N(bad.p() - N(8u)), N(4u), N(4u)};
    unusable_modulus<N>::q_shares = {N(9u), N(-4), N(-4)};
    const auto params = small_params(256, 1);
    using policies = dkg::keygen_policies<N, dkg::sieve::configured<N>, dkg::biprime::boneh_franklin<N>, rejecting_first_modulus<N>>;
    const auto outcome = run_memory_keygen<N, policies>(3, params, 23);
    check_generated_key(outcome, 3, params);
    BOOST_TEST((outcome.shares[0]->public_key().n() != unusable_modulus<N>::modulus));
    for (const auto& p : outcome.progress) {
        BOOST_TEST(p.moduli_rejected == 1u);
        BOOST_TEST(p.batches >= 2u);
        BOOST_TEST(p.finished);
    }
}

// The joint seed is committed before it is revealed: party 2's opening that reaches party 1 has one
// byte changed, so it does not match party 2's commitment, and party 1 names party 2.
BOOST_AUTO_TEST_CASE(a_seed_opening_that_does_not_match_its_commitment_is_named)
{
    const std::size_t n = 3;
    std::vector<std::exception_ptr> errors(n);
    dkg::session_options options;
    options.timeout = std::chrono::seconds(5);
    faulty_memory_parties parties(n, 5, options, [](dkg::party_id j, faulty_memory_parties::faulty& transport) {
        if (j != 2) return;
        dkg::testing::fault_rule rule;
        rule.action = dkg::testing::fault_action::corrupt;
        rule.step = dkg::keygen_steps::setup;
        rule.to = 1;
        rule.nth = 2; // the first is the commitment, the second the opening
        rule.byte_index = 7;
        transport.add_rule(rule);
    });
    for (std::size_t j = 0; j < n; ++j)
        dkg::async_generate_key<fast_int>(*parties.sessions[j], *parties.rngs[j], small_params(256, 1), {},
                                          [&, j](std::exception_ptr e, dkg::key_share<fast_int>) { errors[j] = e; });
    parties.context.run();
    BOOST_TEST_REQUIRE(static_cast<bool>(errors[0]));
    try {
        std::rethrow_exception(errors[0]);
    } catch (const dkg::protocol_error& e) {
        BOOST_TEST(e.party() == 2u, e.what());
        BOOST_TEST((e.code() == dkg::errc::verification_failed), e.what());
        BOOST_TEST(std::string(e.what()).find("its seed contribution does not match its commitment") != std::string::npos, e.what());
    }
    BOOST_TEST(parties.transports[1]->stats().corrupted == 1u);
}

BOOST_AUTO_TEST_CASE(max_batches_ends_with_too_many_attempts)
{
    auto params = small_params(512, 1);
    params.max_batches = 1;
    params.batch_size = 1;
    const auto outcome = run_memory_keygen<fast_int>(3, params, 11);
    // One pair of 256-bit candidates is almost never both prime.
    for (const auto& e : outcome.errors) {
        BOOST_TEST_REQUIRE(static_cast<bool>(e));
        try {
            std::rethrow_exception(e);
        } catch (const dkg::protocol_error& pe) {
            BOOST_TEST((pe.code() == dkg::errc::too_many_attempts));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_party_that_drops_out_is_named_within_the_timeout)
{
    // Party 2 disconnects after its 3rd message: the others fail with an error naming party 2.
    const std::size_t n = 3;
    std::vector<std::exception_ptr> errors(n);
    std::vector<bool> done(n, false);
    dkg::session_options options;
    options.timeout = std::chrono::milliseconds(500);
    faulty_memory_parties parties(n, 4, options, [](dkg::party_id j, faulty_memory_parties::faulty& transport) {
        if (j != 2) return;
        dkg::testing::fault_rule rule;
        rule.action = dkg::testing::fault_action::disconnect;
        rule.nth = 3;
        transport.add_rule(rule);
    });
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t j = 0; j < n; ++j)
        dkg::async_generate_key<fast_int>(*parties.sessions[j], *parties.rngs[j], small_params(256, 1), {},
                                              [&, j](std::exception_ptr e, dkg::key_share<fast_int>) {
                                                  errors[j] = e;
                                                  done[j] = true;
                                              });
    parties.context.run();
    const auto elapsed = std::chrono::steady_clock::now() - start;
    BOOST_TEST((elapsed < std::chrono::seconds(10)));
    for (std::size_t j : {0u, 2u}) {
        BOOST_TEST_REQUIRE(done[j]);
        BOOST_TEST_REQUIRE(static_cast<bool>(errors[j]));
        try {
            std::rethrow_exception(errors[j]);
        } catch (const dkg::protocol_error& e) {
            BOOST_TEST(e.party() == 2u, e.what());
        }
    }
}

BOOST_AUTO_TEST_CASE(rounds_stay_few_over_a_slow_network)
{
    // 25 ms one-way latency (50 ms round trip): the number of rounds does not grow with candidates.
    const std::size_t n = 3;
    std::vector<dkg::keygen_progress> progress(n);
    std::vector<std::optional<dkg::key_share<fast_int>>> shares(n);
    faulty_memory_parties parties(n, 8, {}, [](dkg::party_id, faulty_memory_parties::faulty& transport) {
        transport.set_latency(std::chrono::milliseconds(25));
    });
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t j = 0; j < n; ++j)
        dkg::async_generate_key<fast_int>(
            *parties.sessions[j], *parties.rngs[j], small_params(512, 1),
            with_progress([&, j](const dkg::keygen_progress& p) { progress[j] = p; }),
            [&, j](std::exception_ptr e, dkg::key_share<fast_int> s) {
                if (!e) shares[j].emplace(std::move(s));
            });
    parties.context.run();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const auto& s : shares) BOOST_TEST_REQUIRE(s.has_value());
    const auto& p = progress[0];
    BOOST_TEST_MESSAGE("512-bit key over 50 ms RTT: " << p.candidates << " candidates in " << p.batches << " batches, "
                                                     << p.communication_rounds << " rounds, " << seconds << " s");
    // Rounds per batch are bounded (sieve 2 + modulus 2 + biprimality ≤ 2), plus setup and key sharing.
    BOOST_TEST(p.communication_rounds <= 6 * p.batches + 6);
    BOOST_TEST(p.candidates > 4 * p.batches); // many candidates per round trip
    BOOST_TEST(seconds < 0.025 * 2 * static_cast<double>(p.communication_rounds) + 20.0);
}

BOOST_AUTO_TEST_CASE(real_key_sizes, *boost::unit_test::label("slow"))
{
    for (std::size_t bits : {1024u, 2048u}) {
        BOOST_TEST_CONTEXT("bits=" << bits) {
            const auto params = small_params(bits, 1);
            check_generated_key(run_memory_keygen<fast_int>(3, params, bits), 3, params);
        }
    }
    auto params = small_params(1024, 2);
    check_generated_key(run_memory_keygen<fast_int>(5, params, 5), 5, params);
    params = small_params(1024, 1);
    params.candidates = dkg::candidate_method::trial_division;
    check_generated_key(run_memory_keygen<fast_int>(3, params, 6), 3, params);
    check_generated_key(run_memory_keygen<dkg::cpp_int>(3, small_params(1024, 1), 7), 3, small_params(1024, 1));
}

BOOST_AUTO_TEST_SUITE_END()
