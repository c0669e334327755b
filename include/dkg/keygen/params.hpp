// Parameters and options of distributed key generation: what every party must agree on
// (keygen_params, compared in the first round) apart from what each party chooses for itself
// (keygen_options: threads, an executor for the arithmetic, progress reports).
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace dkg {

/// How candidate prime shares are produced (docs/protocol.md §1).
enum class candidate_method : std::uint8_t {
    /// The reference's method: plain random shares, small primes only filtered on the public N.
    trial_division = 1,
    /// Shares made coprime to the small primes before any N is computed (multiplicative to
    /// additive sharing over the product of the sieving primes).
    distributed_sieve = 2,
};

inline const char* to_string(candidate_method m) noexcept
{
    return m == candidate_method::trial_division ? "trial_division" : "distributed_sieve";
}

/// Parameters of `async_generate_key` that every party must agree on: the run describes them, with
/// its layers, in the setup round, and a party with other values is named there (docs/protocol.md
/// §0). The names and defaults of the reference implementation are kept where they make sense.
/// What a party chooses for itself is in `keygen_options`.
struct keygen_params {
    /// t: any t+1 parties can decrypt, t or fewer learn nothing. Requires n ≥ 2t+1.
    std::size_t corruption_threshold = 1;

    /// Bits of N = p·q; N has exactly this many bits. Even, at least 64; below 1024 is insecure.
    std::size_t key_length = 2048;

    /// B2: N is rejected if it has a prime factor ≤ B2 (docs/protocol.md §3). The reference uses
    /// 2000 with trial division prime by prime; here the test is a few word-size remainders plus a
    /// batched remainder tree, so a far larger bound pays off: every prime it adds saves
    /// biprimality tests. 0 chooses by key length (`effective_prime_threshold`).
    std::uint32_t prime_threshold = 0;

    /// κ: rounds of the Boneh–Franklin test; a non-biprime passes with probability < 2^-κ.
    std::size_t correct_param_biprime = 40;

    /// σ: statistical hiding of the integer secret sharing (bits).
    std::size_t stat_sec_shamir = 40;

    /// Candidate pairs (p, q) per batch; all of a batch travel in the same messages. 0 chooses a
    /// size from the key length and the candidate method (a handful of batches per key).
    std::size_t batch_size = 0;

    /// How candidate shares are produced.
    candidate_method candidates = candidate_method::distributed_sieve;

    /// B1: largest prime of the distributed sieve; 0 chooses the largest bound for which the sieve
    /// modulus leaves at least 64 bits of randomness in each party's share.
    std::uint32_t sieve_bound = 0;

    /// Give up (errc::too_many_attempts) after this many batches; 0: never.
    std::size_t max_batches = 0;

    /// Allow t = 0, where every party alone can decrypt. Only for experiments.
    bool allow_insecure_threshold_zero = false;

    /// Checks the parameters for `parties` parties before anything is sent.
    /// @throws std::invalid_argument naming the offending parameter.
    void validate(std::size_t parties) const
    {
        if (parties < 1) throw std::invalid_argument("parties: at least one party is needed");
        if (corruption_threshold == 0 && !allow_insecure_threshold_zero)
            throw std::invalid_argument("corruption_threshold: must be at least 1 (t = 0 lets every party decrypt alone; "
                                        "set allow_insecure_threshold_zero to allow it)");
        if (parties < 2 * corruption_threshold + 1)
            throw std::invalid_argument("corruption_threshold: the number of parties (" + std::to_string(parties) +
                                        ") must be at least 2*corruption_threshold+1 (" +
                                        std::to_string(2 * corruption_threshold + 1) + ")");
        if (parties > 64) throw std::invalid_argument("parties: at most 64 parties are supported");
        if (key_length % 2 != 0) throw std::invalid_argument("key_length: must be even");
        if (key_length < 64) throw std::invalid_argument("key_length: must be at least 64 bits");
        if (key_length > 16384) throw std::invalid_argument("key_length: at most 16384 bits are supported");
        if (correct_param_biprime == 0) throw std::invalid_argument("correct_param_biprime: must be at least 1");
        if (correct_param_biprime > 1024) throw std::invalid_argument("correct_param_biprime: at most 1024");
        if (stat_sec_shamir == 0) throw std::invalid_argument("stat_sec_shamir: must be at least 1");
        if (stat_sec_shamir > 1024) throw std::invalid_argument("stat_sec_shamir: at most 1024");
        if (prime_threshold != 0 && prime_threshold < 3) throw std::invalid_argument("prime_threshold: must be 0 (automatic) or at least 3");
        if (prime_threshold > (1u << 26)) throw std::invalid_argument("prime_threshold: at most 2^26");
        if (batch_size > (1u << 20)) throw std::invalid_argument("batch_size: at most 2^20");
        if (candidates != candidate_method::trial_division && candidates != candidate_method::distributed_sieve)
            throw std::invalid_argument("candidates: unknown candidate method");
    }

    /// The trial-division bound used: `prime_threshold`, or if it is 0, 2^12 below 512-bit keys,
    /// 2^16 below 1536 bits, 2^20 below 3072 bits and 2^21 from 3072 bits (measured break-even points
    /// between trial-division and biprimality cost with GMP).
    std::uint32_t effective_prime_threshold() const noexcept
    {
        if (prime_threshold != 0) return prime_threshold;
        if (key_length < 512) return 1u << 12;
        if (key_length < 1536) return 1u << 16;
        if (key_length < 3072) return 1u << 20;
        return 1u << 21;
    }

    /// Whether the key is too short to be secure (a warning, not an error).
    bool insecure_key_length() const noexcept { return key_length < 1024; }
};

/// Progress of a key generation, reported after every batch and once at the end.
struct keygen_progress {
    std::size_t batches = 0;                    ///< batches of candidates processed
    std::size_t candidates = 0;                 ///< candidate pairs (p, q) generated
    std::size_t moduli_revealed = 0;            ///< candidate N computed and opened
    std::size_t passed_trial_division = 0;      ///< N without a prime factor ≤ prime_threshold
    std::size_t biprimality_tests = 0;          ///< candidates given at least one Boneh–Franklin round
    std::size_t biprimality_rounds = 0;         ///< Boneh–Franklin rounds run over all candidates
    std::size_t moduli_rejected = 0;            ///< accepted N dropped by key sharing (gcd(θ, N) ≠ 1, §5)
    std::size_t communication_rounds = 0;       ///< message rounds this party took part in
    std::uint64_t bytes_sent = 0;               ///< payload bytes this party sent
    std::chrono::steady_clock::duration elapsed{};
    /// Wall time this party spent in each step (including waiting for the others).
    struct step_times {
        std::chrono::steady_clock::duration candidates{};    ///< §1
        std::chrono::steady_clock::duration moduli{};        ///< §2
        std::chrono::steady_clock::duration trial_division{};///< §3
        std::chrono::steady_clock::duration biprimality{};   ///< §4
        std::chrono::steady_clock::duration key_sharing{};   ///< §5
    } time;
    bool finished = false;                      ///< true in the final report
};

/// Called on the session's executor with the current progress; must not throw.
using keygen_progress_handler = std::function<void(const keygen_progress&)>;

/// What one party of `async_generate_key` chooses for itself: not compared with the other parties,
/// and without effect on the key.
struct keygen_options {
    /// The pieces each step's arithmetic is split into and, without `arithmetic_executor`, the worker
    /// threads the run starts for it (0: one per hardware thread).
    std::size_t threads = 1;

    /// Runs this party's arithmetic (e.g. the executor of a boost::asio::thread_pool shared by several
    /// runs); it must stay valid until the run has completed. Empty: the run owns a pool of `threads`
    /// threads. It may be the session's own executor (then the arithmetic shares its threads).
    boost::asio::any_io_executor arithmetic_executor;

    /// Called on the session's executor after every batch and at the end.
    keygen_progress_handler on_progress;

    /// @throws std::invalid_argument naming `threads` if it is over 1024.
    void validate() const
    {
        if (threads > 1024) throw std::invalid_argument("threads: at most 1024");
    }
};

} // namespace dkg
