// Fault matrix of threshold decryption (docs/protocol.md §6, dkg::threshold_steps): contributors
// crash, stall, go silent, or send their partial decryptions duplicated, delayed, corrupted or
// truncated. With proofs on, every honest receiver decrypts correctly while at least t+1 honest
// contributors remain, and fails with errc::not_enough_shares naming the faulty parties otherwise;
// never a hang.
#include "support.hpp"

#include <dkg/testing/seeded_rng.hpp>
#include <dkg/testing/trusted_dealer.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>

using namespace faults;

namespace {

constexpr std::chrono::milliseconds timeout = session_timeout;
constexpr std::chrono::seconds bound{15 * slowdown};

const dkg::testing::dealt_key<N>& key(std::size_t n, std::size_t t)
{
    static std::map<std::pair<std::size_t, std::size_t>, dkg::testing::dealt_key<N>> keys;
    auto it = keys.find({n, t});
    if (it == keys.end()) {
        dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 3000 + 10 * n + t);
        it = keys.emplace(std::make_pair(n, t), dkg::testing::deal_key<N>(256, n, t, rng)).first;
    }
    return it->second;
}

struct batch {
    std::vector<N> plain;
    std::vector<dkg::ciphertext<N>> ciphertexts;
};

batch make_batch(const dkg::public_key<N>& pk)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 3100);
    batch b;
    b.plain = {N(0u), N(-5), N(123456789u)};
    for (const auto& m : b.plain) b.ciphertexts.push_back(pk.encrypt(m, rng));
    return b;
}

enum class kind { crash, stall, silent, duplicate, delay_within, delay_beyond, corrupt_header, corrupt_value, truncate };

const char* name(kind k)
{
    switch (k) {
    case kind::crash: return "crash";
    case kind::stall: return "stall";
    case kind::silent: return "silent";
    case kind::duplicate: return "duplicate";
    case kind::delay_within: return "delay within the timeout";
    case kind::delay_beyond: return "delay beyond the timeout";
    case kind::corrupt_header: return "corrupt (version byte)";
    case kind::corrupt_value: return "corrupt (a partial decryption)";
    case kind::truncate: return "truncate";
    }
    return "?";
}

/// Whether the fault can keep a receiver from using the party's partial decryptions.
bool harmful(kind k)
{
    return k != kind::duplicate && k != kind::delay_within;
}

fault make_fault(kind k, dkg::party_id party, std::size_t n)
{
    const auto step = dkg::threshold_steps::partials;
    fault f;
    f.party = party;
    switch (k) {
    case kind::crash: f.crash_step = step; break;
    case kind::stall: f.rules = first_round(fault_action::drop, step, n, party); break;
    case kind::silent: { // goes silent as it is about to send its partials: nothing leaves
        fault_rule drop, disconnect;
        drop.action = fault_action::drop;
        drop.step = disconnect.step = step;
        disconnect.action = fault_action::disconnect;
        f.rules = {drop, disconnect};
        break;
    }
    case kind::duplicate: f.rules = first_round(fault_action::duplicate, step, n, party); break;
    case kind::delay_within: f.rules = first_round(fault_action::delay, step, n, party, timeout / 4); break;
    case kind::delay_beyond: f.rules = first_round(fault_action::delay, step, n, party, 3 * timeout); break;
    case kind::corrupt_header: f.rules = first_round(fault_action::corrupt, step, n, party, {}, 0); break;
    // Byte 60: inside the first partial decryption's value (after version, digest, count, party id).
    case kind::corrupt_value: f.rules = first_round(fault_action::corrupt, step, n, party, {}, 60); break;
    case kind::truncate: f.rules = first_round(fault_action::truncate, step, n, party); break;
    }
    return f;
}

constexpr std::array<kind, 9> kinds = {kind::crash,        kind::stall,          kind::silent,        kind::duplicate, kind::delay_within,
                                       kind::delay_beyond, kind::corrupt_header, kind::corrupt_value, kind::truncate};

