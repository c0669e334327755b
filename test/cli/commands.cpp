// The dkg tool's commands run in this process (dkg::cli::run): key generation, encryption,
// homomorphic operations and decryption from share files, fixed-point values, every documented
// error (exit code and one-line message) and the --json outputs.
#include "support.hpp"

#include <boost/json.hpp>
#include <boost/multiprecision/cpp_int.hpp>
#include <boost/test/unit_test.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>

using namespace dkg_cli_test;
using big = boost::multiprecision::cpp_int;
namespace json = boost::json;

namespace {

/// A key generated once per test run by `dkg keygen`.
struct key_set {
    temp_dir dir;
    std::string public_key;
    std::vector<std::string> shares; ///< element j-1: party j
    big n;
    std::size_t threshold = 0;
};

std::unique_ptr<key_set> make_keys(std::size_t parties, std::size_t threshold, std::size_t bits, const std::string& format = "binary")
{
    auto k = std::make_unique<key_set>();
    const auto out = k->dir / "keys";
    const auto r = run({"keygen", "--parties", std::to_string(parties), "--threshold", std::to_string(threshold), "--bits",
                        std::to_string(bits), "--out", out, "--format", format, "--quiet"});
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    k->public_key = out + "/public_key.json";
    for (std::size_t j = 1; j <= parties; ++j) k->shares.push_back(out + "/party-" + std::to_string(j) + ".share");
    std::ifstream in(k->public_key);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    k->n = big(std::string(parse_json(text).at("n").as_string()));
    k->threshold = threshold;
    return k;
}

const key_set& key3()
{
    static const auto k = make_keys(3, 1, 256);
    return *k;
}

const key_set& key5()
{
    static const auto k = make_keys(5, 2, 256);
    return *k;
}

/// A key of another, larger size: its ciphertexts are not below N^2 of key3.
const key_set& other_key()
{
    static const auto k = make_keys(3, 1, 384);
    return *k;
}

std::vector<std::string> ok_lines(const std::vector<std::string>& args)
{
    const auto r = run(args);
    BOOST_REQUIRE_MESSAGE(r.code == 0, "dkg " + args.front() + " failed: " + r.err);
    BOOST_CHECK(r.error_lines().empty());
    return r.lines();
}

std::string ok_line(const std::vector<std::string>& args)
{
    const auto lines = ok_lines(args);
    BOOST_REQUIRE_EQUAL(lines.size(), 1u);
    return lines.front();
}

std::vector<std::string> encrypt(const key_set& k, const std::vector<std::string>& values, const std::vector<std::string>& extra = {})
{
    std::vector<std::string> args{"encrypt", "--public-key", k.public_key};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("--");
    args.insert(args.end(), values.begin(), values.end());
    auto lines = ok_lines(args);
    BOOST_REQUIRE_EQUAL(lines.size(), values.size());
    return lines;
}

std::string joined(const std::vector<std::string>& paths)
{
    std::string out;
    for (const auto& p : paths) out += (out.empty() ? "" : ",") + p;
    return out;
}

std::vector<std::string> decrypt(const std::vector<std::string>& shares, const std::vector<std::string>& ciphertexts,
                                 const std::vector<std::string>& extra = {})
{
    std::vector<std::string> args{"decrypt", "--shares", joined(shares)};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), ciphertexts.begin(), ciphertexts.end());
    return ok_lines(args);
}

/// Every subset of `items` (as index masks).
std::vector<std::vector<std::string>> subsets(const std::vector<std::string>& items)
{
    std::vector<std::vector<std::string>> out;
    for (unsigned mask = 1; mask < (1u << items.size()); ++mask) {
        std::vector<std::string> s;
        for (std::size_t i = 0; i < items.size(); ++i)
            if (mask & (1u << i)) s.push_back(items[i]);
        out.push_back(s);
    }
    return out;
}

/// Checks a failure: the exit code, and exactly one error line "dkg CMD: error: ..." containing `part`.
void check_error(const std::vector<std::string>& args, int code, const std::string& part)
{
    const auto r = run(args);
    const std::string what = "dkg " + (args.empty() ? std::string() : args.front()) + " (expecting \"" + part + "\")";
    BOOST_TEST_CONTEXT(what)
    {
        BOOST_CHECK_EQUAL(r.code, code);
        BOOST_CHECK(r.out.empty());
        const auto lines = r.error_lines();
        BOOST_REQUIRE_EQUAL(lines.size(), 1u);
        BOOST_CHECK_MESSAGE(lines.front().rfind("dkg", 0) == 0 && lines.front().find(": error: ") != std::string::npos, lines.front());
        BOOST_CHECK_MESSAGE(lines.front().find(part) != std::string::npos, lines.front());
    }
}

std::string max_plaintext(const key_set& k)
{
    return big((k.n - 1) / 2).str();
}

