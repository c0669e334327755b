#include <dkg/threshold/scheme.hpp>

#include "backends.hpp"
#include "threshold/session_support.hpp"
#include "threshold_support.hpp"

#include <dkg/testing/seeded_rng.hpp>
#include <dkg/testing/threshold_scheme_archetype.hpp>
#include <dkg/threshold/async_decrypt.hpp>
#include <dkg/threshold/paillier_scheme.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

using namespace test_support;

namespace {

using archetype = dkg::testing::threshold_scheme_archetype;

// ---- static accept / reject -------------------------------------------------------------------

static_assert(dkg::threshold_scheme<archetype>);
static_assert(dkg::threshold_scheme<dkg::paillier_threshold_scheme<dkg::cpp_int>>);
static_assert(dkg::threshold_scheme<dkg::paillier_threshold_scheme<cpp_int_et_off>>);
#if DKG_HAS_GMP
static_assert(dkg::threshold_scheme<dkg::paillier_threshold_scheme<dkg::gmp_int>>);
#endif
static_assert(dkg::threshold_scheme<dkg::paillier_threshold_scheme<toy_int>>);

// A key share names its default scheme; other types name none.
static_assert(std::is_same_v<dkg::default_threshold_scheme_t<dkg::key_share<fast_int>>, dkg::paillier_threshold_scheme<fast_int>>);
static_assert(std::is_same_v<dkg::default_threshold_scheme_t<dkg::key_share<toy_int>>, dkg::paillier_threshold_scheme<toy_int>>);
template <class Share>
concept has_default_scheme = requires { typename dkg::default_threshold_scheme<Share>::type; };
static_assert(!has_default_scheme<int>);
static_assert(!has_default_scheme<archetype::share_type>);

// Each of these breaks one requirement (a deleted member hides the archetype's).
struct void_plaintext : archetype {
    using plaintext_type = void;
};
struct number_not_big_integer : archetype {
    using number_type = double;
};
struct share_not_copyable : archetype {
    struct share_type {
        share_type(share_type&&) = default;
    };
};
struct no_verify : archetype {
    static void verify() = delete;
};
struct verify_returns_int : archetype {
    static int verify(const public_data_type&, const ciphertext_type&, const partial_type&);
};
struct prover_takes_one_rng_type : archetype {
    static partial_type partial_decrypt(const share_type&, const public_data_type&, const ciphertext_type&);
    static partial_type partial_decrypt(const share_type&, const public_data_type&, const ciphertext_type&, dkg::system_rng&, std::size_t);
};
struct combine_throws_away_failure : archetype {
    static std::vector<plaintext_type> combine(const public_data_type&, std::span<const ciphertext_type>,
                                               std::span<const std::span<const partial_type>>);
};
struct reader_without_ciphertext : archetype {
    static partial_type read_partial(dkg::reader&, const public_data_type&);
};
struct no_digest : archetype {
    static void batch_digest() = delete;
};
struct no_size_estimate : archetype {
    static void max_partial_bytes() = delete;
};
static_assert(!dkg::threshold_scheme<int>);
static_assert(!dkg::threshold_scheme<dkg::key_share<dkg::cpp_int>>);
static_assert(!dkg::threshold_scheme<void_plaintext>);
static_assert(!dkg::threshold_scheme<number_not_big_integer>);
static_assert(!dkg::threshold_scheme<share_not_copyable>);
static_assert(!dkg::threshold_scheme<no_verify>);
static_assert(!dkg::threshold_scheme<verify_returns_int>);
static_assert(!dkg::threshold_scheme<prover_takes_one_rng_type>);
static_assert(!dkg::threshold_scheme<combine_throws_away_failure>);
static_assert(!dkg::threshold_scheme<reader_without_ciphertext>);
static_assert(!dkg::threshold_scheme<no_digest>);
static_assert(!dkg::threshold_scheme<no_size_estimate>);

// ---- a scheme defined here: the default one, audited --------------------------------------------

/// What the run asked of the audited scheme at one party, and what it did wrong (if anything).
struct call_log {
    std::atomic<std::size_t> public_data{0}, digests{0}, partials{0}, proved_partials{0}, reads{0}, single_verifies{0}, batch_verifies{0},
        verified_items{0}, combines{0};
    std::mutex mutex;
    std::vector<std::string> broken; // contract violations seen by the scheme

