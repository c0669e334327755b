// Anyone can check: the verification of a bulletin board and a published result (docs/voting.md,
// "Verifying an election"). Every ballot's credential, receipt and proofs; the encrypted tally
// recomputed from the ballots; every blinding and its proof; every partial decryption and its
// proof; and the result recombined from them. The first thing wrong ends the check, named.
#pragma once

#include "ballot.hpp"
#include "election.hpp"
#include "record.hpp"

#include <boost/json/value.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace dkg::vote {

/// A record that does not verify; the message names what is wrong (ballot, trustee, field).
class audit_failure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A bulletin board, read and checked.
struct checked_board {
    std::shared_ptr<const election> manifest;
    std::vector<ballot> ballots;
    std::vector<std::string> voters;
    std::vector<std::string> receipts;
    std::string status;
};

/// Reads a board document (GET /api/elections/ID/ballots) and checks every ballot: indexes 1, 2,
/// …; voters eligible and each at most once; each credential an ES256 token of the election's
/// credential authority for that election and voter; the stored text a ballot of this election
/// for that voter whose SHA-256 is the receipt; and its proofs (on `threads` threads, 0 for one
/// per hardware thread).
/// @throws audit_failure naming the ballot and what is wrong.
checked_board audit_board(const boost::json::value& board, std::size_t threads = 0);

/// Checks the blindings of a unanimous vote: indexes 1, 2, …; each by a distinct trustee of the
/// key with a trustee token of the credential authority; each of the previous output (the first of
/// the tally's unanimity ciphertext); each proof.
/// @throws audit_failure naming the blinding and what is wrong.
void audit_blindings(const election& e, const tally_record& tally, const std::vector<blinding_record>& blindings);

/// Checks that `published` is the tally of the checked board: same election and fingerprint,
/// ballot count and board hash, and the same ciphertexts as recomputed from the ballots.
/// @throws audit_failure naming what differs.
tally_record audit_tally(const checked_board& board, const tally_record& published);

/// What a verified result says.
struct audit_summary {
    std::uint64_t ballots = 0;
    std::vector<std::uint64_t> counts;
    std::optional<bool> unanimous;
    std::vector<unsigned> trustees; ///< the trustees whose partial decryptions were checked
};

/// Checks a result document against a checked board: the tally (audit_tally), the blindings
/// (audit_blindings, every trustee for a unanimous vote), the decrypted ciphertexts, every
/// partial decryption's proof (at least t+1 distinct trustees), and the counts or the unanimity
/// verdict recombined from the partial decryptions.
/// @throws audit_failure naming what is wrong.
audit_summary audit_result(const checked_board& board, const boost::json::value& result);

} // namespace dkg::vote