std::string read_text(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_text(const std::string& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

} // namespace

BOOST_AUTO_TEST_SUITE(cli_commands)

BOOST_AUTO_TEST_CASE(keygen_writes_the_documented_files)
{
    temp_dir d;
    const auto out = d / "k";
    const auto r = run({"keygen", "--parties", "3", "--threshold", "1", "--bits", "128", "--out", out, "--json", "--quiet"});
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    BOOST_CHECK(r.err.empty());
    const auto o = parse_json(r.out).as_object();
    BOOST_CHECK_EQUAL(o.at("public_key").as_string(), out + "/public_key.json");
    BOOST_CHECK_EQUAL(o.at("shares").as_array().size(), 3u);
    BOOST_CHECK_EQUAL(o.at("bits").as_int64(), 128);
    BOOST_CHECK_EQUAL(o.at("parties").as_int64(), 3);
    BOOST_CHECK_EQUAL(o.at("threshold").as_int64(), 1);
    BOOST_CHECK(o.at("seconds").is_number());
    for (const char* step : {"candidates", "moduli", "trial_division", "biprimality", "key_sharing"})
        BOOST_CHECK(o.at("timings").as_object().at(step).is_number());
    BOOST_CHECK_GT(o.at("candidates").as_int64(), 0);
    BOOST_CHECK_GT(o.at("batches").as_int64(), 0);

    const auto key = parse_json(read_text(out + "/public_key.json")).as_object();
    BOOST_CHECK_EQUAL(key.at("type").as_string(), "dkg.public_key");
    const big n(std::string(key.at("n").as_string()));
    BOOST_CHECK_EQUAL(big(std::string(key.at("g").as_string())), n + 1);
    BOOST_CHECK_EQUAL(msb(n) + 1, 128u);
    struct stat st{};
    BOOST_REQUIRE_EQUAL(::stat((out + "/public_key.json").c_str(), &st), 0);
    BOOST_CHECK_EQUAL(st.st_mode & 0777, 0644u);
    for (int j = 1; j <= 3; ++j) {
        BOOST_REQUIRE_EQUAL(::stat((out + "/party-" + std::to_string(j) + ".share").c_str(), &st), 0);
        BOOST_CHECK_EQUAL(st.st_mode & 0777, 0600u);
    }
    // No temporary files are left behind.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(out)) ++files;
    BOOST_CHECK_EQUAL(files, 4u);

    // Existing files are kept unless --force is given.
    const std::string before = read_text(out + "/party-1.share");
    check_error({"keygen", "--bits", "128", "--out", out, "--quiet"}, 3, "public_key.json already exists (use --force");
    BOOST_CHECK(read_text(out + "/party-1.share") == before);
    const auto text = run({"keygen", "--bits", "128", "--out", out, "--quiet", "--force"});
    BOOST_REQUIRE_MESSAGE(text.code == 0, text.err);
    BOOST_CHECK(read_text(out + "/party-1.share") != before);
    BOOST_CHECK_EQUAL(text.lines().size(), 5u);
    BOOST_CHECK(text.lines().front() == "public key: " + out + "/public_key.json");
    BOOST_CHECK(text.lines()[1] == "share of party 1: " + out + "/party-1.share");
}

BOOST_AUTO_TEST_CASE(keygen_over_loopback_tcp)
{
    temp_dir d;
    const auto r = run({"keygen", "--parties", "5", "--threshold", "2", "--bits", "128", "--transport", "tcp", "--threads", "2",
                        "--method", "trial", "--out", d / "k", "--quiet", "--json"});
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    BOOST_CHECK_EQUAL(parse_json(r.out).at("method").as_string(), "trial");
    const auto c = run({"encrypt", "--public-key", d / "k/public_key.json", "-5"});
    BOOST_REQUIRE_EQUAL(c.code, 0);
    const auto m = run({"decrypt", "--shares", d / "k/party-5.share," + d / "k/party-2.share," + d / "k/party-4.share", c.lines().front()});
    BOOST_CHECK_EQUAL(m.out, "-5\n");
}

BOOST_AUTO_TEST_CASE(keygen_that_gives_up_fails)
{
    temp_dir d;
    const auto r = run({"keygen", "--bits", "1024", "--batch-size", "1", "--max-batches", "1", "--out", d / "k", "--quiet"});
    BOOST_CHECK_EQUAL(r.code, 1);
    BOOST_CHECK_EQUAL(r.err, "dkg keygen: error: key generation failed: too many attempts (keygen: no biprime found within max_batches)\n");
    BOOST_CHECK(!std::filesystem::exists(d / "k/public_key.json"));
}

BOOST_AUTO_TEST_CASE(insecure_key_lengths_are_warned_about_once)
{
    // In a process of its own: the library warns once per process.
    temp_dir d;
    const auto r = run_process({"keygen", "--bits", "128", "--out", d / "k"}, d.path(), "keygen");
    BOOST_REQUIRE_EQUAL(r.code, 0);
    BOOST_CHECK_EQUAL(r.err, "dkg keygen: warning: a key length of 128 bits is insecure (below 1024 bits); use 2048 bits or more for real keys\n");
}

BOOST_AUTO_TEST_CASE(encrypt_add_multiply_decrypt_with_every_allowed_subset)
{
    const auto& k = key3();
    const auto c = encrypt(k, {"42", "-7", "0"});
    BOOST_CHECK(c[0] != c[2]);
    const auto sum = ok_line({"add", "--public-key", k.public_key, c[0], c[1], c[2]});
    const auto product = ok_line({"multiply", "--public-key", k.public_key, sum, "-3"});
    const auto negated = ok_line({"multiply", "--public-key", k.public_key, "--", c[1], "-1"});
    // By 0: a fresh encryption of 0 each time, never the constant 1.
    const auto zero = ok_line({"multiply", "--public-key", k.public_key, c[0], "0"});
    BOOST_CHECK(zero != "1");
    BOOST_CHECK(zero != ok_line({"multiply", "--public-key", k.public_key, c[0], "0"}));
    const std::vector<std::string> all{c[0], c[1], c[2], sum, product, negated, zero};
    const std::vector<std::string> expected{"42", "-7", "0", "35", "-105", "7", "0"};
    for (const auto& set : subsets(k.shares)) {
        BOOST_TEST_CONTEXT("shares " << joined(set))
        {
            if (set.size() >= k.threshold + 1) {
                BOOST_CHECK(decrypt(set, all) == expected);
            } else {
                check_error({"decrypt", "--shares", joined(set), c[0]}, 3,
                            "too few key shares: 2 are needed to decrypt (threshold 1 of 3 parties), 1 given");
            }
        }
    }
    // A single ciphertext to add is its own sum.
    BOOST_CHECK_EQUAL(ok_line({"add", "--public-key", k.public_key, c[0]}), c[0]);
}

BOOST_AUTO_TEST_CASE(five_parties_threshold_two_every_subset)
{
    const auto& k = key5();
    const auto c = encrypt(k, {"123456789", "-987654321"});
    std::size_t decrypted = 0;
    for (const auto& set : subsets(k.shares)) {
        BOOST_TEST_CONTEXT("shares " << joined(set))
        {
            if (set.size() >= 3) {
                BOOST_CHECK(decrypt(set, c) == (std::vector<std::string>{"123456789", "-987654321"}));
                ++decrypted;
            } else {
                check_error({"decrypt", "--shares", joined(set), c[0]}, 3,
                            "3 are needed to decrypt (threshold 2 of 5 parties), " + std::to_string(set.size()) + " given");
            }
        }
    }
    BOOST_CHECK_EQUAL(decrypted, 16u);
}

BOOST_AUTO_TEST_CASE(fixed_point_values)
{
    const auto& k = key3();
    const std::vector<std::string> p3{"--precision", "3"};
    const auto c = encrypt(k, {"3.25", "-0.5", "1e-3", "-12.125", "7"}, p3);
    const std::vector<std::string> two{k.shares[0], k.shares[1]};
    BOOST_CHECK(decrypt(two, c, p3) == (std::vector<std::string>{"3.250", "-0.500", "0.001", "-12.125", "7.000"}));
    const auto sum = ok_line({"add", "--public-key", k.public_key, c[0], c[1], c[3]});
    const auto scaled = ok_line({"multiply", "--public-key", k.public_key, c[1], "4"});
    BOOST_CHECK(decrypt(two, {sum, scaled}, p3) == (std::vector<std::string>{"-9.375", "-2.000"}));
    // Without --precision the scaled integers are printed.
    BOOST_CHECK(decrypt(two, {sum}) == (std::vector<std::string>{"-9375"}));
    // Values with more decimals than the precision keeps: an error, or rounded half away from zero.
    check_error({"encrypt", "--public-key", k.public_key, "--precision", "3", "0.0005"}, 3,
                "value 1 '0.0005': more decimals than --precision 3 keeps (use --round to round)");
    check_error({"encrypt", "--public-key", k.public_key, "2.5"}, 3, "more decimals than --precision 0 keeps");
    const auto rounded = encrypt(k, {"0.0005", "-0.0005", "0.00049", "2.50"}, {"--precision", "3", "--round"});
    BOOST_CHECK(decrypt(two, rounded, p3) == (std::vector<std::string>{"0.001", "-0.001", "0.000", "2.500"}));
    // Trailing zeros beyond the precision are exact.
    BOOST_CHECK(decrypt(two, encrypt(k, {"2.000", "-1.50"}, {"--precision", "1"}), {"--precision", "1"}) ==
                (std::vector<std::string>{"2.0", "-1.5"}));
}

BOOST_AUTO_TEST_CASE(the_whole_plaintext_range_and_nothing_beyond)
{
    const auto& k = key3();
    const std::string max = max_plaintext(k);
    const auto c = encrypt(k, {max, "-" + max});
    BOOST_CHECK(decrypt({k.shares[1], k.shares[2]}, c) == (std::vector<std::string>{max, "-" + max}));
    const std::string beyond = big(big(max) + 1).str();
    check_error({"encrypt", "--public-key", k.public_key, beyond}, 3, "value 1 '");
    check_error({"encrypt", "--public-key", k.public_key, "--", "-" + beyond}, 3, "outside the encodable range");
    check_error({"encrypt", "--public-key", k.public_key, "--precision", "2", max}, 3, "outside the encodable range");
    check_error({"encrypt", "--public-key", k.public_key, "1e300"}, 3, "outside the encodable range");
    check_error({"multiply", "--public-key", k.public_key, c[0], beyond}, 3, "integer: outside the range [-(N-1)/2, (N-1)/2]");
    // The sum wraps modulo N like any Paillier sum: max + 1 decrypts to -max.
    const auto one = encrypt(k, {"1"});
    const auto wrapped = ok_line({"add", "--public-key", k.public_key, c[0], one[0]});
    BOOST_CHECK(decrypt({k.shares[0], k.shares[2]}, {wrapped}) == (std::vector<std::string>{"-" + max}));
}

BOOST_AUTO_TEST_CASE(json_outputs_parse)
{
    const auto& k = key3();
    const auto enc = run({"encrypt", "--json", "--public-key", k.public_key, "5", "-6"});
    BOOST_REQUIRE_EQUAL(enc.code, 0);
    const auto arr = parse_json(enc.out).as_array();
    BOOST_REQUIRE_EQUAL(arr.size(), 2u);
    std::vector<std::string> c;
    for (const auto& v : arr) c.emplace_back(v.as_string());
    const auto add = run({"add", "--json", "--public-key", k.public_key, c[0], c[1]});
    BOOST_REQUIRE_EQUAL(add.code, 0);
    const std::string sum(parse_json(add.out).at("ciphertext").as_string());
    const auto mul = run({"multiply", "--json", "--public-key", k.public_key, sum, "10"});
    BOOST_REQUIRE_EQUAL(mul.code, 0);
    const std::string product(parse_json(mul.out).at("ciphertext").as_string());
    const auto dec = run({"decrypt", "--json", "--shares", k.shares[0] + "," + k.shares[1], c[0], c[1], sum, product});
    BOOST_REQUIRE_EQUAL(dec.code, 0);
    BOOST_CHECK_EQUAL(json::serialize(parse_json(dec.out)), R"(["5","-6","-1","-10"])");
    const auto info = run({"info", "--json", k.shares[1]});
    BOOST_REQUIRE_EQUAL(info.code, 0);
    const auto io = parse_json(info.out).as_object();
    BOOST_CHECK_EQUAL(io.at("type").as_string(), "key_share");
    BOOST_CHECK_EQUAL(io.at("party").as_int64(), 2);
    BOOST_CHECK_EQUAL(io.at("parties").as_int64(), 3);
    BOOST_CHECK_EQUAL(io.at("threshold").as_int64(), 1);
    BOOST_CHECK_EQUAL(io.at("bits").as_int64(), 256);
    BOOST_CHECK_EQUAL(big(std::string(io.at("n").as_string())), k.n);
    const auto pk = run({"info", "--json", k.public_key});
    BOOST_REQUIRE_EQUAL(pk.code, 0);
    BOOST_CHECK_EQUAL(parse_json(pk.out).at("type").as_string(), "public_key");
    const auto version = run({"--version", "--json"});
    BOOST_REQUIRE_EQUAL(version.code, 0);
    BOOST_CHECK(parse_json(version.out).at("version").is_string());
    // The JSON form of a ciphertext (docs/formats.md) is accepted too, and checked against the key.
    const std::string object = R"({"type": "dkg.ciphertext", "version": 1, "n": ")" + k.n.str() + R"(", "value": ")" + c[0] + "\"}";
    BOOST_CHECK(decrypt({k.shares[0], k.shares[2]}, {object}) == std::vector<std::string>{"5"});
}

