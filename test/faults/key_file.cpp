// Key-share files under failure (save_key_share, dkg/serialization.hpp): a save that fails (disk
// full, missing or unwritable directory, a rename that cannot happen) throws, leaves the previous
// file as it was and no temporary file behind; a process killed in the middle of a save leaves the
// previous file intact, and its temporary file (if any) is owner-only.
#include <dkg/serialization.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/testing/trusted_dealer.hpp>

#include "backends.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

using N = test_support::fast_int;

const dkg::testing::dealt_key<N>& key()
{
    static const auto k = [] {
        dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 4000);
        return dkg::testing::deal_key<N>(256, 3, 1, rng);
    }();
    return k;
}

/// A fresh directory under the system's temporary directory, removed afterwards.
struct temp_dir {
    fs::path path;
    temp_dir()
    {
        std::string pattern = (fs::temp_directory_path() / "dkg-faults-XXXXXX").string();
        BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~temp_dir()
    {
        std::error_code ec;
        fs::permissions(path, fs::perms::owner_all, ec);
        fs::remove_all(path, ec);
    }
};

/// Files in `dir` other than `except`.
std::vector<std::string> others(const fs::path& dir, const std::string& except)
{
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename() != except) out.push_back(e.path().filename().string());
    return out;
}

/// Limits the size of files this process writes while alive (SIGXFSZ ignored: write fails with EFBIG).
class file_size_limit {
public:
    explicit file_size_limit(rlim_t bytes)
    {
        ::getrlimit(RLIMIT_FSIZE, &saved_);
        previous_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit = saved_;
        limit.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    ~file_size_limit()
    {
        ::setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, previous_);
    }

private:
    rlimit saved_{};
    void (*previous_)(int) = nullptr;
};

void check_is_share(const fs::path& file, const dkg::key_share<N>& expected)
{
    const auto loaded = dkg::load_key_share<N>(file);
    BOOST_TEST(loaded.id() == expected.id());
    BOOST_TEST((loaded.share() == expected.share()));
}

/// What a save in a child process without privileges did.
enum class save_outcome { saved, system_error, other_error, no_privilege_drop, crashed };

/// The user and group id that owns nothing here: "nobody" on Debian.
constexpr ::uid_t unprivileged_id = 65534;

/// Saves `share` to `file` in a child process that first gives up root's privileges.
save_outcome save_as_unprivileged(const fs::path& file, const dkg::key_share<N>& share)
{
    const pid_t child = ::fork();
    BOOST_TEST_REQUIRE(child >= 0);
    if (child == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(unprivileged_id) != 0 || ::setuid(unprivileged_id) != 0) ::_exit(3);
        try {
            dkg::save_key_share(file, share);
            ::_exit(0);
        } catch (const std::system_error&) {
            ::_exit(1);
        } catch (...) {
            ::_exit(2);
        }
    }
    int status = 0;
    BOOST_TEST_REQUIRE(::waitpid(child, &status, 0) == child);
    if (!WIFEXITED(status)) return save_outcome::crashed;
    switch (WEXITSTATUS(status)) {
    case 0: return save_outcome::saved;
    case 1: return save_outcome::system_error;
    case 3: return save_outcome::no_privilege_drop;
    default: return save_outcome::other_error;
    }
}

/// Precondition of the permission test: not root, or root able to drop its privileges.
boost::test_tools::assertion_result permissions_can_be_tested(boost::unit_test::test_unit_id)
{
    if (::geteuid() != 0) return true;
    const pid_t child = ::fork();
    if (child == 0) ::_exit(::setgroups(0, nullptr) == 0 && ::setgid(unprivileged_id) == 0 && ::setuid(unprivileged_id) == 0 ? 0 : 1);
    int status = 0;
    if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        boost::test_tools::assertion_result r(false);
        r.message() << "running as root without the right to drop privileges (setuid): directory permissions cannot be tested";
        return r;
    }
    return true;
}

} // namespace

BOOST_AUTO_TEST_SUITE(key_file_faults)

BOOST_AUTO_TEST_CASE(a_full_disk_leaves_the_old_file_and_no_temporary_file)
{
    temp_dir dir;
    const auto file = dir.path / "share.bin";
    dkg::save_key_share(file, key().shares[0]);
    for (auto format : {dkg::file_format::binary, dkg::file_format::json}) {
        file_size_limit limit(100); // the share takes several hundred bytes: the write fails midway
        BOOST_CHECK_THROW(dkg::save_key_share(file, key().shares[1], format), std::system_error);
    }
    check_is_share(file, key().shares[0]);
    BOOST_TEST(others(dir.path, "share.bin").empty());
}

