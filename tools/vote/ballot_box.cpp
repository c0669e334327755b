#include "ballot_box.hpp"

#include "ballot.hpp"
#include "credentials.hpp"
#include "errors.hpp"
#include "page.hpp"
#include "record.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>

namespace dkg::vote {

namespace http = boost::beast::http;

namespace {

/// Body limits of the requests that are not ballots.
constexpr std::size_t small_body_limit = 4096;
constexpr std::size_t ballot_limit_unknown_election = 64 * 1024;

/// An election known to the ballot box: its checked manifest, and a lock that serialises the
/// steps after closing (tally, blindings, decryptions, result) for that election.
using clock = std::chrono::steady_clock;

std::vector<std::string> split_path(std::string_view target)
{
    const auto query = target.find('?');
    if (query != std::string_view::npos) target = target.substr(0, query);
    std::vector<std::string> parts;
    std::size_t at = 0;
    while (at < target.size()) {
        if (target[at] == '/') {
            ++at;
            continue;
        }
        const auto end = target.find('/', at);
        parts.emplace_back(target.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
        if (end == std::string_view::npos) break;
        at = end;
    }
    return parts;
}

http_response json_response(unsigned status, const boost::json::value& body)
{
    http_response r;
    r.status = status;
    r.body = boost::json::serialize(body);
    return r;
}

/// The bearer token of a request. @throws api_error 401 if there is none.
std::string bearer_token(const http_request& request)
{
    constexpr std::string_view prefix = "Bearer ";
    if (request.authorization.empty()) throw api_error(401, "missing_credential", "the request has no Authorization: Bearer token");
    if (request.authorization.compare(0, prefix.size(), prefix) != 0)
        throw api_error(401, "invalid_credential", "the Authorization header is not a Bearer token");
    return request.authorization.substr(prefix.size());
}

token_claims verified_claims(const std::string& key, const std::string& token)
{
    try {
        return verify_token(key, token);
    } catch (const credential_error& e) {
        throw api_error(401, "invalid_credential", e.what());
    }
}

/// Parses a request body as JSON. @throws api_error 400 "malformed_json".
boost::json::value request_json(const http_request& request, std::size_t limit)
{
    try {
        return parse_json(request.body, limit, "request body");
    } catch (const document_error& e) {
        throw bad_request("malformed_json", e.what());
    }
}

template <class F>
auto field_errors_as(const char* reason, F&& f) -> decltype(f())
{
    try {
        return f();
    } catch (const document_error& e) {
        throw bad_request(reason, e.what());
    }
}

/// The tally of a closed election, as stored.
tally_record stored_tally(const election& m, const stored_election& stored)
{
    return tally_record::from_json(m, parse_json(*stored.tally, std::size_t{1} << 26, "stored tally"));
}

/// The blindings of an election, as stored, in order.
std::vector<blinding_record> stored_blindings(storage& store, const election& m)
{
    std::vector<blinding_record> out;
    for (const auto& b : store.blindings(m.id()))
        out.push_back({b.index, b.trustee, b.credential, blinding::read(m, parse_json(b.blinding, std::size_t{1} << 24, "stored blinding"), "blinding")});
    return out;
}

/// CPU time of the calling thread, in nanoseconds: the work itself, not the time spent waiting for
/// a core (the ballot box shares the machine's cores among its workers).
std::uint64_t thread_cpu_nanoseconds()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<std::uint64_t>(t.tv_sec) * 1000000000u + static_cast<std::uint64_t>(t.tv_nsec);
}

} // namespace

struct ballot_box::entry {
    std::shared_ptr<const election> manifest;
    std::mutex tally_mutex;
};

ballot_box::ballot_box(storage& store, const std::string& admin_key) : store_(store)
{
    try {
        admin_key_ = normalize_public_key(admin_key);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("admin_key: ") + e.what());
    }
    for (const auto& stored : store_.elections()) {
        auto e = std::make_shared<entry>();
        try {
            e->manifest = std::make_shared<const election>(election::from_json(parse_json(stored.manifest, max_manifest_bytes, "manifest")));
        } catch (const document_error& ex) {
            throw std::runtime_error("the stored election " + stored.id + " cannot be read: " + ex.what());
        }
        elections_.emplace(stored.id, std::move(e));
    }
}