BOOST_AUTO_TEST_CASE(values_and_ciphertexts_from_a_file)
{
    const auto& k = key3();
    temp_dir d;
    write_text(d / "values.txt", "1 -2\n 3.5\n\n-4\n");
    const auto c = ok_lines({"encrypt", "--public-key", k.public_key, "--precision", "1", "--input", d / "values.txt", "10"});
    BOOST_REQUIRE_EQUAL(c.size(), 5u); // 10, then the file's 1, -2, 3.5, -4
    write_text(d / "ciphertexts.txt", c[1] + "\n" + c[2] + "\n" + c[3] + "\n" + c[4] + "\n");
    BOOST_CHECK_EQUAL(ok_line({"add", "--public-key", k.public_key, "--input", d / "ciphertexts.txt", c[0]}), ok_line({"add", "--public-key", k.public_key, c[0], c[1], c[2], c[3], c[4]}));
    const auto sum = ok_line({"add", "--public-key", k.public_key, "--input", d / "ciphertexts.txt", c[0]});
    BOOST_CHECK(decrypt({k.shares[0], k.shares[1]}, {"--input", d / "ciphertexts.txt", sum}, {"--precision", "1"}) ==
                (std::vector<std::string>{"8.5", "1.0", "-2.0", "3.5", "-4.0"}));
    write_text(d / "empty.txt", " \n");
    check_error({"encrypt", "--public-key", k.public_key, "--input", d / "empty.txt"}, 2, "no values given");
    check_error({"encrypt", "--public-key", k.public_key, "--input", d / "none.txt"}, 3, "cannot read input file " + d / "none.txt" + ": no such file");
    check_error({"decrypt", "--shares", k.shares[0] + "," + k.shares[1], "--input", d / "values.txt"}, 3, "ciphertext 2: expected a decimal integer, got '-2'");
}

