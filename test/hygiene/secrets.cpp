// Secret hygiene: no secret in logs, errors or exception texts. Key generations and decryptions
// run with faults injected; every exception message, warning (dkg::set_warning_handler) and
// transport fault report is captured and searched for the decimal and hexadecimal text of every
// secret known to the test: p and q and every party's additive shares of them (through the
// key-sharing layer that observes them, test/observing_key_sharing.hpp), the key shares s_j, the dealer's exponent D; and damaged key-share
// files are refused without their share in the message. Key-share files are owner-only (0600).
#include "../faults/support.hpp"

#include <dkg/serialization.hpp>
#if DKG_HAS_SODIUM
#include <dkg/serialization/encrypted_key_share.hpp>
#endif
#include <dkg/testing/trusted_dealer.hpp>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

using namespace faults;
namespace fs = std::filesystem;

namespace {

/// Secrets as the texts a leak would show: decimal and hex of the magnitude, of which any run of
/// `window` characters counts (a partial leak is a leak too).
class secret_set {
public:
    void add(const N& secret)
    {
        const N magnitude = secret < N(0u) ? N(-secret) : secret;
        if (dkg::bit_length(magnitude) < 96) return; // too short to tell from chance
        forms_.insert(dkg::to_decimal(magnitude));
        forms_.insert(dkg::to_hex(magnitude));
    }

    std::size_t size() const { return forms_.size(); }

    /// The first secret fragment found in `text`, or "".
    std::string leak_in(const std::string& text) const
    {
        for (const auto& f : forms_)
            for (std::size_t i = 0; i + window <= f.size(); i += 4)
                if (text.find(f.substr(i, window)) != std::string::npos) return f.substr(i, window);
        return {};
    }

    static constexpr std::size_t window = 16;

private:
    std::set<std::string> forms_;
};

void check_no_leak(const texts& said, const secret_set& secrets)
{
    BOOST_TEST_REQUIRE(secrets.size() > 0u);
    for (const auto& t : said.all) {
        const auto leak = secrets.leak_in(t);
        BOOST_TEST(leak.empty(), "secret fragment " << leak << " in: " << t);
    }
}

/// Records p, q and the parties' additive shares of them for one run (faults::run_keygen observes
/// the key-sharing layer).
class factor_capture {
public:
    explicit factor_capture(secret_set& into)
        : listening_([this, &into](dkg::party_id, const N&, const N& p, const N& q) {
              into.add(p);
              into.add(q);
              p_ += p;
              q_ += q;
              ++count_;
              if (count_ == 3) {
                  into.add(p_);
                  into.add(q_);
              }
          })
    {
    }

private:
    N p_{0u}, q_{0u};
    int count_ = 0;
    test_support::factor_listening<N> listening_; // last: removed before the members it uses
};

dkg::keygen_params params()
{
    dkg::keygen_params p;
    p.key_length = 256;
    p.corruption_threshold = 1;
    return p;
}

} // namespace

BOOST_AUTO_TEST_SUITE(secret_hygiene)

// Faults in the key-sharing steps, after the factors are fixed (so the observer has seen them),
// at both the receiving and the sending end, and a run that succeeds (its key shares are secrets
// too). The insecure-length warning is among the captured texts.
BOOST_AUTO_TEST_CASE(key_generation_errors_and_warnings_hold_no_secret)
{
    const std::chrono::milliseconds timeout = session_timeout;
    std::vector<std::vector<fault>> runs;
    for (auto step : {dkg::keygen_steps::key_shares, dkg::keygen_steps::key_reduce, dkg::keygen_steps::key_open}) {
        for (auto action : {fault_action::corrupt, fault_action::truncate, fault_action::drop}) {
            fault f;
            f.rules = first_round(action, step, 3, 2, {}, 7);
            runs.push_back({f});
        }
        fault crash;
        crash.crash_step = step;
        runs.push_back({crash});
    }
    runs.push_back({}); // no fault
    std::size_t texts_checked = 0;
    for (const auto& faults : runs) {
        secret_set secrets;
        texts said;
        run_outcome<dkg::key_share<N>> r;
        {
            factor_capture capture(secrets);
            r = run_keygen(3, params(), timeout, faults, said, 21);
        }
        for (const auto& p : r.parties)
            if (p.result) secrets.add(p.result->share());
        check_no_leak(said, secrets);
        texts_checked += said.all.size();
    }
    BOOST_TEST(texts_checked > 10u); // the runs did fail and warn
}