    void violation(std::string what)
    {
        std::lock_guard lock(mutex);
        broken.push_back(std::move(what));
    }
};

/// A key share with the log of its party's calls; a corrupt one's partial decryptions are wrong
/// (c_j doubled after any proof was made: its proof fails, and it does not combine), so that the
/// run must attribute them.
template <class N>
struct audited_share {
    dkg::key_share<N> share;
    call_log* log = nullptr;
    bool corrupt = false;
};

template <class N>
struct audited_key {
    dkg::threshold_key<N> key;
    call_log* log = nullptr;
};

/// dkg::paillier_threshold_scheme<N> behind a decorator that counts every call, checks that the
/// run keeps the contract's preconditions, and has its own verify_batch (which the run must use).
template <class N>
struct audited_scheme {
    using base = dkg::paillier_threshold_scheme<N>;
    using number_type = N;
    using share_type = audited_share<N>;
    using public_data_type = audited_key<N>;
    using ciphertext_type = dkg::ciphertext<N>;
    using partial_type = dkg::partial_decryption<N>;
    using plaintext_type = N;

    static public_data_type public_data(const share_type& s)
    {
        ++s.log->public_data;
        return {base::public_data(s.share), s.log};
    }
    static dkg::party_id share_party(const share_type& s) { return s.share.id(); }
    static std::size_t parties(const public_data_type& k) { return k.key.parties(); }
    static std::size_t threshold(const public_data_type& k) { return k.key.threshold(); }
    static void check_ciphertext(const public_data_type& k, const ciphertext_type& c) { base::check_ciphertext(k.key, c); }

    static partial_type partial_decrypt(const share_type& s, const public_data_type& k, const ciphertext_type& c)
    {
        ++s.log->partials;
        return corrupted(s, k, base::partial_decrypt(s.share, k.key, c));
    }
    template <dkg::secure_rng G>
    static partial_type partial_decrypt(const share_type& s, const public_data_type& k, const ciphertext_type& c, G& rng, std::size_t sigma)
    {
        ++s.log->proved_partials;
        if (sigma != dkg::decryption_proof_sigma) s.log->violation("sigma not passed on");
        return corrupted(s, k, base::partial_decrypt(s.share, k.key, c, rng, sigma));
    }
    static dkg::party_id partial_party(const partial_type& p) { return base::partial_party(p); }
    static bool has_proof(const partial_type& p) { return base::has_proof(p); }

    static bool verify(const public_data_type& k, const ciphertext_type& c, const partial_type& p)
    {
        ++k.log->single_verifies;
        return base::verify(k.key, c, p);
    }
    template <dkg::secure_rng G>
    static std::vector<std::size_t> verify_batch(const public_data_type& k, std::span<const dkg::verification_item<audited_scheme>> items, G&)
    {
        ++k.log->batch_verifies;
        k.log->verified_items += items.size();
        std::vector<std::size_t> failed;
        for (std::size_t i = 0; i < items.size(); ++i)
            if (!base::verify(k.key, *items[i].ciphertext, *items[i].partial)) failed.push_back(i);
        return failed;
    }

    static std::optional<std::vector<N>> combine(const public_data_type& k, std::span<const ciphertext_type> cs,
                                                 std::span<const std::span<const partial_type>> lists)
    {
        ++k.log->combines;
        std::set<dkg::party_id> parties;
        for (const auto& list : lists) {
            if (list.size() != cs.size()) k.log->violation("combine: a list of the wrong length");
            for (const auto& p : list)
                if (p.party != list.front().party) k.log->violation("combine: a list mixing parties");
            parties.insert(list.front().party);
        }
        if (lists.size() != k.key.threshold() + 1 || parties.size() != lists.size()) k.log->violation("combine: not t+1 distinct parties");
        return base::combine(k.key, cs, lists);
    }

    static void write_partial(dkg::writer& w, const partial_type& p) { base::write_partial(w, p); }
    static partial_type read_partial(dkg::reader& r, const public_data_type& k, const ciphertext_type& c)
    {
        ++k.log->reads;
        return base::read_partial(r, k.key, c);
    }
    static std::size_t max_partial_bytes(const public_data_type& k, const ciphertext_type& c, bool proof)
    {
        return base::max_partial_bytes(k.key, c, proof);
    }
    static dkg::batch_digest_bytes batch_digest(const public_data_type& k, std::span<const ciphertext_type> cs)
    {
        ++k.log->digests;
        return base::batch_digest(k.key, cs);
    }

private:
    static partial_type corrupted(const share_type& s, const public_data_type& k, partial_type p)
    {
        if (s.corrupt) p.value = dkg::mod(N(p.value * N(2u)), k.key.public_key().n_squared());
        return p;
    }
};

static_assert(dkg::threshold_scheme<audited_scheme<dkg::cpp_int>>);

} // namespace