http_application ballot_box::application()
{
    http_application app;
    app.body_limit = [this](http::verb method, const std::string& target) { return body_limit(method, target); };
    app.handle = [this](const http_request& request) { return handle(request); };
    app.error = [](unsigned status, const std::string& reason, const std::string& message) { return error_response(status, reason, message); };
    return app;
}

http_response ballot_box::error_response(unsigned status, const std::string& reason, const std::string& message)
{
    boost::json::object o;
    o["error"] = reason;
    o["message"] = message;
    return json_response(status, o);
}

std::shared_ptr<ballot_box::entry> ballot_box::find(const std::string& id)
{
    std::lock_guard lock(elections_mutex_);
    const auto it = elections_.find(id);
    return it == elections_.end() ? nullptr : it->second;
}

std::shared_ptr<ballot_box::entry> ballot_box::require(const std::string& id)
{
    auto e = find(id);
    if (!e) throw api_error(404, "unknown_election", "no election " + (valid_election_id(id) ? id : std::string("with that id")));
    return e;
}

void ballot_box::require_admin(const http_request& request) const
{
    const auto claims = verified_claims(admin_key_, bearer_token(request));
    if (claims.role != token_role::admin || claims.audience != admin_audience)
        throw api_error(403, "not_admin", "the token is not an administrator token");
    const unix_seconds now = now_seconds();
    if (!claims.expires) throw api_error(401, "invalid_credential", "an administrator token must expire (\"exp\")");
    if (*claims.expires <= now) throw api_error(401, "credential_expired", "the administrator token has expired");
    if (*claims.expires - claims.issued_at > max_admin_token_seconds)
        throw api_error(401, "invalid_credential", "an administrator token may be valid for at most an hour");
}

std::size_t ballot_box::body_limit(http::verb method, const std::string& target)
{
    if (method != http::verb::post) return small_body_limit;
    const auto parts = split_path(target);
    if (parts.size() == 2 && parts[0] == "api" && parts[1] == "elections") return max_manifest_bytes;
    if (parts.size() == 4 && parts[0] == "api" && parts[1] == "elections") {
        const auto e = find(parts[2]);
        if (parts[3] == "ballots") return e ? e->manifest->max_ballot_bytes() : ballot_limit_unknown_election;
        if (parts[3] == "blindings" || parts[3] == "decryptions")
            return e ? 16384 + e->manifest->max_ballot_bytes() + max_token_length : ballot_limit_unknown_election;
    }
    return small_body_limit;
}

http_response ballot_box::handle(const http_request& request)
{
    try {
        return route(request);
    } catch (const api_error& e) {
        ++refused_;
        return error_response(e.status(), e.reason(), e.what());
    } catch (const std::exception& e) {
        ++refused_;
        return error_response(500, "internal_error", std::string("the ballot box failed: ") + e.what());
    }
}

http_response ballot_box::route(const http_request& request)
{
    const auto parts = split_path(request.target);
    const bool get = request.method == http::verb::get, post = request.method == http::verb::post;
    if (parts.empty() || parts[0] != "api") {
        if (!get) throw api_error(405, "method_not_allowed", "the page is read-only");
        return page(parts.empty() ? std::string() : request.target.substr(0, request.target.find('?')));
    }
    if (parts.size() == 2 && parts[1] == "statistics" && get) return statistics_response();
    if (parts.size() < 2 || parts[1] != "elections") throw api_error(404, "not_found", "no such API endpoint");
    if (parts.size() == 2) {
        if (get) return list_elections();
        if (post) return create_election(request);
        throw api_error(405, "method_not_allowed", "use GET or POST on /api/elections");
    }
    const auto e = require(parts[2]);
    if (parts.size() == 3) {
        if (get) return election_info(*e);
        throw api_error(405, "method_not_allowed", "use GET on an election");
    }
    if (parts.size() == 4) {
        const std::string& what = parts[3];
        if (what == "ballots" && post) return submit_ballot(*e, request);
        if (what == "ballots" && get) return board(*e);
        if (what == "receipts" && get) return receipts(*e);
        if (what == "close" && post) return close_election(*e, request);
        if (what == "tally" && get) return tally(*e);
        if (what == "blindings" && post) return submit_blinding(*e, request);
        if (what == "decryptions" && post) return submit_decryption(*e, request);
        if (what == "result" && get) return result(*e);
    }
    throw api_error(404, "not_found", "no such API endpoint (or not with this method)");
}

