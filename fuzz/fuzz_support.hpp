// Shared pieces of the libFuzzer harnesses: a byte consumer, the fixed keys the harnesses decode
// against, and a check that aborts (so libFuzzer reports the input) when an invariant fails.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/key_share.hpp>
#include <dkg/paillier.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/testing/trusted_dealer.hpp>
#include <dkg/threshold.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dkg_fuzz {

/// Aborts with a message when an invariant of a decoder does not hold (a finding, not an input error).
inline void require(bool condition, const char* what)
{
    if (condition) return;
    std::fprintf(stderr, "fuzz invariant failed: %s\n", what);
    std::abort();
}

/// Requires a decoder's error to carry one of the codes its documentation lists.
template <class Error>
void require_code(const Error& e, std::initializer_list<dkg::errc> codes)
{
    bool listed = false;
    for (auto c : codes) listed = listed || e.code() == dkg::make_error_code(c);
    if (!listed) std::fprintf(stderr, "unexpected error: %s\n", e.what());
    require(listed, "an error with a code its decoder does not document");
}

/// Requires both backends' outcomes (values read, or nothing if the input was refused) to agree.
template <class Outcome>
void require_same(const Outcome& with_gmp, const Outcome& with_cpp)
{
    require(with_gmp.has_value() == with_cpp.has_value(), "the backends disagree on accepting the input");
    require(!with_gmp || *with_gmp == *with_cpp, "the backends read different values");
}

/// Takes bytes off the front of the fuzzer's input.
class input {
public:
    input(const std::uint8_t* data, std::size_t size) : data_(data, size) {}

    std::uint8_t byte() { return data_.empty() ? 0 : take(1)[0]; }

    std::uint32_t u16()
    {
        const std::uint32_t hi = byte();
        return (hi << 8) | byte();
    }

    /// The rest of the input.
    std::span<const std::uint8_t> rest() { return take(data_.size()); }

    std::string_view rest_text()
    {
        const auto r = rest();
        return {reinterpret_cast<const char*>(r.data()), r.size()};
    }

    std::size_t size() const noexcept { return data_.size(); }

private:
    std::span<const std::uint8_t> take(std::size_t n)
    {
        const auto out = data_.first(n);
        data_ = data_.subspan(n);
        return out;
    }

    std::span<const std::uint8_t> data_;
};

/// Bits of the keys the harnesses decode against (small: the harnesses run many inputs a second).
inline constexpr std::size_t key_bits = 256;

/// A key dealt once with a fixed seed: 3 parties, threshold 1.
inline const dkg::testing::dealt_key<dkg::gmp_int>& dealt_gmp()
{
    static const dkg::testing::dealt_key<dkg::gmp_int> key = [] {
        dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 77);
        return dkg::testing::deal_key<dkg::gmp_int>(key_bits, 3, 1, rng);
    }();
    return key;
}

/// A value of one backend as another.
template <class To, class From>
To convert(const From& v)
{
    return dkg::from_decimal<To>(dkg::to_decimal(v));
}

/// The dealt key's shares as backend N (the same key for every backend, so their decoders can be
/// compared).
template <class N>
const std::vector<dkg::key_share<N>>& shares()
{
    static const std::vector<dkg::key_share<N>> out = [] {
        std::vector<dkg::key_share<N>> v;
        for (const auto& s : dealt_gmp().shares) {
            std::vector<N> vks;
            for (const auto& k : s.verification_keys()) vks.push_back(convert<N>(k));
            v.emplace_back(dkg::public_key<N>(convert<N>(s.public_key().n())), s.id(), s.parties(), s.threshold(), convert<N>(s.share()),
                           convert<N>(s.theta()), convert<N>(s.verification_base()), std::move(vks));
        }
        return v;
    }();
    return out;
}

/// The same decimal text for both backends' values (to compare them).
template <class N>
std::string text(const N& v)
{
    return dkg::to_decimal(v);
}

} // namespace dkg_fuzz
