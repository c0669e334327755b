#include "audit.hpp"

#include "credentials.hpp"
#include "errors.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

namespace dkg::vote {

namespace {

std::string ballot_name(std::size_t index, const std::string& voter)
{
    return "ballot " + std::to_string(index) + (voter.empty() ? std::string() : " (voter " + voter + ")");
}

/// Runs check(i) for i in [0, count) on `threads` threads; rethrows the failure of the lowest i.
template <class Check>
void parallel_checks(std::size_t count, std::size_t threads, Check check)
{
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = std::min(threads, std::max<std::size_t>(count, 1));
    std::atomic<std::size_t> next{0};
    std::mutex mutex;
    std::size_t failed_at = count;
    std::exception_ptr failure;
    auto work = [&] {
        for (;;) {
            const std::size_t i = next++;
            if (i >= count) return;
            {
                std::lock_guard lock(mutex);
                if (i > failed_at) return;
            }
            try {
                check(i);
            } catch (...) {
                std::lock_guard lock(mutex);
                if (i < failed_at) {
                    failed_at = i;
                    failure = std::current_exception();
                }
            }
        }
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
}

token_claims checked_credential(const election& e, const std::string& token, const std::string& who)
{
    try {
        const auto claims = verify_token(e.credential_key(), token);
        if (claims.audience != e.id()) throw audit_failure(who + ": the credential is for another election");
        return claims;
    } catch (const credential_error& ex) {
        throw audit_failure(who + ": the credential does not verify: " + ex.what());
    }
}

} // namespace

checked_board audit_board(const boost::json::value& document, std::size_t threads)
{
    checked_board out;
    std::vector<std::string> credentials, stored;
    try {
        object_reader r(document, "board");
        if (r.string("type", 64) != "dkg-vote.board") throw document_error("board.type: expected \"dkg-vote.board\"");
        if (r.integer("version", 0, 1000) != 1) throw document_error("board.version: this build reads version 1");
        out.manifest = std::make_shared<const election>(election::from_json(r.required("election")));
        if (r.string("fingerprint", 64) != out.manifest->fingerprint())
            throw document_error("board.fingerprint: not the SHA-256 of the election's manifest");
        out.status = r.string("status", 32);
        const auto& list = r.array("ballots", max_voters);
        for (std::size_t i = 0; i < list.size(); ++i) {
            object_reader b(list[i], "board.ballots[" + std::to_string(i) + "]");
            if (b.integer("index", 1, static_cast<std::int64_t>(max_voters)) != static_cast<std::int64_t>(i + 1))
                throw document_error(b.path("index") + ": expected " + std::to_string(i + 1) + " (ballots are numbered 1, 2, ... in order)");
            out.voters.push_back(b.string("voter", max_voter_id_length));
            credentials.push_back(b.string("credential", max_token_length));
            stored.push_back(b.string("stored", out.manifest->max_ballot_bytes() * 2));
            out.receipts.push_back(b.string("receipt", 64));
            b.string("cast_at", 32);
            b.done();
        }
        r.done();
    } catch (const document_error& e) {
        throw audit_failure(std::string("the board is malformed: ") + e.what());
    }
    const election& e = *out.manifest;

    std::set<std::string> seen;
    for (std::size_t i = 0; i < out.voters.size(); ++i) {
        const std::string who = ballot_name(i + 1, out.voters[i]);
        if (!e.eligible(out.voters[i])) throw audit_failure(who + ": the voter is not on the election's list of voters");
        if (!seen.insert(out.voters[i]).second) throw audit_failure(who + ": the voter has another ballot on the board (one per voter)");
        if (receipt_of(stored[i]) != out.receipts[i]) throw audit_failure(who + ": the receipt is not the SHA-256 of the stored ballot");
    }
    std::vector<std::optional<ballot>> checked(out.voters.size());
    parallel_checks(out.voters.size(), threads, [&](std::size_t i) {
        const std::string who = ballot_name(i + 1, out.voters[i]);
        const auto claims = checked_credential(e, credentials[i], who);
        if (claims.role != token_role::voter || claims.subject != out.voters[i])
            throw audit_failure(who + ": the credential is not this voter's");
        try {
            ballot b = ballot::read_stored(e, out.voters[i], stored[i]);
            b.verify(e);
            checked[i].emplace(std::move(b));
        } catch (const api_error& ex) {
            throw audit_failure(who + ": " + ex.what());
        }
    });
    out.ballots.clear();
    for (auto& b : checked) out.ballots.push_back(std::move(*b));
    return out;
}

tally_record audit_tally(const checked_board& board, const tally_record& published)
{
    const election& e = *board.manifest;
    if (published.election_id != e.id()) throw audit_failure("the tally is of election " + published.election_id + ", not " + e.id());
    if (published.fingerprint != e.fingerprint()) throw audit_failure("the tally names another election manifest (fingerprint)");
    if (published.ballots != board.ballots.size())
        throw audit_failure("the tally counts " + std::to_string(published.ballots) + " ballots, the board has " +
                            std::to_string(board.ballots.size()));
    const auto recomputed = tally_record::compute(e, board.ballots, board.receipts);
    if (published.board_hash != recomputed.board_hash)
        throw audit_failure("the tally's board hash is not that of the board's receipts (a ballot was changed, added or removed)");
    for (std::size_t i = 0; i < recomputed.options.size(); ++i)
        if (!(published.options[i] == recomputed.options[i]))
            throw audit_failure("the encrypted tally of option " + std::to_string(i + 1) + " (" + e.options()[i] +
                                ") is not the product of the ballots' ciphertexts");
    if (recomputed.unanimity && !(*published.unanimity == *recomputed.unanimity))
        throw audit_failure("the unanimity ciphertext is not Enc(votes for option 1 − number of voters) of the tally");
    return recomputed;
}

void audit_blindings(const election& e, const tally_record& tally, const std::vector<blinding_record>& blindings)
{
    if (!tally.unanimity) {
        if (!blindings.empty()) throw audit_failure("blindings are published for an election that is not a unanimous vote");
        return;
    }
    std::set<unsigned> trustees;
    number current = tally.unanimity->value();
    for (std::size_t i = 0; i < blindings.size(); ++i) {
        const auto& b = blindings[i];
        const std::string who = "blinding " + std::to_string(i + 1) + " (trustee " + std::to_string(b.trustee) + ")";
        if (b.index != i + 1) throw audit_failure(who + ": index " + std::to_string(b.index) + ", expected " + std::to_string(i + 1));
        if (!trustees.insert(b.trustee).second) throw audit_failure(who + ": the trustee blinded twice");
        const auto claims = checked_credential(e, b.credential, who);
        if (claims.role != token_role::trustee || trustee_of_subject(claims.subject) != b.trustee)
            throw audit_failure(who + ": the credential is not this trustee's");
        if (b.step.input != current)
            throw audit_failure(who + ": it blinds another ciphertext than " + (i == 0 ? std::string("the unanimity ciphertext") : "the previous blinding's output"));
        try {
            b.step.verify(e, b.trustee);
        } catch (const api_error& ex) {
            throw audit_failure(who + ": " + ex.what());
        }
        current = b.step.output;
    }
}

audit_summary audit_result(const checked_board& board, const boost::json::value& document)
{
    const election& e = *board.manifest;
    result_record r;
    try {
        r = result_record::from_json(e, document);
    } catch (const document_error& ex) {
        throw audit_failure(std::string("the result is malformed: ") + ex.what());
    }
    audit_tally(board, r.tally);
    audit_blindings(e, r.tally, r.blindings);
    if (e.kind() == election_kind::unanimous && r.blindings.size() != e.key().parties())
        throw audit_failure("the unanimity ciphertext was blinded by " + std::to_string(r.blindings.size()) + " trustees, not all " +
                            std::to_string(e.key().parties()));
    const auto input = decryption_input(r.tally, r.blindings);
    if (r.decrypted.size() != input.size() || !std::equal(input.begin(), input.end(), r.decrypted.begin()))
        throw audit_failure("the decrypted ciphertexts are not the " + std::string(e.kind() == election_kind::unanimous ? "blinded unanimity ciphertext" : "encrypted tally"));

    audit_summary summary;
    std::set<unsigned> trustees;
    for (const auto& d : r.decryptions) {
        if (!trustees.insert(d.trustee).second) throw audit_failure("trustee " + std::to_string(d.trustee) + " has two sets of partial decryptions");
        try {
            check_decryption(e, input, d);
        } catch (const api_error& ex) {
            throw audit_failure(std::string("partial decryptions: ") + ex.what());
        }
        summary.trustees.push_back(d.trustee);
    }
    if (r.decryptions.size() < e.key().threshold() + 1)
        throw audit_failure("the result has partial decryptions of " + std::to_string(r.decryptions.size()) + " trustees; " +
                            std::to_string(e.key().threshold() + 1) + " are needed");
    std::vector<number> plaintexts;
    try {
        plaintexts = combine_decryptions(e, input, r.decryptions);
    } catch (const std::exception& ex) {
        throw audit_failure(std::string("the partial decryptions do not combine: ") + ex.what());
    }
    summary.ballots = board.ballots.size();
    if (e.kind() == election_kind::unanimous) {
        summary.unanimous = plaintexts[0] == number(0u);
        if (r.unanimous != summary.unanimous)
            throw audit_failure(std::string("the result says the vote was ") + (*r.unanimous ? "" : "not ") +
                                "unanimous; the decryption says it was " + (*summary.unanimous ? "" : "not"));
    } else {
        for (std::size_t i = 0; i < plaintexts.size(); ++i) {
            if (plaintexts[i] > number(static_cast<unsigned long long>(summary.ballots)))
                throw audit_failure("option " + std::to_string(i + 1) + " decrypts to more selections than there are ballots");
            summary.counts.push_back(plaintexts[i].convert_to<std::uint64_t>());
        }
        if (r.counts != summary.counts) {
            std::string published, decrypted;
            for (std::size_t i = 0; i < summary.counts.size(); ++i) {
                if (i > 0) {
                    published += ", ";
                    decrypted += ", ";
                }
                published += i < r.counts.size() ? std::to_string(r.counts[i]) : std::string("?");
                decrypted += std::to_string(summary.counts[i]);
            }
            throw audit_failure("the published counts [" + published + "] are not the decrypted tally [" + decrypted + "]");
        }
    }
    return summary;
}

} // namespace dkg::vote
