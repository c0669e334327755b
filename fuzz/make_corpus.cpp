// Writes the seed corpora of the fuzz harnesses from real encodings: frames, protocol payloads,
// serialised keys, ciphertexts, partial decryptions and key shares of the harnesses' fixed key,
// number and address texts, command lines, and the messages party 2 sends to party 1 in a real
// key generation and decryption (recorded through the same wrapper the protocol harness uses).
// Deterministic (seeded generators), so running it again gives the same files.
//
// Usage: fuzz_make_corpus DIR   (DIR is normally fuzz/corpus; one subdirectory per harness)
#include "fuzz_support.hpp"
#include "protocol_support.hpp"

#include <dkg/codec.hpp>
#include <dkg/diagnostics.hpp>
#include <dkg/proofs/serialization.hpp>
#include <dkg/serialization.hpp>
#include <dkg/transport/framing.hpp>
#include <dkg/transport/memory.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

namespace fs = std::filesystem;
using N = dkg::gmp_int;
using bytes = std::vector<std::uint8_t>;

namespace {

class corpus {
public:
    explicit corpus(fs::path root) : root_(std::move(root)) {}

    void add(const std::string& harness, std::initializer_list<std::uint8_t> prefix, const bytes& body)
    {
        bytes data(prefix);
        data.insert(data.end(), body.begin(), body.end());
        const fs::path dir = root_ / harness;
        fs::create_directories(dir);
        const auto n = ++counts_[harness];
        std::ofstream out(dir / ("seed-" + std::string(n < 10 ? "00" : n < 100 ? "0" : "") + std::to_string(n)), std::ios::binary);
        out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    }

    void add(const std::string& harness, std::initializer_list<std::uint8_t> prefix, std::string_view text)
    {
        add(harness, prefix, bytes(text.begin(), text.end()));
    }

