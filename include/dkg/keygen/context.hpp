// What every layer of key generation receives and hands on (docs/policies.md): the context of the
// run, the joint seed, a candidate with this party's shares of its factors, and the agreed
// parameters — an open description of every layer and its parameters, which the parties compare in
// the setup round (docs/protocol.md §0) so that parties running different layers or parameters
// fail at once with an error naming the difference.
#pragma once

#include <dkg/bigint.hpp>
#include <dkg/codec.hpp>
#include <dkg/detail/sha256.hpp>
#include <dkg/error.hpp>
#include <dkg/keygen/params.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dkg {

/// What a layer of key generation knows about the run (given to its constructor).
///
/// The layers share the executor of the worker threads: post heavy arithmetic to
/// `arithmetic_executor` in `threads` pieces and await it (the shipped layers use
/// dkg::detail::parallel_for), so that the session's executor stays free for messages.
struct keygen_context {
    party_id self = 0;                                ///< this party's id, 1..n
    std::size_t parties = 0;                          ///< n
    std::size_t threshold = 0;                        ///< t
    std::size_t prime_bits = 0;                       ///< L = key_length / 2, the bits of p and q
    boost::asio::any_io_executor arithmetic_executor; ///< where this party's arithmetic runs
    std::size_t threads = 1;                          ///< pieces to split a step's arithmetic into
    keygen_progress* progress = nullptr;              ///< counters the layers update (rounds, tests), or null
};

/// 256 bits that all parties agree on in key generation's first round (hash of everyone's
/// contribution); the source of every jointly random public value.
using joint_seed = std::array<std::uint8_t, 32>;

/// A candidate modulus N = p·q (public) together with this party's additive shares of p and q.
template <big_integer N>
struct candidate {
    N modulus;
    N p_share;
    N q_share;
};

/// The identity and parameters of the layers of a key generation, as named values that every party
/// must hold identically (docs/protocol.md §0, docs/policies.md).
///
/// Each layer adds its own in `describe(agreed_parameters&)`: its name under the layer's key and its
/// parameters under `<layer>.<parameter>`, e.g.
/// @code
/// void describe(dkg::agreed_parameters& agreed) const
/// {
///     agreed.add("candidates", "my_sieve");            // the layer's identity
///     agreed.add("candidates.sieve_bound", bound_);    // one of its parameters
/// }
/// @endcode
/// The setup round sends every party's description; a party whose description differs is named
/// with the first difference ("party 3 has biprimality.rounds = 30, this party 40").
///
/// Names are 1 to 64 characters of `a-z 0-9 _ .`, starting with a letter; values are unsigned
/// integers or texts of 1 to 128 printable ASCII characters; at most 64 entries. Nothing secret may
/// be added: the description travels in the clear and appears in error texts.
class agreed_parameters {
public:
    static constexpr std::size_t max_entries = 64;
    static constexpr std::size_t max_name_length = 64;
    static constexpr std::size_t max_text_length = 128;

    /// One named value.
    struct entry {
        std::string name;
        std::variant<std::uint64_t, std::string> value;

        friend bool operator==(const entry&, const entry&) = default;
    };

    /// Adds an integer parameter (bool as 0 or 1).
    /// @throws std::invalid_argument if the name is not valid or already present, the value is
    ///         negative, or the description is full.
    template <std::integral T>
    void add(std::string_view name, T value)
    {
        if constexpr (std::is_signed_v<T>)
            if (value < 0) throw std::invalid_argument("agreed parameter " + std::string(name) + ": must not be negative");
        insert(name, static_cast<std::uint64_t>(value));
    }

    /// Adds a text parameter (e.g. the name of a layer).
    /// @throws std::invalid_argument if the name or text is not valid, the name is already present,
    ///         or the description is full.
    void add(std::string_view name, std::string_view text)
    {
        if (!valid_text(text))
            throw std::invalid_argument("agreed parameter " + std::string(name) + ": the text must be 1 to " +
                                        std::to_string(max_text_length) + " printable ASCII characters");
        insert(name, std::string(text));
    }

    /// Adds the SHA-256 digest of `data` as a text of 64 hexadecimal digits: for a parameter too large
    /// to be a value itself (a table, a list of public moduli), so that parties whose data differ
    /// differ in it.
    /// @throws std::invalid_argument as `add`.
    void add_digest(std::string_view name, std::span<const std::uint8_t> data)
    {
        detail::sha256 h;
        h.update("dkg/keygen/agreed-parameter-digest").update_framed(data);
        static constexpr char digits[] = "0123456789abcdef";
        std::string text;
        for (const auto b : h.finish()) {
            text.push_back(digits[b >> 4]);
            text.push_back(digits[b & 15]);
        }
        add(name, std::string_view(text));
    }

    /// The entries, sorted by name.
    const std::vector<entry>& entries() const noexcept { return entries_; }

    /// The entry named `name`, or null.
    const entry* find(std::string_view name) const noexcept
    {
        const auto it = lower_bound(name);
        return it != entries_.end() && it->name == name ? &*it : nullptr;
    }

    /// The canonical encoding: u8 version (1), u8 count, then per entry in name order: u8 length and
    /// the name, u8 kind (0: integer, 1: text), then a u64, or a u8 length and the text.
    bytes encode() const
    {
        writer w;
        w.u8(encoding_version).u8(static_cast<std::uint8_t>(entries_.size()));
        for (const auto& e : entries_) {
            put_string(w, e.name);
            if (const auto* v = std::get_if<std::uint64_t>(&e.value)) {
                w.u8(0).u64(*v);
            } else {
                w.u8(1);
                put_string(w, std::get<std::string>(e.value));
            }
        }
        return w.finish();
    }