/// Runs a decryption with `k` injected at every party of `bad`; checks the honest parties.
void check(std::size_t n, std::size_t t, kind k, const std::set<dkg::party_id>& bad, bool proofs = true)
{
    const auto& dealt = key(n, t);
    const auto& pk = dealt.shares[0].public_key();
    const auto b = make_batch(pk);
    std::vector<fault> faults;
    for (auto p : bad) faults.push_back(make_fault(k, p, n));
    dkg::decrypt_options options;
    options.id = 7;
    options.verify_proofs = proofs;
    texts said;
    const auto r = run_decrypt(dealt.shares, b.ciphertexts, options, timeout, faults, said);
    BOOST_TEST((r.elapsed < bound));
    const bool enough = !harmful(k) || n - bad.size() >= t + 1;
    for (dkg::party_id j = 1; j <= n; ++j) {
        BOOST_TEST_REQUIRE(r.party(j).finished, "party " << j << " never finished");
        if (bad.count(j)) continue; // a faulty party's own outcome is not checked
        const auto& p = r.party(j);
        if (enough) {
            const auto e = protocol_error_of(p);
            BOOST_TEST_REQUIRE(p.result.has_value(), "party " << j << ": " << (e ? e->what() : "?"));
            BOOST_TEST_REQUIRE(p.result->plaintexts.has_value());
            BOOST_TEST((dkg::to_signed(pk, std::span<const N>(*p.result->plaintexts)) == b.plain));
            for (auto used : p.result->used) BOOST_TEST((!bad.count(used) || !harmful(k)), "used the partials of faulty party " << used);
            // Partials that arrived damaged are attributed to their sender.
            if (k == kind::corrupt_header || k == kind::truncate || (proofs && k == kind::corrupt_value))
                for (auto f : p.result->faulty) BOOST_TEST(bad.count(f) == 1u, "honest party " << f << " blamed");
        } else {
            const auto e = protocol_error_of(p);
            BOOST_TEST_REQUIRE(e.has_value(), "party " << j << " decrypted without t+1 honest parties");
            BOOST_TEST((e->code() == dkg::errc::not_enough_shares || e->code() == dkg::errc::timeout), e->what());
            // The message names every faulty party (as faulty or unavailable), and the honest ones
            // as valid.
            const std::string text = e->what();
            for (auto f : bad) BOOST_TEST(text.find(std::to_string(f)) != std::string::npos, text);
        }
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(decrypt_faults)

// n = 3, t = 1: one faulty contributor leaves t+1 = 2 honest ones.
BOOST_AUTO_TEST_CASE(one_faulty_party_of_three_is_tolerated)
{
    for (auto k : kinds)
        BOOST_TEST_CONTEXT(name(k)) {
            check(3, 1, k, {2});
        }
}

// n = 3, t = 1: two faulty contributors leave one honest party, fewer than t+1.
BOOST_AUTO_TEST_CASE(two_faulty_parties_of_three_are_named)
{
    for (auto k : kinds)
        BOOST_TEST_CONTEXT(name(k)) {
            check(3, 1, k, {2, 3});
        }
}

// n = 5, t = 2: up to n-(t+1) = 2 faulty contributors are tolerated, 3 are not.
BOOST_AUTO_TEST_CASE(five_parties_tolerate_two_faults_and_name_three)
{
    for (auto k : kinds)
        BOOST_TEST_CONTEXT(name(k)) {
            check(5, 2, k, {1, 4});
            check(5, 2, k, {2, 3, 5});
        }
}

// Without proofs a corrupted partial is still caught because it does not combine with the others
// (and is blamed); the decryption succeeds with the honest parties.
BOOST_AUTO_TEST_CASE(without_proofs_a_corrupted_partial_does_not_combine)
{
    check(3, 1, kind::corrupt_value, {2}, false);
    check(5, 2, kind::corrupt_value, {1, 4}, false);
}

BOOST_AUTO_TEST_SUITE_END()
