// Encrypted share files through the dkg tool (--passphrase-file, --passphrase-env): keygen, party,
// info, decrypt and decrypt-party round trips, and each refusal as a user meets it from the
// executable — a wrong passphrase, an edited file, a file of another party, a missing passphrase —
// with exit status 3, one error line, and neither the passphrase nor the share in any output.
#include "support.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace dkg_cli_test;

namespace {

const std::string passphrase_text = "correct horse battery staple";

std::string read_text(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_text(const std::string& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

/// A key of three parties whose share files are encrypted, made once by `dkg keygen`.
struct encrypted_key {
    temp_dir dir;
    std::string out, passphrase_file;
    std::string share(int j) const { return out + "/party-" + std::to_string(j) + ".share"; }
};

const encrypted_key& key()
{
    static const auto k = [] {
        auto k = std::make_unique<encrypted_key>();
        k->out = k->dir / "keys";
        k->passphrase_file = k->dir / "passphrase";
        write_text(k->passphrase_file, passphrase_text + "\n");
        const auto r = run({"keygen", "--bits", "256", "--out", k->out, "--passphrase-file", k->passphrase_file, "--quiet"});
        BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
        return k;
    }();
    return *k;
}

std::string encrypt_value(const std::string& value)
{
    const auto r = run({"encrypt", "--public-key", key().out + "/public_key.json", value});
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    return r.lines().at(0);
}

/// Checks that a run of the executable failed with exit status 3 and exactly one error line
/// containing `part`, and that nothing secret reached its output.
void check_refused(const std::vector<std::string>& args, const std::string& part, const temp_dir& logs, const std::string& name)
{
    const auto r = run_process(args, logs.path(), name);
    BOOST_TEST_CONTEXT("dkg " << args.front() << " (" << name << ")")
    {
        BOOST_TEST(r.code == 3);
        BOOST_TEST(r.out.empty());
        const auto lines = r.error_lines();
        BOOST_TEST_REQUIRE(lines.size() == 1u, r.err);
        BOOST_TEST(lines.front().find(part) != std::string::npos, lines.front());
        BOOST_TEST(r.err.find(passphrase_text) == std::string::npos);
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(cli_passphrase)

BOOST_AUTO_TEST_CASE(keygen_info_and_decrypt_round_trip)
{
    const auto& k = key();
    for (int j = 1; j <= 3; ++j) {
        const std::string data = read_text(k.share(j));
        // "DKG\0", version 1, type 10: an encrypted key share.
        BOOST_TEST_REQUIRE(data.size() > 104u);
        BOOST_TEST((data.compare(0, 4, std::string("DKG\0", 4)) == 0 && data[4] == 1 && data[5] == 10));
    }
    // info without the passphrase: the clear header only.
    auto r = run({"info", k.share(2), "--json"});
    BOOST_TEST_REQUIRE(r.code == 0, r.err);
    auto o = parse_json(r.out).as_object();
    BOOST_TEST(o.at("type").as_string() == "encrypted_key_share");
    BOOST_TEST(o.at("party").as_int64() == 2);
    BOOST_TEST(o.at("kdf_memory_kib").as_int64() == 256 * 1024);
    BOOST_TEST(o.at("key_fingerprint").as_string().size() == 64u);
    // With it (from the environment): decrypted and checked.
    BOOST_TEST_REQUIRE(::setenv("DKG_TEST_SHARE_PASSPHRASE", passphrase_text.c_str(), 1) == 0);
    r = run({"info", k.share(2), "--json", "--passphrase-env", "DKG_TEST_SHARE_PASSPHRASE"});
    BOOST_TEST_REQUIRE(r.code == 0, r.err);
    o = parse_json(r.out).as_object();
    BOOST_TEST(o.at("type").as_string() == "key_share");
    BOOST_TEST(o.at("party").as_int64() == 2);
    BOOST_TEST(o.at("encrypted").as_bool());
    // The tool removes the variable once read.
    BOOST_TEST(::getenv("DKG_TEST_SHARE_PASSPHRASE") == nullptr);

    const auto c = encrypt_value("-1234");
    r = run({"decrypt", "--shares", k.share(3) + "," + k.share(1), "--passphrase-file", k.passphrase_file, c});
    BOOST_TEST_REQUIRE(r.code == 0, r.err);
    BOOST_TEST(r.lines() == std::vector<std::string>{"-1234"});
    // The other backend reads the same files.
    r = run({"decrypt", "--backend", "cpp_int", "--shares", k.share(2) + "," + k.share(3), "--passphrase-file", k.passphrase_file, c});
    BOOST_TEST_REQUIRE(r.code == 0, r.err);
    BOOST_TEST(r.lines() == std::vector<std::string>{"-1234"});
}

BOOST_AUTO_TEST_CASE(refusals_exit_with_status_3)
{
    const auto& k = key();
    temp_dir d;
    const auto c = encrypt_value("7");
    const auto wrong = d / "wrong";
    write_text(wrong, "correct horse battery stapler\n");
    check_refused({"decrypt", "--shares", k.share(1) + "," + k.share(2), "--passphrase-file", wrong, c},
                  "share file " + k.share(1) + ": dkg.encrypted_key_share: wrong passphrase, or the file was altered", d, "wrong");
    check_refused({"decrypt", "--shares", k.share(1) + "," + k.share(2), c}, "is encrypted: give its passphrase with --passphrase-file or --passphrase-env",
                  d, "none");
    // Edited: one bit of the ciphertext, and the clear party id (posing as party 3's file).
    const std::string good = read_text(k.share(2));
    std::string edited = good;
    edited[good.size() / 2] = static_cast<char>(edited[good.size() / 2] ^ 1);
    write_text(d / "edited.share", edited);
    check_refused({"info", d / "edited.share", "--passphrase-file", k.passphrase_file}, "wrong passphrase, or the file was altered", d, "edited");
    std::string relabelled = good;
    relabelled[59] = 3; // the low byte of the party id
    write_text(d / "party-3.share", relabelled);
    check_refused({"decrypt-party", "--share", d / "party-3.share", "--id", "3", "--base-port", "1", "--passphrase-file", k.passphrase_file, c},
                  "wrong passphrase, or the file was altered", d, "relabelled");
    // A file of another party: named before any key derivation.
    check_refused({"decrypt-party", "--share", k.share(2), "--id", "1", "--base-port", "1", "--passphrase-file", k.passphrase_file, c},
                  "share file " + k.share(2) + ": dkg.key_share: belongs to party 2, expected party 1", d, "other-party");
    // Passphrase sources that do not give one.
    ::unsetenv("DKG_TEST_UNSET_PASSPHRASE");
    check_refused({"info", k.share(1), "--passphrase-env", "DKG_TEST_UNSET_PASSPHRASE"}, "passphrase variable DKG_TEST_UNSET_PASSPHRASE: not set", d,
                  "unset");
    write_text(d / "empty", "\nsecond line\n");
    check_refused({"info", k.share(1), "--passphrase-file", d / "empty"}, "passphrase file " + (d / "empty") + ": the first line is empty", d,
                  "empty");
    check_refused({"keygen", "--bits", "128", "--out", d / "k2", "--passphrase-file", d / "missing"}, "passphrase file " + (d / "missing"), d,
                  "missing");
    BOOST_TEST(!std::filesystem::exists(d / "k2/party-1.share"));

    // Command-line errors (status 2): both sources, JSON share files, a variable with '='.
    auto r = run({"keygen", "--out", d / "k3", "--passphrase-file", k.passphrase_file, "--passphrase-env", "X"});
    BOOST_TEST(r.code == 2);
    BOOST_TEST(r.err.find("give either --passphrase-file or --passphrase-env, not both") != std::string::npos, r.err);
    r = run({"keygen", "--out", d / "k3", "--passphrase-file", k.passphrase_file, "--format", "json"});
    BOOST_TEST(r.code == 2);
    BOOST_TEST(r.err.find("encrypted share files are binary") != std::string::npos, r.err);
    r = run({"info", k.share(1), "--passphrase-env", "A=B"});
    BOOST_TEST(r.code == 2);
}

// Three `dkg party` processes write encrypted shares (the passphrase from the environment, which
// the children inherit), then three `dkg decrypt-party` processes decrypt with them.
BOOST_AUTO_TEST_CASE(party_and_decrypt_party_with_encrypted_shares)
{
    temp_dir d;
    const auto out = d / "keys";
    BOOST_TEST_REQUIRE(::setenv("DKG_TEST_PARTY_PASSPHRASE", passphrase_text.c_str(), 1) == 0);
    const unsigned base = free_base_port(3);
    std::vector<process> parties;
    for (int id = 1; id <= 3; ++id)
        parties.emplace_back(std::vector<std::string>{"party", "--id", std::to_string(id), "--parties", "3", "--bits", "256", "--base-port",
                                                      std::to_string(base), "--host", "127.0.0.1", "--out", out, "--quiet",
                                                      "--passphrase-env", "DKG_TEST_PARTY_PASSPHRASE"},
                             d.path(), "party" + std::to_string(id));
    for (auto& p : parties) {
        const auto r = p.wait();
        BOOST_TEST_REQUIRE(r.code == 0, r.err);
    }
    const auto pk = out + "/public_key.json";
    const auto e = run({"encrypt", "--public-key", pk, "31337"});
    BOOST_TEST_REQUIRE(e.code == 0, e.err);
    const std::string c = e.lines().at(0);
    const unsigned decrypt_base = free_base_port(3);
    std::vector<process> decrypting;
    for (int id = 1; id <= 3; ++id)
        decrypting.emplace_back(std::vector<std::string>{"decrypt-party", "--share", out + "/party-" + std::to_string(id) + ".share", "--base-port",
                                                         std::to_string(decrypt_base), "--host", "127.0.0.1", "--passphrase-env",
                                                         "DKG_TEST_PARTY_PASSPHRASE", "--quiet", c},
                                d.path(), "decrypt" + std::to_string(id));
    for (auto& p : decrypting) {
        const auto r = p.wait();
        BOOST_TEST_REQUIRE(r.code == 0, r.err);
        BOOST_TEST(r.lines() == std::vector<std::string>{"31337"});
    }
    ::unsetenv("DKG_TEST_PARTY_PASSPHRASE");
}

BOOST_AUTO_TEST_SUITE_END()
