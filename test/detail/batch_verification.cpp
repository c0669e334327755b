#include <dkg/detail/batch_verification.hpp>

#include <dkg/testing/seeded_rng.hpp>

#include <boost/test/unit_test.hpp>

#include <set>
#include <vector>

namespace {

/// A batch of items of which `bad` fail: a batch check passes when the group holds none of them.
struct fake_items {
    std::set<std::size_t> bad;
    std::size_t batches = 0, singles = 0;

    auto batch()
    {
        return [this](std::span<const std::size_t> group) {
            ++batches;
            for (std::size_t i : group)
                if (bad.count(i)) return false;
            return true;
        };
    }
    auto single()
    {
        return [this](std::size_t i) {
            ++singles;
            return bad.count(i) == 0;
        };
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(every_failing_item_is_found_and_only_those)
{
    dkg::testing::insecure_seeded_rng rng;
    for (std::size_t count : {0u, 1u, 2u, 3u, 7u, 64u, 200u}) {
        for (std::size_t failing : {0u, 1u, 2u, 5u, 200u}) {
            fake_items items;
            while (items.bad.size() < std::min(failing, count)) items.bad.insert(rng() % count);
            const auto found = dkg::detail::failing_items(count, items.batch(), items.single());
            BOOST_TEST(found == std::vector<std::size_t>(items.bad.begin(), items.bad.end()), boost::test_tools::per_element());
        }
    }
}

BOOST_AUTO_TEST_CASE(a_passing_batch_costs_one_check)
{
    fake_items items;
    BOOST_TEST(dkg::detail::failing_items(200, items.batch(), items.single()).empty());
    BOOST_TEST(items.batches == 1u);
    BOOST_TEST(items.singles == 0u);
}

BOOST_AUTO_TEST_CASE(one_failing_item_costs_a_few_checks_per_halving)
{
    // 200 items with one bad: about one batch check per halving (8 halvings), then at most three
    // single checks (a group of three splits into a single and a pair).
    fake_items items;
    items.bad = {137};
    BOOST_TEST(dkg::detail::failing_items(200, items.batch(), items.single()) == std::vector<std::size_t>{137});
    BOOST_TEST(items.batches <= 12u);
    BOOST_TEST(items.singles <= 3u);
}

BOOST_AUTO_TEST_CASE(weights_have_the_stated_length)
{
    dkg::testing::insecure_seeded_rng rng;
    std::size_t longest = 0;
    for (int i = 0; i < 64; ++i) longest = std::max(longest, dkg::bit_length(dkg::detail::batch_weight<dkg::cpp_int>(rng)));
    BOOST_TEST(longest == dkg::detail::batch_weight_bits);
}