// Decryptions with corrupted, truncated and missing partial decryptions, with enough honest parties
// and without: the errors and the results' texts hold neither key shares nor the factors.
BOOST_AUTO_TEST_CASE(decryption_errors_hold_no_secret)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 5000);
    const auto dealt = dkg::testing::deal_key<N>(256, 3, 1, rng);
    secret_set secrets;
    for (const auto& s : dealt.shares) secrets.add(s.share());
    secrets.add(dealt.exponent);
    secrets.add(dealt.secret.p());
    secrets.add(dealt.secret.q());
    const auto& pk = dealt.shares[0].public_key();
    const std::vector<dkg::ciphertext<N>> batch = {pk.encrypt(N(5u), rng), pk.encrypt(N(-9), rng)};
    texts said;
    for (bool proofs : {true, false}) {
        dkg::decrypt_options options;
        options.verify_proofs = proofs;
        for (auto action : {fault_action::corrupt, fault_action::truncate, fault_action::drop}) {
            for (const std::set<dkg::party_id>& bad : {std::set<dkg::party_id>{2}, std::set<dkg::party_id>{2, 3}}) {
                std::vector<fault> faults;
                for (auto p : bad) {
                    fault f;
                    f.party = p;
                    f.rules = first_round(action, dkg::threshold_steps::partials, 3, p, {}, 60);
                    faults.push_back(f);
                }
                run_decrypt(dealt.shares, batch, options, session_timeout, faults, said);
            }
        }
    }
    BOOST_TEST(said.all.size() >= 6u);
    check_no_leak(said, secrets);
}

// A damaged key-share file is refused with a message that names the field or the check, never the
// share: every byte of the share's JSON text and of its binary form changed in turn.
BOOST_AUTO_TEST_CASE(damaged_key_share_files_are_refused_without_the_share)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 5001);
    const auto dealt = dkg::testing::deal_key<N>(256, 3, 1, rng);
    const auto& share = dealt.shares[1];
    secret_set secrets;
    secrets.add(share.share());
    texts said;
    const std::string json = dkg::to_json(share);
    const auto binary = dkg::to_binary(share);
    const auto refused = [&](std::span<const std::uint8_t> data) {
        try {
            (void)dkg::key_share_from_bytes<N>(data);
        } catch (const dkg::format_error& e) {
            said.add(e.what());
        }
    };
    for (std::size_t i = 0; i < json.size(); ++i)
        for (char c : {'0', '"', ',', ':', '}', 'x'}) {
            std::string damaged = json;
            if (damaged[i] == c) continue;
            damaged[i] = c;
            refused(dkg::detail::as_bytes(damaged));
        }
    for (std::size_t i = 0; i < binary.size(); ++i) {
        auto damaged = binary;
        damaged[i] ^= 0x5a;
        refused(damaged);
        refused(std::span<const std::uint8_t>(binary).first(i)); // truncated
    }
    BOOST_TEST(said.all.size() > json.size());
    check_no_leak(said, secrets);
}