// The audited share decrypts with the audited scheme, found by async_decrypt through the trait.
template <class N>
struct dkg::default_threshold_scheme<audited_share<N>> {
    using type = audited_scheme<N>;
};

namespace {

constexpr std::size_t test_bits = 256;

template <class N>
std::vector<dkg::ciphertext<N>> encrypt_all(const dkg::public_key<N>& pk, const std::vector<N>& plain, dkg::testing::insecure_seeded_rng& rng)
{
    std::vector<dkg::ciphertext<N>> out;
    for (const auto& m : plain) out.push_back(pk.encrypt(m, rng));
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(threshold_scheme)

// The traits' generic batch forms give exactly what the single operations give.
BOOST_AUTO_TEST_CASE_TEMPLATE(traits_defaults_loop_over_the_single_operations, N, shipped_backends)
{
    using scheme = dkg::paillier_threshold_scheme<N>;
    using traits = dkg::threshold_scheme_traits<scheme>;
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 60);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& share = key.shares[1];
    const auto pub = scheme::public_data(share);
    const auto cts = encrypt_all(share.public_key(), {N(1u), N(-2), N(3u), N(4u)}, rng);
    const std::span<const dkg::ciphertext<N>> batch(cts);

    const auto plain = traits::partial_decrypt_batch(share, pub, batch);
    BOOST_TEST_REQUIRE(plain.size() == cts.size());
    for (std::size_t i = 0; i < cts.size(); ++i) BOOST_TEST((plain[i] == dkg::partial_decrypt(share, cts[i])));

    dkg::testing::insecure_seeded_rng first(dkg::testing::default_test_seed, 61), second(dkg::testing::default_test_seed, 61);
    auto proved = traits::partial_decrypt_batch(share, pub, batch, first, dkg::decryption_proof_sigma);
    BOOST_TEST_REQUIRE(proved.size() == cts.size());
    for (std::size_t i = 0; i < cts.size(); ++i) BOOST_TEST((proved[i] == dkg::partial_decrypt(share, cts[i], second)));

    // Partials 1 and 3 are wrong (a shifted value; a proof of another ciphertext): exactly they fail.
    proved[1].value = dkg::mod(N(proved[1].value * proved[1].value), share.public_key().n_squared());
    proved[3].proof = proved[2].proof;
    std::vector<dkg::verification_item<scheme>> items;
    for (std::size_t i = 0; i < cts.size(); ++i) items.push_back({&cts[i], &proved[i]});
    const auto failed = traits::verify_batch(pub, std::span<const dkg::verification_item<scheme>>(items), rng);
    BOOST_TEST((failed == std::vector<std::size_t>{1, 3}));
    BOOST_TEST(traits::verify_batch(pub, std::span<const dkg::verification_item<scheme>>(items).first(1), rng).empty());
}

// A scheme defined in the test, run over the memory transport: found through the trait, called as
// the contract says, and a party whose partials are wrong is named and replaced, with and without
// proofs.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_scheme_of_the_user_runs_and_its_wrong_partials_are_attributed, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 63);
    const auto& key = dealt_key<N>(test_bits, 5, 2);
    const auto& pk = key.shares[0].public_key();
    const std::vector<N> plain = {N(7u), N(-7), pk.max_plaintext(), N(0u)};
    const auto cts = encrypt_all(pk, plain, rng);
    for (bool proofs : {true, false}) {
        BOOST_TEST_CONTEXT((proofs ? "with proofs" : "without proofs")) {
            std::vector<call_log> logs(5);
            std::vector<audited_share<N>> shares;
            for (dkg::party_id j = 1; j <= 5; ++j) shares.push_back({key.shares[j - 1], &logs[j - 1], j == 2});
            memory_parties net(5);
            std::map<dkg::party_id, outcome<N>> out;
            dkg::decrypt_options options = with_id(70, proofs);
            options.receivers = {5};
            options.contributors = {1, 2, 3, 4};
            // Parties 3 and 4 start late, so that the corrupt party's set arrives among the first t+1.
            for (dkg::party_id j : {1u, 2u, 5u}) net.start(j, shares[j - 1], cts, options, out);
            boost::asio::steady_timer later(net.io, std::chrono::milliseconds(300));
            later.async_wait([&](boost::system::error_code) {
                for (dkg::party_id j : {3u, 4u}) net.start(j, shares[j - 1], cts, options, out);
            });
            net.io.run();
            const auto& at5 = out.at(5);
            BOOST_TEST_REQUIRE(!at5.first, message_of(at5.first));
            BOOST_TEST_REQUIRE(at5.second.plaintexts.has_value());
            BOOST_TEST((dkg::to_signed(pk, std::span<const N>(*at5.second.plaintexts)) == plain));
            BOOST_TEST(at5.second.faulty == std::vector<dkg::party_id>{2});
            BOOST_TEST(!std::count(at5.second.used.begin(), at5.second.used.end(), 2u));
            for (dkg::party_id j = 1; j <= 5; ++j) {
                BOOST_TEST_CONTEXT("party " << j) {
                    const call_log& log = logs[j - 1];
                    BOOST_TEST(log.broken.empty(), (log.broken.empty() ? "" : log.broken.front()));
                    BOOST_TEST(log.public_data.load() == 1u); // once per call
                    BOOST_TEST(log.digests.load() == 1u);
                    const bool contributor = j <= 4;
                    BOOST_TEST(log.proved_partials.load() == (contributor && proofs ? cts.size() : 0u));
                    BOOST_TEST(log.partials.load() == (contributor && !proofs ? cts.size() : 0u));
                    BOOST_TEST(log.single_verifies.load() == 0u); // the scheme's verify_batch is used
                    if (j != 5) {
                        BOOST_TEST(log.reads.load() == 0u);
                        BOOST_TEST(log.combines.load() == 0u);
                        BOOST_TEST(log.batch_verifies.load() == 0u);
                    }
                }
            }
            // The receiver read the sets of 1, 2 and at least one of 3, 4; it verified all it read
            // (with proofs), in one batch per message and worker chunk.
            const call_log& receiver = logs[4];
            BOOST_TEST(receiver.reads.load() >= 3 * cts.size());
            BOOST_TEST(receiver.reads.load() <= 4 * cts.size());
            BOOST_TEST(receiver.verified_items.load() == (proofs ? receiver.reads.load() : 0u));
            BOOST_TEST(receiver.batch_verifies.load() == (proofs ? receiver.reads.load() / cts.size() : 0u));
            BOOST_TEST(receiver.combines.load() >= 1u);
        }
    }
}

