#include "support.hpp"

#include <json.hpp>

#include <dkg/rng.hpp>
#include <dkg/serialization.hpp>
#include <dkg/testing/trusted_dealer.hpp>

#include <boost/json/parse.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>

#ifndef DKG_SOURCE_DIR
#error "DKG_SOURCE_DIR must name the source tree (the tests run scripts/make_test_certificates.sh)"
#endif

namespace vote_test {

namespace fs = std::filesystem;

temp_dir::temp_dir()
{
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("dkg-vote-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
    fs::create_directories(path_);
}

temp_dir::~temp_dir()
{
    std::error_code ec;
    fs::remove_all(path_, ec);
}

const fs::path& certificates()
{
    static const auto dir = [] {
        static temp_dir holder;
        const fs::path out = holder.path() / "certificates";
        const std::string log = (holder.path() / "make.log").string();
        const std::string command = "bash '" DKG_SOURCE_DIR "/scripts/make_test_certificates.sh' '" + out.string() + "' 3 --server localhost >'" + log +
                                    "' 2>&1";
        if (std::system(command.c_str()) != 0) throw std::runtime_error("cannot make the test certificates: " + command);
        return out;
    }();
    return dir;
}

key_pair new_key_pair()
{
    EVP_PKEY* key = EVP_EC_gen("P-256");
    if (!key) throw std::runtime_error("cannot make a P-256 key");
    key_pair out;
    for (int part = 0; part < 2; ++part) {
        BIO* bio = BIO_new(BIO_s_mem());
        const int ok = part == 0 ? PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) : PEM_write_bio_PUBKEY(bio, key);
        char* data = nullptr;
        const long length = BIO_get_mem_data(bio, &data);
        (part == 0 ? out.private_pem : out.public_pem) = std::string(data, static_cast<std::size_t>(length));
        BIO_free(bio);
        if (ok != 1) throw std::runtime_error("cannot write a PEM key");
    }
    EVP_PKEY_free(key);
    return out;
}

const key_pair& admin_keys()
{
    static const key_pair k = new_key_pair();
    return k;
}

const key_pair& authority_keys()
{
    static const key_pair k = new_key_pair();
    return k;
}

const std::vector<dkg::key_share<number>>& trustee_shares(std::size_t parties, std::size_t threshold)
{
    static std::mutex mutex;
    static std::map<std::pair<std::size_t, std::size_t>, std::vector<dkg::key_share<number>>> keys;
    std::lock_guard lock(mutex);
    auto& shares = keys[{parties, threshold}];
    if (shares.empty()) {
        dkg::system_rng rng;
        shares = dkg::testing::deal_key<number>(512, parties, threshold, rng).shares;
    }
    return shares;
}

boost::json::value threshold_key_json(std::size_t parties, std::size_t threshold)
{
    return boost::json::parse(dkg::to_json(dkg::threshold_key<number>(trustee_shares(parties, threshold).front())));
}

std::string voter(std::size_t i)
{
    return "voter-" + std::to_string(i);
}

boost::json::value manifest(const manifest_options& o)
{
    const auto now = dkg::vote::now_seconds();
    boost::json::object m;
    m["type"] = "dkg-vote.election";
    m["version"] = 1;
    m["id"] = o.id;
    m["question"] = "Who should chair the board?";
    boost::json::array options;
    for (const auto& option : o.options) options.emplace_back(option);
    m["options"] = std::move(options);
    m["kind"] = o.kind;
    m["min_selections"] = o.min_selections;
    m["max_selections"] = o.max_selections;
    boost::json::array voters;
    for (std::size_t i = 1; i <= o.voters; ++i) voters.emplace_back(voter(i));
    m["voters"] = std::move(voters);
    m["credential_key"] = authority_keys().public_pem;
    m["threshold_key"] = threshold_key_json(o.parties, o.threshold);
    m["opens"] = dkg::vote::format_time(o.opens < 0 ? now - 60 : o.opens);
    m["closes"] = dkg::vote::format_time(o.closes < 0 ? now + 3600 : o.closes);
    return m;
}

namespace {

std::string token(const std::string& key, dkg::vote::token_role role, const std::string& audience, const std::string& subject,
                  std::optional<dkg::vote::unix_seconds> expires)
{
    dkg::vote::token_claims c;
    c.role = role;
    c.audience = audience;
    c.subject = subject;
    c.issued_at = dkg::vote::now_seconds();
    c.expires = expires;
    return dkg::vote::issue_token(key, c);
}

} // namespace

std::string voter_token(const std::string& election, const std::string& voter_id)
{
    return token(authority_keys().private_pem, dkg::vote::token_role::voter, election, voter_id, std::nullopt);
}

std::string trustee_token(const std::string& election, unsigned trustee)
{
    return token(authority_keys().private_pem, dkg::vote::token_role::trustee, election, dkg::vote::trustee_subject(trustee), std::nullopt);
}

std::string admin_token()
{
    return token(admin_keys().private_pem, dkg::vote::token_role::admin, std::string(dkg::vote::admin_audience), "admin",
                 dkg::vote::now_seconds() + 300);
}

running_box::running_box(fs::path db)
{
    if (db.empty()) {
        dir_ = std::make_unique<temp_dir>();
        db = *dir_ / "ballot-box.db";
    }
    store_ = std::make_unique<dkg::vote::sqlite_storage>(db);
    box_ = std::make_unique<dkg::vote::ballot_box>(*store_, admin_keys().public_pem);
    dkg::vote::https_server_options o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.certificate = certificates() / "server.pem";
    o.private_key = certificates() / "server.key";
    o.worker_threads = 2;
    o.io_timeout = std::chrono::seconds(10);
    server_ = std::make_unique<dkg::vote::https_server>(o, box_->application());
    port_ = server_->local_port();
    thread_ = std::thread([this] { server_->run(false); });
}

running_box::~running_box()
{
    stop();
}

void running_box::stop()
{
    if (!server_) return;
    server_->stop();
    thread_.join();
    server_.reset();
    box_.reset();
    store_.reset();
}

std::unique_ptr<dkg::vote::https_client> running_box::client() const
{
    return std::make_unique<dkg::vote::https_client>(dkg::vote::server_address{"localhost", std::to_string(port_)}, certificates() / "ca.pem",
                                                     std::chrono::seconds(30));
}

std::string api_reply::reason() const
{
    if (const auto* o = body.if_object())
        if (const auto* e = o->if_contains("error"); e && e->is_string()) return std::string(e->get_string());
    return {};
}

api_reply call(dkg::vote::https_client& client, boost::beast::http::verb method, const std::string& target, const std::string& body,
               const std::string& bearer)
{
    const auto reply = client.request(method, target, body, bearer);
    api_reply out;
    out.status = reply.status;
    boost::system::error_code ec;
    out.body = boost::json::parse(reply.body, ec);
    if (ec) out.body = boost::json::value(reply.body);
    return out;
}

} // namespace vote_test
