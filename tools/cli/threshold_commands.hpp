// `dkg encrypt`, `add`, `multiply`, `decrypt` (from share files), `decrypt-party` (over TCP or TLS) and
// `info`, generic over the big-integer type. Included by gmp_threshold.cpp and
// cpp_int_threshold.cpp only.
#pragma once

#include "support.hpp"

#include <dkg/threshold.hpp>
#include <dkg/threshold/async_decrypt.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace dkg::cli {

namespace threshold_detail {

/// Whether the decimal text `value` has no more significant decimals than `precision` allows.
inline bool exact_at_precision(std::string_view value, unsigned precision)
{
    const auto parsed = dkg::detail::parse_decimal(value);
    const long long shift = parsed.exponent + static_cast<long long>(precision);
    if (shift >= 0) return true;
    const std::size_t dropped = static_cast<std::size_t>(-shift);
    const std::string& d = parsed.digits;
    const std::size_t from = dropped >= d.size() ? 0 : d.size() - dropped;
    return std::all_of(d.begin() + static_cast<std::ptrdiff_t>(from), d.end(), [](char c) { return c == '0'; });
}

/// A signed decimal integer without leading zeros, |k| ≤ (N-1)/2.
template <big_integer N>
N parse_factor(const public_key<N>& key, const std::string& text)
{
    const std::string_view digits = !text.empty() && text[0] == '-' ? std::string_view(text).substr(1) : std::string_view(text);
    const bool ok = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                    !(digits.size() > 1 && digits[0] == '0');
    if (!ok) throw input_error("integer: expected a decimal integer (optional '-', digits, no leading zeros), got '" + text + "'");
    if (digits.size() > key.bits() * 30103 / 100000 + 2) throw input_error("integer: outside the range [-(N-1)/2, (N-1)/2] of this key");
    const N k = from_decimal<N>(text);
    if (k > key.max_plaintext() || N(-k) > key.max_plaintext()) throw input_error("integer: outside the range [-(N-1)/2, (N-1)/2] of this key");
    return k;
}

/// Loads the share files, checks they are shares of one key from distinct parties, at least t+1.
template <big_integer N>
std::vector<key_share<N>> load_shares(const decrypt_options& o)
{
    std::vector<key_share<N>> shares;
    const auto secret = read_passphrase(o.passphrase);
    for (const auto& path : o.shares) {
        auto share = load_share<N>(path, std::nullopt, secret ? &*secret : nullptr);
        for (std::size_t i = 0; i < shares.size(); ++i) {
            if (!shares[i].same_key(share))
                throw input_error(path.string() + " is a share of another key than " + o.shares[i].string());
            if (shares[i].id() == share.id())
                throw input_error(path.string() + " and " + o.shares[i].string() + " are both shares of party " + std::to_string(share.id()));
        }
        shares.push_back(std::move(share));
    }
    const std::size_t needed = shares.front().threshold() + 1;
    if (shares.size() < needed)
        throw input_error("too few key shares: " + std::to_string(needed) + " are needed to decrypt (threshold " +
                          std::to_string(needed - 1) + " of " + std::to_string(shares.front().parties()) + " parties), " +
                          std::to_string(shares.size()) + " given");
    if (o.public_key) {
        const auto key = load_public_key<N>(*o.public_key);
        if (!(key == shares.front().public_key()))
            throw input_error("the share files belong to another key than " + o.public_key->string());
    }
    return shares;
}

/// Party ids as a JSON array.
template <class Ids>
boost::json::array id_list(const Ids& ids)
{
    boost::json::array out;
    for (auto id : ids) out.emplace_back(id);
    return out;
}

/// The session id of a `decrypt-party` run: the first 16 bytes of SHA-256 of a label, the public
/// key's N and the decryption id, which every party knows before any message (so no round 0 is
/// needed and the run works with parties offline). The ciphertexts are not part of it: every
/// partial decryption is bound to the exact ciphertexts anyway (async_decrypt's batch digest), so
/// a party decrypting other ciphertexts is named as faulty instead of going unheard.
template <big_integer N>
session_id decryption_session_id(const public_key<N>& key, std::uint64_t decryption_id)
{
    dkg::detail::sha256 h;
    const std::string_view label = "dkg/cli/decrypt-party/session/v1";
    h.update_u64(label.size()).update(label);
    dkg::detail::hash_integer(h, key.n());
    h.update_u64(decryption_id);
    const auto digest = h.finish();
    session_id id{};
    std::copy_n(digest.begin(), id.size(), id.begin());
    return id;
}

/// The user-message topic on which a `decrypt-party` party tells the others that it has started.
inline constexpr std::uint32_t started_topic = 1;

/// One party's distributed decryption on a session with an agreed id; `offline` gets the parties
/// that were not connected when the transport started.
///
/// Each party's connect window ends at its own time, and a party counts (and hears) only the
/// parties still connected then. So that a party that finishes early is not gone before a party
/// that started later has counted it, every party tells the parties connected to it that it has
/// started, and, once its decryption is done, stays until each of them has said so too (or has
/// failed). That wait is at most the others' remaining connect window, and usually nothing, since
/// the messages were sent at their start.
template <big_integer N, class Session>
boost::asio::awaitable<void> decrypt_on(Session& s, session_id id, system_rng& rng, const key_share<N>& share,
                                        std::vector<ciphertext<N>> ciphertexts, dkg::decrypt_options options,
                                        std::optional<decryption_result<N>>& result, std::vector<party_id>& offline)
{
    std::vector<party_id> running;
    for (party_id j = 1; j <= s.party_count(); ++j) {
        if (j == s.self()) continue;
        if (s.transport().connected(j))
            running.push_back(j);
        else
            offline.push_back(j);
    }
    s.establish_with(id);
    const bytes started(1, 1);
    for (party_id j : running) {
        try {
            co_await s.async_send_user(j, started_topic, started, boost::asio::use_awaitable);
        } catch (const protocol_error&) {
            // The party failed; the decryption reports it.
        }
    }
    result.emplace(co_await async_decrypt(s, share, std::move(ciphertexts), std::move(options), rng, boost::asio::use_awaitable));
    for (party_id j : running) {
        try {
            co_await s.async_receive_user(j, started_topic, boost::asio::use_awaitable);
        } catch (const protocol_error&) {
            // It failed or left: nothing to wait for.
        }
    }
}

/// The file of `decrypt-party --partials-out` (docs/cli.md): this party's partial decryptions of
/// `ciphertexts`, each with its proof of correct decryption, and the ciphertexts they belong to.
template <big_integer N>
std::string partials_document(const key_share<N>& share, const std::vector<ciphertext<N>>& ciphertexts, system_rng& rng)
{
    const auto partials = partial_decrypt_batch(share, std::span<const ciphertext<N>>(ciphertexts), rng);
    boost::json::array values, documents;
    for (const auto& c : ciphertexts) values.emplace_back(to_decimal(c.value()));
    // Each partial decryption in its own JSON form (docs/formats.md), as a nested object.
    for (const auto& p : partials) documents.push_back(boost::json::parse(to_json(p)));
    const boost::json::object document{{"type", "dkg.partial_decryptions"},
                                       {"version", 1},
                                       {"party", share.id()},
                                       {"ciphertexts", std::move(values)},
                                       {"partial_decryptions", std::move(documents)}};
    return json_text(document) + "\n";
}

} // namespace threshold_detail

