// What is wiped, and where the backends allow it (docs/testing.md, "Secret hygiene"):
//  - key_share::wipe() and the key_share destructor overwrite s_j before its storage is freed;
//  - secure_clear overwrites every limb GMP allocated for a gmp_int, and the limbs in use of a
//    cpp_int, before setting the value to zero.
// GMP's memory functions are replaced for the duration of a check, so that every block GMP frees
// (or leaves behind when it reallocates) can be searched for the secret's limbs. Without GMP the
// checks of GMP's limbs and blocks are skipped (test_support::needs_gmp).
#include <dkg/bigint.hpp>
#include <dkg/key_share.hpp>
#include <dkg/serialization.hpp>
#include <dkg/testing/seeded_rng.hpp>
#include <dkg/testing/trusted_dealer.hpp>

#include "backends.hpp"

#include <boost/test/unit_test.hpp>

#if DKG_HAS_GMP
#include <gmp.h>
#endif

#include <cstring>
#include <vector>

using test_support::needs_gmp;

namespace {

using N = test_support::fast_int;

const dkg::testing::dealt_key<N>& dealt()
{
    static const auto k = [] {
        dkg::testing::insecure_seeded_rng rng(dkg::testing::default_test_seed, 6000);
        return dkg::testing::deal_key<N>(256, 3, 1, rng);
    }();
    return k;
}

#if DKG_HAS_GMP
/// While alive, every block GMP frees or reallocates is searched for the limbs of the secrets
/// given; `freed` counts freed blocks that still held one, `reallocated` blocks left behind by a
/// reallocation that held one.
class gmp_block_scan {
public:
    explicit gmp_block_scan(const std::vector<N>& secrets)
    {
        needles().clear();
        for (const auto& s : secrets) {
            const auto* z = s.backend().data();
            const std::size_t size = mpz_size(z);
            if (size == 0) continue;
            needles().push_back(mpz_getlimbn(z, 0));
            if (size > 1) needles().push_back(mpz_getlimbn(z, static_cast<mp_size_t>(size - 1)));
        }
        counts() = {};
        mp_get_memory_functions(&alloc_, &realloc_, &free_);
        saved_alloc() = alloc_;
        saved_realloc() = realloc_;
        saved_free() = free_;
        mp_set_memory_functions(alloc_, &scan_realloc, &scan_free);
    }
    ~gmp_block_scan() { mp_set_memory_functions(alloc_, realloc_, free_); }

    std::size_t freed() const { return counts().freed; }
    std::size_t reallocated() const { return counts().reallocated; }

private:
    struct tally {
        std::size_t freed = 0, reallocated = 0;
    };
    using alloc_fn = void* (*)(size_t);
    using realloc_fn = void* (*)(void*, size_t, size_t);
    using free_fn = void (*)(void*, size_t);

    static std::vector<mp_limb_t>& needles()
    {
        static std::vector<mp_limb_t> v;
        return v;
    }
    static tally& counts()
    {
        static tally t;
        return t;
    }
    static alloc_fn& saved_alloc()
    {
        static alloc_fn f = nullptr;
        return f;
    }
    static realloc_fn& saved_realloc()
    {
        static realloc_fn f = nullptr;
        return f;
    }
    static free_fn& saved_free()
    {
        static free_fn f = nullptr;
        return f;
    }

    static bool holds_secret(const void* block, std::size_t bytes)
    {
        const std::size_t words = bytes / sizeof(mp_limb_t);
        for (std::size_t i = 0; i < words; ++i) {
            mp_limb_t w;
            std::memcpy(&w, static_cast<const char*>(block) + i * sizeof(mp_limb_t), sizeof w);
            for (auto n : needles())
                if (w == n) return true;
        }
        return false;
    }

    static void* scan_realloc(void* block, size_t old_size, size_t new_size)
    {
        if (holds_secret(block, old_size)) ++counts().reallocated;
        return saved_realloc()(block, old_size, new_size);
    }

    static void scan_free(void* block, size_t size)
    {
        if (holds_secret(block, size)) ++counts().freed;
        saved_free()(block, size);
    }

    alloc_fn alloc_ = nullptr;
    realloc_fn realloc_ = nullptr;
    free_fn free_ = nullptr;
};
#endif

} // namespace

BOOST_AUTO_TEST_SUITE(wipe)

BOOST_AUTO_TEST_CASE(key_share_wipe_clears_the_share)
{
    auto share = dealt().shares[0];
    BOOST_TEST_REQUIRE((share.share() != N(0u)));
    share.wipe();
    BOOST_TEST((share.share() == N(0u)));
}

