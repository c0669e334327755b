// An election's manifest: the question, the options, the kind of count, who may vote, the
// credential authority's key, the trustees' threshold key and the voting period — the document
// every ballot, proof and verification refers to (docs/voting.md, "The election").
#pragma once

#include "clock.hpp"
#include "json.hpp"

#include <dkg/threshold.hpp>

#include <boost/json/value.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dkg::vote {

/// Limits of a manifest.
inline constexpr std::size_t max_election_id_length = 64;
inline constexpr std::size_t max_question_length = 1000;
inline constexpr std::size_t max_option_length = 200;
inline constexpr std::size_t max_options = 64;
inline constexpr std::size_t max_voter_id_length = 64;
inline constexpr std::size_t max_voters = 100000;
inline constexpr std::size_t max_manifest_bytes = std::size_t{8} << 20;

/// How the ballots are counted.
enum class election_kind {
    tally,     ///< the number of selections of every option is published
    unanimous, ///< only whether every eligible voter chose the first option ("yes") is published
};

const char* kind_name(election_kind k);

/// Whether `id` is a valid election id: 1..64 of [a-z0-9._-], starting with a letter or digit.
bool valid_election_id(std::string_view id);

/// Whether `id` is a valid voter id: 1..64 of [A-Za-z0-9._@-].
bool valid_voter_id(std::string_view id);

/// An election manifest, checked.
///
/// @par Thread Safety
/// Distinct and shared objects: safe for const use.
class election {
public:
    /// Reads and checks a manifest document (docs/voting.md): every field present and well formed,
    /// options and voters distinct, `closes` after `opens`, the credential key a P-256 public key,
    /// the threshold key valid, 0 ≤ min_selections ≤ max_selections ≤ options with
    /// max_selections ≥ 1 and min_selections < options; for a unanimous election exactly two
    /// options and exactly one selection.
    /// @throws document_error naming the field at fault.
    static election from_json(const boost::json::value& document);

    /// The manifest document, members in a fixed order: equal manifests give equal texts.
    boost::json::value to_json() const;

    /// The lowercase hex SHA-256 of the manifest's text: what ballots and proofs are bound to.
    const std::string& fingerprint() const noexcept { return fingerprint_; }

    const std::string& id() const noexcept { return id_; }
    const std::string& question() const noexcept { return question_; }
    const std::vector<std::string>& options() const noexcept { return options_; }
    election_kind kind() const noexcept { return kind_; }
    /// The fewest options a ballot selects.
    std::size_t min_selections() const noexcept { return min_selections_; }
    /// The most options a ballot selects.
    std::size_t max_selections() const noexcept { return max_selections_; }
    const std::vector<std::string>& voters() const noexcept { return voters_; }
    bool eligible(std::string_view voter) const;
    /// The credential authority's P-256 public key (PEM) that signs voter and trustee tokens.
    const std::string& credential_key() const noexcept { return credential_key_; }
    const dkg::threshold_key<number>& key() const noexcept { return key_; }
    const dkg::public_key<number>& public_key() const noexcept { return key_.public_key(); }
    unix_seconds opens() const noexcept { return opens_; }
    unix_seconds closes() const noexcept { return closes_; }

    /// Reads a ciphertext of the election's key written as a decimal string at `path`.
    /// @throws document_error naming `path` if it is not a decimal string or not in Z_{N²}^*.
    dkg::ciphertext<number> ciphertext_from_json(const boost::json::value& v, const std::string& path) const;

    /// The largest JSON body of a ballot for this election (a size limit checked before parsing).
    std::size_t max_ballot_bytes() const;

private:
    explicit election(dkg::threshold_key<number> key) : key_(std::move(key)) {}

    std::string id_, question_;
    std::vector<std::string> options_;
    election_kind kind_ = election_kind::tally;
    std::size_t min_selections_ = 1, max_selections_ = 1;
    std::vector<std::string> voters_;
    std::vector<std::string> sorted_voters_;
    std::string credential_key_;
    dkg::threshold_key<number> key_;
    unix_seconds opens_ = 0, closes_ = 0;
    std::string fingerprint_;
};

/// Lowercase hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);

} // namespace dkg::vote