BOOST_AUTO_TEST_CASE(a_missing_directory_creates_nothing)
{
    temp_dir dir;
    BOOST_CHECK_THROW(dkg::save_key_share(dir.path / "missing" / "share.bin", key().shares[0]), std::system_error);
    BOOST_TEST(others(dir.path, "").empty());
}

BOOST_AUTO_TEST_CASE(a_rename_that_fails_leaves_no_temporary_file)
{
    // The target is a non-empty directory: the temporary file is written, the rename fails.
    temp_dir dir;
    fs::create_directory(dir.path / "share.bin");
    fs::create_directory(dir.path / "share.bin" / "inside");
    BOOST_CHECK_THROW(dkg::save_key_share(dir.path / "share.bin", key().shares[0]), std::system_error);
    BOOST_TEST(fs::is_directory(dir.path / "share.bin" / "inside"));
    BOOST_TEST(others(dir.path, "share.bin").empty());
}

BOOST_AUTO_TEST_CASE(an_unwritable_directory_leaves_the_old_file, *boost::unit_test::precondition(permissions_can_be_tested))
{
    temp_dir dir;
    const auto file = dir.path / "share.bin";
    dkg::save_key_share(file, key().shares[0]);
    if (::geteuid() != 0) {
        fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec);
        BOOST_CHECK_THROW(dkg::save_key_share(file, key().shares[1]), std::system_error);
    } else {
        // Permissions do not bind root (CI runs as root), so the save runs in a child process that
        // has dropped its privileges to an unprivileged user; that it can save into the directory
        // while it is writable shows the failure below is the permission's doing.
        fs::permissions(dir.path, fs::perms::all);
        BOOST_TEST_REQUIRE((save_as_unprivileged(dir.path / "control.bin", key().shares[1]) == save_outcome::saved));
        fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read | fs::perms::group_exec |
                                      fs::perms::others_read | fs::perms::others_exec);
        BOOST_TEST((save_as_unprivileged(file, key().shares[1]) == save_outcome::system_error));
        fs::remove(dir.path / "control.bin");
    }
    fs::permissions(dir.path, fs::perms::owner_all);
    check_is_share(file, key().shares[0]);
    BOOST_TEST(others(dir.path, "share.bin").empty());
}

BOOST_AUTO_TEST_CASE(a_process_killed_while_saving_leaves_the_old_file)
{
    // The child process is killed by SIGXFSZ in the middle of writing the temporary file: a crash
    // during save. The old file is intact; the temporary file stays behind (nothing ran to remove
    // it), named after the target with ".tmp-" and readable by its owner only.
    temp_dir dir;
    const auto file = dir.path / "share.bin";
    dkg::save_key_share(file, key().shares[0]);
    const pid_t child = ::fork();
    BOOST_TEST_REQUIRE(child >= 0);
    if (child == 0) {
        std::signal(SIGXFSZ, SIG_DFL);
        rlimit limit{};
        ::getrlimit(RLIMIT_FSIZE, &limit);
        limit.rlim_cur = 100;
        ::setrlimit(RLIMIT_FSIZE, &limit);
        try {
            dkg::save_key_share(file, key().shares[1]);
        } catch (...) {
        }
        ::_exit(0); // not reached: the write past the limit kills the process
    }
    int status = 0;
    BOOST_TEST_REQUIRE(::waitpid(child, &status, 0) == child);
    BOOST_TEST(WIFSIGNALED(status));
    if (WIFSIGNALED(status)) BOOST_TEST(WTERMSIG(status) == SIGXFSZ);
    check_is_share(file, key().shares[0]);
    for (const auto& name : others(dir.path, "share.bin")) {
        BOOST_TEST(name.rfind("share.bin.tmp-", 0) == 0u, name);
        struct stat st {};
        BOOST_TEST_REQUIRE(::stat((dir.path / name).c_str(), &st) == 0);
        BOOST_TEST((st.st_mode & 0777) == 0600u, name);
        // A torn temporary file is never taken for a share.
        BOOST_CHECK_THROW(dkg::load_key_share<N>(dir.path / name), dkg::format_error);
    }
}

BOOST_AUTO_TEST_SUITE_END()
