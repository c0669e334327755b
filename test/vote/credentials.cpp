// Tokens of dkg-vote (credentials.hpp): ES256 JWTs of the credential authority, verified with its
// public key only; every forgery a ballot box meets is refused with a reason.
#include <credentials.hpp>

#include "support.hpp"

#include <boost/test/unit_test.hpp>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

using namespace dkg::vote;
using namespace vote_test;

namespace {

std::string base64url(std::string_view data)
{
    std::string out((data.size() + 2) / 3 * 4 + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(data.data()),
                                  static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!out.empty() && out.back() == '=') out.pop_back();
    return out;
}

/// A token signed with HS256 keyed with `secret`: the algorithm-confusion forgery.
std::string hs256_token(const std::string& header, const std::string& payload, const std::string& secret)
{
    const std::string input = base64url(header) + "." + base64url(payload);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
         &length);
    return input + "." + base64url(std::string_view(reinterpret_cast<const char*>(mac), length));
}

std::string refusal(const std::string& key, const std::string& token)
{
    try {
        verify_token(key, token);
    } catch (const credential_error& e) {
        return e.what();
    }
    return "accepted";
}

} // namespace

BOOST_AUTO_TEST_SUITE(vote_credentials)

BOOST_AUTO_TEST_CASE(a_token_of_the_authority_verifies_with_its_claims)
{
    token_claims c;
    c.role = token_role::voter;
    c.audience = "board-2025";
    c.subject = "alice@example.org";
    c.issued_at = 1700000000;
    c.expires = 1800000000;
    const std::string token = issue_token(authority_keys().private_pem, c);
    const auto back = verify_token(authority_keys().public_pem, token);
    BOOST_CHECK(back.role == token_role::voter);
    BOOST_CHECK_EQUAL(back.audience, "board-2025");
    BOOST_CHECK_EQUAL(back.subject, "alice@example.org");
    BOOST_CHECK_EQUAL(back.issued_at, 1700000000);
    BOOST_REQUIRE(back.expires);
    BOOST_CHECK_EQUAL(*back.expires, 1800000000);

    // ES256 signatures are the 64-byte r||s of RFC 7518 §3.4 (86 base64url characters), not DER.
    BOOST_CHECK_EQUAL(token.size() - token.rfind('.') - 1, 86u);
    // The public key is derived from the private one.
    BOOST_CHECK_EQUAL(public_key_of(authority_keys().private_pem), normalize_public_key(authority_keys().public_pem));
}

BOOST_AUTO_TEST_CASE(forged_and_damaged_tokens_are_refused)
{
    token_claims c;
    c.role = token_role::voter;
    c.audience = "board-2025";
    c.subject = "alice";
    c.issued_at = 1700000000;
    const std::string token = issue_token(authority_keys().private_pem, c);
    const std::string& key = authority_keys().public_pem;

    // Signed by another key.
    BOOST_CHECK_EQUAL(refusal(key, issue_token(new_key_pair().private_pem, c)),
                      "the token's signature does not verify with the election's credential key");
    // Another subject spliced onto the signature.
    const auto first = token.find('.'), second = token.rfind('.');
    const std::string spliced = token.substr(0, first + 1) + base64url(R"({"iss":"dkg-vote","aud":"board-2025","sub":"mallory","role":"voter","iat":1700000000})") +
                                token.substr(second);
    BOOST_CHECK_EQUAL(refusal(key, spliced), "the token's signature does not verify with the election's credential key");
    // A flipped signature character.
    std::string flipped = token;
    flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
    BOOST_CHECK_NE(refusal(key, flipped), "accepted");
    // HS256 keyed with the public key's text (which anyone has): refused, not verified as HMAC.
    const std::string confused = hs256_token(R"({"alg":"HS256","typ":"JWT"})",
                                             R"({"iss":"dkg-vote","aud":"board-2025","sub":"mallory","role":"voter","iat":1700000000})", key);
    BOOST_CHECK_EQUAL(refusal(key, confused), "the token is not signed with ES256");
    // "none".
    const std::string none = base64url(R"({"alg":"none"})") + "." +
                             base64url(R"({"iss":"dkg-vote","aud":"board-2025","sub":"mallory","role":"voter","iat":1700000000})") + ".";
    BOOST_CHECK_NE(refusal(key, none), "accepted");
    // Not a JWT at all, too long, empty.
    BOOST_CHECK_EQUAL(refusal(key, "hello"), "the token is not a JSON Web Token (three base64url parts)");
    BOOST_CHECK_EQUAL(refusal(key, "a.b.c.d"), "the token is not a JSON Web Token (three base64url parts)");
    BOOST_CHECK_EQUAL(refusal(key, "a b.c.d"), "the token is not a JSON Web Token (three base64url parts)");
    BOOST_CHECK_EQUAL(refusal(key, std::string(5000, 'a')), "the token is longer than 4096 characters");
    BOOST_CHECK_EQUAL(refusal(key, ""), "the token is empty");
}

