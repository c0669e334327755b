// A voter's ballot: one Paillier ciphertext per option with the library's proofs that each
// encrypts 0 or 1 and that the selections obey the election's rule (dkg/proofs), bound to the
// election's fingerprint and the voter's id; and its stored form, whose SHA-256 is the receipt.
#pragma once

#include "election.hpp"
#include "errors.hpp"
#include "json.hpp"

#include <dkg/paillier.hpp>

#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <vector>

namespace dkg::vote {

/// A ballot, checked or made here.
///
/// @par Thread Safety
/// Distinct and shared objects: safe for const use.
class ballot {
public:
    /// Encrypts a vote for the options `choices` (0-based, distinct) of `e` and proves it valid,
    /// bound to the election's fingerprint and `voter`.
    /// @throws std::invalid_argument naming `choices` if they break the election's rule.
    static ballot make(const election& e, const std::string& voter, const std::vector<std::size_t>& choices);

    /// Reads a ballot document for `e` and `voter`: its form and the range of every value, not
    /// the proofs (see verify()).
    /// @throws api_error 400 "malformed_ballot" naming the field.
    static ballot read(const election& e, const std::string& voter, const boost::json::value& document);

    /// Verifies the ballot's proofs for its election and voter.
    /// @throws api_error 422 "invalid_proof" saying which proof fails.
    void verify(const election& e) const;

    /// The stored form of a ballot (the text whose SHA-256 is the receipt, docs/voting.md):
    /// {"election": ID, "voter": V, "fingerprint": F, "ballot": {...}}.
    std::string stored_text() const;

    /// Reads the stored form of a ballot of `e` (as read(): the proofs are not verified).
    /// @throws api_error 400 "malformed_ballot" if it is not one, or names another election,
    ///         fingerprint or voter than `voter`.
    static ballot read_stored(const election& e, const std::string& voter, std::string_view stored_text);

    /// The ballot document (the library's JSON form of the ballot).
    const boost::json::value& document() const noexcept { return document_; }

    const std::string& voter() const noexcept { return voter_; }

    /// One ciphertext per option, in the election's order; option i's encrypts 1 if it was chosen.
    const std::vector<dkg::ciphertext<number>>& ciphertexts() const noexcept { return ciphertexts_; }

private:
    ballot() = default;
    std::string election_, fingerprint_, voter_;
    boost::json::value document_;
    std::vector<dkg::ciphertext<number>> ciphertexts_;
};

/// A trustee's blinding of a ciphertext of a unanimous vote: output = input^r · s^N mod N² for
/// secret r and s, with the library's proof of correct blinding, bound to the election's
/// fingerprint and the trustee (docs/voting.md, "Unanimous votes").
struct blinding {
    number input;           ///< the ciphertext blinded
    number output;          ///< the blinded ciphertext
    boost::json::value proof;

    /// Blinds `input` as trustee `trustee` with fresh secrets, and proves it.
    static blinding make(const election& e, unsigned trustee, const dkg::ciphertext<number>& input);

    /// Reads {"input": "…", "output": "…", "proof": {…}}: both ciphertexts of the election's key.
    /// @throws document_error naming the field.
    static blinding read(const election& e, const boost::json::value& document, const std::string& path);

    /// Verifies the proof for trustee `trustee`.
    /// @throws api_error 422 "invalid_proof".
    void verify(const election& e, unsigned trustee) const;

    boost::json::value to_json() const;
};

/// The receipt of a stored ballot text: its lowercase hex SHA-256.
std::string receipt_of(std::string_view stored_text);

} // namespace dkg::vote
