// Running a party's heavy arithmetic on worker threads while its protocol coroutine waits.
#pragma once

#include <dkg/detail/chacha20.hpp>
#include <dkg/rng.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/is_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

namespace dkg::detail {

/// A ChaCha20 generator seeded from a secure generator: gives each worker thread its own secure
/// stream so that one caller-supplied generator is never shared between threads.
class forked_rng {
public:
    using result_type = std::uint64_t;
    static constexpr result_type min() noexcept { return 0; }
    static constexpr result_type max() noexcept { return ~result_type{0}; }

    template <secure_rng G>
    explicit forked_rng(G& parent)
    {
        chacha20_stream::key_type key{};
        fill_random(parent, key);
        stream_.seed(key);
        volatile std::uint8_t* k = key.data();
        for (std::size_t i = 0; i < key.size(); ++i) k[i] = 0;
    }
    forked_rng(const forked_rng&) = delete;
    forked_rng& operator=(const forked_rng&) = delete;
    forked_rng(forked_rng&&) = default;
    ~forked_rng() { stream_.wipe(); }

    result_type operator()() noexcept { return stream_.next_u64(); }
    void fill(std::span<std::uint8_t> out) noexcept { stream_.fill(out); }

private:
    chacha20_stream stream_;
};

} // namespace dkg::detail

template <>
inline constexpr bool dkg::enable_secure_rng<dkg::detail::forked_rng> = true;

namespace dkg::detail {

/// Whether `E` is an Asio executor (of either executor model).
template <class E>
inline constexpr bool is_any_executor = boost::asio::execution::is_executor<E>::value || boost::asio::is_executor<E>::value;

/// Calls fn(begin, end) — or fn(chunk, begin, end) — on the executor `workers` for up to `chunks`
/// contiguous sub-ranges of [0, count) and resumes the awaiting coroutine (on its own executor) when
/// all are done. The first exception thrown by a chunk is rethrown to the caller after every chunk
/// finished. No worker touches the awaiting coroutine's executor after it resumes (the completion is
/// posted, never run inline, so `workers` may also be the coroutine's own executor).
template <class Executor, class Fn>
    requires is_any_executor<Executor>
boost::asio::awaitable<void> parallel_for(Executor workers, std::size_t count, std::size_t chunks, Fn fn)
{
    if (count == 0) co_return;
    chunks = std::clamp<std::size_t>(chunks, 1, count);
    auto initiate = [&workers, count, chunks, &fn](auto handler) {
        using handler_type = decltype(handler);
        struct state {
            explicit state(handler_type&& h, std::size_t n) : handler(std::move(h)), remaining(n) {}
            handler_type handler;
            std::atomic<std::size_t> remaining;
            std::atomic<bool> released{false}; // the last worker holds no copy of the executor any more
            std::mutex mutex;
            std::exception_ptr error;
        };
        auto shared = std::make_shared<state>(std::move(handler), chunks);
        const std::size_t per_chunk = count / chunks, extra = count % chunks;
        std::size_t begin = 0;
        for (std::size_t c = 0; c < chunks; ++c) {
            const std::size_t end = begin + per_chunk + (c < extra ? 1 : 0);
            boost::asio::post(workers, [shared, c, begin, end, &fn] {
                try {
                    if constexpr (std::is_invocable_v<Fn&, std::size_t, std::size_t, std::size_t>) {
                        fn(c, begin, end);
                    } else {
                        (void)c;
                        fn(begin, end);
                    }
                } catch (...) {
                    std::lock_guard<std::mutex> lock(shared->mutex);
                    if (!shared->error) shared->error = std::current_exception();
                }
                if (shared->remaining.fetch_sub(1) == 1) {
                    {
                        auto executor = boost::asio::get_associated_executor(shared->handler);
                        boost::asio::post(executor, [shared]() mutable {
                            // Resume only once the worker has dropped its executor copies, so that the
                            // caller may destroy the execution context as soon as the await returns.
                            shared->released.wait(false, std::memory_order_acquire);
                            std::move(shared->handler)(shared->error);
                        });
                    }
                    shared->released.store(true, std::memory_order_release);
                    shared->released.notify_one();
                }
            });
            begin = end;
        }
    };
    co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(std::exception_ptr)>(
        std::move(initiate), boost::asio::use_awaitable);
}

/// parallel_for on the threads of `pool`.
template <class Fn>
boost::asio::awaitable<void> parallel_for(boost::asio::thread_pool& pool, std::size_t count, std::size_t chunks, Fn fn)
{
    return parallel_for(pool.get_executor(), count, chunks, std::move(fn));
}

/// As parallel_for (fn(begin, end) or fn(chunk, begin, end)), but blocks the calling thread (which
/// must not be one of the pool's) until every chunk has finished; for work inside a synchronous
/// callback.
template <class Fn>
void parallel_for_blocking(boost::asio::thread_pool& pool, std::size_t count, std::size_t chunks, Fn fn)
{
    if (count == 0) return;
    chunks = std::clamp<std::size_t>(chunks, 1, count);
    std::latch finished(static_cast<std::ptrdiff_t>(chunks));
    std::mutex mutex;
    std::exception_ptr error;
    const std::size_t per_chunk = count / chunks, extra = count % chunks;
    std::size_t begin = 0;
    for (std::size_t c = 0; c < chunks; ++c) {
        const std::size_t end = begin + per_chunk + (c < extra ? 1 : 0);
        boost::asio::post(pool, [&, c, begin, end] {
            try {
                if constexpr (std::is_invocable_v<Fn&, std::size_t, std::size_t, std::size_t>) {
                    fn(c, begin, end);
                } else {
                    (void)c;
                    fn(begin, end);
                }
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex);
                if (!error) error = std::current_exception();
            }
            finished.count_down();
        });
        begin = end;
    }
    finished.wait();
    if (error) std::rethrow_exception(error);
}

/// The number of worker threads for a `threads` option: 0 means one per hardware thread.
inline std::size_t worker_threads(std::size_t threads) noexcept
{
    return threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
}

/// One forked generator per chunk of a parallel_for (each chunk uses only its own).
template <secure_rng G>
std::vector<forked_rng> fork_rngs(G& parent, std::size_t chunks)
{
    std::vector<forked_rng> out;
    out.reserve(chunks);
    for (std::size_t c = 0; c < chunks; ++c) out.emplace_back(parent);
    return out;
}

/// Runs fn() on the executor `workers` and returns its result to the awaiting coroutine.
template <class Executor, class Fn>
    requires is_any_executor<Executor>
auto run_on(Executor workers, Fn fn) -> boost::asio::awaitable<decltype(fn())>
{
    using result = decltype(fn());
    if constexpr (std::is_void_v<result>) {
        co_await parallel_for(std::move(workers), 1, 1, [&](std::size_t, std::size_t) { fn(); });
    } else {
        std::optional<result> out;
        co_await parallel_for(std::move(workers), 1, 1, [&](std::size_t, std::size_t) { out.emplace(fn()); });
        co_return std::move(*out);
    }
}

/// run_on on a thread of `pool`.
template <class Fn>
auto run_on(boost::asio::thread_pool& pool, Fn fn) -> boost::asio::awaitable<decltype(fn())>
{
    return run_on(pool.get_executor(), std::move(fn));
}

} // namespace dkg::detail