BOOST_AUTO_TEST_CASE(no_secret_is_printed)
{
    temp_dir d;
    const auto out = d / "k";
    const auto r = run({"keygen", "--bits", "128", "--out", out, "--format", "json", "--json"});
    BOOST_REQUIRE_EQUAL(r.code, 0);
    for (int j = 1; j <= 3; ++j) {
        const std::string file = out + "/party-" + std::to_string(j) + ".share";
        const std::string secret(parse_json(read_text(file)).at("share").as_string());
        BOOST_CHECK(r.out.find(secret) == std::string::npos && r.err.find(secret) == std::string::npos);
        for (const bool as_json : {false, true}) {
            std::vector<std::string> args{"info", file};
            if (as_json) args.push_back("--json");
            const auto info = run(args);
            BOOST_REQUIRE_EQUAL(info.code, 0);
            BOOST_CHECK(info.out.find(secret) == std::string::npos && info.err.find(secret) == std::string::npos);
        }
    }
    // JSON share files decrypt like binary ones.
    const auto c = ok_line({"encrypt", "--public-key", out + "/public_key.json", "99"});
    BOOST_CHECK(decrypt({out + "/party-3.share", out + "/party-1.share"}, {c}) == std::vector<std::string>{"99"});
}

BOOST_AUTO_TEST_CASE(both_backends_read_and_write_the_same_files)
{
    temp_dir d;
    const auto out = d / "k";
    const auto r = run({"keygen", "--bits", "128", "--out", out, "--backend", "cpp_int", "--method", "trial", "--quiet"});
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    const std::string pk = out + "/public_key.json", shares = out + "/party-1.share," + out + "/party-2.share";
    const auto c = ok_line({"encrypt", "--backend", "cpp_int", "--public-key", pk, "-31"});
    const auto c2 = ok_line({"multiply", "--backend", "cpp_int", "--public-key", pk, c, "2"});
    BOOST_CHECK_EQUAL(ok_line({"decrypt", "--shares", shares, c2}), "-62");
    const auto g = ok_line({"encrypt", "--public-key", pk, "17"});
    BOOST_CHECK_EQUAL(ok_line({"decrypt", "--backend", "cpp_int", "--shares", shares, g}), "17");
}

