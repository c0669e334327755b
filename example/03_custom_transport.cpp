// Example 3: a transport of your own.
//
// dkg's protocols never open sockets: they talk through a *transport*, any type that models the
// dkg::transport concept (dkg/transport.hpp, docs/transport.md). This example writes one from
// scratch over POSIX pipes. The parent process creates a pipe for every ordered pair of parties,
// then forks one process per party; the parties generate a key over their pipes, party 1 sends
// the others a ciphertext, and all of them decrypt it together.
//
// What a transport must do:
//   - send tagged byte messages to a party, in order (here: length-prefixed frames on a pipe);
//   - deliver each message once, to the receive that asks for exactly its (sender, tag),
//     buffering messages that arrive before anyone asks for them, within a bound;
//   - let each pending receive be cancelled on its own (Asio per-operation cancellation): the
//     session builds its timeouts and its "first t+1 answers" gathering on this;
//   - fail the receives from a party whose channel broke, and only those.
// The sending half is written out below. The receiving half is dkg::mailbox
// (dkg/transport/mailbox.hpp), which does the last three points ready-made: the transport decodes
// each incoming frame and hands it to the mailbox with `deliver`, reports a broken channel with
// `fail_party`, and forwards `async_receive`, `close_session` and `discard_next` to it.
//
// Usage: 03_custom_transport [--parties N] [--bits B]     (defaults 3 and 2048; t = (N-1)/2)
#include <dkg/dkg.hpp>
#include <dkg/transport/mailbox.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using number = dkg::gmp_int;

// ---- the transport ------------------------------------------------------------------------------

/// One party's end of a mesh of pipes: for every other party j, a pipe to read j's messages from
/// and a pipe to write messages for j into. Single-threaded: use it from its io_context.
class pipe_transport {
public:
    using executor_type = boost::asio::io_context::executor_type;

    /// `from[j-1]` and `to[j-1]` are the pipe ends from and to party j (ignored for `self`).
    pipe_transport(boost::asio::io_context& io, dkg::party_id self, const std::vector<int>& from, const std::vector<int>& to)
        : executor_(io.get_executor()), self_(self), peers_(from.size()), mailbox_(executor_, from.size(), max_buffered)
    {
        for (dkg::party_id j = 1; j <= peers_.size(); ++j) {
            if (j == self_) continue;
            peers_[j - 1].in.emplace(io, from[j - 1]);
            peers_[j - 1].out.emplace(io, to[j - 1]);
            read_frame(j);
        }
    }

    pipe_transport(const pipe_transport&) = delete;
    pipe_transport& operator=(const pipe_transport&) = delete;

    executor_type get_executor() const noexcept { return executor_; }
    dkg::party_id self() const noexcept { return self_; }
    std::size_t party_count() const noexcept { return peers_.size(); }

    /// Queues a frame for party `to`; completes once it is written into the pipe.
    template <class CompletionToken>
    auto async_send(dkg::party_id to, const dkg::message_tag& tag, std::vector<std::uint8_t> payload, CompletionToken&& token)
    {
        return boost::asio::async_initiate<CompletionToken, dkg::send_signature>(
            [this](auto handler, dkg::party_id to, const dkg::message_tag& tag, std::vector<std::uint8_t> payload) {
                peer& p = peers_.at(to - 1);
                if (!p.out || !p.out->is_open() || p.write_failed) return complete_send(std::move(handler), dkg::errc::peer_disconnected);
                // Frame: u32 size of the rest, 16-byte session id, u32 step, round, topic, payload.
                dkg::writer w(4 + header_size + payload.size());
                w.u32(static_cast<std::uint32_t>(header_size + payload.size()))
                    .raw(tag.session).u32(tag.step).u32(tag.round).u32(tag.topic).raw(payload);
                p.outgoing.push_back({w.finish(), std::move(handler)});
                if (p.outgoing.size() == 1) write_next(to); // otherwise a write is in progress
            },
            token, to, tag, std::move(payload));
    }

