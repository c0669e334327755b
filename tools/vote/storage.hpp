// What the ballot box keeps: elections, accepted ballots, the encrypted tally, trustees' blindings
// and partial decryptions, and the published result — behind a small interface, so that a server
// database can replace the embedded SQLite store (sqlite_storage.hpp) without touching the rest.
//
// Every value is stored as the exact text that is published (JSON documents, tokens, receipts):
// the store never interprets them, and what a verifier downloads is byte for byte what was stored.
#pragma once

#include "clock.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dkg::vote {

/// An election as stored.
struct stored_election {
    std::string id;
    std::string manifest;              ///< the election's JSON document (docs/voting.md)
    unix_seconds created_at = 0;
    std::optional<unix_seconds> closed_at;  ///< set once, when the election is closed
    std::optional<std::string> tally;       ///< the encrypted tally (JSON), once computed after closing
    std::optional<std::string> result;      ///< the published result (JSON), once decrypted
};

/// An accepted ballot.
struct stored_ballot {
    std::uint64_t index = 0; ///< 1, 2, ... in the order of acceptance within the election
    std::string voter;
    std::string credential;  ///< the voter's token
    std::string ballot;      ///< the ballot's JSON text as stored (its receipt is the SHA-256 of this text)
    std::string receipt;     ///< lowercase hex SHA-256 of `ballot`
    unix_seconds cast_at = 0;
};

/// A trustee's blinding of the unanimity ciphertext (unanimous elections).
struct stored_blinding {
    std::uint64_t index = 0; ///< 1, 2, ... in the order the blindings were applied
    unsigned trustee = 0;
    std::string credential;  ///< the trustee's token
    std::string blinding;    ///< the blinded ciphertext and its proof (JSON)
};

/// A trustee's partial decryptions of the tally, with proofs.
struct stored_decryption {
    unsigned trustee = 0;
    std::string partials;    ///< JSON array of dkg.partial_decryption documents
};

/// The store of the ballot box.
///
/// Every method that changes something is one transaction: when it returns, the change is durable
/// (it survives a crash of the process, and with SQLite's synchronous=FULL a power failure), and
/// when it throws, nothing was changed. The ballot box acknowledges a ballot only after
/// `add_ballot` returned.
///
/// @par Thread Safety
/// Implementations are safe to call from several threads at once.
class storage {
public:
    virtual ~storage() = default;

    /// Adds an election. @return false (and changes nothing) if the id exists.
    virtual bool add_election(const stored_election& e) = 0;

    /// Every election, in the order of creation (manifest texts included).
    virtual std::vector<stored_election> elections() = 0;

    /// The election `id`, if it exists.
    virtual std::optional<stored_election> election(const std::string& id) = 0;

    enum class ballot_status {
        stored,          ///< stored with the next index
        voter_has_voted, ///< the voter has a ballot already: `existing` is it, nothing stored
        closed,          ///< the election is closed: nothing stored
        no_election,     ///< no such election
    };

    struct add_ballot_result {
        ballot_status status = ballot_status::stored;
        stored_ballot ballot; ///< the stored ballot (index set), or the voter's existing ballot
    };

    /// Stores `b` (its index is assigned here) in one transaction, unless the election is closed
    /// or the voter has a ballot in it already.
    virtual add_ballot_result add_ballot(const std::string& election, stored_ballot b) = 0;

    /// The ballot of `voter` in an election, if there is one.
    virtual std::optional<stored_ballot> ballot_of(const std::string& election, const std::string& voter) = 0;

    /// The ballots of an election in index order.
    virtual std::vector<stored_ballot> ballots(const std::string& election) = 0;

    /// The number of ballots of an election.
    virtual std::uint64_t ballot_count(const std::string& election) = 0;

    /// The receipts of an election's ballots in index order.
    virtual std::vector<std::string> receipts(const std::string& election) = 0;

    /// Marks the election closed at `at`; from then on `add_ballot` refuses ballots.
    /// @return false if it was closed already (or does not exist).
    virtual bool close(const std::string& election, unix_seconds at) = 0;

    /// Records the encrypted tally of a closed election. @return false if it has one already.
    virtual bool set_tally(const std::string& election, const std::string& tally) = 0;

    /// Appends a blinding with the next index. @return false if the trustee has one already.
    virtual bool add_blinding(const std::string& election, stored_blinding b) = 0;

    /// The blindings of an election in index order.
    virtual std::vector<stored_blinding> blindings(const std::string& election) = 0;

    /// Records a trustee's partial decryptions. @return false if the trustee has some already.
    virtual bool add_decryption(const std::string& election, const stored_decryption& d) = 0;

    /// The partial decryptions of an election, by trustee id.
    virtual std::vector<stored_decryption> decryptions(const std::string& election) = 0;

    /// Publishes the result. @return false if one is published already.
    virtual bool set_result(const std::string& election, const std::string& result) = 0;
};

} // namespace dkg::vote