BOOST_AUTO_TEST_CASE(help_and_version)
{
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}}) {
        const auto r = run(args);
        BOOST_CHECK_EQUAL(r.code, 0);
        BOOST_CHECK(r.out.find("Usage: dkg COMMAND") != std::string::npos);
        for (const char* command : {"keygen", "party", "encrypt", "add", "multiply", "decrypt", "decrypt-party", "info"})
            BOOST_CHECK(r.out.find(std::string("  ") + command + " ") != std::string::npos);
    }
    for (const char* command : {"keygen", "party", "encrypt", "add", "multiply", "decrypt", "decrypt-party", "info"}) {
        const auto a = run({"help", command});
        const auto b = run({command, "--help"});
        const auto c = run({command, "--bogus", "-h"});
        BOOST_CHECK_EQUAL(a.code, 0);
        BOOST_CHECK_EQUAL(b.code, 0);
        BOOST_CHECK_EQUAL(c.code, 0);
        BOOST_CHECK(a.out.rfind(std::string("Usage: dkg ") + command + " ", 0) == 0);
        BOOST_CHECK(a.out == b.out && b.out == c.out);
        BOOST_CHECK(a.out.find("  --json ") != std::string::npos);
        BOOST_CHECK(a.out.find("  --help ") != std::string::npos);
    }
    const auto v = run({"--version"});
    BOOST_CHECK_EQUAL(v.code, 0);
    BOOST_CHECK(v.out.rfind("dkg ", 0) == 0);
    const auto none = run({});
    BOOST_CHECK_EQUAL(none.code, 2);
    BOOST_CHECK(none.err.find("Usage: dkg COMMAND") != std::string::npos);
    check_error({"help", "nosuch"}, 2, "unknown command 'nosuch'");
}

BOOST_AUTO_TEST_CASE(every_option_in_the_help_is_documented)
{
    // Each option that `dkg CMD --help` lists is named in CMD's section of docs/cli.md (party's
    // section refers to keygen's for the options they share; --help, --json, --quiet and --backend
    // are described for every command at once).
    const std::string docs = read_text((source_dir() / "docs/cli.md").string());
    const auto section = [&](const std::string& command) {
        const auto begin = docs.find("### `dkg " + command + "`");
        BOOST_REQUIRE_MESSAGE(begin != std::string::npos, "no section for dkg " + command);
        return docs.substr(begin, docs.find("\n### ", begin + 1) - begin);
    };
    // `name` as a whole option name: not the start of a longer one (--key in --key-password-file).
    const auto mentions = [](const std::string& text, const std::string& name) {
        for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
            const char next = at + name.size() < text.size() ? text[at + name.size()] : ' ';
            if (!(std::isalnum(static_cast<unsigned char>(next)) || next == '-')) return true;
        }
        return false;
    };
    for (const char* command : {"keygen", "party", "encrypt", "add", "multiply", "decrypt", "decrypt-party", "info"}) {
        std::string text = section(command);
        if (std::string(command) == "party") text += section("keygen");
        const auto help = run({command, "--help"});
        std::istringstream lines(help.out);
        std::size_t options = 0;
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind("  --", 0) != 0) continue;
            const std::string name = line.substr(2, line.find(' ', 2) - 2);
            ++options;
            if (name == "--help" || name == "--json" || name == "--quiet" || name == "--backend") continue;
            BOOST_CHECK_MESSAGE(mentions(text, name), "dkg " << command << ": " << name << " is not in docs/cli.md");
        }
        BOOST_CHECK_GE(options, 4u);
    }
}

