// Writes the fixed vectors of the proofs on ciphertexts into a directory (test/data/proof_vectors)
// and prints the worked example of docs/formats.md (the 128-bit vector's ballot, its transcript
// bytes, challenge and checks).
//
//   make_proof_vectors <directory>
//
// Every value comes from seeded draws (dkg::testing::insecure_seeded_rng), so the output is the same on
// every run of the same code. test_proofs reads the files and checks that they decode, encode back
// to the same bytes and verify; regenerate them only when a format or transcript changes on purpose
// (with a new version).
#include <dkg/proofs.hpp>
#include <dkg/proofs/serialization.hpp>
#include <dkg/testing/seeded_rng.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

using N = dkg::gmp_int;

std::string hex(std::span<const std::uint8_t> b)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (auto x : b) (out += digits[x >> 4]) += digits[x & 15];
    return out;
}

void write(const std::filesystem::path& path, std::string_view text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

void write(const std::filesystem::path& path, const dkg::bytes& data)
{
    write(path, std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
}

/// One framed piece of a transcript, as proof_transcript appends it.
struct piece {
    dkg::bytes bytes;
    std::string what;
};

dkg::bytes u64(std::uint64_t v)
{
    dkg::bytes out;
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return out;
}

dkg::bytes framed(std::span<const std::uint8_t> b)
{
    auto out = u64(b.size());
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

dkg::bytes integer(const N& v)
{
    auto out = u64(v < 0 ? 1 : 0);
    const auto f = framed(dkg::to_bytes(v));
    out.insert(out.end(), f.begin(), f.end());
    return out;
}

dkg::bytes text(std::string_view s)
{
    return framed(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

/// Prints the markdown of the worked example for the 128-bit vector's ballot.
void print_example(const dkg::public_key<N>& key, const dkg::proof_context& context, const dkg::ballot_rule& rule, const dkg::ballot<N>& b)
{
    const N& n = key.n();
    const N& n2 = key.n_squared();
    const std::size_t t = dkg::proof_challenge_bits(key);
    std::vector<piece> pieces = {{text("dkg/proofs/ballot/v1"), "domain \"dkg/proofs/ballot/v1\""}, {u64(context.fields().size()), "3 context fields"}};
    for (const auto& f : context.fields()) pieces.push_back({framed(f), "\"" + std::string(f.begin(), f.end()) + "\""});
    pieces.push_back({integer(n), "N"});
    pieces.push_back({u64(rule.options()), "k = 2"});
    pieces.push_back({u64(rule.min_selections()), "min = 1"});
    pieces.push_back({u64(rule.max_selections()), "max = 1"});
    pieces.push_back({u64(b.ciphertexts.size()), "1 sent ciphertext"});
    pieces.push_back({integer(b.ciphertexts[0].value()), "c_1"});
    pieces.push_back({u64(b.proofs.size()), "1 proof"});
    pieces.push_back({u64(b.proofs[0].branches.size()), "2 branches"});
    pieces.push_back({integer(b.proofs[0].branches[0].commitment), "a_0"});
    pieces.push_back({integer(b.proofs[0].branches[1].commitment), "a_1"});
    std::vector<std::vector<N>> commitments = {{b.proofs[0].branches[0].commitment, b.proofs[0].branches[1].commitment}};
    const auto transcript = dkg::detail::ballot_transcript(key, rule, std::span<const dkg::ciphertext<N>>(b.ciphertexts), commitments, context);
    dkg::bytes joined;
    for (const auto& p : pieces) joined.insert(joined.end(), p.bytes.begin(), p.bytes.end());
    if (joined != transcript.data()) throw std::logic_error("the annotated transcript differs from proof_transcript");
    const N e = transcript.challenge<N>(t);

    std::cout << "N = " << n << " (" << key.bits() << " bits, so t = " << t << ").\n\n";
    std::cout << "Transcript (" << joined.size() << " bytes, one framed value a line, hex):\n```\n";
    for (const auto& p : pieces) std::cout << hex(p.bytes) << "  " << p.what << "\n";
    std::cout << "```\nSHA-256 of the transcript: `" << hex(dkg::detail::sha256::hash(joined)) << "`, so e = its top " << t
              << " bits = " << e << ".\n\nChecks, all mod N²:\n";
    const auto& c = b.ciphertexts[0];
    N sum(0);
    for (std::size_t j = 0; j < 2; ++j) {
        const auto& br = b.proofs[0].branches[j];
        sum += br.challenge;
        const N left = dkg::powm(br.response, n, n2);
        const N right = N(N(br.commitment * dkg::powm(c.value(), br.challenge, n2)) % n2) * dkg::detail::g_power(key, N(-N(N(j) * br.challenge))) % n2;
        std::cout << "- branch " << j << " (s = " << j << "): z_" << j << "^N = " << left << " and a_" << j << "·c_1^(e_" << j << ")·g^(−" << j
                  << "·e_" << j << ") = " << right << "\n";
        if (left != right) throw std::logic_error("a branch does not verify");
    }
    std::cout << "- e_0 + e_1 = " << sum << " = e + " << N(N(sum - e) >> static_cast<unsigned>(t)) << "·2^" << t << ", so e_0 + e_1 ≡ e (mod 2^" << t
              << ")\n";
    std::cout << "- option 2's ciphertext, for the tally: g·c_1^−1 = " << dkg::option_ciphertexts(key, rule, b)[1].value() << "\n\n";
    std::cout << "The binary form of the ballot (" << dkg::to_binary(b).size() << " bytes: header, N, c_1, the proof), hex:\n```\n" << hex(dkg::to_binary(b)) << "\n```\n";
}

} // namespace

int main(int argc, char** argv)
try {
    if (argc != 2) {
        std::cerr << "usage: make_proof_vectors <directory>\n";
        return 2;
    }
    const std::filesystem::path root = argv[1];
    const dkg::proof_context context{"election-2024", "question-1", "voter-17"};
    for (std::size_t bits : {128u, 512u}) {
        dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 9000 + bits);
        const auto secret = dkg::secret_key<N>::generate(bits, rng);
        const auto& key = secret.public_key();
        const N r = dkg::random_unit(key.n(), rng);
        const auto c = key.encrypt_with_nonce(N(1u), r);
        const std::vector<N> set = {N(0u), N(1u)};
        const auto knowledge = dkg::prove_plaintext_knowledge(c, N(1u), r, context, rng);
        const auto membership = dkg::prove_membership(c, set, N(1u), r, context, rng);
        const auto blinded = dkg::blind(c, context, rng);
        const auto rule = dkg::ballot_rule::one_of(2);
        const std::vector<unsigned> choices = {0, 1};
        const auto ballot = dkg::encrypt_ballot(key, rule, choices, context, rng);
        if (!dkg::verify_plaintext_knowledge(c, knowledge, context) || !dkg::verify_membership(c, set, membership, context) ||
            !dkg::verify_blinding(c, blinded.value, blinded.proof, context) || !dkg::verify_ballot(key, rule, ballot, context))
            throw std::logic_error("a vector does not verify");

        const auto dir = root / std::to_string(bits);
        std::filesystem::create_directories(dir);
        std::string statement = "# The statement of the proof vectors of this directory (docs/formats.md), made by make_proof_vectors.\n"
                                "# n: the key; context: one field per line; ciphertext: an encryption of 1, the statement of\n"
                                "# plaintext_knowledge and of membership (set 0 1); blinded: the blinding of ciphertext that\n"
                                "# blinding proves; rule: the ballot rule (options, min, max) of ballot.\n";
        statement += "n " + dkg::to_decimal(key.n()) + "\n";
        for (const auto& f : context.fields()) statement += "context " + std::string(f.begin(), f.end()) + "\n";
        statement += "ciphertext " + dkg::to_decimal(c.value()) + "\nset 0 1\nblinded " + dkg::to_decimal(blinded.value.value()) + "\nrule 2 1 1\n";
        write(dir / "statement.txt", statement);
        write(dir / "plaintext_knowledge.json", dkg::to_json(knowledge));
        write(dir / "plaintext_knowledge.bin", dkg::to_binary(knowledge));
        write(dir / "membership.json", dkg::to_json(membership));
        write(dir / "membership.bin", dkg::to_binary(membership));
        write(dir / "blinding.json", dkg::to_json(blinded.proof));
        write(dir / "blinding.bin", dkg::to_binary(blinded.proof));
        write(dir / "ballot.json", dkg::to_json(ballot));
        write(dir / "ballot.bin", dkg::to_binary(ballot));
        if (bits == 128) {
            std::cout << "```json\n" << dkg::to_json(ballot) << "```\n";
            print_example(key, context, rule, ballot);
        }
    }
    return 0;
} catch (const std::exception& e) {
    std::cerr << "make_proof_vectors: " << e.what() << "\n";
    return 1;
}
