// The command-line tool's own parsing (tools/cli): option tokens against a command's options
// (parse_args), unsigned option values (parse_unsigned), comma lists and party-id lists
// (split_list, parse_party_ids), durations in seconds (parsed_args::seconds), the plaintext checks
// of `dkg encrypt` (exact_at_precision with the encoder), `dkg multiply`'s integer factor
// (parse_factor) and ciphertexts given as text (parse_ciphertext), and the --peers list (via
// party_endpoints). The first input byte selects the parser; the rest is the text (for parse_args,
// NUL-separated tokens). Usage and input errors are the expected outcome of bad text; anything
// else thrown is a finding.
#include "fuzz_support.hpp"

#include "cli/args.hpp"
#include "cli/cli.hpp"
#include "cli/threshold_commands.hpp"

#include <algorithm>

namespace cli = dkg::cli;

namespace {

const cli::command_spec& spec()
{
    static const cli::command_spec s{"fuzz",
                                     "[options] VALUE...",
                                     "a command with every kind of option",
                                     "",
                                     {{"--parties", "N", "number"},
                                      {"--timeout", "SECONDS", "duration"},
                                      {"--receivers", "LIST", "party ids"},
                                      {"--backend", "NAME", "choice"},
                                      {"--json", "", "flag"},
                                      {"--help", "", "flag"},
                                      {"--quiet", "", "flag"}}};
    return s;
}

std::vector<std::string> tokens(std::string_view text)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = text.find('\0', start);
        out.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return out;
}

void parse_command_line(std::string_view text)
{
    const auto t = tokens(text);
    try {
        const auto args = cli::parse_args(spec(), t);
        (void)args.number("--parties", 3, 1, 64);
        (void)args.seconds("--timeout", std::chrono::seconds(60), 86400);
        if (const auto r = args.value("--receivers")) (void)cli::parse_party_ids(*r, "--receivers", 64);
        (void)args.choice("--backend", "gmp", {"gmp", "cpp_int"});
        const auto ms = args.seconds("--timeout", std::chrono::milliseconds(1), 86400);
        dkg_fuzz::require(ms.count() > 0 && ms.count() <= 86400000, "a duration out of its range");
    } catch (const cli::usage_error&) {
    }
}

template <class N>
void values(std::uint8_t selector, const std::string& text)
{
    const auto& key = dkg_fuzz::shares<N>()[0].public_key();
    try {
        switch (selector % 3) {
        case 0: { // dkg encrypt VALUE --precision P (without --round)
            const unsigned precision = selector / 3 % 20;
            const auto encoder = dkg::fixed_point_encoder<N>(key, precision);
            try {
                if (cli::threshold_detail::exact_at_precision(text, precision)) {
                    const N residue = encoder.encode(text);
                    // Exact at the precision: decoding gives back the value without rounding.
                    const auto scaled = encoder.scale(text);
                    dkg_fuzz::require(encoder.decode(residue).scaled == scaled, "an exact value does not decode to itself");
                }
            } catch (const std::invalid_argument&) {
            }
            break;
        }
        case 1: { // dkg multiply FACTOR
            const N k = cli::threshold_detail::parse_factor(key, text);
            dkg_fuzz::require(k <= key.max_plaintext() && N(-k) <= key.max_plaintext(), "a factor out of range");
            break;
        }
        default: { // a ciphertext argument: decimal text or the JSON form
            const auto c = cli::parse_ciphertext(key, text, 1);
            dkg_fuzz::require(c.value() > N(0u) && c.value() < key.n_squared(), "a ciphertext out of range");
            break;
        }
        }
    } catch (const cli::input_error&) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    dkg_fuzz::input in(data, size);
    const std::uint8_t selector = in.byte();
    const std::string text(in.rest_text());
    switch (selector % 6) {
    case 0:
        parse_command_line(text);
        break;
    case 1:
        try {
            const auto v = cli::parse_unsigned(text, "--bits", 0, 1u << 20);
            dkg_fuzz::require(v <= (1u << 20), "parse_unsigned out of range");
        } catch (const cli::usage_error&) {
        }
        break;
    case 2:
        try {
            const auto ids = cli::parse_party_ids(text, "--receivers", 1 + selector / 6 % 64);
            for (auto id : ids) dkg_fuzz::require(id >= 1 && id <= 64, "a party id out of range");
        } catch (const cli::usage_error&) {
        }
        break;
    case 3:
        try {
            cli::network_options o;
            o.peers = text;
            const auto list = cli::party_endpoints(o, 1 + selector / 6 % 8);
            dkg_fuzz::require(!list.empty(), "an empty party list");
        } catch (const cli::usage_error&) {
        }
        break;
    default:
        values<dkg::gmp_int>(selector / 6, text);
        values<dkg::cpp_int>(selector / 6, text);
        break;
    }
    return 0;
}
