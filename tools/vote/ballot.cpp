#include "ballot.hpp"

#include <dkg/proofs.hpp>
#include <dkg/proofs/serialization.hpp>
#include <dkg/rng.hpp>

namespace dkg::vote {

namespace {

using cipher = dkg::ciphertext<number>;

dkg::ballot_rule rule_of(const election& e)
{
    return dkg::ballot_rule(e.options().size(), e.min_selections(), e.max_selections());
}

/// What a ballot's proofs are bound to (docs/voting.md): a domain string, the election's
/// fingerprint (which covers its id, options, rule and key) and the voter's id, so that a ballot
/// cannot be replayed for another voter or in another election.
dkg::proof_context ballot_context(const election& e, const std::string& voter)
{
    return dkg::proof_context{"dkg-vote/ballot/v1", e.fingerprint(), voter};
}

/// What a blinding proof is bound to: the election's fingerprint and the trustee.
dkg::proof_context blinding_context(const election& e, unsigned trustee)
{
    return dkg::proof_context{"dkg-vote/blinding/v1", e.fingerprint(), "trustee-" + std::to_string(trustee)};
}

} // namespace

std::string receipt_of(std::string_view stored_text)
{
    return sha256_hex(stored_text);
}

ballot ballot::make(const election& e, const std::string& voter, const std::vector<std::size_t>& choices)
{
    std::vector<unsigned> selected(e.options().size(), 0);
    for (std::size_t c : choices) {
        if (c >= selected.size()) throw std::invalid_argument("choices: option " + std::to_string(c + 1) + " does not exist");
        if (selected[c]) throw std::invalid_argument("choices: option " + std::to_string(c + 1) + " is chosen twice");
        selected[c] = 1;
    }
    dkg::system_rng rng;
    const auto rule = rule_of(e);
    const auto encrypted = dkg::encrypt_ballot(e.public_key(), rule, std::span<const unsigned>(selected), ballot_context(e, voter), rng);
    ballot b;
    b.election_ = e.id();
    b.fingerprint_ = e.fingerprint();
    b.voter_ = voter;
    b.document_ = parse_json(dkg::to_json(encrypted), std::size_t{1} << 26, "ballot");
    b.ciphertexts_ = dkg::option_ciphertexts(e.public_key(), rule, encrypted);
    return b;
}

ballot ballot::read(const election& e, const std::string& voter, const boost::json::value& document)
{
    if (!document.is_object()) throw bad_request("malformed_ballot", "submission.ballot: expected a dkg.ballot document");
    const auto rule = rule_of(e);
    ballot b;
    b.election_ = e.id();
    b.fingerprint_ = e.fingerprint();
    b.voter_ = voter;
    try {
        const auto decoded = dkg::ballot_from_json(e.public_key(), rule, to_text(document));
        b.ciphertexts_ = dkg::option_ciphertexts(e.public_key(), rule, decoded);
        // The stored form is written from the decoded ballot, so equal ballots store equal texts.
        b.document_ = parse_json(dkg::to_json(decoded), std::size_t{1} << 26, "ballot");
    } catch (const dkg::format_error& ex) {
        throw bad_request("malformed_ballot", std::string("submission.ballot: ") + ex.what());
    } catch (const std::invalid_argument& ex) {
        throw bad_request("malformed_ballot", std::string("submission.ballot: ") + ex.what());
    }
    return b;
}

void ballot::verify(const election& e) const
{
    const auto rule = rule_of(e);
    const auto decoded = dkg::ballot_from_json(e.public_key(), rule, to_text(document_));
    // Each option 0 or 1 and the selections within the rule (docs/protocol.md §8), bound to the
    // election and the voter.
    const std::string defect = dkg::ballot_defect(e.public_key(), rule, decoded, ballot_context(e, voter_));
    if (!defect.empty()) throw api_error(422, "invalid_proof", "the ballot's proofs do not verify for this election and voter: " + defect);
}

std::string ballot::stored_text() const
{
    boost::json::object o;
    o["election"] = election_;
    o["fingerprint"] = fingerprint_;
    o["voter"] = voter_;
    o["ballot"] = document_;
    return to_text(o);
}

ballot ballot::read_stored(const election& e, const std::string& voter, std::string_view stored_text)
{
    boost::json::value document;
    std::string election_id, fingerprint, stored_voter;
    const boost::json::value* inner = nullptr;
    try {
        document = parse_json(stored_text, e.max_ballot_bytes() * 2, "stored ballot");
        object_reader r(document, "stored ballot");
        election_id = r.string("election", max_election_id_length);
        fingerprint = r.string("fingerprint", 64);
        stored_voter = r.string("voter", max_voter_id_length);
        inner = &r.required("ballot");
        r.done();
    } catch (const document_error& ex) {
        throw bad_request("malformed_ballot", ex.what());
    }
    if (election_id != e.id() || fingerprint != e.fingerprint())
        throw bad_request("malformed_ballot", "the stored ballot is of another election (or another manifest of it)");
    if (stored_voter != voter) throw bad_request("malformed_ballot", "the stored ballot is of voter " + stored_voter + ", not " + voter);
    ballot b = read(e, voter, *inner);
    if (b.stored_text() != stored_text) throw bad_request("malformed_ballot", "the stored ballot is not in its normal form");
    return b;
}

// ---- blinding ---------------------------------------------------------------------------------

blinding blinding::make(const election& e, unsigned trustee, const cipher& input)
{
    dkg::system_rng rng;
    // c' = c^r · s^N with a proof of both directions (Cramer–Damgård–Nielsen), dkg/proofs/blinding.hpp.
    const auto blinded = dkg::blind(input, blinding_context(e, trustee), rng);
    blinding b;
    b.input = input.value();
    b.output = blinded.value.value();
    b.proof = parse_json(dkg::to_json(blinded.proof), std::size_t{1} << 24, "blinding proof");
    return b;
}

blinding blinding::read(const election& e, const boost::json::value& document, const std::string& path)
{
    object_reader r(document, path);
    blinding b;
    b.input = e.ciphertext_from_json(r.required("input"), r.path("input")).value();
    b.output = e.ciphertext_from_json(r.required("output"), r.path("output")).value();
    const auto& proof = r.required("proof");
    try {
        const auto decoded = dkg::blinding_proof_from_json(e.public_key(), to_text(proof));
        b.proof = parse_json(dkg::to_json(decoded), std::size_t{1} << 24, "blinding proof");
    } catch (const dkg::format_error& ex) {
        throw document_error(r.path("proof") + ": " + ex.what());
    }
    r.done();
    return b;
}

void blinding::verify(const election& e, unsigned trustee) const
{
    const auto& key = e.public_key();
    const auto decoded = dkg::blinding_proof_from_json(key, to_text(proof));
    if (!dkg::verify_blinding(key.make_ciphertext(input), key.make_ciphertext(output), decoded, blinding_context(e, trustee)))
        throw api_error(422, "invalid_proof", "the blinding proof of trustee " + std::to_string(trustee) + " does not verify");
}

boost::json::value blinding::to_json() const
{
    boost::json::object o;
    o["input"] = decimal_value(input);
    o["output"] = decimal_value(output);
    o["proof"] = proof;
    return o;
}

} // namespace dkg::vote
