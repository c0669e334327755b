// Example 5: secure voting, after the unanimous-vote example of MPyC.
//
// m parties (m odd, threshold t = ⌊m/2⌋) generate a key together, then
//
//   1. hold an election: every party encrypts its yes/no vote as 1/0 in a ballot with a
//      zero-knowledge proof that it holds 0 or 1 (dkg::encrypt_ballot), bound to the election and
//      to the voter, and sends it to party 1. Party 1 checks every proof before it multiplies the
//      ballots together (an encryption of the number of yes votes), and sends the encrypted tally
//      back; all parties decrypt the tally together. Nobody sees a single vote, and a voter who
//      encrypts 2 instead of 1 is caught and named;
//
//   2. hold unanimous votes: only the voters P_1..P_{t+1} vote, and only they learn the outcome,
//      and nothing but whether everyone said yes. Every voter sends its proved ballot to every
//      party; each party checks them, sums the votes and subtracts t+1, so the plaintext is 0
//      exactly when all voted yes. Then every party in turn multiplies the plaintext by a random
//      nonzero factor of its own (c ← c^r · s^N, dkg::blind) and sends the result to all with a
//      proof of correct blinding, which everyone checks: a plaintext that was not 0 becomes a
//      uniformly random value, which tells nothing about how many said no, and no party can turn
//      it into 0 (the proof shows r ≠ 0). The result is decrypted for the voters only; the other t
//      parties help, but learn nothing.
//
// Each party is a coroutine with its own session; ballots, ciphertexts and proofs travel as
// user-level messages over an in-memory transport (the same code runs over TCP with
// dkg::tcp_transport). The proofs (docs/protocol.md §8) check what a party sends, not how it
// chose its randomness: hiding how many said no still needs one honest blinder.
//
// Usage: 05_secure_voting [--parties M] [--bits B]     (defaults 5 and 2048)
#include <dkg/dkg.hpp>
#include <dkg/proofs/serialization.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using number = dkg::gmp_int;
using party_session = dkg::session<dkg::memory_transport>;
using boost::asio::awaitable;
using boost::asio::use_awaitable;