BOOST_AUTO_TEST_CASE(command_line_errors)
{
    const auto& k = key3();
    temp_dir d;
    const std::string out = d / "k", pk = k.public_key, share = k.shares[0];
    const std::string c = encrypt(k, {"1"}).front();
    const std::vector<std::string> party{"party", "--id", "1", "--parties", "3", "--out", out};
    const auto with = [](std::vector<std::string> base, const std::vector<std::string>& more) {
        base.insert(base.end(), more.begin(), more.end());
        return base;
    };
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"frobnicate"}, "dkg: error: unknown command 'frobnicate'"},
        {{"--frobnicate"}, "unknown option '--frobnicate' (give a command first)"},
        {{"keygen", "--out", out, "--bogus"}, "dkg keygen: error: unknown option '--bogus' (see 'dkg keygen --help')"},
        {{"keygen", "--out"}, "option --out needs a value (DIR)"},
        {{"keygen", "--out", "--bits", "256"}, "option --out needs a value (DIR), got option '--bits'"},
        {{"keygen"}, "missing required option --out"},
        {{"keygen", "--out", out, "--bits", "2O48"}, "--bits: expected a non-negative integer (digits only), got '2O48'"},
        {{"keygen", "--out", out, "--bits", "-5"}, "--bits: expected a non-negative integer"},
        {{"keygen", "--out", out, "--bits", " 256"}, "--bits: expected a non-negative integer"},
        {{"keygen", "--out", out, "--bits", "+256"}, "--bits: expected a non-negative integer"},
        {{"keygen", "--out", out, "--bits", "63"}, "--bits: must be in 64..16384, got '63'"},
        {{"keygen", "--out", out, "--bits", "99999999999999999999"}, "--bits: expected a non-negative integer"},
        {{"keygen", "--out", out, "--bits", "257"}, "--bits: must be even"},
        {{"keygen", "--out", out, "--threads", "01"}, "without leading zeros"},
        {{"keygen", "--out", out, "--parties", "2"}, "--threshold: the number of parties (2) must be at least 2t+1 (3)"},
        {{"keygen", "--out", out, "--threshold", "0"}, "--threshold: must be at least 1"},
        {{"keygen", "--out", out, "--parties", "65"}, "--parties: must be in 1..64"},
        {{"keygen", "--out", out, "--force=yes"}, "option --force takes no value"},
        {{"keygen", "--out", out, "--bits", "256", "--bits", "256"}, "option --bits given twice"},
        {{"keygen", "--out", out, "--method", "fast"}, "--method: expected one of sieve, trial, got 'fast'"},
        {{"keygen", "--out", out, "--transport", "udp"}, "--transport: expected one of memory, tcp"},
        {{"keygen", "--out", out, "--format", "xml"}, "--format: expected one of binary, json"},
        {{"keygen", "--out", out, "--timeout", "abc"}, "--timeout: expected a number of seconds"},
        {{"keygen", "--out", out, "--timeout", "0"}, "--timeout: must be positive"},
        {{"keygen", "--out", out, "extra"}, "unexpected argument 'extra'"},
        {{"keygen", "--out", out, "--backend", "mpfr"}, "--backend: expected one of gmp, cpp_int, got 'mpfr'"},
        {{"party", "--parties", "3", "--out", out, "--base-port", "7000"}, "missing required option --id"},
        {{"party", "--id", "1", "--out", out, "--base-port", "7000"}, "missing required option --parties"},
        {with(party, {"--id", "2"}), "option --id given twice"},
        {{"party", "--id", "4", "--parties", "3", "--out", out, "--base-port", "7000"}, "--id: must be in 1..3, got 4"},
        {party, "missing --base-port or --peers"},
        {with(party, {"--base-port", "7000", "--peers", "a:1,b:2,c:3"}), "give either --base-port or --peers, not both"},
        {with(party, {"--peers", "a:1,b:2"}), "--peers lists 2 parties, but there are 3"},
        {{"party", "--id", "1", "--out", out, "--peers", "a:1,b,c:3"}, "--peers: party list entry 2"},
        {{"party", "--id", "1", "--out", out, "--peers", "a:1,,c:3"}, "--peers: empty item"},
        {with(party, {"--base-port", "65534"}), "--base-port: 65534 + 3 parties exceeds port 65535"},
        {with(party, {"--base-port", "70000"}), "--base-port: must be in 0..65534"},
        {with(party, {"--host", "127.0.0.1", "--peers", "a:1,b:2,c:3"}), "--host is used with --base-port only"},
        {with(party, {"--base-port", "7000", "--connect-window", "1.2345"}), "--connect-window: expected a number of seconds"},
        {{"encrypt", "--public-key", pk}, "no values given"},
        {{"encrypt", "1"}, "missing required option --public-key"},
        {{"encrypt", "--public-key", pk, "--precision", "1001", "1"}, "--precision: must be in 0..1000"},
        {{"encrypt", "--public-key", pk, "--precision", "80", "1"}, "--precision: 10^precision exceeds the plaintext range"},
        {{"add", "--public-key", pk}, "no ciphertexts given"},
        {{"multiply", "--public-key", pk, c}, "expected a ciphertext and an integer, got 1 arguments"},
        {{"multiply", "--public-key", pk, c, "2", "3"}, "expected a ciphertext and an integer, got 3 arguments"},
        {{"decrypt", c}, "missing required option --shares"},
        {{"decrypt", "--shares", share + ",", c}, "--shares: empty item"},
        {{"decrypt", "--shares", share}, "no ciphertexts given"},
        {{"decrypt-party", "--share", share, c}, "missing --base-port or --peers"},
        {{"decrypt-party", "--share", share, "--base-port", "7000", "--receivers", "1,4", c}, "--receivers: must be in 1..3, got '4'"},
        {{"decrypt-party", "--share", share, "--base-port", "7000", "--receivers", "1,1", c}, "--receivers: party 1 listed twice"},
        {{"decrypt-party", "--share", share, "--base-port", "7000", "--contributors", "2", c}, "--contributors: at least threshold+1"},
        {{"info"}, "expected one file, got 0 arguments"},
        // Parties that talk over TLS, on a network, with parties offline.
        {with(party, {"--base-port", "7000", "--ca", "ca.pem"}), "--ca, --cert and --key go together: give all three for TLS, or none"},
        {with(party, {"--base-port", "7000", "--cert", "c.pem", "--key", "k.pem"}), "--ca, --cert and --key go together: give all three for TLS, or none"},
        {{"decrypt-party", "--share", share, "--base-port", "7000", "--key", "k.pem", c}, "--ca, --cert and --key go together: give all three for TLS, or none"},
        {with(party, {"--base-port", "7000", "--key-password-file", "pw"}), "--key-password-file needs --ca, --cert and --key"},
        {{"decrypt-party", "--share", share, "--base-port", "7000", "--key-password-file", "pw", c}, "--key-password-file needs --ca, --cert and --key"},
        {with(party, {"--base-port", "7000", "--network", ""}), "--network: the network id must have 1 to 64 letters, digits, '.', '_' or '-', got ''"},
        {with(party, {"--base-port", "7000", "--network", "prod eu"}), "--network: the network id must have 1 to 64 letters, digits, '.', '_' or '-', got 'prod eu'"},
        {{"decrypt-party", "--share", share, "--base-port", "7000", "--network", std::string(65, 'a'), c}, "--network: the network id must have 1 to 64 letters"},
        {{"decrypt-party", "--share", share, "--base-port", "7000", "--quorum", "4", c}, "--quorum: must be in 2..3 (t+1..N), got 4"},
        {{"decrypt-party", "--share", share, "--base-port", "7000", "--quorum", "1", c}, "--quorum: must be in 2..3 (t+1..N), got 1"},
        {{"decrypt-party", "--share", share, "--base-port", "7000", "--quorum", "0", c}, "--quorum: must be in 2..3 (t+1..N), got 0"},
        {{"decrypt-party", "--share", share, "--base-port", "7000", "--quorum", "two", c}, "--quorum: expected a non-negative integer (digits only), got 'two'"},
        {{"decrypt-party", "--share", share, "--base-port", "7000", "--decryption-id", "-1", c}, "--decryption-id: expected a non-negative integer (digits only), got '-1'"},
        {{"decrypt-party", "--share", share, "--base-port", "7000", "--decryption-id", "12345678901234567890", c},
         "--decryption-id: expected a non-negative integer (digits only), got '12345678901234567890'"},
        {{"decrypt-party", "--share", share, "--base-port", "7000", "--decryption-id", "07", c},
         "--decryption-id: expected a non-negative integer without leading zeros, got '07'"},
        {{"decrypt-party", "--share", share, "--base-port", "7000", "--threads", "1025", c}, "--threads: must be in 0..1024, got '1025'"},