    /// Decodes and validates an encoding (the same rules as `add`, entries in strictly ascending name
    /// order, nothing after the last entry).
    /// @throws dkg::decode_error if it is not a valid canonical encoding.
    static agreed_parameters decode(std::span<const std::uint8_t> data)
    {
        reader r(data);
        if (r.u8() != encoding_version) throw decode_error("agreed parameters: unknown encoding version");
        const std::size_t count = r.u8();
        if (count > max_entries) throw decode_error("agreed parameters: too many entries");
        agreed_parameters out;
        for (std::size_t i = 0; i < count; ++i) {
            entry e;
            e.name = get_string(r, max_name_length);
            if (!valid_name(e.name)) throw decode_error("agreed parameters: invalid name");
            if (!out.entries_.empty() && !(out.entries_.back().name < e.name))
                throw decode_error("agreed parameters: names not in strictly ascending order");
            const std::uint8_t kind = r.u8();
            if (kind == 0) {
                e.value = r.u64();
            } else if (kind == 1) {
                std::string text = get_string(r, max_text_length);
                if (!valid_text(text)) throw decode_error("agreed parameters: invalid text");
                e.value = std::move(text);
            } else {
                throw decode_error("agreed parameters: unknown value kind");
            }
            out.entries_.push_back(std::move(e));
        }
        r.expect_end();
        return out;
    }

    /// SHA-256 of the canonical encoding (domain-separated): equal for equal descriptions.
    std::array<std::uint8_t, 32> fingerprint() const
    {
        detail::sha256 h;
        h.update("dkg/keygen/agreed-parameters").update_framed(encode());
        return h.finish();
    }

    /// The entries as text, "name = value" separated by ", " (public values only).
    std::string to_string() const
    {
        std::string out;
        for (const auto& e : entries_) {
            if (!out.empty()) out += ", ";
            out += e.name + " = " + value_text(e);
        }
        return out;
    }

    /// The first difference (in name order) between another party's description and this party's, as
    /// text, e.g. "party 3 has biprimality.rounds = 30, this party 40" or, for a layer's identity,
    /// "party 2 runs candidates = my_sieve, this party distributed_sieve"; nothing if they are equal.
    static std::optional<std::string> difference(party_id other, const agreed_parameters& theirs, const agreed_parameters& mine)
    {
        const std::string who = "party " + std::to_string(other);
        auto a = theirs.entries_.begin(), b = mine.entries_.begin();
        while (a != theirs.entries_.end() || b != mine.entries_.end()) {
            if (b == mine.entries_.end() || (a != theirs.entries_.end() && a->name < b->name))
                return who + " has " + a->name + " = " + value_text(*a) + ", this party has no " + a->name;
            if (a == theirs.entries_.end() || b->name < a->name)
                return who + " has no " + b->name + ", this party " + b->name + " = " + value_text(*b);
            if (a->value != b->value) {
                // A layer's identity (a text under a name without a dot) reads "runs".
                const bool identity = std::holds_alternative<std::string>(a->value) && a->name.find('.') == std::string::npos;
                return who + (identity ? " runs " : " has ") + a->name + " = " + value_text(*a) + ", this party " + value_text(*b);
            }
            ++a;
            ++b;
        }
        return std::nullopt;
    }

    friend bool operator==(const agreed_parameters&, const agreed_parameters&) = default;

    /// Whether `name` is a valid parameter name.
    static bool valid_name(std::string_view name) noexcept
    {
        if (name.empty() || name.size() > max_name_length || name.front() < 'a' || name.front() > 'z') return false;
        return std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'; });
    }

    /// Whether `text` is a valid text value.
    static bool valid_text(std::string_view text) noexcept
    {
        if (text.empty() || text.size() > max_text_length) return false;
        return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
    }

private:
    static constexpr std::uint8_t encoding_version = 1;

    std::vector<entry>::const_iterator lower_bound(std::string_view name) const noexcept
    {
        return std::lower_bound(entries_.begin(), entries_.end(), name, [](const entry& e, std::string_view n) { return e.name < n; });
    }

    void insert(std::string_view name, std::variant<std::uint64_t, std::string> value)
    {
        if (!valid_name(name))
            throw std::invalid_argument("agreed parameter name '" + std::string(name.substr(0, max_name_length)) +
                                        "': must be 1 to 64 characters of a-z 0-9 _ . starting with a letter");
        const auto it = lower_bound(name);
        if (it != entries_.end() && it->name == name)
            throw std::invalid_argument("agreed parameter " + std::string(name) + ": added twice");
        if (entries_.size() == max_entries) throw std::invalid_argument("agreed parameter " + std::string(name) + ": at most 64 entries");
        entries_.insert(entries_.begin() + (it - entries_.begin()), entry{std::string(name), std::move(value)});
    }

    static std::string value_text(const entry& e)
    {
        if (const auto* v = std::get_if<std::uint64_t>(&e.value)) return std::to_string(*v);
        return std::get<std::string>(e.value);
    }

    static void put_string(writer& w, const std::string& s)
    {
        w.u8(static_cast<std::uint8_t>(s.size()));
        w.raw(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
    }

    static std::string get_string(reader& r, std::size_t max_length)
    {
        const std::size_t length = r.u8();
        if (length == 0 || length > max_length) throw decode_error("agreed parameters: string of a wrong length");
        const auto raw = r.raw(length);
        return std::string(raw.begin(), raw.end());
    }

    std::vector<entry> entries_;
};

} // namespace dkg
