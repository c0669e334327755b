// Example 7: a key-generation layer of your own.
//
// Key generation is built from layers (docs/policies.md): candidate primes, the opening of N, the
// biprimality test and key sharing, bundled in dkg::keygen_policies. Any of them can be replaced by
// a class written outside the library that models the layer's concept. This one is a biprimality
// layer that
//   - runs the library's Boneh–Franklin test (dkg::biprime::boneh_franklin) and delegates to it,
//   - adds a check of its own: the accepted N must share no prime with the moduli an organisation
//     issued before. Weak randomness has produced RSA keys that share a prime, which a gcd reveals
//     (Heninger, Durumeric, Wustrow, Halderman, "Mining Your Ps and Qs", USENIX Security 2012;
//     Lenstra et al., "Ron was wrong, Whit is right", 2012); the check needs only public values,
//   - counts what it did, and
//   - names itself and its parameters (the rounds and a digest of the list of earlier moduli) in
//     the description that the parties compare in the first round, so that a party running another
//     layer, or holding another list, is refused before any candidate is drawn.
// Three parties in this process then generate a key with it, encrypt, add under encryption and
// decrypt with two of the three key shares.
//
// Usage: 07_custom_layer [--bits B]     (default 1024)
#include <dkg/dkg.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

using number = dkg::gmp_int;

// ---- the user's layer -----------------------------------------------------------------------------

/// The public moduli an organisation issued before. Every party must hold the same list (here the
/// parties share this process; a real party would load it from a file at start): the layer puts its
/// digest among the agreed parameters.
std::vector<number>& earlier_moduli()
{
    static std::vector<number> list;
    return list;
}

/// What the layer did at one party.
struct guard_statistics {
    std::size_t batches = 0;            ///< calls of test()
    std::size_t candidates = 0;         ///< candidates given to the Boneh–Franklin test
    std::size_t accepted = 0;           ///< moduli the Boneh–Franklin test accepted
    std::size_t shared_a_prime = 0;     ///< of those, refused because they share a prime with an earlier modulus
    std::chrono::steady_clock::duration time{}; ///< wall time in the layer

    /// The statistics of party `id` (the parties of this process share the table).
    static guard_statistics& of(dkg::party_id id)
    {
        static std::mutex mutex;
        static std::map<dkg::party_id, guard_statistics> table;
        std::lock_guard lock(mutex);
        return table[id];
    }
};

/// The first earlier modulus with which `modulus` shares a prime factor, if any (one gcd each).
std::optional<std::size_t> shares_a_prime(const number& modulus, const std::vector<number>& earlier)
{
    for (std::size_t i = 0; i < earlier.size(); ++i)
        if (dkg::gcd(modulus, earlier[i]) != number(1u)) return i;
    return std::nullopt;
}

/// A biprimality layer: Boneh–Franklin, then no prime shared with an earlier modulus.
/// Models dkg::biprimality_policy (docs/policies.md §3).
class guarded_boneh_franklin {
public:
    guarded_boneh_franklin(const dkg::keygen_context& context, const dkg::keygen_params& params)
        : inner_(context, params), self_(context.self), rounds_(params.correct_param_biprime), earlier_(earlier_moduli())
    {
    }

    /// Its name, the rounds of the test it runs, and which earlier moduli it checks against.
    void describe(dkg::agreed_parameters& agreed) const
    {
        agreed.add("biprimality", "guarded_boneh_franklin");
        agreed.add("biprimality.rounds", rounds_);
        dkg::writer list;
        list.integers(earlier_);
        agreed.add_digest("biprimality.earlier_moduli", list.finish());
    }

    /// Boneh–Franklin on the batch (the library's layer, with its messages and checks); the modulus
    /// it accepts is then checked against the earlier moduli. A modulus that shares a prime is refused
    /// with the rest of the batch: every party refuses it, since the list and N are public and the
    /// same everywhere, and key generation goes on with the next batch.
    template <class Session, class G>
    boost::asio::awaitable<std::optional<std::size_t>> test(Session& session, G& rng, const dkg::joint_seed& seed,
                                                            std::span<const dkg::candidate<number>> candidates, std::uint32_t batch)
    {
        const auto start = std::chrono::steady_clock::now();
        auto& stats = guard_statistics::of(self_);
        ++stats.batches;
        stats.candidates += candidates.size();
        std::optional<std::size_t> accepted = co_await inner_.test(session, rng, seed, candidates, batch);
        if (accepted) {
            ++stats.accepted;
            if (shares_a_prime(candidates[*accepted].modulus, earlier_)) {
                ++stats.shared_a_prime;
                accepted.reset();
            }
        }
        stats.time += std::chrono::steady_clock::now() - start;
        co_return accepted;
    }

private:
    dkg::biprime::boneh_franklin<number> inner_;
    dkg::party_id self_;
    std::size_t rounds_;
    std::vector<number> earlier_;
};

