// `dkg keygen` (all parties in this process) and `dkg party` (one party over TCP), generic over the
// big-integer type. Included by gmp_keygen.cpp and cpp_int_keygen.cpp only.
#pragma once

#include "support.hpp"

#include <dkg/in_process.hpp>
#include <dkg/keygen.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace dkg::cli {

namespace keygen_detail {

/// Validates the parameters before anything is written or sent.
inline void validate(const keygen_params& params, std::size_t parties)
{
    try {
        params.validate(parties);
    } catch (const std::invalid_argument& e) {
        throw usage_error(option_message(e.what()));
    }
}

inline std::filesystem::path public_key_path(const keygen_command_options& o)
{
    return o.out / "public_key.json";
}

inline std::filesystem::path share_path(const keygen_command_options& o, std::uint32_t party)
{
    return o.out / ("party-" + std::to_string(party) + ".share");
}

/// Writes public_key.json atomically; an identical file (another party of the same run wrote it
/// first) is left as it is.
template <big_integer N>
void write_public_key(const keygen_command_options& o, const public_key<N>& key)
{
    const auto path = public_key_path(o);
    const std::string text = to_json(key);
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
        try {
            if (read_file(path, max_json_bytes, "public key file") == text) return;
        } catch (const input_error&) {
        }
        if (!o.force) throw input_error(path.string() + " appeared during key generation with another key (use --force to overwrite it)");
    }
    write_file_atomically(path, text,
                          std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                              std::filesystem::perms::group_read | std::filesystem::perms::others_read);
}

/// Writes a share file: encrypted with `secret` if given (docs/formats.md), else in --format.
template <big_integer N>
void write_share(const keygen_command_options& o, const key_share<N>& share, const std::optional<share_passphrase>& secret)
{
#if DKG_HAS_SODIUM
    if (secret) {
        save_key_share(share_path(o, share.id()), share, *secret);
        return;
    }
#endif
    (void)secret;
    save_key_share(share_path(o, share.id()), share, o.json_shares ? file_format::json : file_format::binary);
}

/// Appends the members that describe a run (docs/cli.md, `dkg keygen --json`) to `o`.
inline void add_run_members(boost::json::object& o, const keygen_params& params, std::size_t parties, std::size_t bits,
                            const keygen_progress& p, std::chrono::steady_clock::duration elapsed)
{
    o["parties"] = parties;
    o["threshold"] = params.corruption_threshold;
    o["bits"] = bits;
    o["method"] = params.candidates == candidate_method::trial_division ? "trial" : "sieve";
    o["seconds"] = json_seconds(elapsed);
    o["timings"] = {{"candidates", json_seconds(p.time.candidates)},
                    {"moduli", json_seconds(p.time.moduli)},
                    {"trial_division", json_seconds(p.time.trial_division)},
                    {"biprimality", json_seconds(p.time.biprimality)},
                    {"key_sharing", json_seconds(p.time.key_sharing)}};
    o["candidates"] = p.candidates;
    o["moduli"] = p.moduli_revealed;
    o["biprimality_tests"] = p.biprimality_tests;
    o["batches"] = p.batches;
    o["communication_rounds"] = p.communication_rounds;
    o["bytes_sent"] = p.bytes_sent;
}

inline std::string run_summary(std::size_t bits, const keygen_progress& p, std::chrono::steady_clock::duration elapsed)
{
    return "N has " + std::to_string(bits) + " bits; generated in " + human_seconds(elapsed) + " (" + std::to_string(p.candidates) +
           " candidates, " + std::to_string(p.biprimality_tests) + " biprimality tests, " + std::to_string(p.batches) +
           (p.batches == 1 ? " batch)" : " batches)");
}

} // namespace keygen_detail