#if DKG_HAS_SODIUM
// An encrypted key share holds neither the share nor the passphrase in any readable form, and
// every refusal (a wrong passphrase; every byte changed in turn; every truncation) names neither.
BOOST_AUTO_TEST_CASE(encrypted_key_share_files_keep_share_and_passphrase_secret)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 5003);
    const auto dealt = dkg::testing::deal_key<N>(256, 3, 1, rng);
    const auto& share = dealt.shares[2];
    const std::string passphrase_text = "Zq7#vW2!mK9@xR4$tL6%uP3^nB8&yH5*";
    const dkg::passphrase passphrase(passphrase_text);
    const dkg::passphrase_kdf_params cheap{1, 8};
    const auto encrypted = dkg::encrypt_key_share(share, passphrase, cheap);
    // The share's magnitude, big-endian, as the binary form holds it, is nowhere in the file.
    const auto share_bytes = dkg::bigint_traits<N>::to_bytes(share.share());
    BOOST_TEST_REQUIRE(share_bytes.size() >= 16u);
    for (std::size_t i = 0; i + 8 <= share_bytes.size(); i += 4)
        BOOST_TEST((std::search(encrypted.begin(), encrypted.end(), share_bytes.begin() + static_cast<std::ptrdiff_t>(i),
                                share_bytes.begin() + static_cast<std::ptrdiff_t>(i + 8)) == encrypted.end()));
    secret_set secrets;
    secrets.add(share.share());
    texts said;
    const auto refused = [&](std::span<const std::uint8_t> data, const dkg::passphrase& p) {
        try {
            (void)dkg::decrypt_key_share<N>(data, p);
        } catch (const dkg::format_error& e) {
            said.add(e.what());
        }
    };
    refused(encrypted, dkg::passphrase("Zq7#vW2!mK9@xR4$tL6%uP3^nB8&yH5+"));
    for (std::size_t i = 0; i < encrypted.size(); ++i) {
        auto damaged = encrypted;
        damaged[i] ^= 0x5a;
        refused(damaged, passphrase);
        refused(std::span<const std::uint8_t>(encrypted).first(i), passphrase);
    }
    BOOST_TEST(said.all.size() == 2 * encrypted.size() + 1);
    check_no_leak(said, secrets);
    for (const auto& t : said.all)
        for (std::size_t i = 0; i + 8 <= passphrase_text.size(); i += 4)
            BOOST_TEST(t.find(passphrase_text.substr(i, 8)) == std::string::npos, "passphrase fragment in: " << t);
}
#endif

// Key-share files are created owner-only (0600) in both forms, also when they replace a file that
// was readable by others.
BOOST_AUTO_TEST_CASE(key_share_files_are_owner_only)
{
    dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 5002);
    const auto dealt = dkg::testing::deal_key<N>(256, 3, 1, rng);
    std::string pattern = (fs::temp_directory_path() / "dkg-hygiene-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    const fs::path dir = pattern;
    const auto mode = [](const fs::path& p) {
        struct stat st {};
        BOOST_TEST_REQUIRE(::stat(p.c_str(), &st) == 0);
        return st.st_mode & 0777;
    };
    const mode_t old_mask = ::umask(0);
    for (auto format : {dkg::file_format::binary, dkg::file_format::json}) {
        const auto fresh = dir / (format == dkg::file_format::json ? "fresh.json" : "fresh.bin");
        dkg::save_key_share(fresh, dealt.shares[0], format);
        BOOST_TEST(mode(fresh) == 0600u);
        const auto replaced = dir / (format == dkg::file_format::json ? "old.json" : "old.bin");
        { std::ofstream(replaced) << "readable by everyone"; }
        fs::permissions(replaced, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
        BOOST_TEST(mode(replaced) == 0644u);
        dkg::save_key_share(replaced, dealt.shares[0], format);
        BOOST_TEST(mode(replaced) == 0600u);
    }
#if DKG_HAS_SODIUM
    const auto encrypted = dir / "encrypted.share";
    dkg::save_key_share(encrypted, dealt.shares[0], dkg::passphrase("pass"), dkg::passphrase_kdf_params{1, 8});
    BOOST_TEST(mode(encrypted) == 0600u);
#endif
    ::umask(old_mask);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
