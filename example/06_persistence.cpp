// Example 6: keeping key shares across restarts.
//
// A key cannot be generated again: if the parties lose their shares, everything encrypted under it
// is lost. So each party saves its share, and comes back to it after a restart. This example
//
//   1. generates a key (3 parties, t = 1), saves each party's key share to its own file (written
//      atomically, readable by the owner only, with a checksum), publishes the public key as JSON
//      and stores an encrypted value as JSON;
//   2. restarts: runs itself again as a new process, which knows nothing but the directory;
//   3. in the new process, loads the public key and the ciphertext, and the shares of parties 1 and
//      3 (checking that each belongs to that party and to that public key). Each of the two writes
//      its partial decryption, with a proof, to a file; party 1 reads both, checks the proofs and
//      combines them into the plaintext. Party 2 stays offline.
//   It also shows that a damaged key-share file is refused.
//
// Usage: 06_persistence [--bits B] [--dir DIR]   all of it (default 2048 bits, in a temporary
//                                                directory removed at the end unless --dir)
//        06_persistence load DIR                 only step 3, on files saved before
#include <dkg/dkg.hpp>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

using number = dkg::gmp_int;
namespace fs = std::filesystem;

namespace {

constexpr long long stored_value = 20240229; // what the first process encrypts

fs::path share_file(const fs::path& dir, dkg::party_id j) { return dir / ("party-" + std::to_string(j) + ".key"); }

std::string read_text(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!(out << text)) throw std::runtime_error("cannot write " + path.string());
}

// ---- the first process: generate and save --------------------------------------------------------

void generate_and_save(const fs::path& dir, std::size_t bits)
{
    dkg::keygen_params params;
    params.key_length = bits;
    const auto shares = dkg::generate_key_in_process<number>(3, params);
    const dkg::public_key<number>& key = shares[0].public_key();
    std::cout << "Process " << ::getpid() << ": generated a " << key.bits() << "-bit key (3 parties, t = 1)\n";

    // Each party saves its own share (dkg::file_format::json writes the same as JSON).
    for (const auto& share : shares) {
        dkg::save_key_share(share_file(dir, share.id()), share);
        std::cout << "  party " << share.id() << " saved its key share to " << share_file(dir, share.id()).filename().string() << '\n';
    }
    // The public key and a ciphertext are public: JSON that any program can read (docs/formats.md).
    write_text(dir / "public_key.json", dkg::to_json(key));
    dkg::system_rng rng;
    write_text(dir / "ciphertext.json", dkg::to_json(key.encrypt(number(stored_value), rng)));
    std::cout << "  published public_key.json, and ciphertext.json, an encryption of " << stored_value << '\n';
} // the shares and the key leave memory here

// Runs this program again as a new process: `<program> load DIR`.
int restart(const char* program, const fs::path& dir)
{
    std::cout << "Restarting...\n" << std::flush;
    std::string load = "load", where = dir.string();
    char* args[] = {const_cast<char*>(program), load.data(), where.data(), nullptr};
    pid_t pid = 0;
    if (::posix_spawnp(&pid, program, nullptr, nullptr, args, environ) != 0) throw std::runtime_error("cannot start a new process");
    int status = 0;
    if (::waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) return EXIT_FAILURE;
    return WEXITSTATUS(status);
}

// ---- the second process: load and decrypt --------------------------------------------------------

int load_and_decrypt(const fs::path& dir)
{
    std::cout << "Process " << ::getpid() << ": reading " << dir.string() << '\n';
    const auto key = dkg::public_key_from_json<number>(read_text(dir / "public_key.json"));
    const auto ciphertext = dkg::ciphertext_from_json(key, read_text(dir / "ciphertext.json")); // checks it is of this key
    std::cout << "  loaded the public key (" << key.bits() << " bits) and the ciphertext\n";

    // Parties 1 and 3 come back; each loads its share and checks that it is its own, of this key.
    dkg::system_rng rng;
    std::vector<dkg::key_share<number>> shares;
    for (dkg::party_id j : {1u, 3u}) {
        shares.push_back(dkg::load_key_share<number>(share_file(dir, j), j, key));
        // Its partial decryption, with a proof, goes to a file (or a message) for whoever combines.
        write_text(dir / ("partial-" + std::to_string(j) + ".json"), dkg::to_json(dkg::partial_decrypt(shares.back(), ciphertext, rng)));
        std::cout << "  party " << j << " loaded its key share and wrote partial-" << j << ".json\n";
    }

    // Party 1 combines: it reads both partial decryptions and checks their proofs first.
    const dkg::threshold_key<number> public_part(shares[0]); // the public values of the key
    std::vector<dkg::partial_decryption<number>> partials;
    for (dkg::party_id j : {1u, 3u}) {
        partials.push_back(dkg::partial_decryption_from_json(public_part, read_text(dir / ("partial-" + std::to_string(j) + ".json"))));
        if (!dkg::verify(public_part, ciphertext, partials.back())) {
            std::cout << "ERROR: the proof of party " << j << "'s partial decryption fails\n";
            return EXIT_FAILURE;
        }
    }
    const number plaintext = key.from_residue(dkg::combine<number>(public_part, ciphertext, partials));
    std::cout << "  party 1 checked both proofs and combined them: the plaintext is " << plaintext << '\n';

    // A damaged key-share file is refused (checksum), instead of silently decrypting wrongly.
    const fs::path damaged = dir / "damaged.key";
    fs::copy_file(share_file(dir, 3), damaged, fs::copy_options::overwrite_existing);
    {
        std::fstream f(damaged, std::ios::binary | std::ios::in | std::ios::out);
        f.seekg(100);
        const char byte = static_cast<char>(f.get() ^ 0x01);
        f.seekp(100);
        f.put(byte);
    }
    bool refused = false;
    try {
        dkg::load_key_share<number>(damaged, 3u, key);
    } catch (const dkg::format_error& e) {
        refused = true;
        std::cout << "  a copy of party-3.key with one bit flipped is refused (" << e.code().message() << "): " << e.what() << '\n';
    }

    if (plaintext != number(stored_value) || !refused) {
        std::cout << "ERROR: expected " << stored_value << " and a refused damaged file\n";
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

} // namespace

int main(int argc, char** argv)
try {
    const std::string usage = "usage: 06_persistence [--bits B] [--dir DIR] | 06_persistence load DIR";
    if (argc == 3 && std::string(argv[1]) == "load") return load_and_decrypt(argv[2]);

    std::size_t bits = 2048;
    fs::path dir;
    for (int i = 1; i < argc; i += 2) {
        const std::string flag = argv[i];
        if (i + 1 >= argc) throw std::invalid_argument(usage);
        if (flag == "--bits") bits = std::stoul(argv[i + 1]);
        else if (flag == "--dir") dir = argv[i + 1];
        else throw std::invalid_argument(usage);
    }
    const bool temporary = dir.empty();
    if (temporary) {
        std::string name = (fs::temp_directory_path() / "dkg-example-XXXXXX").string();
        if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("cannot create a temporary directory");
        dir = name;
    } else {
        fs::create_directories(dir);
    }

    generate_and_save(dir, bits);
    const int code = restart(argv[0], dir);
    if (temporary) fs::remove_all(dir);
    return code;
} catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return EXIT_FAILURE;
}
