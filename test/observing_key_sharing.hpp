// A key-sharing layer that shows the tests each party's additive shares of the accepted p and q, then
// hands them to the real key-sharing layer: how the tests reconstruct p and q and check them
// independently — through the key_sharing_policy contract (docs/policies.md), not through a hook in
// the library that would change its code between test and production builds.
#pragma once

#include <dkg/keygen/policies.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <mutex>
#include <optional>
#include <utility>

namespace test_support {

/// Receives (party, N, p_j, q_j) from observing_key_sharing<N, ...>; empty: nobody listens.
template <class N>
using factor_listener = std::function<void(dkg::party_id, const N& modulus, const N& p_share, const N& q_share)>;

/// The listener of observing_key_sharing<N, ...>, one per number type (a test installs it for a run
/// with factor_listening and removes it afterwards).
template <class N>
struct factor_channel {
    static inline std::mutex mutex;
    static inline factor_listener<N> listener;
};

/// Installs `listener` while alive.
template <class N>
class factor_listening {
public:
    explicit factor_listening(factor_listener<N> listener)
    {
        std::lock_guard lock(factor_channel<N>::mutex);
        factor_channel<N>::listener = std::move(listener);
    }
    ~factor_listening()
    {
        std::lock_guard lock(factor_channel<N>::mutex);
        factor_channel<N>::listener = nullptr;
    }
    factor_listening(const factor_listening&) = delete;
    factor_listening& operator=(const factor_listening&) = delete;
};

/// Models dkg::key_sharing_policy by delegating to `Inner`, after telling the listener this party's
/// shares of p and q. Describes itself as `Inner` does: it runs the same protocol, so parties with
/// and without it agree.
template <dkg::big_integer N, class Inner = dkg::integer_key_sharing<N>>
class observing_key_sharing {
public:
    observing_key_sharing(const dkg::keygen_context& context, const dkg::keygen_params& params) : self_(context.self), inner_(context, params) {}

    void describe(dkg::agreed_parameters& agreed) const { inner_.describe(agreed); }

    template <class Session, class G>
    boost::asio::awaitable<std::optional<dkg::key_share<N>>> share(Session& session, G& rng, const dkg::joint_seed& seed, const N& modulus,
                                                                   N& p_share, N& q_share)
    {
        {
            std::lock_guard lock(factor_channel<N>::mutex);
            if (factor_channel<N>::listener) factor_channel<N>::listener(self_, modulus, p_share, q_share);
        }
        co_return co_await inner_.share(session, rng, seed, modulus, p_share, q_share);
    }

private:
    dkg::party_id self_;
    Inner inner_;
};

/// The bundle `Policies` with its key-sharing layer observed.
template <class Policies>
using observed = dkg::keygen_policies<typename Policies::number, typename Policies::candidates, typename Policies::biprimality,
                                      observing_key_sharing<typename Policies::number, typename Policies::key_sharing>,
                                      typename Policies::opening>;

} // namespace test_support
