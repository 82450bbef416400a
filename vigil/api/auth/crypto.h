// Small wrappers over OpenSSL for the authentication code: random bytes, SHA-256, HMAC-SHA256,
// PBKDF2, base64url and hex. Used by AuthStore (secret hashes) and Authenticator (tokens).
// Stateless and thread-safe.
#pragma once

#include <cstdint>
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

// A stored secret (client secret, password): PBKDF2-SHA256 with a fresh 16-byte salt, both
// hex-encoded, at kPbkdf2Iterations. Empty fields when the random generator failed.
struct SaltedHash {
  std::string salt_hex;
  std::string hash_hex;
  int iterations = kPbkdf2Iterations;
};
SaltedHash HashSecret(std::string_view secret);
// Whether `secret` matches a stored hash; nullopt when the stored fields are damaged (not hex,
// iterations outside 1..10,000,000).
std::optional<bool> SecretMatches(std::string_view secret, std::string_view salt_hex,
                                  std::string_view hash_hex, int64_t iterations);

}  // namespace vigil::api::auth