// ---- the page ---------------------------------------------------------------------------------

http_response ballot_box::page(const std::string& path)
{
    std::string_view name;
    std::string type;
    if (path.empty() || path == "/" || path.rfind("/elections/", 0) == 0) {
        name = "index.html";
        type = "text/html; charset=utf-8";
    } else if (path == "/static/app.js") {
        name = "app.js";
        type = "text/javascript; charset=utf-8";
    } else if (path == "/static/style.css") {
        name = "style.css";
        type = "text/css; charset=utf-8";
    } else {
        throw api_error(404, "not_found", "no such page");
    }
    for (const auto& file : page_files()) {
        if (file.name != name) continue;
        http_response r;
        r.content_type = type;
        r.body = std::string(file.content);
        // Only the page's own files; no inline script, no framing.
        r.headers = {{"Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                                                 "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
                     {"Referrer-Policy", "no-referrer"}};
        return r;
    }
    throw api_error(404, "not_found", "no such page");
}

// ---- elections --------------------------------------------------------------------------------

std::string ballot_box::status_of(entry& e, const stored_election& stored) const
{
    const election& m = *e.manifest;
    if (stored.result) return "tallied";
    if (stored.closed_at) {
        if (!stored.tally) return "closed";
        if (m.kind() == election_kind::unanimous && store_.blindings(m.id()).size() < m.key().parties()) return "blinding";
        return "decrypting";
    }
    const unix_seconds now = now_seconds();
    if (now < m.opens()) return "scheduled";
    if (now >= m.closes()) return "closed";
    return "open";
}

http_response ballot_box::list_elections()
{
    boost::json::array list;
    for (const auto& stored : store_.elections()) {
        const auto e = find(stored.id);
        if (!e) continue;
        boost::json::object o;
        o["id"] = stored.id;
        o["question"] = e->manifest->question();
        o["kind"] = kind_name(e->manifest->kind());
        o["status"] = status_of(*e, stored);
        o["ballots"] = store_.ballot_count(stored.id);
        list.push_back(std::move(o));
    }
    boost::json::object body;
    body["elections"] = std::move(list);
    return json_response(200, body);
}

http_response ballot_box::create_election(const http_request& request)
{
    require_admin(request);
    const auto document = request_json(request, max_manifest_bytes);
    auto manifest = field_errors_as("malformed_election",
                                    [&] { return std::make_shared<const election>(election::from_json(document)); });
    const std::string text = to_text(manifest->to_json());
    stored_election stored;
    stored.id = manifest->id();
    stored.manifest = text;
    stored.created_at = now_seconds();
    {
        // Under the map's lock, so that the store and the map agree.
        std::lock_guard lock(elections_mutex_);
        if (elections_.contains(stored.id)) throw api_error(409, "election_exists", "an election " + stored.id + " exists already");
        if (!store_.add_election(stored)) throw api_error(409, "election_exists", "an election " + stored.id + " exists already");
        auto e = std::make_shared<entry>();
        e->manifest = manifest;
        elections_.emplace(stored.id, std::move(e));
    }
    auto response = election_info(*require(stored.id));
    response.status = 201;
    return response;
}

http_response ballot_box::election_info(entry& e)
{
    const auto stored = store_.election(e.manifest->id());
    if (!stored) throw api_error(404, "unknown_election", "no election " + e.manifest->id());
    boost::json::object o;
    o["election"] = e.manifest->to_json();
    o["fingerprint"] = e.manifest->fingerprint();
    o["status"] = status_of(e, *stored);
    o["ballots"] = store_.ballot_count(e.manifest->id());
    o["now"] = format_time(now_seconds());
    if (stored->closed_at) o["closed_at"] = format_time(*stored->closed_at);
    if (stored->result) {
        const auto r = result_record::from_json(*e.manifest, parse_json(*stored->result, std::size_t{1} << 30, "result"));
        boost::json::object summary;
        if (r.unanimous) {
            summary["unanimous"] = *r.unanimous;
        } else {
            boost::json::array counts;
            for (auto c : r.counts) counts.push_back(c);
            summary["counts"] = std::move(counts);
        }
        o["result"] = std::move(summary);
    }
    return json_response(200, o);
}

// ---- ballots ----------------------------------------------------------------------------------

http_response ballot_box::submit_ballot(entry& e, const http_request& request)
{
    const election& m = *e.manifest;
    const std::string token = bearer_token(request);
    const auto document = request_json(request, m.max_ballot_bytes());

    // The submission's form: {"election": ID, "voter": V, "ballot": {...}}.
    std::string election_id, voter;
    const boost::json::value* ballot_document = nullptr;
    field_errors_as("malformed_ballot", [&] {
        object_reader r(document, "submission");
        election_id = r.string("election", max_election_id_length);
        voter = r.string("voter", max_voter_id_length);
        ballot_document = &r.required("ballot");
        r.done();
        return 0;
    });
    if (election_id != m.id())
        throw bad_request("wrong_election", "the ballot is for election " + (valid_election_id(election_id) ? election_id : std::string("?")) +
                                                ", not " + m.id());
    if (!valid_voter_id(voter)) throw bad_request("malformed_ballot", "submission.voter: not a valid voter id");

    // The credential: signed by the election's credential authority, for this election and voter.
    const auto claims = verified_claims(m.credential_key(), token);
    if (claims.audience != m.id()) throw api_error(403, "credential_for_another_election", "the credential is for another election");
    if (claims.role != token_role::voter) throw api_error(403, "not_a_voter_credential", "the credential is not a voter's");
    if (claims.subject != voter) throw api_error(403, "credential_for_another_voter", "the credential is for another voter than " + voter);
    if (!m.eligible(voter)) throw api_error(403, "not_eligible", "voter " + voter + " is not on the election's list of voters");
    const unix_seconds now = now_seconds();
    if (claims.expires && *claims.expires <= now) throw api_error(401, "credential_expired", "the credential has expired");
    if (now < m.opens()) throw api_error(409, "election_not_open", "the election opens at " + format_time(m.opens()));
    if (now >= m.closes()) throw api_error(409, "election_closed", "the election closed at " + format_time(m.closes()));

    const ballot b = ballot::read(m, voter, *ballot_document);
    stored_ballot s;
    s.voter = voter;
    s.credential = token;
    s.ballot = b.stored_text();
    s.receipt = receipt_of(s.ballot);
    s.cast_at = now;

    auto answer = [&](unsigned status, const stored_ballot& stored) {
        boost::json::object o;
        o["election"] = m.id();
        o["voter"] = stored.voter;
        o["index"] = stored.index;
        o["receipt"] = stored.receipt;
        return json_response(status, o);
    };
    // One ballot per voter: the same ballot again (a client that lost the acknowledgement) gets
    // its receipt again; any other ballot with a used credential is refused. Checked before the
    // proofs, which cost the most.
    auto already_voted = [&](const stored_ballot& existing) {
        if (existing.ballot == s.ballot) {
            ++resubmitted_;
            return answer(200, existing);
        }
        throw api_error(409, "credential_used", "voter " + voter + " has voted already (one ballot per voter; see the re-voting policy)");
    };
    if (const auto existing = store_.ballot_of(m.id(), voter)) return already_voted(*existing);
    if (const auto stored = store_.election(m.id()); stored && stored->closed_at)
        throw api_error(409, "election_closed", "the election is closed");

    const auto verify_start = thread_cpu_nanoseconds();
    b.verify(m);
    verify_nanoseconds_ += thread_cpu_nanoseconds() - verify_start;

    const auto store_start = clock::now();
    const auto outcome = store_.add_ballot(m.id(), s);
    store_nanoseconds_ += static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - store_start).count());
    switch (outcome.status) {
    case storage::ballot_status::stored: ++accepted_; return answer(201, outcome.ballot);
    case storage::ballot_status::voter_has_voted: return already_voted(outcome.ballot);
    case storage::ballot_status::closed: throw api_error(409, "election_closed", "the election is closed");
    case storage::ballot_status::no_election: throw api_error(404, "unknown_election", "no election " + m.id());
    }
    throw std::logic_error("unreachable");
}