namespace {

// Topics of the user-level messages.
enum topic : std::uint32_t { ballot = 1, encrypted_tally, unanimity_ballot, blinding_step };

// A ballot is one ciphertext of 0 or 1: "at most 1 of 1 option", with its proof.
const dkg::ballot_rule yes_no_ballot = dkg::ballot_rule::at_most(1, 1);

// What the simulation gives each party (the votes) and what each party learns.
struct election {
    std::size_t parties = 5;
    std::size_t bits = 2048;
    std::vector<int> votes;                         // the election: vote of party j at j-1 (1 yes, 0 no)
    std::vector<std::vector<int>> unanimous_rounds; // each: the votes of voters 1..t+1
};

struct outcome {
    long long yes_votes = -1;
    std::vector<std::optional<bool>> unanimous; // per round: empty at a party that is not a voter
};

std::string yes_no(int vote) { return vote ? "yes" : "no"; }

awaitable<void> send(party_session& s, dkg::party_id to, topic t, const dkg::ciphertext<number>& c)
{
    dkg::bytes wire = dkg::to_binary(c);
    co_await s.async_send_user(to, t, std::move(wire), use_awaitable);
}

awaitable<dkg::ciphertext<number>> receive(party_session& s, dkg::party_id from, topic t, const dkg::public_key<number>& key)
{
    const dkg::bytes wire = co_await s.async_receive_user(from, t, use_awaitable);
    co_return dkg::ciphertext_from_binary(key, wire); // checks that it is a ciphertext of our key
}

// What a proof is bound to: the vote (election or unanimous vote number), and who made it. A
// ballot or proof copied from another voter, party or vote does not verify.
dkg::proof_context context(const std::string& vote, const std::string& role, dkg::party_id who)
{
    return dkg::proof_context{"dkg example 05", vote, role + " " + std::to_string(who)};
}

// Receives voter j's ballot and checks its proof: the vote's one ciphertext, of 0 or 1.
awaitable<dkg::ciphertext<number>> receive_ballot(party_session& s, dkg::party_id voter, topic t, const dkg::public_key<number>& key,
                                                 const std::string& vote)
{
    const dkg::bytes wire = co_await s.async_receive_user(voter, t, use_awaitable);
    const auto b = dkg::ballot_from_binary(key, yes_no_ballot, wire); // decodes and checks sizes and ranges
    const std::string defect = dkg::ballot_defect(key, yes_no_ballot, b, context(vote, "voter", voter));
    if (!defect.empty()) throw dkg::protocol_error(dkg::make_error_code(dkg::errc::verification_failed), voter, defect);
    co_return b.ciphertexts.front();
}

// Joint decryption of one ciphertext; the plaintext only at the receivers (empty: everyone).
awaitable<std::optional<number>> decrypt(party_session& s, const dkg::key_share<number>& share, const dkg::ciphertext<number>& c,
                                         std::uint64_t id, std::vector<dkg::party_id> receivers, dkg::system_rng& rng)
{
    dkg::decrypt_options options;
    options.id = id; // one id per decryption on the session
    options.receivers = std::move(receivers);
    std::vector<dkg::ciphertext<number>> batch = {c};
    const auto result = co_await dkg::async_decrypt(s, share, std::move(batch), std::move(options), rng, use_awaitable);
    if (!result.plaintexts) co_return std::nullopt;
    co_return share.public_key().from_residue(result.plaintexts->front());
}

// 1. The election: ballots to party 1, the encrypted tally back to everyone, decrypted by all.
awaitable<long long> hold_election(party_session& s, const dkg::key_share<number>& share, int vote, dkg::system_rng& rng)
{
    const dkg::public_key<number>& key = share.public_key();
    const dkg::party_id self = s.self();
    const std::vector<unsigned> choice = {static_cast<unsigned>(vote)};
    const dkg::ballot<number> mine = dkg::encrypt_ballot(key, yes_no_ballot, choice, context("election", "voter", self), rng);
    std::optional<dkg::ciphertext<number>> tally;
    if (self == 1) {
        tally = mine.ciphertexts.front();
        for (dkg::party_id j = 2; j <= s.party_count(); ++j) tally = *tally + co_await receive_ballot(s, j, ballot, key, "election");
        for (dkg::party_id j = 2; j <= s.party_count(); ++j) co_await send(s, j, encrypted_tally, *tally);
    } else {
        co_await s.async_send_user(1, ballot, dkg::to_binary(mine), use_awaitable);
        tally = co_await receive(s, 1, encrypted_tally, key);
    }
    const auto yes = co_await decrypt(s, share, *tally, 1, {}, rng);
    co_return static_cast<long long>(*yes);
}

// 2. A unanimous vote of parties 1..t+1 (`vote` is empty at the other parties).
awaitable<std::optional<bool>> unanimous_vote(party_session& s, const dkg::key_share<number>& share, std::optional<int> vote,
                                              std::uint64_t id, dkg::system_rng& rng)
{
    const dkg::public_key<number>& key = share.public_key();
    const dkg::party_id self = s.self();
    const std::size_t n = s.party_count(), voters = share.threshold() + 1;
    const std::string name = "unanimous vote " + std::to_string(id);

    // Every voter sends its proved ballot to every party; every party checks them all, adds up the
    // votes and subtracts t+1: Enc(0) iff all said yes.
    std::optional<dkg::ciphertext<number>> c;
    for (dkg::party_id j = 1; j <= voters; ++j) {
        std::optional<dkg::ciphertext<number>> ballot_j;
        if (j == self) {
            const std::vector<unsigned> choice = {static_cast<unsigned>(*vote)};
            const auto mine = dkg::encrypt_ballot(key, yes_no_ballot, choice, context(name, "voter", self), rng);
            for (dkg::party_id k = 1; k <= n; ++k)
                if (k != self) co_await s.async_send_user(k, unanimity_ballot, dkg::to_binary(mine), use_awaitable);
            ballot_j = mine.ciphertexts.front();
        } else {
            ballot_j = co_await receive_ballot(s, j, unanimity_ballot, key, name);
        }
        c = c ? *c + *ballot_j : *ballot_j;
    }
    c = c->add_plain(number(-static_cast<long long>(voters)));

    // Every party blinds in turn, 1 → 2 → … → n: Enc(x) becomes Enc(x·r) for a random unit r, sent
    // to all with a proof of correct blinding that everyone checks against the previous step.
    for (dkg::party_id j = 1; j <= n; ++j) {
        if (j == self) {
            const auto blinded = dkg::blind(*c, context(name, "blinder", self), rng);
            dkg::writer w;
            w.byte_string(dkg::to_binary(blinded.value)).byte_string(dkg::to_binary(blinded.proof));
            const dkg::bytes wire = w.finish();
            for (dkg::party_id k = 1; k <= n; ++k)
                if (k != self) co_await s.async_send_user(k, blinding_step, wire, use_awaitable);
            c = blinded.value;
        } else {
            const dkg::bytes wire = co_await s.async_receive_user(j, blinding_step, use_awaitable);
            dkg::reader r(wire);
            const auto next = dkg::ciphertext_from_binary(key, r.byte_string(dkg::max_proof_bytes));
            const auto proof = dkg::blinding_proof_from_binary(key, r.byte_string(dkg::max_proof_bytes));
            r.expect_end();
            if (!dkg::verify_blinding(*c, next, proof, context(name, "blinder", j)))
                throw dkg::protocol_error(dkg::make_error_code(dkg::errc::verification_failed), j, name + ": the blinding proof does not verify");
            c = next;
        }
    }

    std::vector<dkg::party_id> receivers;
    for (dkg::party_id j = 1; j <= voters; ++j) receivers.push_back(j);
    const auto plaintext = co_await decrypt(s, share, *c, id, receivers, rng);
    if (!plaintext) co_return std::nullopt; // a helper: learns nothing
    co_return *plaintext == number(0);
}

awaitable<outcome> run_party(party_session& s, const election& e, dkg::system_rng& rng)
{
    dkg::keygen_params params;
    params.key_length = e.bits;
    params.corruption_threshold = e.parties / 2;
    const auto start = std::chrono::steady_clock::now();
    const auto share = co_await dkg::async_generate_key<number>(s, rng, params, {}, use_awaitable);
    if (s.self() == 1) {
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        std::cout << "Key generated in " << std::fixed << std::setprecision(1) << took.count() << " s: N has "
                  << share.public_key().bits() << " bits" << std::endl;
    }

    outcome out;
    out.yes_votes = co_await hold_election(s, share, e.votes[s.self() - 1], rng);

    for (std::size_t round = 0; round < e.unanimous_rounds.size(); ++round) {
        const auto& votes = e.unanimous_rounds[round];
        std::optional<int> vote;
        if (s.self() <= votes.size()) vote = votes[s.self() - 1];
        out.unanimous.push_back(co_await unanimous_vote(s, share, vote, 2 + round, rng));
    }
    co_return out;
}

} // namespace