template <big_integer N>
int keygen_command(const keygen_command_options& o, const io& streams)
{
    using namespace keygen_detail;
    validate(o.params, o.parties);
    make_directory(o.out);
    refuse_to_overwrite(public_key_path(o), o.force);
    for (std::uint32_t j = 1; j <= o.parties; ++j) refuse_to_overwrite(share_path(o, j), o.force);
    // Read before the run, so that a missing passphrase does not waste a key generation.
    const auto secret = read_passphrase(o.passphrase);

    progress_line progress(streams, "keygen", streams.progress);
    keygen_progress last;
    in_process_options options;
    options.transport = o.tcp_in_process ? in_process_transport::tcp : in_process_transport::memory;
    options.session.timeout = o.timeout;
    options.keygen.threads = o.threads;
    options.keygen.on_progress = [&](const keygen_progress& p) {
        last = p;
        progress.update(p);
    };
    const auto start = std::chrono::steady_clock::now();
    std::vector<key_share<N>> shares;
    try {
        shares = generate_key_in_process<N>(o.parties, o.params, options);
    } catch (const protocol_error& e) {
        throw operation_error(std::string("key generation failed: ") + e.what());
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    progress.stop();

    for (const auto& share : shares) write_share(o, share, secret);
    write_public_key(o, shares.front().public_key());
    const std::size_t bits = shares.front().public_key().bits();
    if (streams.json) {
        std::vector<std::string> share_paths;
        for (std::uint32_t j = 1; j <= o.parties; ++j) share_paths.push_back(share_path(o, j).string());
        boost::json::object result{{"public_key", public_key_path(o).string()}, {"shares", json_strings(share_paths)}};
        add_run_members(result, o.params, o.parties, bits, last, elapsed);
        streams.out << json_text(result) << '\n';
    } else {
        streams.out << "public key: " << public_key_path(o).string() << '\n';
        for (std::uint32_t j = 1; j <= o.parties; ++j) streams.out << "share of party " << j << ": " << share_path(o, j).string() << '\n';
        streams.out << run_summary(bits, last, elapsed) << '\n';
    }
    return exit_ok;
}

template <big_integer N>
int party_command(const keygen_command_options& o, const io& streams)
{
    using namespace keygen_detail;
    validate(o.params, o.parties);
    if (o.id < 1 || o.id > o.parties)
        throw usage_error("--id: must be in 1.." + std::to_string(o.parties) + ", got " + std::to_string(o.id));
    const auto endpoints = party_endpoints(o.network, o.parties);
    make_directory(o.out);
    refuse_to_overwrite(share_path(o, o.id), o.force);
    refuse_to_overwrite(public_key_path(o), o.force);
    const auto secret = read_passphrase(o.passphrase);

    const std::string label = "party " + std::to_string(o.id);
    streams.note(label + " listens on " + endpoints[o.id - 1].to_string() + (o.network.tls() ? " (TLS)" : "") + "; waiting for the other " +
                 std::to_string(o.parties - 1) + " parties (up to " + human_seconds(o.network.connect_window) + ")");
    progress_line progress(streams, label, streams.progress);
    keygen_progress last;
    std::optional<key_share<N>> result;
    system_rng rng;
    dkg::keygen_options local; // this party's own choices
    local.threads = o.threads;
    local.on_progress = [&](const keygen_progress& p) {
        last = p;
        progress.update(p);
    };
    run_party(o.id, endpoints, o.network, o.timeout, "key generation", [&](auto& s, auto done) {
        async_generate_key<N>(
            s, rng, o.params, local,
            [&result, done](std::exception_ptr e, key_share<N> share) {
                if (!e) result.emplace(std::move(share));
                done(e);
            });
    });
    progress.stop();

    write_share(o, *result, secret);
    write_public_key(o, result->public_key());
    const std::size_t bits = result->public_key().bits();
    // The time of the key generation itself, without waiting for the others to connect.
    const auto elapsed = last.elapsed;
    if (streams.json) {
        boost::json::object result{{"party", o.id}, {"public_key", public_key_path(o).string()}, {"share", share_path(o, o.id).string()}};
        add_run_members(result, o.params, o.parties, bits, last, elapsed);
        streams.out << json_text(result) << '\n';
    } else {
        streams.out << "public key: " << public_key_path(o).string() << '\n';
        streams.out << "share of party " << o.id << ": " << share_path(o, o.id).string() << '\n';
        streams.out << run_summary(bits, last, elapsed) << '\n';
    }
    return exit_ok;
}

/// The key generation half of a backend's command table.
template <big_integer N>
backend_commands keygen_commands()
{
    backend_commands c{};
    c.keygen = &keygen_command<N>;
    c.party = &party_command<N>;
    return c;
}

} // namespace dkg::cli