http_response ballot_box::board(entry& e)
{
    const election& m = *e.manifest;
    boost::json::object o;
    o["type"] = "dkg-vote.board";
    o["version"] = 1;
    o["election"] = m.to_json();
    o["fingerprint"] = m.fingerprint();
    const auto stored = store_.election(m.id());
    o["status"] = stored ? status_of(e, *stored) : "closed";
    boost::json::array list;
    for (const auto& b : store_.ballots(m.id())) {
        boost::json::object entry_json;
        entry_json["index"] = b.index;
        entry_json["voter"] = b.voter;
        entry_json["credential"] = b.credential;
        entry_json["stored"] = b.ballot;
        entry_json["receipt"] = b.receipt;
        entry_json["cast_at"] = format_time(b.cast_at);
        list.push_back(std::move(entry_json));
    }
    o["ballots"] = std::move(list);
    return json_response(200, o);
}

http_response ballot_box::receipts(entry& e)
{
    boost::json::array list;
    for (auto& r : store_.receipts(e.manifest->id())) list.emplace_back(std::move(r));
    boost::json::object o;
    o["election"] = e.manifest->id();
    o["receipts"] = std::move(list);
    return json_response(200, o);
}

// ---- closing and the tally --------------------------------------------------------------------

bool ballot_box::close_and_tally(entry& e, unix_seconds at)
{
    const election& m = *e.manifest;
    std::lock_guard lock(e.tally_mutex);
    // From this commit on, add_ballot refuses ballots; the tally is computed from what is stored.
    const bool closed_now = store_.close(m.id(), at);
    const auto stored = store_.election(m.id());
    if (stored && stored->closed_at && !stored->tally) {
        std::vector<ballot> ballots;
        std::vector<std::string> receipt_list;
        for (const auto& b : store_.ballots(m.id())) {
            ballots.push_back(ballot::read_stored(m, b.voter, b.ballot));
            receipt_list.push_back(b.receipt);
        }
        const auto t = tally_record::compute(m, ballots, receipt_list);
        store_.set_tally(m.id(), to_text(t.to_json()));
    }
    return closed_now;
}