int main(int argc, char** argv)
try {
    election e;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--parties") e.parties = std::stoul(argv[i + 1]);
        else if (flag == "--bits") e.bits = std::stoul(argv[i + 1]);
        else throw std::invalid_argument("unknown option " + flag);
    }
    if (e.parties < 3 || e.parties % 2 == 0 || argc % 2 == 0)
        throw std::invalid_argument("usage: 05_secure_voting [--parties M (odd, at least 3)] [--bits B]");
    const std::size_t t = e.parties / 2, voters = t + 1;

    // The inputs of the simulation: in the election every third party votes no; then two unanimous
    // votes, the first all yes, the second with a no from the last voter.
    for (std::size_t j = 0; j < e.parties; ++j) e.votes.push_back(j % 3 == 1 ? 0 : 1);
    e.unanimous_rounds = {std::vector<int>(voters, 1), std::vector<int>(voters, 1)};
    e.unanimous_rounds[1].back() = 0;

    std::cout << "Secure voting: " << e.parties << " parties, threshold t = " << t << " (any " << t + 1 << " can decrypt), "
              << e.bits << "-bit key; generating the key..." << std::endl;

    // One in-memory network; every party runs run_party on its own strand with its own session.
    boost::asio::io_context io;
    dkg::memory_network network(io, e.parties);
    std::vector<std::unique_ptr<party_session>> sessions;
    std::vector<std::unique_ptr<dkg::system_rng>> rngs;
    std::vector<outcome> outcomes(e.parties);
    std::exception_ptr error;
    for (dkg::party_id j = 1; j <= e.parties; ++j) {
        sessions.push_back(std::make_unique<party_session>(network.party(j)));
        rngs.push_back(std::make_unique<dkg::system_rng>());
        boost::asio::co_spawn(network.party(j).get_executor(), run_party(*sessions.back(), e, *rngs.back()),
                              [&, j](std::exception_ptr ex, outcome o) {
                                  if (ex && !error) error = ex;
                                  outcomes[j - 1] = std::move(o);
                              });
    }
    io.run();
    if (error) std::rethrow_exception(error);

    // What each party learnt, checked against what the simulation knows.
    bool ok = true;
    const long long yes = static_cast<long long>(std::count(e.votes.begin(), e.votes.end(), 1));
    std::cout << "\nElection: every party sends party 1 its encrypted vote with a proof that it is 0 or 1; party 1\n"
                 "checks the proofs, multiplies the ballots into an encrypted tally and sends it back; all parties\n"
                 "decrypt the tally together.\n"
                 "  the votes, each known only to its voter:";
    for (int v : e.votes) std::cout << ' ' << yes_no(v);
    std::cout << "\n  every party decrypted the tally: " << outcomes[0].yes_votes << " yes, " << static_cast<long long>(e.parties) - outcomes[0].yes_votes
              << " no\n";
    for (const auto& o : outcomes) ok = ok && o.yes_votes == yes;

    std::cout << "\nUnanimous votes: voters 1.." << voters << " send every party their encrypted votes with proofs; every party\n"
              << "checks them and subtracts " << voters << " from their encrypted sum; every party multiplies it by a random factor\n"
                 "of its own, in turn, with a proof that everyone checks; only the voters decrypt the result (0: all\n"
                 "said yes).\n";
    for (std::size_t round = 0; round < e.unanimous_rounds.size(); ++round) {
        const auto& votes = e.unanimous_rounds[round];
        const bool all_yes = std::count(votes.begin(), votes.end(), 1) == static_cast<long>(voters);
        std::cout << "Vote " << round + 1 << ": voters 1.." << voters << " vote";
        for (int v : votes) std::cout << ' ' << yes_no(v);
        std::cout << '\n';
        for (dkg::party_id j = 1; j <= e.parties; ++j) {
            const auto& learnt = outcomes[j - 1].unanimous.at(round);
            std::cout << "  party " << j << ": ";
            if (!learnt)
                std::cout << "helped, learnt nothing\n";
            else
                std::cout << (*learnt ? "unanimous agreement!" : "no agreement: someone disagrees") << '\n';
            ok = ok && (j <= voters ? learnt == all_yes : !learnt);
        }
    }
    if (!ok) std::cout << "ERROR: a party learnt the wrong outcome\n";
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
} catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return EXIT_FAILURE;
}