template <big_integer N>
int encrypt_command(const encrypt_options& o, const io& streams)
{
    const auto key = load_public_key<N>(o.public_key);
    const auto encoder = make_encoder(key, o.precision);
    system_rng rng;
    std::vector<std::string> out;
    for (std::size_t i = 0; i < o.values.size(); ++i) {
        const std::string& v = o.values[i];
        const std::string where = "value " + std::to_string(i + 1) + " '" + v.substr(0, 40) + (v.size() > 40 ? "...'" : "'");
        N residue;
        try {
            if (!o.round && !threshold_detail::exact_at_precision(v, o.precision))
                throw input_error(where + ": more decimals than --precision " + std::to_string(o.precision) + " keeps (use --round to round)");
            residue = encoder.encode(v);
        } catch (const std::invalid_argument& e) {
            const std::string what = e.what();
            throw input_error(where + ": " + (what.rfind("value: ", 0) == 0 ? what.substr(7) : what));
        }
        out.push_back(to_decimal(key.encrypt_residue(residue, rng).value()));
    }
    print_values(streams, out);
    return exit_ok;
}

template <big_integer N>
int add_command(const arithmetic_options& o, const io& streams)
{
    const auto key = load_public_key<N>(o.public_key);
    const auto terms = parse_ciphertexts(key, o.ciphertexts);
    ciphertext<N> sum = terms.front();
    for (std::size_t i = 1; i < terms.size(); ++i) sum = sum + terms[i];
    const std::string text = to_decimal(sum.value());
    streams.out << (streams.json ? json_text(boost::json::object{{"ciphertext", text}}) : text) << '\n';
    return exit_ok;
}