void ballot_box::close_due_elections()
{
    std::vector<std::shared_ptr<entry>> all;
    {
        std::lock_guard lock(elections_mutex_);
        for (const auto& [id, e] : elections_) all.push_back(e);
    }
    const unix_seconds now = now_seconds();
    for (const auto& e : all) {
        const auto stored = store_.election(e->manifest->id());
        if (!stored) continue;
        if ((!stored->closed_at && now >= e->manifest->closes()) || (stored->closed_at && !stored->tally)) {
            try {
                close_and_tally(*e, std::min(now, e->manifest->closes()));
            } catch (const std::exception&) {
                // Retried on the next call; a request for the tally reports the error.
            }
        }
    }
}

http_response ballot_box::close_election(entry& e, const http_request& request)
{
    require_admin(request);
    const election& m = *e.manifest;
    if (now_seconds() < m.opens()) throw api_error(409, "election_not_open", "the election has not opened yet");
    if (!close_and_tally(e, now_seconds())) {
        const auto stored = store_.election(m.id());
        if (stored && stored->closed_at && stored->tally) throw api_error(409, "election_closed", "the election is closed already");
    }
    return tally(e);
}

http_response ballot_box::tally(entry& e)
{
    const election& m = *e.manifest;
    const auto stored = store_.election(m.id());
    if (!stored || !stored->closed_at) throw api_error(409, "election_open", "the election is not closed yet");
    if (!stored->tally) {
        close_and_tally(e, *stored->closed_at);
        return tally(e);
    }
    const auto t = stored_tally(m, *stored);
    const auto blindings = stored_blindings(store_, m);
    boost::json::array blinding_list;
    for (const auto& b : blindings) blinding_list.push_back(b.to_json());
    boost::json::object o;
    o["tally"] = t.to_json();
    o["blindings"] = std::move(blinding_list);
    const bool blinded = m.kind() != election_kind::unanimous || blindings.size() == m.key().parties();
    if (blinded) {
        boost::json::array input;
        for (const auto& c : decryption_input(t, blindings)) input.push_back(decimal_value(c.value()));
        o["decrypt"] = std::move(input);
    } else {
        o["decrypt"] = nullptr;
    }
    boost::json::array trustees;
    for (const auto& d : store_.decryptions(m.id())) trustees.push_back(d.trustee);
    o["decrypted_by"] = std::move(trustees);
    o["result_published"] = stored->result.has_value();
    return json_response(200, o);
}

