// The registry of protocol steps: every message a dkg protocol sends carries one of these step
// numbers in its tag (dkg::message_tag, dkg::step_tag). One table for the session, key generation
// and threshold decryption, so that no two layers can use the same step by accident.
#pragma once

#include <cstdint>
#include <string>

namespace dkg::steps {

/// Round 0 of a session: agreeing on the session id (docs/protocol.md §0).
inline constexpr std::uint32_t establish = 1;

/// Reserved for protocol-level notices that end a run (an abort notice naming the culprit).
inline constexpr std::uint32_t abort_notice = 2;

/// Key generation: 100..199, one block of ten per layer, so a layer written by a user keeps to the
/// block of the layer it replaces (docs/policies.md). Rounds carry the batch (or attempt) number.
namespace keygen {
inline constexpr std::uint32_t first = 100;          ///< first step of key generation
inline constexpr std::uint32_t setup = 100;          ///< joint seed and agreed parameters (§0)
inline constexpr std::uint32_t candidates_first = 110; ///< block of the candidate layer (§1)
inline constexpr std::uint32_t sieve_share = 110;    ///< distributed sieve: shares of the random units
inline constexpr std::uint32_t sieve_reduce = 111;   ///< distributed sieve: BGW degree reduction, topic = level
inline constexpr std::uint32_t opening_first = 120;  ///< block of the opening layer (§2)
inline constexpr std::uint32_t modulus_shares = 120; ///< BGW: Shamir shares of p_j, q_j and zero
inline constexpr std::uint32_t modulus_open = 121;   ///< BGW: the opened shares of N
inline constexpr std::uint32_t biprimality_first = 130; ///< block of the biprimality layer (§4)
inline constexpr std::uint32_t biprime_first = 130;  ///< Boneh–Franklin: the first base of every candidate
inline constexpr std::uint32_t biprime_rest = 131;   ///< Boneh–Franklin: the other bases of the survivors
inline constexpr std::uint32_t key_sharing_first = 140; ///< block of the key-sharing layer (§5)
inline constexpr std::uint32_t key_shares = 140;     ///< shares of φ_j, β_j and zero
inline constexpr std::uint32_t key_reduce = 141;     ///< degree reduction of F_φ·F_β
inline constexpr std::uint32_t key_open = 142;       ///< masked opening of θ, verification keys
inline constexpr std::uint32_t last = 199;           ///< last step of key generation
/// Steps in a layer's block: `block_first + 0..9`.
inline constexpr std::uint32_t block_size = 10;
} // namespace keygen

/// Threshold decryption: 200..299.
namespace decrypt {
inline constexpr std::uint32_t first = 200;
inline constexpr std::uint32_t partials = 200; ///< a contributor's partial decryptions of a batch; id in round and topic
inline constexpr std::uint32_t last = 299;
} // namespace decrypt

/// User-level messaging (session::async_send_user / async_receive_user).
inline constexpr std::uint32_t user = 0x7fff0000u;

/// A short name of a step for error texts and logs (never secret), e.g. "keygen.sieve_share".
inline std::string name(std::uint32_t step)
{
    switch (step) {
    case establish: return "establish";
    case abort_notice: return "abort_notice";
    case keygen::setup: return "keygen.setup";
    case keygen::sieve_share: return "keygen.sieve_share";
    case keygen::sieve_reduce: return "keygen.sieve_reduce";
    case keygen::modulus_shares: return "keygen.modulus_shares";
    case keygen::modulus_open: return "keygen.modulus_open";
    case keygen::biprime_first: return "keygen.biprime_first";
    case keygen::biprime_rest: return "keygen.biprime_rest";
    case keygen::key_shares: return "keygen.key_shares";
    case keygen::key_reduce: return "keygen.key_reduce";
    case keygen::key_open: return "keygen.key_open";
    case decrypt::partials: return "decrypt.partials";
    case user: return "user";
    default: break;
    }
    if (step >= keygen::first && step <= keygen::last) return "keygen." + std::to_string(step);
    if (step >= decrypt::first && step <= decrypt::last) return "decrypt." + std::to_string(step);
    return std::to_string(step);
}

} // namespace dkg::steps

namespace dkg {
/// The key-generation steps (same as dkg::steps::keygen).
namespace keygen_steps = steps::keygen;
/// The threshold-decryption steps (same as dkg::steps::decrypt).
namespace threshold_steps = steps::decrypt;
} // namespace dkg
