// Locates ../shared (reference data outside the repository) for the tests that use it. Those
// tests call GTEST_SKIP() with a message when it is absent, so the project's own suite still
// passes from a lone clone. Header-only; thread-safe.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>

namespace vigil::testing {

// $VIGIL_SHARED_DIR, else <source dir>/../shared, if it exists.
inline std::optional<std::filesystem::path> SharedDir() {
  if (const char* env = std::getenv("VIGIL_SHARED_DIR"); env != nullptr && *env != '\0') {
    std::filesystem::path dir(env);
    if (std::filesystem::is_directory(dir)) {
      return dir;
    }
    return std::nullopt;
  }
  const char* source = std::getenv("VIGIL_SOURCE_DIR");
  std::filesystem::path base = source != nullptr ? std::filesystem::path(source)
                                                 : std::filesystem::current_path();
  std::filesystem::path dir = base / ".." / "shared";
  if (std::filesystem::is_directory(dir)) {
    return std::filesystem::canonical(dir);
  }
  return std::nullopt;
}

// Repository root (VIGIL_SOURCE_DIR, set by CTest), for test data under tests/.
inline std::filesystem::path SourceDir() {
  const char* source = std::getenv("VIGIL_SOURCE_DIR");
  return source != nullptr ? std::filesystem::path(source) : std::filesystem::current_path();
}

}  // namespace vigil::testing

#define VIGIL_REQUIRE_SHARED_DIR(var)                                               \
  const auto var##_opt = ::vigil::testing::SharedDir();                             \
  if (!var##_opt) {                                                                 \
    GTEST_SKIP() << "../shared reference data not found (set VIGIL_SHARED_DIR); skipped"; \
  }                                                                                 \
  const std::filesystem::path var = *var##_opt
