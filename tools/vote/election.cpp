#include "election.hpp"

#include "credentials.hpp"

#include <dkg/serialization.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <set>

namespace dkg::vote {

const char* kind_name(election_kind k)
{
    return k == election_kind::tally ? "tally" : "unanimous";
}

bool valid_election_id(std::string_view id)
{
    if (id.empty() || id.size() > max_election_id_length) return false;
    const auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!lower_or_digit(id[0])) return false;
    return std::all_of(id.begin(), id.end(), [&](char c) { return lower_or_digit(c) || c == '.' || c == '_' || c == '-'; });
}

bool valid_voter_id(std::string_view id)
{
    if (id.empty() || id.size() > max_voter_id_length) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' ||
               c == '-';
    });
}

std::string sha256_hex(std::string_view text)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256 failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

election election::from_json(const boost::json::value& document)
{
    object_reader r(document, "election");
    if (r.string("type", 64) != "dkg-vote.election") throw document_error("election.type: expected \"dkg-vote.election\"");
    if (r.integer("version", 0, 1000) != 1) throw document_error("election.version: this build reads version 1");

    // The threshold key first: the constructor needs it.
    const auto& key_value = r.required("threshold_key");
    if (!key_value.is_object()) throw document_error("election.threshold_key: expected an object (a dkg.threshold_key document)");
    std::optional<dkg::threshold_key<number>> key;
    try {
        key.emplace(dkg::threshold_key_from_json<number>(to_text(key_value)));
    } catch (const dkg::format_error& e) {
        throw document_error(std::string("election.threshold_key: ") + e.what());
    }
    election e(std::move(*key));

    e.id_ = r.string("id", max_election_id_length);
    if (!valid_election_id(e.id_))
        throw document_error("election.id: use 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit");
    e.question_ = r.string("question", max_question_length, true);
    const auto& options = r.array("options", max_options);
    if (options.size() < 2) throw document_error("election.options: at least two options are needed");
    std::set<std::string> distinct;
    for (std::size_t i = 0; i < options.size(); ++i) {
        e.options_.push_back(json_text(options[i], r.path("options") + "[" + std::to_string(i) + "]", max_option_length, true));
        if (!distinct.insert(e.options_.back()).second)
            throw document_error(r.path("options") + "[" + std::to_string(i) + "]: the same text as an earlier option");
    }
    const std::string kind = r.string("kind", 32);
    if (kind == "tally")
        e.kind_ = election_kind::tally;
    else if (kind == "unanimous")
        e.kind_ = election_kind::unanimous;
    else
        throw document_error("election.kind: expected \"tally\" or \"unanimous\"");
    const auto k = static_cast<std::int64_t>(e.options_.size());
    e.min_selections_ = static_cast<std::size_t>(r.integer("min_selections", 0, k - 1));
    e.max_selections_ = static_cast<std::size_t>(r.integer("max_selections", 1, k));
    if (e.max_selections_ < e.min_selections_) throw document_error("election.max_selections: less than election.min_selections");
    if (e.kind_ == election_kind::unanimous && (e.options_.size() != 2 || e.min_selections_ != 1 || e.max_selections_ != 1))
        throw document_error("election.options: a unanimous election has exactly two options (yes first) and exactly one selection");

    const auto& voters = r.array("voters", max_voters);
    if (voters.empty()) throw document_error("election.voters: at least one voter is needed");
    for (std::size_t i = 0; i < voters.size(); ++i) {
        const std::string where = r.path("voters") + "[" + std::to_string(i) + "]";
        e.voters_.push_back(json_text(voters[i], where, max_voter_id_length));
        if (!valid_voter_id(e.voters_.back())) throw document_error(where + ": use 1 to 64 of A-Z, a-z, 0-9, '.', '_', '@' and '-'");
    }
    e.sorted_voters_ = e.voters_;
    std::sort(e.sorted_voters_.begin(), e.sorted_voters_.end());
    const auto repeated = std::adjacent_find(e.sorted_voters_.begin(), e.sorted_voters_.end());
    if (repeated != e.sorted_voters_.end()) throw document_error(r.path("voters") + ": voter " + *repeated + " is listed twice");

    // A PEM text has line breaks: checked as a key, not as a line of text.
    const auto& pem = r.required("credential_key");
    if (!pem.is_string() || pem.get_string().size() > max_pem_length)
        throw document_error("election.credential_key: expected a PEM public key of at most " + std::to_string(max_pem_length) + " characters");
    try {
        e.credential_key_ = normalize_public_key(std::string_view(pem.get_string().data(), pem.get_string().size()));
    } catch (const std::invalid_argument& ex) {
        throw document_error(std::string("election.") + ex.what());
    }
    const auto time_field = [&r](const char* name) {
        const std::string text = r.string(name, 32);
        try {
            return parse_time(text);
        } catch (const std::invalid_argument&) {
            throw document_error(r.path(name) + ": expected YYYY-MM-DDTHH:MM:SSZ (UTC)");
        }
    };
    e.opens_ = time_field("opens");
    e.closes_ = time_field("closes");
    if (e.closes_ <= e.opens_) throw document_error("election.closes: must be after election.opens");
    r.done();
    e.fingerprint_ = sha256_hex(to_text(e.to_json()));
    return e;
}

boost::json::value election::to_json() const
{
    boost::json::object o;
    o["type"] = "dkg-vote.election";
    o["version"] = 1;
    o["id"] = id_;
    o["question"] = question_;
    boost::json::array options;
    for (const auto& option : options_) options.emplace_back(option);
    o["options"] = std::move(options);
    o["kind"] = kind_name(kind_);
    o["min_selections"] = min_selections_;
    o["max_selections"] = max_selections_;
    boost::json::array voters;
    for (const auto& voter : voters_) voters.emplace_back(voter);
    o["voters"] = std::move(voters);
    o["credential_key"] = credential_key_;
    o["threshold_key"] = parse_json(dkg::to_json(key_), max_manifest_bytes, "threshold key");
    o["opens"] = format_time(opens_);
    o["closes"] = format_time(closes_);
    return o;
}

bool election::eligible(std::string_view voter) const
{
    return std::binary_search(sorted_voters_.begin(), sorted_voters_.end(), voter);
}

dkg::ciphertext<number> election::ciphertext_from_json(const boost::json::value& v, const std::string& path) const
{
    number value = json_decimal(v, path, decimal_digits(2 * public_key().bits()));
    try {
        return public_key().make_ciphertext(std::move(value));
    } catch (const std::invalid_argument&) {
        throw document_error(path + ": not a ciphertext of the election's key (it must be in (0, N^2) and coprime to N)");
    }
}

std::size_t election::max_ballot_bytes() const
{
    // Per option a ciphertext and a proof of a few values below N², each a decimal string.
    const std::size_t value = decimal_digits(2 * public_key().bits()) + 8;
    return 16384 + max_voter_id_length + options_.size() * 12 * value;
}

} // namespace dkg::vote