BOOST_AUTO_TEST_CASE(secure_clear_overwrites_every_gmp_limb, *needs_gmp())
{
#if DKG_HAS_GMP
    N secret = dealt().shares[0].share();
    secret *= secret; // a larger allocation than the value needs afterwards
    secret >>= 200;
    auto* z = secret.backend().data();
    const mp_limb_t* limbs = z->_mp_d;
    const int allocated = z->_mp_alloc;
    BOOST_TEST_REQUIRE(allocated > 2);
    dkg::secure_clear(secret);
    BOOST_TEST(secret.backend().data()->_mp_d == limbs); // the same block, still allocated
    for (int i = 0; i < allocated; ++i) BOOST_TEST(limbs[i] == 0u, "limb " << i);
#endif
}

BOOST_AUTO_TEST_CASE(secure_clear_overwrites_the_limbs_of_a_cpp_int)
{
    // dkg's cpp_int traits wipe the limbs when they recognise the cpp_int backend
    // (detail::is_cpp_int_backend), which must hold for the Boost version in use, with and without
    // expression templates; otherwise secure_clear would only set the value to zero.
    static_assert(dkg::detail::is_cpp_int_backend<dkg::cpp_int::backend_type>::value);
    static_assert(dkg::detail::is_cpp_int_backend<boost::multiprecision::cpp_int_backend<>>::value);
    dkg::cpp_int secret = dkg::from_decimal<dkg::cpp_int>(dkg::to_decimal(dealt().shares[0].share()));
    secret *= secret; // a larger buffer than the value needs afterwards
    secret >>= 200;
    const auto& be = secret.backend();
    const auto* limbs = be.limbs();
    const std::size_t capacity = be.capacity();
    BOOST_TEST_REQUIRE(be.size() > 2u);
    BOOST_TEST_REQUIRE(capacity > be.size()); // high limbs of the larger value are still in the buffer
    dkg::secure_clear(secret);
    BOOST_TEST(secret.backend().limbs() == limbs); // cpp_int keeps its buffer when set to zero
    for (std::size_t i = 0; i < capacity; ++i) BOOST_TEST(limbs[i] == 0u, "limb " << i);
}

BOOST_AUTO_TEST_CASE(a_destroyed_key_share_leaves_no_copy_of_its_share, *needs_gmp())
{
#if DKG_HAS_GMP
    const auto& original = dealt().shares[1];
    const std::vector<N> secret{original.share()}; // not a temporary: its copies must be freed outside the scan
    {
        auto copy = std::make_unique<dkg::key_share<N>>(original);
        gmp_block_scan scan(secret);
        copy.reset();
        BOOST_TEST(scan.freed() == 0u);
        BOOST_TEST(scan.reallocated() == 0u);
    }
    {
        auto copy = std::make_unique<dkg::key_share<N>>(original);
        gmp_block_scan scan(secret);
        copy->wipe();
        copy.reset();
        BOOST_TEST(scan.freed() == 0u);
    }
#endif
}

// Decoding a key share makes temporary copies of s_j that the backend frees without overwriting
// (the integer read before its sign is applied, the text digits parsed from JSON): measured here
// and documented in docs/testing.md, not required to be zero.
BOOST_AUTO_TEST_CASE(copies_left_by_decoding_a_key_share_are_counted, *needs_gmp())
{
#if DKG_HAS_GMP
    const auto& share = dealt().shares[2];
    const std::vector<N> secret{share.share()};
    for (auto format : {dkg::file_format::binary, dkg::file_format::json}) {
        std::vector<std::uint8_t> data;
        if (format == dkg::file_format::binary) {
            data = dkg::to_binary(share);
        } else {
            const auto text = dkg::to_json(share);
            data.assign(text.begin(), text.end());
        }
        std::size_t freed = 0, reallocated = 0;
        {
            gmp_block_scan scan(secret);
            {
                const auto loaded = dkg::key_share_from_bytes<N>(data);
                BOOST_TEST((loaded.share() == share.share()));
            }
            freed = scan.freed();
            reallocated = scan.reallocated();
        }
        BOOST_TEST_MESSAGE((format == dkg::file_format::binary ? "binary" : "JSON")
                           << " key share decoded: " << freed << " freed and " << reallocated
                           << " reallocated GMP blocks still held s_j");
        BOOST_TEST(freed <= 8u); // a handful of temporaries, not one per operation
    }
#endif
}

BOOST_AUTO_TEST_SUITE_END()