BOOST_AUTO_TEST_CASE(claims_must_be_complete)
{
    // A token of the right key without a role, or of another issuer, is refused.
    const auto signed_payload = [](const std::string& payload) {
        // Sign an arbitrary payload with libjwt's own encoder through issue_token's key check: build
        // it by hand with ES256 via OpenSSL.
        EVP_PKEY* pkey = nullptr;
        BIO* bio = BIO_new_mem_buf(authority_keys().private_pem.data(), static_cast<int>(authority_keys().private_pem.size()));
        pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        const std::string input = base64url(R"({"alg":"ES256","typ":"JWT"})") + "." + base64url(payload);
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        std::size_t length = 0;
        EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, pkey);
        EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()), input.size());
        std::string der(length, '\0');
        EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(der.data()), &length, reinterpret_cast<const unsigned char*>(input.data()), input.size());
        der.resize(length);
        EVP_MD_CTX_free(ctx);
        EVP_PKEY_free(pkey);
        // DER → r||s (32 bytes each).
        const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
        ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
        unsigned char raw[64] = {};
        BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
        ECDSA_SIG_free(sig);
        return input + "." + base64url(std::string_view(reinterpret_cast<const char*>(raw), 64));
    };
    const std::string& key = authority_keys().public_pem;
    BOOST_CHECK_EQUAL(verify_token(key, signed_payload(R"({"iss":"dkg-vote","aud":"e","sub":"v","role":"voter","iat":1})")).subject, "v");
    BOOST_CHECK_EQUAL(refusal(key, signed_payload(R"({"iss":"dkg-vote","aud":"e","sub":"v","iat":1})")), "the token has no \"role\" claim");
    BOOST_CHECK_EQUAL(refusal(key, signed_payload(R"({"iss":"other","aud":"e","sub":"v","role":"voter","iat":1})")),
                      "the token was not issued for dkg-vote (\"iss\")");
    BOOST_CHECK_EQUAL(refusal(key, signed_payload(R"({"iss":"dkg-vote","aud":"e","sub":"v","role":"root","iat":1})")),
                      "the token's role is not admin, voter or trustee");
    BOOST_CHECK_EQUAL(refusal(key, signed_payload(R"({"iss":"dkg-vote","aud":"e","sub":"v","role":"voter"})")),
                      "the token has no integer \"iat\" claim");
}

BOOST_AUTO_TEST_CASE(keys_of_the_wrong_kind_are_refused)
{
    BOOST_CHECK_THROW(normalize_public_key("not a key"), std::invalid_argument);
    BOOST_CHECK_THROW(normalize_public_key(authority_keys().private_pem), std::invalid_argument);
    token_claims c;
    BOOST_CHECK_THROW(issue_token(authority_keys().public_pem, c), std::invalid_argument);
    // An RSA key is not a P-256 key.
    EVP_PKEY* rsa = EVP_RSA_gen(1024);
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, rsa);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    const std::string rsa_pem(data, static_cast<std::size_t>(length));
    BIO_free(bio);
    EVP_PKEY_free(rsa);
    try {
        normalize_public_key(rsa_pem);
        BOOST_ERROR("an RSA key was accepted");
    } catch (const std::invalid_argument& e) {
        BOOST_CHECK_EQUAL(std::string(e.what()), "credential_key: not an EC public key on P-256 (ES256 needs one)");
    }
}

BOOST_AUTO_TEST_CASE(trustee_subjects)
{
    BOOST_CHECK_EQUAL(trustee_subject(3), "trustee-3");
    BOOST_CHECK_EQUAL(trustee_of_subject("trustee-3"), 3u);
    BOOST_CHECK_EQUAL(trustee_of_subject("trustee-1024"), 1024u);
    for (const char* bad : {"trustee-0", "trustee-03", "trustee-1025", "trustee-", "trustee-x", "voter-3", "trustee-99999"})
        BOOST_CHECK_MESSAGE(trustee_of_subject(bad) == 0, bad);
}

BOOST_AUTO_TEST_SUITE_END()
