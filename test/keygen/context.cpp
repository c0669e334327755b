#include <dkg/keygen/context.hpp>

#include "error_text.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

using namespace test_support;

namespace {

dkg::agreed_parameters sample()
{
    dkg::agreed_parameters a;
    a.add("key_length", 2048u);
    a.add("candidates", "distributed_sieve");
    a.add("candidates.sieve_bound", 701);
    a.add("allow_insecure_threshold_zero", false);
    return a;
}

/// The message of the decode_error that decoding `data` throws ("" if it throws none).
std::string decode_error_text(const dkg::bytes& data)
{
    try {
        (void)dkg::agreed_parameters::decode(data);
    } catch (const dkg::decode_error& e) {
        return e.detail();
    }
    return {};
}

/// An encoding written by hand: version, count, then (name, kind, value) entries.
struct raw_encoding {
    dkg::writer w;
    raw_encoding(std::uint8_t version, std::uint8_t count) { w.u8(version).u8(count); }
    raw_encoding& name(const std::string& n)
    {
        w.u8(static_cast<std::uint8_t>(n.size()));
        w.raw(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(n.data()), n.size()));
        return *this;
    }
    raw_encoding& integer(std::uint64_t v)
    {
        w.u8(0).u64(v);
        return *this;
    }
    raw_encoding& text(const std::string& t)
    {
        w.u8(1);
        return name(t);
    }
    dkg::bytes finish() { return w.finish(); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(keygen_context)

BOOST_AUTO_TEST_CASE(a_context_starts_empty)
{
    const dkg::keygen_context c;
    BOOST_TEST(c.self == 0u);
    BOOST_TEST(c.threads == 1u);
    BOOST_TEST(!c.arithmetic_executor);
    BOOST_TEST(c.progress == nullptr);
}

BOOST_AUTO_TEST_CASE(entries_are_kept_sorted_by_name_whatever_the_order_of_adding)
{
    const auto a = sample();
    dkg::agreed_parameters b;
    b.add("candidates.sieve_bound", 701u);
    b.add("allow_insecure_threshold_zero", 0);
    b.add("candidates", "distributed_sieve");
    b.add("key_length", std::size_t{2048});
    BOOST_TEST((a == b));
    BOOST_TEST((a.encode() == b.encode()));
    BOOST_TEST((a.fingerprint() == b.fingerprint()));
    std::vector<std::string> names;
    for (const auto& e : a.entries()) names.push_back(e.name);
    BOOST_TEST((names == std::vector<std::string>{"allow_insecure_threshold_zero", "candidates", "candidates.sieve_bound", "key_length"}));
    BOOST_TEST_REQUIRE(a.find("candidates.sieve_bound") != nullptr);
    BOOST_TEST(std::get<std::uint64_t>(a.find("candidates.sieve_bound")->value) == 701u);
    BOOST_TEST(a.find("candidates.sieve") == nullptr);
    BOOST_TEST(a.to_string() == "allow_insecure_threshold_zero = 0, candidates = distributed_sieve, candidates.sieve_bound = 701, key_length = 2048");
}

BOOST_AUTO_TEST_CASE(the_encoding_round_trips_and_the_fingerprint_tells_descriptions_apart)
{
    const auto a = sample();
    const auto decoded = dkg::agreed_parameters::decode(a.encode());
    BOOST_TEST((decoded == a));
    BOOST_TEST((dkg::agreed_parameters::decode(dkg::agreed_parameters{}.encode()) == dkg::agreed_parameters{}));
    auto b = sample();
    b.add("biprimality.rounds", 40);
    BOOST_TEST((a.fingerprint() != b.fingerprint()));
    // The same name with a text or with a number is a different description.
    dkg::agreed_parameters text, number;
    text.add("x", "1");
    number.add("x", 1);
    BOOST_TEST((text.fingerprint() != number.fingerprint()));
}

BOOST_AUTO_TEST_CASE(large_parameters_are_compared_by_their_digest)
{
    const dkg::bytes table{1, 2, 3, 4};
    dkg::agreed_parameters a, b, c;
    a.add_digest("candidates.table", table);
    b.add_digest("candidates.table", dkg::bytes{1, 2, 3, 4});
    c.add_digest("candidates.table", dkg::bytes{1, 2, 3, 5});
    BOOST_TEST((a == b));
    const auto& text = std::get<std::string>(a.find("candidates.table")->value);
    BOOST_TEST(text.size() == 64u);
    BOOST_TEST(text.find_first_not_of("0123456789abcdef") == std::string::npos);
    BOOST_TEST(dkg::agreed_parameters::difference(2, c, a).value().find("party 2 has candidates.table = ") == 0u);
}

BOOST_AUTO_TEST_CASE(bad_names_and_values_are_refused_naming_the_parameter)
{
    dkg::agreed_parameters a;
    a.add("candidates", "distributed_sieve");
    BOOST_TEST(invalid_argument_text([&] { a.add("candidates", "trial_division"); }) == "agreed parameter candidates: added twice");
    BOOST_TEST(invalid_argument_text([&] { a.add("rounds", -1); }) == "agreed parameter rounds: must not be negative");
    for (const char* name : {"", "Candidates", "9lives", ".x", "a b", "a-b", "sieve:bound"})
        BOOST_TEST(invalid_argument_text([&] { a.add(name, 1); }).find("agreed parameter name") == 0u, name);
    BOOST_TEST(invalid_argument_text([&] { a.add(std::string(65, 'a'), 1); }).find("agreed parameter name") == 0u);
    BOOST_CHECK_NO_THROW(a.add(std::string(64, 'a'), 1));
    BOOST_TEST(invalid_argument_text([&] { a.add("layer", ""); }).find("agreed parameter layer: the text must be") == 0u);
    BOOST_TEST(invalid_argument_text([&] { a.add("layer", "tab\there"); }).find("agreed parameter layer") == 0u);
    BOOST_TEST(invalid_argument_text([&] { a.add("layer", std::string(129, 'x')); }).find("agreed parameter layer") == 0u);
    BOOST_CHECK_NO_THROW(a.add("layer", std::string(128, 'x')));
    dkg::agreed_parameters full;
    for (int i = 0; i < 64; ++i) {
        std::string name = "p"; // not "p" + to_string(...): g++ 12 -Wrestrict false positive in Release
        name += std::to_string(100 + i);
        full.add(name, i);
    }
    BOOST_TEST(invalid_argument_text([&] { full.add("q", 1); }) == "agreed parameter q: at most 64 entries");
    BOOST_TEST((dkg::agreed_parameters::decode(full.encode()) == full));
}

BOOST_AUTO_TEST_CASE(decoding_refuses_anything_but_a_canonical_encoding)
{
    BOOST_TEST(decode_error_text({}).find("truncated") == 0u);
    BOOST_TEST(decode_error_text(raw_encoding(2, 0).finish()) == "agreed parameters: unknown encoding version");
    BOOST_TEST(decode_error_text(raw_encoding(1, 65).finish()) == "agreed parameters: too many entries");
    BOOST_TEST(decode_error_text(raw_encoding(1, 1).finish()).find("truncated") == 0u);
    BOOST_TEST(decode_error_text(raw_encoding(1, 1).name("B").integer(1).finish()) == "agreed parameters: invalid name");
    BOOST_TEST(decode_error_text(raw_encoding(1, 1).name("").finish()) == "agreed parameters: string of a wrong length");
    BOOST_TEST(decode_error_text(raw_encoding(1, 2).name("b").integer(1).name("a").integer(1).finish()) ==
               "agreed parameters: names not in strictly ascending order");
    BOOST_TEST(decode_error_text(raw_encoding(1, 2).name("a").integer(1).name("a").integer(2).finish()) ==
               "agreed parameters: names not in strictly ascending order");
    auto bad_kind = raw_encoding(1, 1).name("a");
    bad_kind.w.u8(2);
    BOOST_TEST(decode_error_text(bad_kind.finish()) == "agreed parameters: unknown value kind");
    BOOST_TEST(decode_error_text(raw_encoding(1, 1).name("a").text("new\nline").finish()) == "agreed parameters: invalid text");
    BOOST_TEST(decode_error_text(raw_encoding(1, 1).name("a").text(std::string(129, 'x')).finish()) ==
               "agreed parameters: string of a wrong length");
    auto trailing = sample().encode();
    trailing.push_back(0);
    BOOST_TEST(decode_error_text(trailing) == "trailing bytes");
    auto truncated = sample().encode();
    truncated.pop_back();
    BOOST_TEST(decode_error_text(truncated).find("truncated") == 0u);
    // Every proper prefix of a valid encoding is refused.
    const auto full = sample().encode();
    for (std::size_t k = 0; k < full.size(); ++k) BOOST_TEST(!decode_error_text(dkg::bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(k))).empty());
}

BOOST_AUTO_TEST_CASE(the_first_difference_is_named)
{
    const auto mine = sample();
    BOOST_TEST(!dkg::agreed_parameters::difference(2, sample(), mine).has_value());

    dkg::agreed_parameters other_layer;
    other_layer.add("key_length", 2048);
    other_layer.add("candidates", "my_sieve");
    other_layer.add("allow_insecure_threshold_zero", 0);
    BOOST_TEST(dkg::agreed_parameters::difference(2, other_layer, mine).value() == "party 2 runs candidates = my_sieve, this party distributed_sieve");

    dkg::agreed_parameters a, b;
    a.add("biprimality.rounds", 30);
    b.add("biprimality.rounds", 40);
    BOOST_TEST(dkg::agreed_parameters::difference(3, a, b).value() == "party 3 has biprimality.rounds = 30, this party 40");

    dkg::agreed_parameters fewer;
    fewer.add("key_length", 2048);
    fewer.add("candidates", "distributed_sieve");
    fewer.add("allow_insecure_threshold_zero", 0);
    BOOST_TEST(dkg::agreed_parameters::difference(4, fewer, mine).value() ==
               "party 4 has no candidates.sieve_bound, this party candidates.sieve_bound = 701");
    BOOST_TEST(dkg::agreed_parameters::difference(4, mine, fewer).value() ==
               "party 4 has candidates.sieve_bound = 701, this party has no candidates.sieve_bound");
}

BOOST_AUTO_TEST_SUITE_END()
