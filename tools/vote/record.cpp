#include "record.hpp"

#include "credentials.hpp"

#include <dkg/serialization.hpp>

#include <algorithm>
#include <set>

namespace dkg::vote {

namespace {

using cipher = dkg::ciphertext<number>;

std::vector<cipher> read_ciphertexts(const election& e, const boost::json::array& a, const std::string& path)
{
    std::vector<cipher> out;
    for (std::size_t i = 0; i < a.size(); ++i) out.push_back(e.ciphertext_from_json(a[i], path + "[" + std::to_string(i) + "]"));
    return out;
}

boost::json::array ciphertext_array(const std::vector<cipher>& list)
{
    boost::json::array a;
    for (const auto& c : list) a.push_back(decimal_value(c.value()));
    return a;
}

void expect_header(object_reader& r, std::string_view type)
{
    if (r.string("type", 64) != type) throw document_error(r.path("type") + ": expected \"" + std::string(type) + "\"");
    if (r.integer("version", 0, 1000) != 1) throw document_error(r.path("version") + ": this build reads version 1");
}

} // namespace

std::string hash_of_board(const std::vector<std::string>& receipts)
{
    std::string text;
    text.reserve(receipts.size() * 65);
    for (const auto& r : receipts) text += r + "\n";
    return sha256_hex(text);
}

// ---- tally ------------------------------------------------------------------------------------

tally_record tally_record::compute(const election& e, const std::vector<ballot>& ballots, const std::vector<std::string>& receipts)
{
    const auto& key = e.public_key();
    tally_record t;
    t.election_id = e.id();
    t.fingerprint = e.fingerprint();
    t.ballots = ballots.size();
    t.board_hash = hash_of_board(receipts);
    // The product of no ciphertexts is 1 = Enc(0) with nonce 1, a fixed value everyone recomputes.
    for (std::size_t i = 0; i < e.options().size(); ++i) t.options.push_back(key.make_ciphertext(number(1u)));
    for (const auto& b : ballots)
        for (std::size_t i = 0; i < t.options.size(); ++i) t.options[i] = t.options[i] + b.ciphertexts()[i];
    if (e.kind() == election_kind::unanimous)
        t.unanimity = t.options[0].add_plain(number(-static_cast<long long>(e.voters().size())));
    return t;
}

std::vector<cipher> tally_record::decryption_input() const
{
    if (unanimity) return {*unanimity};
    return options;
}

boost::json::value tally_record::to_json() const
{
    boost::json::object o;
    o["type"] = "dkg-vote.tally";
    o["version"] = 1;
    o["election"] = election_id;
    o["fingerprint"] = fingerprint;
    o["ballots"] = ballots;
    o["board_hash"] = board_hash;
    o["options"] = ciphertext_array(options);
    if (unanimity) o["unanimity"] = decimal_value(unanimity->value());
    return o;
}

tally_record tally_record::from_json(const election& e, const boost::json::value& document)
{
    object_reader r(document, "tally");
    expect_header(r, "dkg-vote.tally");
    tally_record t;
    t.election_id = r.string("election", max_election_id_length);
    t.fingerprint = r.string("fingerprint", 64);
    t.ballots = static_cast<std::uint64_t>(r.integer("ballots", 0, static_cast<std::int64_t>(max_voters)));
    t.board_hash = r.string("board_hash", 64);
    t.options = read_ciphertexts(e, r.array("options", max_options), r.path("options"));
    if (t.options.size() != e.options().size())
        throw document_error(r.path("options") + ": " + std::to_string(t.options.size()) + " ciphertexts for " +
                             std::to_string(e.options().size()) + " options");
    if (e.kind() == election_kind::unanimous)
        t.unanimity = e.ciphertext_from_json(r.required("unanimity"), r.path("unanimity"));
    r.done();
    return t;
}

// ---- blindings --------------------------------------------------------------------------------

boost::json::value blinding_record::to_json() const
{
    boost::json::object o;
    o["index"] = index;
    o["trustee"] = trustee;
    o["credential"] = credential;
    o["blinding"] = step.to_json();
    return o;
}

blinding_record blinding_record::from_json(const election& e, const boost::json::value& document, const std::string& path)
{
    object_reader r(document, path);
    blinding_record b;
    b.index = static_cast<std::uint64_t>(r.integer("index", 1, 1024));
    b.trustee = static_cast<unsigned>(r.integer("trustee", 1, static_cast<std::int64_t>(e.key().parties())));
    b.credential = r.string("credential", max_token_length);
    b.step = blinding::read(e, r.required("blinding"), r.path("blinding"));
    r.done();
    return b;
}

std::vector<cipher> decryption_input(const tally_record& tally, const std::vector<blinding_record>& blindings)
{
    if (!tally.unanimity || blindings.empty()) return tally.decryption_input();
    return {tally.unanimity->key().make_ciphertext(blindings.back().step.output)};
}

// ---- partial decryptions ----------------------------------------------------------------------

std::vector<dkg::partial_decryption<number>> read_partials(const election& e, const boost::json::value& array, const std::string& path)
{
    if (!array.is_array()) throw document_error(path + ": expected an array of dkg.partial_decryption documents");
    const auto& a = array.get_array();
    if (a.size() > max_options) throw document_error(path + ": more partial decryptions than ciphertexts to decrypt");
    std::vector<dkg::partial_decryption<number>> out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string where = path + "[" + std::to_string(i) + "]";
        if (!a[i].is_object()) throw document_error(where + ": expected a dkg.partial_decryption document");
        try {
            out.push_back(dkg::partial_decryption_from_json(e.key(), to_text(a[i])));
        } catch (const dkg::format_error& ex) {
            throw document_error(where + ": " + ex.what());
        }
    }
    return out;
}