#if DKG_HAS_TLS
        {with(party, {"--base-port", "7000", "--ca", "", "--cert", "c.pem", "--key", "k.pem"}), "--ca: empty file name"},
#else
        {with(party, {"--base-port", "7000", "--ca", "ca.pem", "--cert", "c.pem", "--key", "k.pem"}),
         "--ca, --cert, --key: this dkg was built without TLS (OpenSSL was not found)"},
#endif
    };
    for (const auto& [args, message] : cases) check_error(args, 2, message);
}

BOOST_AUTO_TEST_CASE(input_errors)
{
    const auto& k = key3();
    temp_dir d;
    const std::string pk = k.public_key;
    const std::string c = encrypt(k, {"1"}).front();
    const std::string two = k.shares[0] + "," + k.shares[1];
    const std::string foreign = encrypt(other_key(), {"1"}).front();

    // Damaged files: a flipped byte, a truncated share, a public key that is not one, a missing file.
    const std::string flipped = d / "flipped.share", truncated = d / "truncated.share", bad_key = d / "bad_key.json";
    std::string bytes = read_text(k.shares[1]);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
    write_text(flipped, bytes);
    write_text(truncated, read_text(k.shares[1]).substr(0, 100));
    write_text(bad_key, R"({"type": "dkg.public_key", "version": 1, "n": "12", "g": "13"})");
    const std::string missing = d / "missing.share";
#if DKG_HAS_TLS
    const std::string empty_line = d / "empty-line.txt";
    write_text(empty_line, "\nsecret on the second line\n");
    const auto certificate = [](const std::string& name) { return (test_certificates() / name).string(); };
#endif

    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"encrypt", "--public-key", pk, "abc"}, "dkg encrypt: error: value 1 'abc': not a decimal number"},
        {{"encrypt", "--public-key", pk, "1", "2x"}, "value 2 '2x': not a decimal number"},
        {{"encrypt", "--public-key", pk, "1.5"}, "more decimals than --precision 0 keeps"},
        {{"encrypt", "--public-key", d / "nope.json", "1"}, "cannot read public key file " + d / "nope.json" + ": no such file"},
        {{"encrypt", "--public-key", d.path().string(), "1"}, "it is a directory"},
        {{"encrypt", "--public-key", bad_key, "1"}, "public key file " + bad_key + ": "},
        {{"encrypt", "--public-key", k.shares[0], "1"}, "public key file " + k.shares[0] + ": "},
        {{"add", "--public-key", pk, "12x"}, "ciphertext 1: expected a decimal integer, got '12x'"},
        {{"add", "--public-key", pk, c, "-5"}, "ciphertext 2: expected a decimal integer"},
        {{"add", "--public-key", pk, "0"}, "ciphertext 1: not a ciphertext of this public key"},
        {{"add", "--public-key", pk, "0" + c}, "ciphertext 1: leading zero"},
        {{"add", "--public-key", pk, c, foreign}, "ciphertext 2: not a ciphertext of this public key"},
        {{"add", "--public-key", pk, k.n.str()}, "ciphertext 1: not a ciphertext of this public key"},
        {{"add", "--public-key", pk,
          R"({"type": "dkg.ciphertext", "version": 1, "n": ")" + other_key().n.str() + R"(", "value": ")" + c + "\"}"},
         "ciphertext 1: "},
        {{"multiply", "--public-key", pk, c, "1.5"}, "integer: expected a decimal integer"},
        {{"multiply", "--public-key", pk, c, "007"}, "integer: expected a decimal integer"},
        {{"multiply", "--public-key", pk, foreign, "2"}, "ciphertext 1: not a ciphertext of this public key"},
        {{"decrypt", "--shares", k.shares[2], c}, "too few key shares: 2 are needed to decrypt (threshold 1 of 3 parties), 1 given"},
        {{"decrypt", "--shares", k.shares[0] + "," + flipped, c}, "share file " + flipped + ": "},
        {{"decrypt", "--shares", truncated + "," + k.shares[0], c}, "share file " + truncated + ": "},
        {{"decrypt", "--shares", k.shares[0] + "," + pk, c}, "share file " + pk + ": "},
        {{"decrypt", "--shares", k.shares[0] + "," + missing, c}, "cannot read share file " + missing + ": no such file"},
        {{"decrypt", "--shares", k.shares[0] + "," + other_key().shares[1], c}, "is a share of another key than " + k.shares[0]},
        {{"decrypt", "--shares", k.shares[0] + "," + k.shares[0], c}, "are both shares of party 1"},
        {{"decrypt", "--shares", two, "--public-key", other_key().public_key, c}, "the share files belong to another key than"},
        {{"decrypt", "--shares", two, foreign}, "ciphertext 1: not a ciphertext of this public key"},
        {{"decrypt-party", "--share", k.shares[0], "--parties", "4", "--base-port", "7000", c},
         "--parties 4 does not match the share file, a share of a key of 3 parties"},
        {{"decrypt-party", "--share", k.shares[0], "--id", "2", "--base-port", "7000", c}, "share file " + k.shares[0] + ": "},
        {{"info", missing}, "no such file"},
        {{"info", flipped}, "share file " + flipped + ": "},