    /// Completes with the next message from `from` with exactly `tag` (the mailbox buffers
    /// messages that arrived earlier, and a cancelled receive consumes nothing).
    template <class CompletionToken>
    auto async_receive(dkg::party_id from, const dkg::message_tag& tag, CompletionToken&& token)
    {
        return mailbox_.async_receive(from, tag, std::forward<CompletionToken>(token));
    }

    /// Drops the buffered and later messages of a finished session (a session calls it when it ends).
    void close_session(const dkg::session_id& id) { mailbox_.close_session(id); }

    /// Drops the next message from `from` with `tag` that no receive claims (gather_first uses it).
    void discard_next(dkg::party_id from, const dkg::message_tag& tag) { mailbox_.discard_next(from, tag); }

    /// Closes every pipe: pending receives complete with errc::closed, and the peers see the end
    /// of our messages.
    void close()
    {
        mailbox_.close(make_error_code(dkg::errc::closed));
        for (dkg::party_id j = 1; j <= peers_.size(); ++j) {
            if (j == self_) continue;
            boost::system::error_code ignored;
            peers_[j - 1].in->close(ignored);
            peers_[j - 1].out->close(ignored);
        }
    }

private:
    static constexpr std::size_t header_size = 16 + 3 * 4;
    static constexpr std::size_t max_frame = std::size_t{256} << 20;    // larger frames: a faulty peer
    static constexpr std::size_t max_buffered = std::size_t{512} << 20; // unclaimed bytes per sender

    using send_handler = boost::asio::any_completion_handler<dkg::send_signature>;

    struct outgoing_frame {
        dkg::bytes frame;
        send_handler handler;
    };

    struct peer {
        std::optional<boost::asio::posix::stream_descriptor> in, out;
        std::deque<outgoing_frame> outgoing; // the first one is being written
        bool write_failed = false;
        std::array<std::uint8_t, 4> size{};  // the frame being read
        dkg::bytes frame;
    };

    // Completions are posted: a handler never runs inside the function that started it.
    template <class Handler>
    void complete_send(Handler&& handler, boost::system::error_code ec)
    {
        boost::asio::post(executor_, boost::asio::append(std::forward<Handler>(handler), ec));
    }

    void write_next(dkg::party_id to)
    {
        peer& p = peers_[to - 1];
        boost::asio::async_write(*p.out, boost::asio::buffer(p.outgoing.front().frame), [this, to](boost::system::error_code ec, std::size_t) {
            peer& p = peers_[to - 1];
            if (ec) { // the party is gone: fail this send and every queued one
                p.write_failed = true;
                for (auto& f : p.outgoing) complete_send(std::move(f.handler), dkg::errc::peer_disconnected);
                p.outgoing.clear();
                return;
            }
            complete_send(std::move(p.outgoing.front().handler), {});
            p.outgoing.pop_front();
            if (!p.outgoing.empty()) write_next(to);
        });
    }

    // Reads frames from `from` and hands each message to the mailbox. A broken channel or a bad
    // frame fails that party's receives (after the messages that arrived before it), and only those.
    void read_frame(dkg::party_id from)
    {
        peer& p = peers_[from - 1];
        boost::asio::async_read(*p.in, boost::asio::buffer(p.size), [this, from](boost::system::error_code ec, std::size_t) {
            if (ec) return mailbox_.fail_party(from, dkg::errc::peer_disconnected); // end of file: the party has finished or died
            peer& p = peers_[from - 1];
            const std::size_t size = dkg::reader(p.size).u32();
            if (size < header_size || size > max_frame) return mailbox_.fail_party(from, dkg::errc::malformed_message);
            p.frame.resize(size);
            boost::asio::async_read(*p.in, boost::asio::buffer(p.frame), [this, from](boost::system::error_code ec, std::size_t) {
                if (ec) return mailbox_.fail_party(from, dkg::errc::peer_disconnected);
                peer& p = peers_[from - 1];
                dkg::reader r(p.frame);
                dkg::message_tag tag;
                const auto session = r.raw(tag.session.size());
                std::copy(session.begin(), session.end(), tag.session.begin());
                tag.step = r.u32();
                tag.round = r.u32();
                tag.topic = r.u32();
                p.frame.erase(p.frame.begin(), p.frame.begin() + header_size);
                // Refused messages (over the buffer bound, of a closed session) come back as an
                // error; over the bound the mailbox has failed the sender already.
                const auto refused = mailbox_.deliver(from, tag, std::move(p.frame));
                p.frame = {};
                if (refused == dkg::errc::buffer_limit) return;
                read_frame(from);
            });
        });
    }

