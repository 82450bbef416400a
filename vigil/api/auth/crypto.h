// Small wrappers over OpenSSL for the authentication code: random bytes, SHA-256, HMAC-SHA256,
// PBKDF2, base64url and hex. Used by AuthStore (secret hashes) and Authenticator (tokens).
// Stateless and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil::api::auth {

// PBKDF2-HMAC-SHA256 rounds for client secrets and user passwords (the count is stored with
// each hash, so raising it later keeps old hashes verifiable).
inline constexpr int kPbkdf2Iterations = 20000;

// `count` bytes from OpenSSL's CSPRNG (aborts nothing: on failure returns an empty string).
std::string RandomBytes(size_t count);
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Pbkdf2Sha256(std::string_view secret, std::string_view salt, int iterations);

std::string HexEncode(std::string_view bytes);
std::optional<std::string> HexDecode(std::string_view hex);
// RFC 4648 section 5 without padding.
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Comparison whose time does not depend on where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace vigil::api::auth