#if DKG_HAS_TLS
        // TLS credentials that cannot be used (before any connection).
        {{"decrypt-party", "--share", k.shares[0], "--base-port", "7000", "--ca", missing, "--cert", certificate("party-1.pem"), "--key",
          certificate("party-1.key"), c},
         "dkg decrypt-party: error: TLS configuration: tls_transport: cannot load ca file " + missing + ": "},
        {{"decrypt-party", "--share", k.shares[0], "--base-port", "7000", "--ca", certificate("ca.pem"), "--cert", certificate("party-1.pem"),
          "--key", certificate("party-2.key"), c},
         "dkg decrypt-party: error: TLS configuration: tls_transport: cannot load private_key file " + certificate("party-2.key") + ": "},
        {{"decrypt-party", "--share", k.shares[1], "--base-port", "7000", "--ca", certificate("ca.pem"), "--cert", certificate("party-1.pem"),
          "--key", certificate("party-1.key"), c},
         "dkg decrypt-party: error: TLS configuration: tls_transport: this party's certificate does not name it: the certificate "
         "\"CN=dkg-party-1,O=dkg test\" names party 1, not party 2 (expected the name dkg-party-2)"},
        {{"decrypt-party", "--share", k.shares[0], "--base-port", "7000", "--ca", certificate("ca.pem"), "--cert", certificate("party-1.pem"),
          "--key", certificate("party-1.key"), "--key-password-file", missing, c},
         "dkg decrypt-party: error: key password file " + missing + ": cannot read it: No such file or directory"},
        {{"decrypt-party", "--share", k.shares[0], "--base-port", "7000", "--ca", certificate("ca.pem"), "--cert", certificate("party-1.pem"),
          "--key", certificate("party-1.key"), "--key-password-file", empty_line, c},
         "dkg decrypt-party: error: key password file " + empty_line + ": the first line is empty"},
#endif
    };
    for (const auto& [args, message] : cases) check_error(args, 3, message);
}

BOOST_AUTO_TEST_SUITE_END()
