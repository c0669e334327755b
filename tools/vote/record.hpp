// The election record after the vote (docs/voting.md, "The record"): the encrypted tally, the
// trustees' blindings of a unanimous vote, their partial decryptions with proofs, and the result —
// as JSON documents, with the computations that the ballot box makes and every verifier repeats.
#pragma once

#include "ballot.hpp"
#include "election.hpp"
#include "json.hpp"

#include <dkg/threshold.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dkg::vote {

/// The hash that commits to a bulletin board: lowercase hex SHA-256 of the receipts in index
/// order, each followed by a line feed.
std::string hash_of_board(const std::vector<std::string>& receipts);

/// The encrypted tally of a closed election.
struct tally_record {
    std::string election_id;
    std::string fingerprint;
    std::uint64_t ballots = 0;
    std::string board_hash;
    /// Per option, the product of the ballots' ciphertexts: Enc(number of selections).
    std::vector<dkg::ciphertext<number>> options;
    /// Unanimous elections: Enc(selections of option 1 − number of eligible voters), the
    /// ciphertext the trustees blind and decrypt (0 means everyone chose option 1).
    std::optional<dkg::ciphertext<number>> unanimity;

    /// Multiplies the ballots' ciphertexts (docs/voting.md, "Tally"). Deterministic: every
    /// verifier gets the same values from the same ballots.
    static tally_record compute(const election& e, const std::vector<ballot>& ballots, const std::vector<std::string>& receipts);

    boost::json::value to_json() const;
    /// @throws document_error naming the field.
    static tally_record from_json(const election& e, const boost::json::value& document);

    /// The ciphertexts decrypted when there is no blinding: the options' (tally) or the unanimity
    /// ciphertext (unanimous, before blinding).
    std::vector<dkg::ciphertext<number>> decryption_input() const;
};

/// A trustee's blinding of the unanimity ciphertext, as published.
struct blinding_record {
    std::uint64_t index = 0;
    unsigned trustee = 0;
    std::string credential;
    blinding step;

    boost::json::value to_json() const;
    /// @throws document_error naming the field.
    static blinding_record from_json(const election& e, const boost::json::value& document, const std::string& path);
};

/// A trustee's partial decryptions of the decryption input, as published.
struct decryption_record {
    unsigned trustee = 0;
    std::vector<dkg::partial_decryption<number>> partials;

    /// {"trustee": j, "partial_decryptions": [dkg.partial_decryption, ...]}.
    boost::json::value to_json() const;
    /// Reads and range-checks (not the proofs) `count` partial decryptions of party `trustee`.
    /// @throws document_error naming the field.
    static decryption_record from_json(const election& e, const boost::json::value& document, const std::string& path);
};

/// Reads the JSON array of dkg.partial_decryption documents at `path`.
/// @throws document_error naming the element at fault.
std::vector<dkg::partial_decryption<number>> read_partials(const election& e, const boost::json::value& array, const std::string& path);

/// Checks that `d` holds one partial decryption of party `d.trustee` per ciphertext of `input`,
/// each with a proof that verifies (docs/protocol.md §6).
/// @throws api_error 400 "malformed_decryption" (count, party) or 422 "invalid_proof" naming the
///         ciphertext whose proof fails.
void check_decryption(const election& e, const std::vector<dkg::ciphertext<number>>& input, const decryption_record& d);

/// Combines the partial decryptions of the first t+1 trustees of `decryptions` (already checked)
/// into the plaintext residues of `input`.
/// @throws api_error 409 "not_enough_decryptions" if there are fewer than t+1.
std::vector<number> combine_decryptions(const election& e, const std::vector<dkg::ciphertext<number>>& input,
                                        const std::vector<decryption_record>& decryptions);

/// The published result of an election.
struct result_record {
    tally_record tally;
    std::vector<blinding_record> blindings;        ///< unanimous elections, in order
    std::vector<dkg::ciphertext<number>> decrypted; ///< the ciphertexts the trustees decrypted
    std::vector<decryption_record> decryptions;    ///< every trustee's partials (at least t+1)
    std::vector<std::uint64_t> counts;             ///< tally: selections per option
    std::optional<bool> unanimous;                 ///< unanimous: whether everyone chose option 1

    /// The result of the decrypted residues: counts for a tally (each at most the number of
    /// ballots), or whether the unanimity plaintext is 0.
    /// @throws std::runtime_error if a count exceeds the number of ballots (a wrong decryption).
    static result_record make(const election& e, tally_record tally, std::vector<blinding_record> blindings,
                              std::vector<decryption_record> decryptions, const std::vector<number>& plaintexts);

    boost::json::value to_json() const;
    /// @throws document_error naming the field.
    static result_record from_json(const election& e, const boost::json::value& document);
};

/// The ciphertexts to decrypt after the blindings: the unanimity ciphertext blinded by each
/// trustee in turn, or the tally's decryption input when there are no blindings.
std::vector<dkg::ciphertext<number>> decryption_input(const tally_record& tally, const std::vector<blinding_record>& blindings);

} // namespace dkg::vote