template <big_integer N>
int multiply_command(const arithmetic_options& o, const io& streams)
{
    const auto key = load_public_key<N>(o.public_key);
    const auto c = parse_ciphertext(key, o.ciphertexts.front(), 1);
    const N k = threshold_detail::parse_factor(key, o.factor);
    // A fresh ciphertext (multiply, not *): by 0 a fresh encryption of 0, never the constant 1.
    system_rng rng;
    const std::string text = to_decimal(c.multiply(k, rng).value());
    streams.out << (streams.json ? json_text(boost::json::object{{"ciphertext", text}}) : text) << '\n';
    return exit_ok;
}

template <big_integer N>
int decrypt_command(const decrypt_options& o, const io& streams)
{
    const auto shares = threshold_detail::load_shares<N>(o);
    const auto& key = shares.front().public_key();
    const auto encoder = make_encoder(key, o.precision);
    const auto ciphertexts = parse_ciphertexts(key, o.ciphertexts);
    const threshold_key<N> public_part(shares.front());
    const std::size_t used = shares.front().threshold() + 1;
    std::vector<std::string> out;
    for (const auto& c : ciphertexts) {
        std::vector<partial_decryption<N>> partials;
        for (std::size_t j = 0; j < used; ++j) partials.push_back(partial_decrypt(shares[j], c));
        try {
            out.push_back(plaintext_text(encoder, combine(public_part, c, std::span<const partial_decryption<N>>(partials))));
        } catch (const protocol_error& e) {
            throw input_error(std::string("cannot decrypt: ") + e.what());
        }
    }
    print_values(streams, out);
    return exit_ok;
}

template <big_integer N>
int decrypt_party_command(const decrypt_party_options& o, const io& streams)
{
    const auto secret = read_passphrase(o.passphrase);
    const auto share = load_share<N>(o.share, o.id, secret ? &*secret : nullptr);
    const std::size_t n = share.parties();
    if (o.parties && *o.parties != n)
        throw input_error("--parties " + std::to_string(*o.parties) + " does not match the share file, a share of a key of " +
                          std::to_string(n) + " parties");
    const auto endpoints = party_endpoints(o.network, n);
    dkg::decrypt_options options;
    if (o.receivers) options.receivers = parse_party_ids(*o.receivers, "--receivers", n);
    if (o.contributors) options.contributors = parse_party_ids(*o.contributors, "--contributors", n);
    options.verify_proofs = o.proofs;
    try {
        options.validate(n, share.threshold());
    } catch (const std::invalid_argument& e) {
        throw usage_error(std::string("--") + e.what());
    }
    const std::size_t quorum = o.quorum.value_or(share.threshold() + 1);
    if (quorum < share.threshold() + 1 || quorum > n)
        throw usage_error("--quorum: must be in " + std::to_string(share.threshold() + 1) + ".." + std::to_string(n) + " (t+1..N), got " +
                          std::to_string(quorum));
    options.id = o.decryption_id;
    options.threads = o.threads;
    const auto& key = share.public_key();
    const auto encoder = make_encoder(key, o.precision);
    auto ciphertexts = parse_ciphertexts(key, o.ciphertexts);
    if (o.partials_out) refuse_to_overwrite(*o.partials_out, o.force);
    const std::vector<ciphertext<N>> decrypted = o.partials_out ? ciphertexts : std::vector<ciphertext<N>>{};
    const bool receiver = options.receivers.empty() ||
                          std::find(options.receivers.begin(), options.receivers.end(), share.id()) != options.receivers.end();

    const std::string label = "party " + std::to_string(share.id());
    streams.note(label + " listens on " + endpoints[share.id() - 1].to_string() + (o.network.tls() ? " (TLS)" : "") +
                 "; waiting for the other " + std::to_string(n - 1) + " parties (up to " + human_seconds(o.network.connect_window) +
                 (quorum < n ? "; then goes on with at least " + std::to_string(quorum) + " of " + std::to_string(n) + " running" : std::string()) +
                 ")");
    std::optional<decryption_result<N>> result;
    std::vector<party_id> offline;
    system_rng rng;
    const session_id id = threshold_detail::decryption_session_id(key, o.decryption_id);
    run_party(
        share.id(), endpoints, o.network, o.timeout, "decryption",
        [&](auto& s, auto done) {
            boost::asio::co_spawn(s.get_executor(),
                                  threshold_detail::decrypt_on<N>(s, id, rng, share, std::move(ciphertexts), options, result, offline), done);
        },
        quorum);

    // Parties that were not running, and those that failed during the decryption.
    std::vector<party_id> unavailable = offline;
    unavailable.insert(unavailable.end(), result->unavailable.begin(), result->unavailable.end());
    std::sort(unavailable.begin(), unavailable.end());
    unavailable.erase(std::unique(unavailable.begin(), unavailable.end()), unavailable.end());

    std::vector<std::string> plaintexts;
    if (result->plaintexts)
        for (const auto& m : *result->plaintexts) plaintexts.push_back(plaintext_text(encoder, m));
    if (streams.json) {
        streams.out << json_text(boost::json::object{{"party", share.id()},
                                                     {"receiver", receiver},
                                                     {"plaintexts", receiver ? boost::json::value(json_strings(plaintexts)) : nullptr},
                                                     {"used", threshold_detail::id_list(result->used)},
                                                     {"faulty", threshold_detail::id_list(result->faulty)},
                                                     {"unavailable", threshold_detail::id_list(unavailable)}})
                    << '\n';
    } else if (receiver) {
        print_values(streams, plaintexts);
    } else {
        streams.note(label + " is not a receiver: it sent its partial decryptions and learns nothing");
    }
    if (!unavailable.empty())
        streams.warning("parties " + json_text(threshold_detail::id_list(unavailable)) +
                        " were unavailable (not running within the connect window, or failed)");
    if (!result->faulty.empty())
        streams.warning("rejected partial decryptions of parties " + json_text(threshold_detail::id_list(result->faulty)));
    if (o.partials_out) {
        write_file_atomically(*o.partials_out, threshold_detail::partials_document(share, decrypted, rng),
                              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write | std::filesystem::perms::group_read |
                                  std::filesystem::perms::others_read);
        streams.note(label + " wrote its partial decryptions with proofs to " + o.partials_out->string());
    }
    return exit_ok;
}