/// The trustee a request comes from: a trustee token of the election's credential authority.
static unsigned authenticate_trustee(const election& m, const http_request& request, std::string& token)
{
    token = bearer_token(request);
    const auto claims = verified_claims(m.credential_key(), token);
    if (claims.audience != m.id()) throw api_error(403, "credential_for_another_election", "the credential is for another election");
    if (claims.role != token_role::trustee) throw api_error(403, "not_a_trustee_credential", "the credential is not a trustee's");
    const unsigned j = trustee_of_subject(claims.subject);
    if (j < 1 || j > m.key().parties()) throw api_error(403, "not_a_trustee_credential", "the credential names no trustee of this key");
    if (claims.expires && *claims.expires <= now_seconds()) throw api_error(401, "credential_expired", "the credential has expired");
    return j;
}

http_response ballot_box::submit_blinding(entry& e, const http_request& request)
{
    const election& m = *e.manifest;
    std::string token;
    const unsigned trustee = authenticate_trustee(m, request, token);
    if (m.kind() != election_kind::unanimous) throw api_error(409, "not_unanimous", "only the ciphertext of a unanimous vote is blinded");
    const auto document = request_json(request, body_limit(http::verb::post, request.target));
    unsigned claimed = 0;
    blinding step;
    field_errors_as("malformed_blinding", [&] {
        object_reader r(document, "blinding");
        claimed = static_cast<unsigned>(r.integer("trustee", 1, static_cast<std::int64_t>(m.key().parties())));
        step = blinding::read(m, r.required("blinding"), r.path("blinding"));
        r.done();
        return 0;
    });
    if (claimed != trustee) throw api_error(403, "credential_for_another_trustee", "the credential is trustee " + std::to_string(trustee) + "'s");

    std::lock_guard lock(e.tally_mutex);
    const auto stored = store_.election(m.id());
    if (!stored || !stored->tally) throw api_error(409, "election_open", "the election is not closed and tallied yet");
    const auto t = stored_tally(m, *stored);
    const auto previous = stored_blindings(store_, m);
    for (const auto& b : previous)
        if (b.trustee == trustee) throw api_error(409, "trustee_has_blinded", "trustee " + std::to_string(trustee) + " has blinded already");
    const number current = decryption_input(t, previous).front().value();
    if (step.input != current)
        throw api_error(409, "stale_input", "the blinding is not of the current ciphertext (" + std::to_string(previous.size()) +
                                                " blindings are applied; fetch the tally again)");
    step.verify(m, trustee);
    if (!store_.add_blinding(m.id(), {0, trustee, token, to_text(step.to_json())}))
        throw api_error(409, "trustee_has_blinded", "trustee " + std::to_string(trustee) + " has blinded already");
    boost::json::object o;
    o["trustee"] = trustee;
    o["index"] = previous.size() + 1;
    o["remaining"] = m.key().parties() - previous.size() - 1;
    return json_response(201, o);
}