    executor_type executor_;
    dkg::party_id self_;
    std::vector<peer> peers_; // element j-1: party j
    dkg::mailbox<executor_type> mailbox_;
};

static_assert(dkg::transport<pipe_transport>);

// ---- one party ----------------------------------------------------------------------------------

namespace {

constexpr long long secret_message = 31337;

boost::asio::awaitable<number> decrypt_together(dkg::session<pipe_transport>& session, dkg::system_rng& rng, std::size_t bits)
{
    using boost::asio::use_awaitable;
    const dkg::party_id self = session.self();
    const std::string me = "party " + std::to_string(self) + ": ";

    dkg::keygen_params params;
    params.key_length = bits;
    params.corruption_threshold = (session.party_count() - 1) / 2;
    const auto share = co_await dkg::async_generate_key<number>(session, rng, params, {}, use_awaitable);
    const dkg::public_key<number>& key = share.public_key();
    std::cout << me << "key generated over pipes, N = " << dkg::to_hex(key.n()).substr(0, 16) << "... (" << key.bits() << " bits)"
              << std::endl;

    // Party 1 encrypts a message and sends the ciphertext through the pipes (user-level messages).
    // Before that, it shows per-operation cancellation from the caller's side: it waits at most
    // 100 ms for a reply that party 2 only sends once it has the ciphertext. The timer wins, so the
    // receive is cancelled (through its cancellation slot, in the mailbox); it consumed nothing, and
    // the reply that party 2 sends later arrives at the next receive.
    const std::uint32_t ciphertext_topic = 1, reply_topic = 2;
    dkg::bytes wire;
    if (self == 1) {
        using namespace boost::asio::experimental::awaitable_operators;
        boost::asio::steady_timer timer(session.get_executor(), std::chrono::milliseconds(100));
        const auto first = co_await (session.async_receive_user(2, reply_topic, use_awaitable) || timer.async_wait(use_awaitable));
        if (first.index() != 1) throw std::logic_error("party 2 replied before it had anything to reply to");
        std::cout << me << "no reply from party 2 within 100 ms: the receive was cancelled" << std::endl;

        wire = dkg::to_binary(key.encrypt(number(secret_message), rng));
        for (dkg::party_id j = 2; j <= session.party_count(); ++j) co_await session.async_send_user(j, ciphertext_topic, wire, use_awaitable);
        std::cout << me << "sent Enc(" << secret_message << ") to everyone" << std::endl;

        const dkg::bytes reply = co_await session.async_receive_user(2, reply_topic, use_awaitable);
        std::cout << me << "party 2 replied \"" << std::string(reply.begin(), reply.end()) << "\"" << std::endl;
    } else {
        wire = co_await session.async_receive_user(1, ciphertext_topic, use_awaitable);
        if (self == 2) {
            const std::string reply = "got it";
            co_await session.async_send_user(1, reply_topic, dkg::bytes(reply.begin(), reply.end()), use_awaitable);
        }
    }
    std::vector<dkg::ciphertext<number>> batch = {dkg::ciphertext_from_binary(key, wire)};

    dkg::decrypt_options options;
    options.id = 1;
    const auto result = co_await dkg::async_decrypt(session, share, std::move(batch), options, rng, use_awaitable);
    const number plaintext = key.from_residue(result.plaintexts->front());
    std::cout << me << "decrypted " << plaintext << " together with the others" << std::endl;
    co_return plaintext;
}

// The body of party `self`'s process.
int run_party(dkg::party_id self, std::size_t bits, const std::vector<int>& from, const std::vector<int>& to)
try {
    std::signal(SIGPIPE, SIG_IGN); // a write to a party that has exited fails instead of killing us
    boost::asio::io_context io;
    pipe_transport transport(io, self, from, to);
    dkg::session<pipe_transport> session(transport);
    dkg::system_rng rng;

    std::exception_ptr error;
    number plaintext;
    boost::asio::co_spawn(io, decrypt_together(session, rng, bits), [&](std::exception_ptr e, number m) {
        error = e;
        plaintext = m;
        transport.close(); // nothing more to send or receive: let io.run() return
    });
    io.run();
    if (error) std::rethrow_exception(error);
    return plaintext == number(secret_message) ? EXIT_SUCCESS : EXIT_FAILURE;
} catch (const std::exception& e) {
    std::cerr << "party " << self << ": error: " << e.what() << std::endl;
    return EXIT_FAILURE;
}

} // namespace

