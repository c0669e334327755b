// Warnings dkg reports to the program (never secrets): e.g. a key length that is too short to be
// secure. By default they go to std::clog; a program can route them elsewhere.
#pragma once

#include <functional>
#include <iostream>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace dkg {

/// Receives warnings. Called from whichever thread raises the warning; must not throw.
using warning_handler = std::function<void(std::string_view)>;

namespace detail {

struct warning_state {
    std::mutex mutex;
    std::vector<std::string> said_once;
    warning_handler handler = [](std::string_view text) { std::clog << "dkg warning: " << text << '\n'; };
};

inline warning_state& warnings()
{
    static warning_state state;
    return state;
}

} // namespace detail

/// Replaces the warning handler (an empty handler discards warnings); returns the previous one.
inline warning_handler set_warning_handler(warning_handler handler)
{
    auto& s = detail::warnings();
    std::lock_guard<std::mutex> lock(s.mutex);
    std::swap(s.handler, handler);
    return handler;
}

/// Reports a warning to the current handler.
inline void warn(std::string_view text)
{
    auto& s = detail::warnings();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.handler) s.handler(text);
}

/// Reports a warning the first time this exact text is raised in the process (e.g. once for all
/// the parties of an in-process run); later identical warnings are dropped.
inline void warn_once(std::string_view text)
{
    auto& s = detail::warnings();
    std::lock_guard<std::mutex> lock(s.mutex);
    for (const auto& said : s.said_once)
        if (said == text) return;
    s.said_once.emplace_back(text);
    if (s.handler) s.handler(text);
}

} // namespace dkg