    std::size_t total() const
    {
        std::size_t t = 0;
        for (const auto& [k, v] : counts_) t += v;
        return t;
    }

private:
    fs::path root_;
    std::map<std::string, std::size_t> counts_;
};

bytes concat(std::initializer_list<bytes> parts)
{
    bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

void framing_seeds(corpus& c)
{
    namespace f = dkg::framing;
    const auto hello = f::encode_hello({f::version, 2, 3, "cluster-a"});
    f::message_prefix prefix;
    prefix.sender = 2;
    prefix.sequence = 1;
    prefix.tag.step = dkg::keygen_steps::setup;
    prefix.tag.session[0] = 0xab;
    const bytes payload = {1, 2, 3, 4, 5, 6, 7, 8};
    const auto message = f::encode_message(prefix, payload);
    const auto goodbye = f::encode_goodbye(dkg::errc::timeout);
    c.add("fuzz_framing", {}, hello);
    c.add("fuzz_framing", {}, message);
    c.add("fuzz_framing", {}, goodbye);
    c.add("fuzz_framing", {}, concat({hello, message, message, goodbye}));
    c.add("fuzz_framing", {}, f::encode_hello({f::version, 1, 64, ""}));
}

template <class Write>
bytes encoded(Write&& write)
{
    dkg::writer w;
    write(w);
    return w.finish();
}

void codec_seeds(corpus& c)
{
    const auto& share = dkg_fuzz::shares<N>()[0];
    const auto& key = share.public_key();
    dkg::testing::insecure_seeded_rng rng(1);
    const N n = key.n();
    c.add("fuzz_codec", {0, 0x01, 0x00}, encoded([&](dkg::writer& w) { w.integer(n); }));
    c.add("fuzz_codec", {0, 0x00, 0x40}, encoded([&](dkg::writer& w) { w.integer(N(-12345)); }));
    c.add("fuzz_codec", {0, 0x00, 0x08}, encoded([&](dkg::writer& w) { w.integer(N(0u)); }));
    c.add("fuzz_codec", {1, 4, 40}, encoded([&](dkg::writer& w) { w.integers(std::vector<N>{N(1u), N(-2), n, N(0u)}); }));
    c.add("fuzz_codec", {2, 1, 0}, encoded([&](dkg::writer& w) { w.integer(N(n - N(1u))); }));
    c.add("fuzz_codec", {2, 0, 0}, encoded([&](dkg::writer& w) { w.integer(share.verification_key(1)); }));
    c.add("fuzz_codec", {3, 16, 0}, encoded([&](dkg::writer& w) { w.byte_string(bytes{'d', 'k', 'g'}); }));
    const N m = dkg::modulus_ring<N>(dkg_fuzz::key_bits, 3);
    std::vector<N> ring_values;
    for (int i = 0; i < 6; ++i) ring_values.push_back(dkg::random_below(m, rng));
    c.add("fuzz_codec", {4, 1, 1}, encoded([&](dkg::writer& w) { w.integers(ring_values); }));
    c.add("fuzz_codec", {4, 0, 0}, encoded([&](dkg::writer& w) { w.integers(std::vector<N>{ring_values[0]}); }));
    c.add("fuzz_codec", {5, 1, 2}, concat({encoded([&](dkg::writer& w) { w.integers(std::vector<N>(ring_values.begin(), ring_values.begin() + 2)); }),
                                           bytes{0, 1, 0, 2, 0, 0, 0, 4}}));
    c.add("fuzz_codec", {6, 0, 0}, encoded([&](dkg::writer& w) { w.integer(N(-N(n * n))).integer(n).integer(N(7u)); }));
    c.add("fuzz_codec", {7, 0, 0}, encoded([&](dkg::writer& w) { w.integer(N(n - N(2u))).integer(share.verification_key(2)); }));
    c.add("fuzz_codec", {8, 1, 0}, encoded([&](dkg::writer& w) { w.integers(std::vector<N>{N(n - N(1u)), N(1u)}); }));
    const auto ct = key.encrypt(N(5u), rng);
    const auto proved = dkg::partial_decrypt(share, ct, rng);
    const auto plain = dkg::partial_decrypt(share, ct);
    c.add("fuzz_codec", {9, 0, 0}, encoded([&](dkg::writer& w) { dkg::detail::write_partial(w, proved); }));
    c.add("fuzz_codec", {9, 0, 0}, encoded([&](dkg::writer& w) { dkg::detail::write_partial(w, plain); }));
    // A proof checked against the fixed ciphertext N + 1 of the harness: valid.
    const auto fixed = key.make_ciphertext(N(n + N(1u)));
    c.add("fuzz_codec", {9, 0, 0}, encoded([&](dkg::writer& w) { dkg::detail::write_partial(w, dkg::partial_decrypt(share, fixed, rng)); }));
    c.add("fuzz_codec", {10, 0, 0}, encoded([&](dkg::writer& w) {
              w.u8(1).raw(bytes(32, 0x5a)).u32(2);
              dkg::detail::write_partial(w, proved);
              dkg::detail::write_partial(w, plain);
          }));
}

void serialization_seeds(corpus& c)
{
    const auto& share = dkg_fuzz::shares<N>()[0];
    const auto& key = share.public_key();
    dkg::testing::insecure_seeded_rng rng(2);
    const auto ct = key.encrypt(N(-3), rng);
    c.add("fuzz_serialization", {0}, dkg::to_binary(key));
    c.add("fuzz_serialization", {1}, dkg::to_json(key));
    c.add("fuzz_serialization", {2}, dkg::to_binary(ct));
    c.add("fuzz_serialization", {3}, dkg::to_json(ct));
    const auto proved = dkg::partial_decrypt(share, ct, rng);
    const auto plain = dkg::partial_decrypt(share, ct);
    c.add("fuzz_serialization", {4}, dkg::to_binary(proved));
    c.add("fuzz_serialization", {4}, dkg::to_binary(plain));
    c.add("fuzz_serialization", {5}, dkg::to_json(proved));
    c.add("fuzz_serialization", {5}, dkg::to_json(plain));
}

void proofs_seeds(corpus& c)
{
    // Selectors of fuzz_proofs: 0/1 knowledge, 2/3 membership, 4/5 blinding, 8r+6/8r+7 ballot under
    // rule r (binary/JSON); the statement is the harness's: an encryption of 1 and its blinding.
    const auto& key = dkg_fuzz::shares<N>()[0].public_key();
    dkg::testing::insecure_seeded_rng rng(3);
    const dkg::proof_context context{"fuzz-election", "voter-1"};
    const N r = dkg::random_unit(key.n(), rng);
    const auto ct = key.encrypt_with_nonce(N(1u), r);
    const auto knowledge = dkg::prove_plaintext_knowledge(ct, N(1u), r, context, rng);
    const auto membership = dkg::prove_membership(ct, std::vector<N>{N(0u), N(1u)}, N(1u), r, context, rng);
    const auto blinded = dkg::blind(ct, context, rng);
    c.add("fuzz_proofs", {0}, dkg::to_binary(knowledge));
    c.add("fuzz_proofs", {1}, dkg::to_json(knowledge));
    c.add("fuzz_proofs", {2}, dkg::to_binary(membership));
    c.add("fuzz_proofs", {3}, dkg::to_json(membership));
    c.add("fuzz_proofs", {4}, dkg::to_binary(blinded.proof));
    c.add("fuzz_proofs", {5}, dkg::to_json(blinded.proof));
    const std::vector<dkg::ballot_rule> rules = {dkg::ballot_rule::one_of(2), dkg::ballot_rule::one_of(3), dkg::ballot_rule::at_most(3, 1),
                                                 dkg::ballot_rule(3, 1, 2), dkg::ballot_rule::at_most(1, 1)};
    for (std::size_t i = 0; i < rules.size(); ++i) {
        std::vector<unsigned> choices(rules[i].options(), 0);
        choices.back() = 1;
        const auto b = dkg::encrypt_ballot(key, rules[i], choices, context, rng);
        c.add("fuzz_proofs", {static_cast<std::uint8_t>(8 * i + 6)}, dkg::to_binary(b));
        c.add("fuzz_proofs", {static_cast<std::uint8_t>(8 * i + 7)}, dkg::to_json(b));
    }
}

void key_share_seeds(corpus& c)
{
    for (const auto& share : dkg_fuzz::shares<N>()) {
        auto binary = dkg::to_binary(share);
        c.add("fuzz_key_share", {2}, binary);
        c.add("fuzz_key_share", {3}, dkg::to_json(share));
        if (share.id() == 1) {
            c.add("fuzz_key_share", {1}, binary);
            binary.resize(binary.size() - 32); // the body: the harness appends the checksum
            c.add("fuzz_key_share", {0}, binary);
        }
    }
}

void number_seeds(corpus& c)
{
    for (const char* t : {"0", "-123456789012345678901234567890", "000042", "-0"}) c.add("fuzz_numbers", {0}, t);
    for (const char* t : {"ff", "-DeadBeef", "0", "1234567890abcdef1234567890abcdef"}) c.add("fuzz_numbers", {1}, t);
    for (const char* t : {"1.5", "-2.25e3", "0.000001", "12345.6789", "+7", "1e-3", "-0.5"}) {
        c.add("fuzz_numbers", {2 + 5 * 2}, t);
        c.add("fuzz_numbers", {3 + 5 * 6}, t);
    }
    for (const char* t : {"127.0.0.1:7000", "[::1]:7001", "localhost:65535"}) c.add("fuzz_numbers", {4}, t);
    c.add("fuzz_numbers", {0x84}, "127.0.0.1:7000,[::1]:7001,host-3:7002");
}

void cli_seeds(corpus& c)
{
    const std::string_view line("--parties\0" "5\0" "--timeout=1.5\0" "--receivers\0" "1,3\0" "--json\0" "--\0" "-12\0" "value", 56);
    c.add("fuzz_cli", {0}, line);
    c.add("fuzz_cli", {0}, std::string_view("--backend\0cpp_int\0-q\0--timeout\0" "30", 31));
    c.add("fuzz_cli", {1}, "2048");
    c.add("fuzz_cli", {2 + 6 * 4}, "1,2,5");
    c.add("fuzz_cli", {3 + 6 * 2}, "127.0.0.1:7000,127.0.0.1:7001,[::1]:7002");
    for (const char* t : {"12.50", "-3", "1e2", "0.125"}) c.add("fuzz_cli", {4 + 6 * 6}, t); // exact_at_precision, precision 2
    for (const char* t : {"-17", "123456789"}) c.add("fuzz_cli", {4 + 6 * 1}, t);            // parse_factor
    dkg::testing::insecure_seeded_rng rng(3);
    const auto& key = dkg_fuzz::shares<N>()[0].public_key();
    const auto ct = key.encrypt(N(11u), rng);
    c.add("fuzz_cli", {4 + 6 * 2}, dkg::to_decimal(ct.value())); // parse_ciphertext, decimal
    c.add("fuzz_cli", {4 + 6 * 2}, dkg::to_json(ct));           // and JSON
}

using transport = dkg_fuzz::tap_transport<dkg::memory_transport>;

/// Three parties over the memory transport; `record` sees what party 2 sends.
struct recording_network {
    boost::asio::io_context io;
    dkg::memory_network net{io, 3};
    std::vector<std::unique_ptr<transport>> transports;
    std::vector<std::unique_ptr<dkg::session<transport>>> sessions;
    std::vector<std::unique_ptr<dkg::testing::insecure_seeded_rng>> rngs;

    explicit recording_network(const dkg_fuzz::tap& record)
    {
        for (dkg::party_id j = 1; j <= 3; ++j) {
            transports.push_back(std::make_unique<transport>(net.party(j), j == 2 ? record : dkg_fuzz::tap{}));
            sessions.push_back(std::make_unique<dkg::session<transport>>(*transports.back()));
            rngs.push_back(std::make_unique<dkg::testing::insecure_seeded_rng>(dkg::testing::default_test_seed, j));
        }
    }
};

/// Records what party 2 sends party 1 in one real key generation and one decryption.
void protocol_seeds(corpus& c)
{
    for (bool trial_division : {false, true}) {
        std::map<std::uint32_t, std::size_t> counts;
        std::vector<std::pair<std::pair<std::uint32_t, std::size_t>, bytes>> recorded;
        recording_network w([&](dkg::party_id to, const dkg::message_tag& tag, bytes& payload) {
            if (to == 1) recorded.push_back({{tag.step, ++counts[tag.step]}, payload});
        });
        std::size_t ok = 0;
        for (std::size_t j = 0; j < 3; ++j)
            dkg::async_generate_key<N>(*w.sessions[j], *w.rngs[j], dkg_fuzz::keygen_params(trial_division), {},
                                       [&](std::exception_ptr e, dkg::key_share<N>) { ok += e ? 0 : 1; });
        w.io.run();
        if (ok != 3) throw std::runtime_error("make_corpus: the recorded key generation failed");
        for (const auto& [where, payload] : recorded) {
            const auto index = std::find(dkg_fuzz::target_steps.begin(), dkg_fuzz::target_steps.end(), where.first) - dkg_fuzz::target_steps.begin();
            if (where.second > 4) continue;
            c.add("fuzz_protocol", {static_cast<std::uint8_t>(trial_division ? 2 : 0), static_cast<std::uint8_t>(index),
                                    static_cast<std::uint8_t>(where.second - 1)},
                  payload);
        }
    }
    // A decryption: party 2's partial decryptions (with and without proofs), as the harness's
    // fixed batch would have them, are produced by the harness itself; record them here.
    for (bool proofs : {true, false}) {
        std::optional<bytes> partials;
        recording_network w([&](dkg::party_id to, const dkg::message_tag& tag, bytes& payload) {
            if (to == 1 && tag.step == dkg::threshold_steps::partials) partials = payload;
        });
        dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 99);
        const auto& key = dkg_fuzz::shares<N>()[0].public_key();
        std::vector<dkg::ciphertext<N>> batch;
        for (long long m : {42LL, -7LL}) batch.push_back(key.encrypt(N(m), rng));
        for (std::size_t j = 0; j < 3; ++j) {
            dkg::decrypt_options options;
            options.verify_proofs = proofs;
            boost::asio::co_spawn(w.sessions[j]->get_executor(),
                                  dkg_fuzz::establish_and_decrypt(*w.sessions[j], dkg_fuzz::shares<N>()[j], batch, options, *w.rngs[j]),
                                  [](std::exception_ptr e, dkg::decryption_result<N>) {
                                      if (e) std::rethrow_exception(e);
                                  });
        }
        w.io.run();
        if (!partials) throw std::runtime_error("make_corpus: no partial decryptions recorded");
        c.add("fuzz_protocol", {static_cast<std::uint8_t>(proofs ? 1 : 5), 11, 0}, *partials);
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: fuzz_make_corpus DIR\n";
        return 2;
    }
    dkg::set_warning_handler({});
    corpus c(argv[1]);
    framing_seeds(c);
    codec_seeds(c);
    serialization_seeds(c);
    key_share_seeds(c);
    proofs_seeds(c);
    number_seeds(c);
    cli_seeds(c);
    protocol_seeds(c);
    std::cout << "wrote " << c.total() << " seed files under " << argv[1] << "\n";
    return 0;
}
