#include "credentials.hpp"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cerrno>
#include <memory>

namespace dkg::vote {

namespace {

constexpr std::string_view issuer = "dkg-vote";

struct jwt_deleter {
    void operator()(jwt_t* j) const noexcept { jwt_free(j); }
};
using jwt_ptr = std::unique_ptr<jwt_t, jwt_deleter>;

struct pkey_deleter {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;

struct bio_deleter {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;

bool is_p256(EVP_PKEY* key)
{
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
    char group[64] = {};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) != 1) return false;
    return std::string_view(group, length) == "prime256v1";
}

pkey_ptr read_private_key(std::string_view pem)
{
    if (pem.size() > max_pem_length) throw std::invalid_argument("private_key: longer than a PEM key can be");
    bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    pkey_ptr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key) throw std::invalid_argument("private_key: not a PEM private key (an unencrypted PKCS#8 or EC key)");
    if (!is_p256(key.get())) throw std::invalid_argument("private_key: not an EC key on P-256 (ES256 needs one)");
    return key;
}

std::string write_public_key(EVP_PKEY* key)
{
    bio_ptr out(BIO_new(BIO_s_mem()));
    if (!out || PEM_write_bio_PUBKEY(out.get(), key) != 1) throw std::runtime_error("cannot write a PEM public key");
    char* data = nullptr;
    const long length = BIO_get_mem_data(out.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

bool is_base64url(std::string_view part)
{
    return std::all_of(part.begin(), part.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

std::string required_grant(jwt_t* j, const char* name)
{
    const char* value = jwt_get_grant(j, name);
    if (!value || !*value) throw credential_error(std::string("the token has no \"") + name + "\" claim");
    return value;
}

} // namespace

const char* role_name(token_role r)
{
    switch (r) {
    case token_role::admin: return "admin";
    case token_role::voter: return "voter";
    case token_role::trustee: return "trustee";
    }
    return "?";
}

std::string trustee_subject(unsigned trustee)
{
    return "trustee-" + std::to_string(trustee);
}

unsigned trustee_of_subject(std::string_view subject)
{
    constexpr std::string_view prefix = "trustee-";
    if (subject.substr(0, prefix.size()) != prefix) return 0;
    const std::string_view digits = subject.substr(prefix.size());
    if (digits.empty() || digits.size() > 4 || digits[0] == '0' ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return 0;
    const unsigned j = static_cast<unsigned>(std::stoul(std::string(digits)));
    return j <= 1024 ? j : 0;
}

std::string normalize_public_key(std::string_view pem)
{
    if (pem.size() > max_pem_length) throw std::invalid_argument("credential_key: longer than a PEM key can be");
    bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    pkey_ptr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key) throw std::invalid_argument("credential_key: not a PEM public key (-----BEGIN PUBLIC KEY-----)");
    if (!is_p256(key.get())) throw std::invalid_argument("credential_key: not an EC public key on P-256 (ES256 needs one)");
    return write_public_key(key.get());
}

std::string public_key_of(std::string_view private_key_pem)
{
    const auto key = read_private_key(private_key_pem);
    return write_public_key(key.get());
}

std::string issue_token(std::string_view private_key_pem, const token_claims& claims)
{
    read_private_key(private_key_pem); // a clear error for a key of the wrong kind
    jwt_t* raw = nullptr;
    if (jwt_new(&raw) != 0) throw std::bad_alloc();
    jwt_ptr j(raw);
    const std::string role = role_name(claims.role);
    bool ok = jwt_add_grant(j.get(), "iss", std::string(issuer).c_str()) == 0 && jwt_add_grant(j.get(), "aud", claims.audience.c_str()) == 0 &&
              jwt_add_grant(j.get(), "sub", claims.subject.c_str()) == 0 && jwt_add_grant(j.get(), "role", role.c_str()) == 0 &&
              jwt_add_grant_int(j.get(), "iat", static_cast<long>(claims.issued_at)) == 0;
    if (ok && claims.expires) ok = jwt_add_grant_int(j.get(), "exp", static_cast<long>(*claims.expires)) == 0;
    // libjwt copies the key and overwrites its copy in jwt_free.
    ok = ok && jwt_set_alg(j.get(), JWT_ALG_ES256, reinterpret_cast<const unsigned char*>(private_key_pem.data()),
                           static_cast<int>(private_key_pem.size())) == 0;
    if (!ok) throw std::runtime_error("cannot make a token: libjwt refused the claims or the key");
    std::unique_ptr<char, decltype(&::free)> text(jwt_encode_str(j.get()), &::free);
    if (!text) throw std::runtime_error("cannot make a token: signing failed");
    return text.get();
}

token_claims verify_token(std::string_view public_key_pem, std::string_view token)
{
    if (token.empty()) throw credential_error("the token is empty");
    if (token.size() > max_token_length)
        throw credential_error("the token is longer than " + std::to_string(max_token_length) + " characters");
    const auto first = token.find('.');
    const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos ||
        !is_base64url(token.substr(0, first)) || !is_base64url(token.substr(first + 1, second - first - 1)) ||
        !is_base64url(token.substr(second + 1)))
        throw credential_error("the token is not a JSON Web Token (three base64url parts)");
    jwt_t* raw = nullptr;
    const std::string text(token);
    const int status = jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(public_key_pem.data()),
                                  static_cast<int>(public_key_pem.size()));
    jwt_ptr j(raw);
    if (status != 0 || !j) throw credential_error("the token's signature does not verify with the election's credential key");
    // jwt_decode verifies with the algorithm the token names, so an HS256 token keyed with the
    // (public) key text would pass it: only ES256 is accepted.
    if (jwt_get_alg(j.get()) != JWT_ALG_ES256) throw credential_error("the token is not signed with ES256");

    token_claims claims;
    if (required_grant(j.get(), "iss") != issuer) throw credential_error("the token was not issued for dkg-vote (\"iss\")");
    claims.audience = required_grant(j.get(), "aud");
    claims.subject = required_grant(j.get(), "sub");
    const std::string role = required_grant(j.get(), "role");
    if (role == "admin")
        claims.role = token_role::admin;
    else if (role == "voter")
        claims.role = token_role::voter;
    else if (role == "trustee")
        claims.role = token_role::trustee;
    else
        throw credential_error("the token's role is not admin, voter or trustee");
    errno = 0;
    claims.issued_at = jwt_get_grant_int(j.get(), "iat");
    if (errno != 0) throw credential_error("the token has no integer \"iat\" claim");
    errno = 0;
    const long expires = jwt_get_grant_int(j.get(), "exp");
    if (errno == 0) claims.expires = expires;
    return claims;
}

} // namespace dkg::vote
