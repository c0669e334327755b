#include <dkg/key_sharing.hpp>

#include "keygen_support.hpp"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

using namespace test_support;

namespace {

/// Additive shares of p and q among n parties with the candidate layer's residues mod 4 (party 1's
/// ≡ 3, the others' ≡ 0).
template <class N>
std::pair<std::vector<N>, std::vector<N>> additive_shares(const dkg::secret_key<N>& key, std::size_t n, dkg::testing::insecure_seeded_rng& rng)
{
    std::vector<N> ps(n), qs(n);
    N rp = key.p(), rq = key.q();
    for (std::size_t j = 1; j < n; ++j) {
        ps[j] = N(dkg::random_bits<N>(100, rng) * N(4u));
        qs[j] = N(dkg::random_bits<N>(100, rng) * N(4u));
        rp -= ps[j];
        rq -= qs[j];
    }
    ps[0] = rp;
    qs[0] = rq;
    return {std::move(ps), std::move(qs)};
}

} // namespace

BOOST_AUTO_TEST_SUITE(key_sharing)

BOOST_AUTO_TEST_CASE_TEMPLATE(shares_reconstruct_a_decryption_exponent, N, shipped_backends)
{
    for (std::size_t n : {3u, 5u}) {
        const std::size_t t = (n - 1) / 2;
        dkg::testing::insecure_seeded_rng rng(n);
        const auto key = dkg::secret_key<N>::generate(256, rng);
        const N& modulus = key.public_key().n();
        const auto shares = additive_shares(key, n, rng);
        const auto &ps = shares.first, &qs = shares.second;
        boost::asio::thread_pool pool(1);
        dkg::keygen_params params;
        params.corruption_threshold = t;
        keygen_outcome<N> outcome;
        outcome.shares.resize(n);
        dkg::joint_seed seed{};
        const auto errors = run_parties(n, [&](auto& session, auto& rng_j, dkg::party_id id) -> boost::asio::awaitable<void> {
            dkg::integer_key_sharing<N> sharing(make_context(id, n, t, 128, pool), params);
            N p = ps[id - 1], q = qs[id - 1];
            auto share = co_await sharing.share(session, rng_j, seed, modulus, p, q);
            BOOST_TEST_REQUIRE(share.has_value());
            outcome.shares[id - 1].emplace(std::move(*share));
            BOOST_TEST((p == N(0u))); // wiped
            BOOST_TEST((q == N(0u)));
        });
        require_no_errors(errors);
        for (std::size_t j = 0; j < n; ++j) outcome.factor_shares[static_cast<dkg::party_id>(j + 1)] = {ps[j], qs[j]};
        outcome.modulus = modulus;
        dkg::keygen_params check;
        check.key_length = 256;
        check.corruption_threshold = t;
        check_generated_key(outcome, n, check);
        // The verification base is the same square at every party.
        const N v = dkg::verification_base(seed, modulus);
        BOOST_TEST((outcome.shares[0]->verification_base() == v));
        BOOST_TEST(dkg::jacobi(N(v % modulus), modulus) == 1);
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_modulus_failing_the_final_gcd_check_is_rejected, N, shipped_backends)
{
    // The shares add up to P = p and Q = 1 for N = p·q: N − P − Q + 1 = p·(q − 1), so gcd(θ, N) = p
    // for every β, as for any N with gcd(N, P+Q−1) ≠ 1. Every party rejects N (std::nullopt) after
    // one run of the three rounds: no second β is drawn for it, and no error ends the run.
    const std::size_t n = 3, t = 1;
    dkg::testing::insecure_seeded_rng rng(7);
    const auto key = dkg::secret_key<N>::generate(256, rng);
    const N& modulus = key.public_key().n();
    const std::vector<N> ps{N(key.p() - N(8u)), N(4u), N(4u)}, qs{N(9u), N(-4), N(-4)};
    boost::asio::thread_pool pool(1);
    dkg::keygen_params params;
    params.corruption_threshold = t;
    dkg::joint_seed seed{};
    std::vector<dkg::keygen_progress> progress(n);
    std::vector<int> rejected(n, 0);
    const auto errors = run_parties(n, [&](auto& session, auto& rng_j, dkg::party_id id) -> boost::asio::awaitable<void> {
        auto context = make_context(id, n, t, 128, pool);
        context.progress = &progress[id - 1];
        dkg::integer_key_sharing<N> sharing(context, params);
        N p = ps[id - 1], q = qs[id - 1];
        const auto share = co_await sharing.share(session, rng_j, seed, modulus, p, q);
        rejected[id - 1] = !share.has_value();
        BOOST_TEST((p == N(0u))); // wiped
        BOOST_TEST((q == N(0u)));
    });
    require_no_errors(errors);
    for (std::size_t j = 0; j < n; ++j) {
        BOOST_TEST(rejected[j] == 1);
        BOOST_TEST(progress[j].communication_rounds == 3u); // one β: shares, reduction, opening
    }
}

namespace {

/// A session that hands everything to `inner` but lets a test rewrite this party's outgoing
/// payloads of one step: a party that sends values an honest one never would. Once that step's
/// messages are exchanged it stops (throws), as the honest parties, which find the values wrong, do.
template <class Session>
class tampering_session {
public:
    using rewrite = std::function<dkg::bytes(dkg::bytes)>;
    tampering_session(Session& inner, std::uint32_t step, rewrite change) : inner_(inner), step_(step), change_(std::move(change)) {}

    boost::asio::awaitable<std::vector<dkg::bytes>> exchange(dkg::step_tag tag, std::vector<dkg::bytes> outgoing)
    {
        if (tag.step != step_) co_return co_await inner_.exchange(tag, std::move(outgoing));
        for (auto& payload : outgoing)
            if (!payload.empty()) payload = change_(std::move(payload));
        (void)co_await inner_.exchange(tag, std::move(outgoing));
        throw std::runtime_error("the cheating party stops after its tampered message");
    }

    boost::asio::awaitable<std::vector<dkg::bytes>> all_gather(dkg::step_tag tag, dkg::bytes payload)
    {
        if (tag.step != step_) co_return co_await inner_.all_gather(tag, std::move(payload));
        (void)co_await inner_.all_gather(tag, change_(std::move(payload)));
        throw std::runtime_error("the cheating party stops after its tampered message");
    }

private:
    Session& inner_;
    std::uint32_t step_;
    rewrite change_;
};

/// Reads the integers of a payload, lets `change` edit them, writes them again.
template <class N>
dkg::bytes rewrite_integers(const dkg::bytes& payload, std::size_t count, const std::function<void(std::vector<N>&)>& change)
{
    dkg::reader r(payload);
    std::vector<N> values;
    for (std::size_t i = 0; i < count; ++i) values.push_back(r.integer<N>(1u << 20));
    change(values);
    dkg::writer w;
    for (const auto& v : values) w.integer(v);
    return w.finish();
}

/// A key sharing among n parties for a fresh 256-bit N in which party `cheater` rewrites its
/// messages of `step` with `change`; returns every party's error.
template <class N>
std::vector<std::exception_ptr> run_with_cheater(std::size_t n, std::size_t t, dkg::party_id cheater, std::uint32_t step, std::size_t count,
                                                 const std::function<void(std::vector<N>&, const N& modulus)>& change)
{
    dkg::testing::insecure_seeded_rng rng(n * 100 + cheater);
    const auto key = dkg::secret_key<N>::generate(256, rng);
    const N modulus = key.public_key().n();
    const auto shares = additive_shares(key, n, rng);
    const auto &ps = shares.first, &qs = shares.second;
    boost::asio::thread_pool pool(1);
    dkg::keygen_params params;
    params.corruption_threshold = t;
    const dkg::joint_seed seed{};
    return run_parties(n, [&](auto& session, auto& rng_j, dkg::party_id id) -> boost::asio::awaitable<void> {
        dkg::integer_key_sharing<N> sharing(make_context(id, n, t, 128, pool), params);
        N p = ps[id - 1], q = qs[id - 1];
        if (id != cheater) {
            (void)co_await sharing.share(session, rng_j, seed, modulus, p, q);
            co_return;
        }
        using session_type = std::remove_reference_t<decltype(session)>;
        tampering_session<session_type> cheating(session, step, [&](dkg::bytes payload) {
            return rewrite_integers<N>(payload, count, [&](std::vector<N>& values) { change(values, modulus); });
        });
        (void)co_await sharing.share(cheating, rng_j, seed, modulus, p, q);
    });
}

/// Every party but `cheater` failed with `code` naming `culprit`; returns the first message.
std::string check_blamed(const std::vector<std::exception_ptr>& errors, dkg::party_id cheater, dkg::errc code, dkg::party_id culprit)
{
    std::string message;
    for (std::size_t j = 0; j < errors.size(); ++j) {
        if (j + 1 == cheater) continue;
        BOOST_TEST_CONTEXT("party " << j + 1)
        {
            BOOST_TEST_REQUIRE(static_cast<bool>(errors[j]));
            try {
                std::rethrow_exception(errors[j]);
            } catch (const dkg::protocol_error& e) {
                BOOST_TEST(e.code() == dkg::make_error_code(code), e.what());
                BOOST_TEST(e.party() == culprit, e.what());
                if (message.empty()) message = e.what();
            } catch (const std::exception& e) {
                BOOST_TEST(false, "not a protocol_error: " << e.what());
            }
        }
    }
    return message;
}

} // namespace

// A peer's value out of range in any round of key sharing ends the run naming that party
// (decode, then validate against the exact bound of the sharing it belongs to), never with an
// unattributed std::invalid_argument from the arithmetic that would follow.
BOOST_AUTO_TEST_CASE_TEMPLATE(out_of_range_values_name_the_sender, N, shipped_backends)
{
    const std::size_t n = 3, t = 1;
    const dkg::party_id cheater = 2;
    using malformed = std::integral_constant<dkg::errc, dkg::errc::malformed_message>;
    const auto first_bound = [&](const N& modulus) { return dkg::shamir::integer_sharing<N>(n, t, modulus, 40).share_bound(); };
    const auto reduce_bound = [&](const N& modulus) {
        const N sum = N(first_bound(modulus) * N(static_cast<unsigned long long>(n)));
        return dkg::shamir::integer_sharing<N>(n, t, N(sum * sum), 40).share_bound();
    };
    // Step 1: a share of φ one above the bound (within its bit length), and one below −bound.
    auto message = check_blamed(run_with_cheater<N>(n, t, cheater, dkg::keygen_steps::key_shares, 3,
                                                    [&](std::vector<N>& v, const N& m) { v[0] = N(first_bound(m) + N(1u)); }),
                                cheater, malformed::value, cheater);
    BOOST_TEST(message.find("key shares: malformed message: share out of range") != std::string::npos, message);
    check_blamed(run_with_cheater<N>(n, t, cheater, dkg::keygen_steps::key_shares, 3,
                                     [&](std::vector<N>& v, const N& m) { v[1] = N(-N(first_bound(m) + N(1u))); }),
                 cheater, malformed::value, cheater);
    // Step 2: a degree-reduction share above its bound.
    message = check_blamed(run_with_cheater<N>(n, t, cheater, dkg::keygen_steps::key_reduce, 1,
                                               [&](std::vector<N>& v, const N& m) { v[0] = N(reduce_bound(m) + N(1u)); }),
                           cheater, malformed::value, cheater);
    BOOST_TEST(message.find("degree reduction") != std::string::npos, message);
    // Step 3: the masked θ share at N, a verification key at N², and a verification key 0.
    check_blamed(run_with_cheater<N>(n, t, cheater, dkg::keygen_steps::key_open, 2, [&](std::vector<N>& v, const N& m) { v[0] = m; }),
                 cheater, malformed::value, cheater);
    check_blamed(run_with_cheater<N>(n, t, cheater, dkg::keygen_steps::key_open, 2,
                                     [&](std::vector<N>& v, const N& m) { v[1] = N(m * m); }),
                 cheater, malformed::value, cheater);
    check_blamed(run_with_cheater<N>(n, t, cheater, dkg::keygen_steps::key_open, 2, [&](std::vector<N>& v, const N&) { v[1] = N(0u); }),
                 cheater, dkg::errc::protocol_violation, cheater);
}

// A verification key off the polynomial of the others' (VK² instead of VK) is found by every
// party. With 5 parties and t = 1 the keys tell who: the cheater is named. With 3 parties any two
// keys define a line, so the check can only say that the keys are inconsistent.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_wrong_verification_key_is_found, N, shipped_backends)
{
    const auto square_vk = [](std::vector<N>& v, const N& m) { v[1] = N(N(v[1] * v[1]) % N(m * m)); };
    for (dkg::party_id cheater : {1u, 3u, 5u}) {
        BOOST_TEST_CONTEXT("n = 5, cheater " << cheater)
        {
            const auto message = check_blamed(run_with_cheater<N>(5, 1, cheater, dkg::keygen_steps::key_open, 2, square_vk), cheater,
                                              dkg::errc::verification_failed, cheater);
            BOOST_TEST(message.find("verification key is not on the polynomial") != std::string::npos, message);
        }
    }
    BOOST_TEST_CONTEXT("n = 5, t = 2, cheater 4")
    check_blamed(run_with_cheater<N>(5, 2, 4, dkg::keygen_steps::key_open, 2, square_vk), 4, dkg::errc::verification_failed, 4);
    BOOST_TEST_CONTEXT("n = 3, cheater 2")
    check_blamed(run_with_cheater<N>(3, 1, 2, dkg::keygen_steps::key_open, 2, square_vk), 2, dkg::errc::inconsistent_result, dkg::no_party);
}

// check_verification_keys on keys made directly: VK_k = v^(Δ·F(k)) for a random F of degree t.
BOOST_AUTO_TEST_CASE(verification_key_check_names_the_one_wrong_key)
{
    using N = dkg::cpp_int;
    dkg::testing::insecure_seeded_rng rng(11);
    const auto key = dkg::secret_key<N>::generate(128, rng);
    const N n2 = key.public_key().n_squared();
    const N v = N(N(7u) * N(7u));
    for (std::size_t n : {4u, 6u, 7u}) {
        for (std::size_t t = 1; 2 * t + 1 <= n; ++t) {
            std::vector<N> coefficients;
            for (std::size_t k = 0; k <= t; ++k) coefficients.push_back(N(dkg::random_bits<N>(64, rng) - N(1u) * (N(1u) << 63)));
            const N delta = dkg::factorial<N>(n);
            std::vector<N> vks;
            for (std::size_t j = 1; j <= n; ++j) {
                N f(0u);
                for (auto it = coefficients.rbegin(); it != coefficients.rend(); ++it) f = N(f * N(static_cast<unsigned long long>(j)) + *it);
                vks.push_back(dkg::multi_powm<N>(std::vector<N>{v}, std::vector<N>{N(delta * f)}, n2));
            }
            BOOST_TEST_CONTEXT("n " << n << ", t " << t)
            {
                BOOST_TEST(dkg::check_verification_keys<N>(vks, t, n2).consistent);
                for (std::size_t wrong = 0; wrong < n; ++wrong) {
                    auto bad = vks;
                    bad[wrong] = N(N(bad[wrong] * v) % n2);
                    const auto check = dkg::check_verification_keys<N>(bad, t, n2);
                    BOOST_TEST(!check.consistent);
                    // One wrong key is named whenever the others are more than t+1 (n ≥ t+3).
                    if (n >= t + 3) BOOST_TEST(check.culprit == wrong + 1);
                    // Two wrong keys fit no polynomial with one party left out.
                    auto two = bad;
                    two[(wrong + 1) % n] = N(N(two[(wrong + 1) % n] * v) % n2);
                    const auto check_two = dkg::check_verification_keys<N>(two, t, n2);
                    BOOST_TEST(!check_two.consistent);
                    BOOST_TEST(check_two.culprit == dkg::no_party);
                }
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
