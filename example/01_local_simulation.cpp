// Example 1: the whole life of a threshold Paillier key, with every party in this process.
//
//   1. Three parties jointly generate a key (threshold t = 1). Nobody ever holds the secret key:
//      each party ends with a share of it, and any t + 1 = 2 of them can decrypt together.
//   2. Each party encrypts a private number under the joint public key.
//   3. Anyone can add the encrypted numbers without decrypting them (Paillier is additively
//      homomorphic: multiplying ciphertexts adds the plaintexts).
//   4. Parties 1 and 3 decrypt the sum together; party 2 takes no part. A single party's partial
//      decryption is not enough.
//
// Usage: 01_local_simulation [--bits B]     (default 2048; below 1024 is insecure, for quick tries)
//
// Each party still runs the real protocol with its own session and random generator; the parties
// just talk through an in-memory transport instead of a network (see example 2 for TCP).
#include <dkg/dkg.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <iomanip>
#include <iostream>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

using number = dkg::gmp_int; // GMP-backed big integers (link dkg::gmp)

namespace {

std::size_t parse_bits(int argc, char** argv)
{
    std::size_t bits = 2048;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--bits" && i + 1 < argc)
            bits = std::stoul(argv[++i]);
        else
            throw std::invalid_argument("usage: 01_local_simulation [--bits B]");
    }
    return bits;
}

// "c5a3...ef12": the first and last hex digits of a large number.
std::string abbreviated(const number& n)
{
    const std::string hex = dkg::to_hex(n);
    return hex.size() <= 24 ? hex : hex.substr(0, 12) + "..." + hex.substr(hex.size() - 12);
}

} // namespace

int main(int argc, char** argv)
try {
    // ---- 1. key generation -----------------------------------------------------------------
    dkg::keygen_params params;
    params.key_length = parse_bits(argc, argv);
    params.corruption_threshold = 1; // t: up to t parties learn nothing; t + 1 can decrypt
    const std::size_t parties = 3;   // n ≥ 2t + 1

    std::cout << "Distributed key generation: " << parties << " parties, threshold t = " << params.corruption_threshold
              << " (any " << params.corruption_threshold + 1 << " can decrypt), " << params.key_length << "-bit key\n";

    // Party 1 reports progress after every batch of candidates; on a terminal, show it on one line.
    const bool on_terminal = ::isatty(STDOUT_FILENO) == 1;
    dkg::keygen_progress report;
    dkg::in_process_options options;
    options.keygen.on_progress = [&report, on_terminal](const dkg::keygen_progress& p) {
        report = p;
        if (on_terminal && !p.finished)
            std::cout << "\r  searching for N = p*q: " << p.candidates << " candidate pairs, " << p.biprimality_tests
                      << " biprimality tests so far" << std::flush;
    };

    const auto start = std::chrono::steady_clock::now();
    const std::vector<dkg::key_share<number>> shares = dkg::generate_key_in_process<number>(parties, params, options);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;

    const dkg::public_key<number>& key = shares[0].public_key(); // the same at every party
    if (on_terminal) std::cout << "\r\033[K"; // clear the progress line
    std::cout << "  done in " << std::fixed << std::setprecision(1) << took.count() << " s: " << report.candidates
              << " candidate pairs (p, q) in " << report.batches << (report.batches == 1 ? " batch, " : " batches, ")
              << report.biprimality_tests << " biprimality tests\n"
              << "  public key N = " << abbreviated(key.n()) << " (" << key.bits() << " bits, " << dkg::to_decimal(key.n()).size()
              << " decimal digits)\n"
              << "  each party holds its own share of the secret key; nobody holds the key itself\n";

    // ---- 2. every party encrypts a private value ---------------------------------------------
    const std::vector<long long> values = {1200, 345, -67}; // plaintexts are signed integers
    dkg::system_rng rng;
    std::vector<dkg::ciphertext<number>> encrypted;
    for (std::size_t j = 0; j < parties; ++j) {
        encrypted.push_back(key.encrypt(number(values[j]), rng));
        std::cout << "Party " << j + 1 << " encrypts " << values[j] << " -> " << abbreviated(encrypted.back().value()) << '\n';
    }

    // ---- 3. homomorphic sum ----------------------------------------------------------------
    dkg::ciphertext<number> sum = encrypted[0];
    for (std::size_t j = 1; j < parties; ++j) sum = sum + encrypted[j];
    std::cout << "Encrypted sum (product of the ciphertexts mod N^2): " << abbreviated(sum.value()) << '\n';

    // ---- 4. threshold decryption by t + 1 parties ---------------------------------------------
    // Each decrypting party publishes a partial decryption with a proof that it used its real
    // share; anyone can check the proof against the public verification keys, then combine.
    const dkg::threshold_key<number> public_part(shares[0]); // public values only, no secret
    const std::vector<dkg::party_id> decrypting = {1, 3};
    std::vector<dkg::partial_decryption<number>> partials;
    for (dkg::party_id j : decrypting) {
        partials.push_back(dkg::partial_decrypt(shares[j - 1], sum, rng));
        const bool valid = dkg::verify(public_part, sum, partials.back());
        std::cout << "Party " << j << " publishes its partial decryption (proof " << (valid ? "valid" : "INVALID") << ")\n";
        if (!valid) return EXIT_FAILURE;
    }

    // One partial decryption reveals nothing: combining needs t + 1 of them.
    try {
        dkg::combine<number>(public_part, sum, std::span(partials).first(1));
        std::cout << "ERROR: party 1 decrypted alone\n";
        return EXIT_FAILURE;
    } catch (const dkg::protocol_error& e) {
        std::cout << "Party 1 alone cannot decrypt: " << e.code().message() << '\n';
    }

    const number plaintext = key.from_residue(dkg::combine<number>(public_part, sum, partials));
    long long expected = 0;
    for (long long v : values) expected += v;
    std::cout << "Parties 1 and 3 decrypt the sum (party 2 takes no part): " << plaintext << " (expected " << expected << ")\n";
    if (plaintext != number(expected)) {
        std::cout << "ERROR: wrong decryption\n";
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
} catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return EXIT_FAILURE;
}
