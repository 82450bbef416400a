// Operator-facing logging: fmt-style messages tagged with a component, written through spdlog
// to stderr. Thread-safe. Never log per event on hot paths (count with a metric) and never log
// secrets or raw event payloads above DEBUG.
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace vigil::log {

enum class Level { kDebug, kInfo, kWarn, kError };

void Write(Level level, std::string_view component, std::string_view message);
void SetMinLevel(Level level);

}  // namespace vigil::log

#define VIGIL_LOG_AT(level, component, ...) \
  ::vigil::log::Write(level, component, ::fmt::format(__VA_ARGS__))
#define VIGIL_LOG_DEBUG(component, ...) VIGIL_LOG_AT(::vigil::log::Level::kDebug, component, __VA_ARGS__)
#define VIGIL_LOG_INFO(component, ...) VIGIL_LOG_AT(::vigil::log::Level::kInfo, component, __VA_ARGS__)
#define VIGIL_LOG_WARN(component, ...) VIGIL_LOG_AT(::vigil::log::Level::kWarn, component, __VA_ARGS__)
#define VIGIL_LOG_ERROR(component, ...) VIGIL_LOG_AT(::vigil::log::Level::kError, component, __VA_ARGS__)