http_response ballot_box::submit_decryption(entry& e, const http_request& request)
{
    const election& m = *e.manifest;
    std::string token;
    const unsigned trustee = authenticate_trustee(m, request, token);
    const auto document = request_json(request, body_limit(http::verb::post, request.target));
    auto d = field_errors_as("malformed_decryption", [&] { return decryption_record::from_json(m, document, "decryption"); });
    if (d.trustee != trustee) throw api_error(403, "credential_for_another_trustee", "the credential is trustee " + std::to_string(trustee) + "'s");

    std::lock_guard lock(e.tally_mutex);
    const auto stored = store_.election(m.id());
    if (!stored || !stored->tally) throw api_error(409, "election_open", "the election is not closed and tallied yet");
    if (stored->result) throw api_error(409, "result_published", "the result is published already");
    const auto t = stored_tally(m, *stored);
    auto blindings = stored_blindings(store_, m);
    if (m.kind() == election_kind::unanimous && blindings.size() < m.key().parties())
        throw api_error(409, "not_blinded", "every trustee must blind the unanimity ciphertext before it is decrypted (" +
                                                std::to_string(blindings.size()) + " of " + std::to_string(m.key().parties()) + " have)");
    const auto input = decryption_input(t, blindings);
    check_decryption(m, input, d);
    if (!store_.add_decryption(m.id(), {trustee, to_text(d.to_json())}))
        throw api_error(409, "trustee_has_decrypted", "trustee " + std::to_string(trustee) + " has sent partial decryptions already");

    std::vector<decryption_record> decryptions;
    for (const auto& s : store_.decryptions(m.id()))
        decryptions.push_back(decryption_record::from_json(m, parse_json(s.partials, std::size_t{1} << 24, "decryption"), "decryption"));
    boost::json::object o;
    o["trustee"] = trustee;
    o["decryptions"] = decryptions.size();
    o["needed"] = m.key().threshold() + 1;
    if (decryptions.size() >= m.key().threshold() + 1) {
        const auto plaintexts = combine_decryptions(m, input, decryptions);
        const auto r = result_record::make(m, t, std::move(blindings), std::move(decryptions), plaintexts);
        store_.set_result(m.id(), to_text(r.to_json()));
        o["result_published"] = true;
    } else {
        o["result_published"] = false;
    }
    return json_response(201, o);
}

http_response ballot_box::result(entry& e)
{
    const auto stored = store_.election(e.manifest->id());
    if (!stored || !stored->result) throw api_error(409, "not_tallied", "the result is not published yet");
    http_response r;
    r.body = *stored->result;
    return r;
}

// ---- statistics -------------------------------------------------------------------------------

ballot_box_statistics ballot_box::statistics() const
{
    ballot_box_statistics s;
    s.ballots_accepted = accepted_;
    s.ballots_resubmitted = resubmitted_;
    s.requests_refused = refused_;
    s.verify_seconds = static_cast<double>(verify_nanoseconds_.load()) * 1e-9;
    s.store_seconds = static_cast<double>(store_nanoseconds_.load()) * 1e-9;
    return s;
}

http_response ballot_box::statistics_response() const
{
    const auto s = statistics();
    boost::json::object o;
    o["ballots_accepted"] = s.ballots_accepted;
    o["ballots_resubmitted"] = s.ballots_resubmitted;
    o["requests_refused"] = s.requests_refused;
    o["verify_seconds"] = s.verify_seconds;
    o["store_seconds"] = s.store_seconds;
    return json_response(200, o);
}

} // namespace dkg::vote