// The same scheme named at the call, over loopback TCP: every party decrypts; party 3's wrong
// partials are never used.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_scheme_of_the_user_runs_over_tcp, N, shipped_backends)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 64);
    const auto& key = dealt_key<N>(test_bits, 3, 1);
    const auto& pk = key.shares[0].public_key();
    const std::vector<N> plain = {N(11u), N(-12), N(13u)};
    const auto cts = encrypt_all(pk, plain, rng);
    std::vector<call_log> logs(3);
    std::vector<audited_share<N>> shares;
    for (dkg::party_id j = 1; j <= 3; ++j) shares.push_back({key.shares[j - 1], &logs[j - 1], j == 3});
    tcp_parties net(3);
    for (bool proofs : {true, false}) {
        std::vector<std::future<dkg::decryption_result<N>>> all;
        for (dkg::party_id j = 1; j <= 3; ++j)
            all.push_back(dkg::async_decrypt<audited_scheme<N>>(net.session(j), shares[j - 1], cts, with_id(proofs ? 1 : 2, proofs),
                                                                *net.rngs[j - 1], boost::asio::use_future));
        for (dkg::party_id j = 1; j <= 3; ++j) {
            const auto r = all[j - 1].get();
            if (j == 3) continue; // the corrupt party combines its own wrong partial: it may fail or not
            BOOST_TEST_REQUIRE(r.plaintexts.has_value());
            BOOST_TEST((dkg::to_signed(pk, std::span<const N>(*r.plaintexts)) == plain));
            BOOST_TEST(!std::count(r.used.begin(), r.used.end(), 3u));
        }
    }
    for (const auto& log : logs) {
        BOOST_TEST(log.broken.empty());
        BOOST_TEST(log.public_data.load() == 2u);
        BOOST_TEST(log.proved_partials.load() == cts.size());
        BOOST_TEST(log.partials.load() == cts.size());
        BOOST_TEST(log.single_verifies.load() == 0u);
    }
}

BOOST_AUTO_TEST_SUITE_END()