template <big_integer N>
int info_command(const info_options& o, const io& streams)
{
    const std::string data = read_file(o.file, max_key_share_bytes + 120, "file");
    const auto bytes_of_file = detail::as_bytes(data);
    // A key share (binary: magic then type 3, or 10 if encrypted; JSON: "dkg.key_share") or a public key.
    const bool encrypted = detail::has_encrypted_share_header(bytes_of_file);
    const bool share_file = encrypted || data.find("dkg.key_share") != std::string::npos ||
                            (data.size() > 6 && data.compare(0, 3, "DKG") == 0 && data[5] == 3);
    boost::json::object members;
    if (encrypted && !o.passphrase.given()) {
#if DKG_HAS_SODIUM
        encrypted_key_share_header header;
        try {
            header = read_encrypted_key_share_header(bytes_of_file);
        } catch (const format_error& e) {
            throw input_error("share file " + o.file.string() + ": " + e.what());
        }
        members = {{"type", "encrypted_key_share"},
                   {"party", header.party},
                   {"parties", header.parties},
                   {"threshold", header.threshold},
                   {"key_fingerprint", detail::to_hex_bytes(header.key_fingerprint)},
                   {"kdf_iterations", header.kdf.iterations},
                   {"kdf_memory_kib", header.kdf.memory_kib}};
        streams.note("the file is encrypted: give --passphrase-file or --passphrase-env to decrypt and check it");
#else
        throw input_error("share file " + o.file.string() + " is encrypted, and this dkg was built without encrypted share files (libsodium)");
#endif
    } else if (share_file) {
        const auto secret = read_passphrase(o.passphrase);
        const auto share = load_share<N>(o.file, std::nullopt, secret ? &*secret : nullptr);
        members = {{"type", "key_share"},
                   {"party", share.id()},
                   {"parties", share.parties()},
                   {"threshold", share.threshold()},
                   {"bits", share.public_key().bits()},
                   {"n", to_decimal(share.public_key().n())}};
        if (encrypted) members["encrypted"] = true;
    } else {
        const auto key = load_public_key<N>(o.file);
        members = {{"type", "public_key"}, {"bits", key.bits()}, {"n", to_decimal(key.n())}};
    }
    if (streams.json) {
        streams.out << json_text(members) << '\n';
    } else {
        for (const auto& member : members)
            streams.out << std::string_view(member.key()) << ": "
                        << (member.value().is_string() ? std::string(member.value().get_string()) : json_text(member.value())) << '\n';
    }
    return exit_ok;
}

/// The other half of a backend's command table.
template <big_integer N>
backend_commands threshold_commands()
{
    backend_commands c{};
    c.encrypt = &encrypt_command<N>;
    c.add = &add_command<N>;
    c.multiply = &multiply_command<N>;
    c.decrypt = &decrypt_command<N>;
    c.decrypt_party = &decrypt_party_command<N>;
    c.info = &info_command<N>;
    return c;
}

} // namespace dkg::cli