// ---- the parent: pipes, one process per party ---------------------------------------------------

int main(int argc, char** argv)
{
    std::size_t parties = 3, bits = 2048;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--parties") parties = std::stoul(argv[i + 1]);
        else if (flag == "--bits") bits = std::stoul(argv[i + 1]);
    }
    if (parties < 3 || argc % 2 == 0) {
        std::cerr << "usage: 03_custom_transport [--parties N (at least 3)] [--bits B]\n";
        return EXIT_FAILURE;
    }

    // pipes[i][j]: read and write end of the pipe carrying party i's messages to party j.
    std::vector<std::vector<std::array<int, 2>>> pipes(parties + 1, std::vector<std::array<int, 2>>(parties + 1, {-1, -1}));
    for (std::size_t i = 1; i <= parties; ++i)
        for (std::size_t j = 1; j <= parties; ++j)
            if (i != j && ::pipe(pipes[i][j].data()) != 0) {
                std::perror("pipe");
                return EXIT_FAILURE;
            }

    std::cout << "Starting " << parties << " party processes connected by " << parties * (parties - 1) << " pipes ("
              << bits << "-bit key)" << std::endl;
    std::vector<pid_t> children;
    for (dkg::party_id self = 1; self <= parties; ++self) {
        const pid_t pid = ::fork();
        if (pid < 0) {
            std::perror("fork");
            return EXIT_FAILURE;
        }
        if (pid > 0) {
            children.push_back(pid);
            continue;
        }
        // Child: keep only this party's ends (the others must be closed, or a party that exits
        // would never be seen to have closed its pipes).
        std::vector<int> from(parties, -1), to(parties, -1);
        for (std::size_t i = 1; i <= parties; ++i)
            for (std::size_t j = 1; j <= parties; ++j) {
                if (i == j) continue;
                if (j == self) from[i - 1] = pipes[i][j][0]; else ::close(pipes[i][j][0]);
                if (i == self) to[j - 1] = pipes[i][j][1]; else ::close(pipes[i][j][1]);
            }
        const int code = run_party(self, bits, from, to);
        std::cout.flush();
        std::_Exit(code);
    }
    for (auto& row : pipes)
        for (auto& ends : row)
            for (int fd : ends)
                if (fd >= 0) ::close(fd);

    int failures = 0;
    for (std::size_t j = 0; j < children.size(); ++j) {
        int status = 0;
        if (::waitpid(children[j], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            std::cerr << "party " << j + 1 << " failed\n";
            ++failures;
        }
    }
    if (failures != 0) return EXIT_FAILURE;
    std::cout << "All " << parties << " parties decrypted " << secret_message << "." << std::endl;
    return EXIT_SUCCESS;
}
