// Credentials of dkg-vote: JSON Web Tokens (RFC 7519) signed with ES256 (ECDSA on P-256 with
// SHA-256, RFC 7518 §3.4) through libjwt.
//
// The credential authority (the election administrator, or whoever the administrator names) keeps
// the private key and signs one token per voter and per trustee; the ballot box holds only the
// public key, so it verifies tokens without storing them, and cannot make a token itself. The
// bulletin board publishes the token of every accepted ballot, so anyone can check that each
// counted ballot was cast with a token of the authority for that voter (docs/voting.md).
#pragma once

#include "clock.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dkg::vote {

/// The longest token accepted, in characters.
inline constexpr std::size_t max_token_length = 4096;

/// The longest PEM key accepted, in characters.
inline constexpr std::size_t max_pem_length = 8192;

/// The audience of administrator tokens (voter and trustee tokens name their election).
inline constexpr std::string_view admin_audience = "dkg-vote-admin";

/// The longest lifetime of an administrator token, in seconds.
inline constexpr unix_seconds max_admin_token_seconds = 3600;

/// What a token is for.
enum class token_role { admin, voter, trustee };

const char* role_name(token_role r);

/// The claims of a dkg-vote token.
struct token_claims {
    token_role role = token_role::voter;
    std::string audience;               ///< "aud": the election id, or admin_audience
    std::string subject;                ///< "sub": the voter id, "trustee-J", or "admin"
    unix_seconds issued_at = 0;         ///< "iat"
    std::optional<unix_seconds> expires; ///< "exp"
};

/// A token that does not verify; the message says why (never the token).
class credential_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Signs `claims` with the ES256 private key in `private_key_pem` (PKCS#8 or SEC1 PEM).
/// @throws std::invalid_argument naming `private_key` if it is not a P-256 private key.
std::string issue_token(std::string_view private_key_pem, const token_claims& claims);

/// Verifies `token` against the P-256 public key `public_key_pem`: the form (three base64url
/// parts, at most max_token_length characters), the algorithm (ES256 only: a token of any other
/// algorithm, including HS256 keyed with the public key and "none", is refused), the signature and
/// the claims' form ("iss" = "dkg-vote", "aud", "sub", "role", "iat", optional "exp"). Expiry is
/// the caller's to check (a bulletin board is verified after its tokens expired).
/// @throws credential_error saying what is wrong.
token_claims verify_token(std::string_view public_key_pem, std::string_view token);

/// Checks that `pem` is a PEM public key on P-256 and returns it in a normal form.
/// @throws std::invalid_argument naming `credential_key` otherwise.
std::string normalize_public_key(std::string_view pem);

/// The PEM public key of a P-256 private key.
/// @throws std::invalid_argument naming `private_key` if it is not one.
std::string public_key_of(std::string_view private_key_pem);

/// The subject of trustee j's token: "trustee-J".
std::string trustee_subject(unsigned trustee);

/// The trustee id named by a subject "trustee-J" (J in 1..1024), or 0 if it names none.
unsigned trustee_of_subject(std::string_view subject);

} // namespace dkg::vote