/// The default layers, with this biprimality layer instead of the library's.
using layers = dkg::keygen_policies<number, dkg::sieve::configured<number>, guarded_boneh_franklin>;

// A wrong layer would stop the build at generate_key_in_process with a message naming it; checking
// the concept here says so next to the class.
static_assert(dkg::biprimality_policy<guarded_boneh_franklin, number, dkg::session<dkg::memory_transport>, dkg::system_rng>);

// ---- the program ----------------------------------------------------------------------------------

std::size_t parse_bits(int argc, char** argv)
{
    std::size_t bits = 1024;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--bits" && i + 1 < argc)
            bits = std::stoul(argv[++i]);
        else
            throw std::invalid_argument("usage: 07_custom_layer [--bits B]");
    }
    return bits;
}

int main(int argc, char** argv)
try {
    dkg::keygen_params params;
    params.key_length = parse_bits(argc, argv);
    params.corruption_threshold = 1;
    const std::size_t parties = 3;
    dkg::system_rng rng;

    // Moduli issued before (ordinary RSA moduli here, standing in for an organisation's keys).
    for (int i = 0; i < 3; ++i) earlier_moduli().push_back(dkg::secret_key<number>::generate(params.key_length, rng).public_key().n());
    const auto earlier_key = dkg::secret_key<number>::generate(params.key_length, rng);
    earlier_moduli().push_back(earlier_key.public_key().n());
    std::cout << "Biprimality layer: guarded_boneh_franklin (Boneh-Franklin, then no prime shared with " << earlier_moduli().size()
              << " earlier moduli)\n";

    // The check itself, on a modulus that reuses a prime of an earlier key: one gcd finds it.
    const auto weak = dkg::secret_key<number>::generate(params.key_length, rng);
    const number reused = number(earlier_key.p() * weak.q());
    if (!shares_a_prime(reused, earlier_moduli())) {
        std::cout << "ERROR: a modulus reusing a prime was not caught\n";
        return EXIT_FAILURE;
    }
    std::cout << "  a modulus that reuses a prime of an earlier key is caught\n";

    // Key generation with the layer at every party.
    const auto start = std::chrono::steady_clock::now();
    const std::vector<dkg::key_share<number>> shares = dkg::generate_key_in_process<number, layers>(parties, params);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    const auto& key = shares[0].public_key();
    std::cout << "Key generation: " << parties << " parties, " << key.bits() << "-bit N, " << took.count() << " s\n";
    for (dkg::party_id j = 1; j <= parties; ++j) {
        const auto& s = guard_statistics::of(j);
        std::cout << "  party " << j << ": " << s.batches << " batches, " << s.candidates << " candidates tested, " << s.accepted
                  << " accepted by Boneh-Franklin, " << s.shared_a_prime << " refused for a shared prime, "
                  << std::chrono::duration<double, std::milli>(s.time).count() << " ms in the layer\n";
        if (s.accepted == 0) {
            std::cout << "ERROR: the layer never accepted a modulus\n";
            return EXIT_FAILURE;
        }
    }
    if (shares_a_prime(key.n(), earlier_moduli())) {
        std::cout << "ERROR: the new modulus shares a prime with an earlier one\n";
        return EXIT_FAILURE;
    }

    // The key works: encrypt three values, add them under encryption, decrypt with parties 1 and 3.
    const std::vector<long long> values = {1200, 345, -67};
    dkg::ciphertext<number> sum = key.encrypt(number(values[0]), rng);
    for (std::size_t j = 1; j < values.size(); ++j) sum = sum + key.encrypt(number(values[j]), rng);
    const dkg::threshold_key<number> public_part(shares[0]);
    std::vector<dkg::partial_decryption<number>> partials;
    for (dkg::party_id j : {1u, 3u}) {
        partials.push_back(dkg::partial_decrypt(shares[j - 1], sum, rng));
        if (!dkg::verify(public_part, sum, partials.back())) {
            std::cout << "ERROR: the partial decryption of party " << j << " does not verify\n";
            return EXIT_FAILURE;
        }
    }
    const number plaintext = key.from_residue(dkg::combine<number>(public_part, sum, partials));
    std::cout << "Parties 1 and 3 decrypt the encrypted sum 1200 + 345 - 67: " << plaintext << '\n';
    if (plaintext != number(1200 + 345 - 67)) {
        std::cout << "ERROR: wrong decryption\n";
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
} catch (const std::exception& e) {
    std::cerr << "07_custom_layer: " << e.what() << '\n';
    return EXIT_FAILURE;
}