boost::json::value decryption_record::to_json() const
{
    boost::json::object o;
    o["trustee"] = trustee;
    boost::json::array partial_list;
    for (const auto& p : partials) partial_list.push_back(parse_json(dkg::to_json(p), dkg::max_json_bytes, "partial decryption"));
    o["partial_decryptions"] = std::move(partial_list);
    return o;
}

decryption_record decryption_record::from_json(const election& e, const boost::json::value& document, const std::string& path)
{
    object_reader r(document, path);
    decryption_record d;
    d.trustee = static_cast<unsigned>(r.integer("trustee", 1, static_cast<std::int64_t>(e.key().parties())));
    d.partials = read_partials(e, r.required("partial_decryptions"), r.path("partial_decryptions"));
    r.done();
    return d;
}

void check_decryption(const election& e, const std::vector<cipher>& input, const decryption_record& d)
{
    const std::string who = "trustee " + std::to_string(d.trustee);
    if (d.partials.size() != input.size())
        throw bad_request("malformed_decryption", who + ": " + std::to_string(d.partials.size()) + " partial decryptions for " +
                                                      std::to_string(input.size()) + " ciphertexts to decrypt");
    for (std::size_t i = 0; i < input.size(); ++i) {
        if (d.partials[i].party != d.trustee)
            throw bad_request("malformed_decryption", who + ": partial decryption " + std::to_string(i + 1) + " is of party " +
                                                          std::to_string(d.partials[i].party));
        if (!d.partials[i].proof)
            throw api_error(422, "invalid_proof", who + ": partial decryption " + std::to_string(i + 1) + " has no proof of correct decryption");
        // Shoup's proof that log_{c^4}(c_j^2) = log_v(VK_j) (docs/protocol.md §6).
        if (!dkg::verify(e.key(), input[i], d.partials[i]))
            throw api_error(422, "invalid_proof", who + ": the proof of partial decryption " + std::to_string(i + 1) +
                                                      " does not verify (a wrong partial decryption, or one of another ciphertext)");
    }
}

std::vector<number> combine_decryptions(const election& e, const std::vector<cipher>& input, const std::vector<decryption_record>& decryptions)
{
    const std::size_t needed = e.key().threshold() + 1;
    if (decryptions.size() < needed)
        throw api_error(409, "not_enough_decryptions",
                        std::to_string(needed) + " trustees' partial decryptions are needed, " + std::to_string(decryptions.size()) + " given");
    std::vector<number> out;
    for (std::size_t i = 0; i < input.size(); ++i) {
        std::vector<dkg::partial_decryption<number>> partials;
        for (std::size_t k = 0; k < needed; ++k) partials.push_back(decryptions[k].partials.at(i));
        // Any t+1 valid partials give c^(4·Δ²·D) and the plaintext (docs/protocol.md §6).
        out.push_back(dkg::combine(e.key(), input[i], std::span<const dkg::partial_decryption<number>>(partials)));
    }
    return out;
}

// ---- result -----------------------------------------------------------------------------------

result_record result_record::make(const election& e, tally_record tally, std::vector<blinding_record> blindings,
                                  std::vector<decryption_record> decryptions, const std::vector<number>& plaintexts)
{
    result_record r;
    r.decrypted = decryption_input(tally, blindings);
    r.tally = std::move(tally);
    r.blindings = std::move(blindings);
    r.decryptions = std::move(decryptions);
    if (e.kind() == election_kind::unanimous) {
        r.unanimous = plaintexts.at(0) == number(0u);
    } else {
        for (const auto& m : plaintexts) {
            if (m > number(static_cast<unsigned long long>(r.tally.ballots)))
                throw std::runtime_error("a decrypted count exceeds the number of ballots");
            r.counts.push_back(m.convert_to<std::uint64_t>());
        }
    }
    return r;
}

boost::json::value result_record::to_json() const
{
    boost::json::object o;
    o["type"] = "dkg-vote.result";
    o["version"] = 1;
    o["tally"] = tally.to_json();
    boost::json::array blinding_list;
    for (const auto& b : blindings) blinding_list.push_back(b.to_json());
    o["blindings"] = std::move(blinding_list);
    o["decrypted"] = ciphertext_array(decrypted);
    boost::json::array decryption_list;
    for (const auto& d : decryptions) decryption_list.push_back(d.to_json());
    o["decryptions"] = std::move(decryption_list);
    if (unanimous) {
        o["unanimous"] = *unanimous;
    } else {
        boost::json::array count_list;
        for (auto c : counts) count_list.push_back(c);
        o["counts"] = std::move(count_list);
    }
    return o;
}

result_record result_record::from_json(const election& e, const boost::json::value& document)
{
    object_reader r(document, "result");
    expect_header(r, "dkg-vote.result");
    result_record out;
    out.tally = tally_record::from_json(e, r.required("tally"));
    const auto& blinding_list = r.array("blindings", e.key().parties());
    for (std::size_t i = 0; i < blinding_list.size(); ++i)
        out.blindings.push_back(blinding_record::from_json(e, blinding_list[i], r.path("blindings") + "[" + std::to_string(i) + "]"));
    out.decrypted = read_ciphertexts(e, r.array("decrypted", max_options), r.path("decrypted"));
    const auto& decryption_list = r.array("decryptions", e.key().parties());
    for (std::size_t i = 0; i < decryption_list.size(); ++i)
        out.decryptions.push_back(decryption_record::from_json(e, decryption_list[i], r.path("decryptions") + "[" + std::to_string(i) + "]"));
    if (e.kind() == election_kind::unanimous) {
        out.unanimous = r.boolean("unanimous");
    } else {
        const auto& count_list = r.array("counts", max_options);
        for (std::size_t i = 0; i < count_list.size(); ++i)
            out.counts.push_back(static_cast<std::uint64_t>(
                json_integer(count_list[i], r.path("counts") + "[" + std::to_string(i) + "]", 0, static_cast<std::int64_t>(max_voters))));
    }
    r.done();
    return out;
}

} // namespace dkg::vote
