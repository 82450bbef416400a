#include "vigil/base/log.h"

#include <atomic>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace vigil::log {
namespace {

std::atomic<Level> g_min_level{Level::kInfo};

spdlog::logger& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto created = spdlog::stderr_color_mt("vigil");
    created->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%l%$ %v", spdlog::pattern_time_type::utc);
    created->set_level(spdlog::level::trace);
    return created;
  }();
  return *logger;
}

}  // namespace

void SetMinLevel(Level level) { g_min_level.store(level); }

void Write(Level level, std::string_view component, std::string_view message) {
  if (level < g_min_level.load(std::memory_order_relaxed)) {
    return;
  }
  spdlog::level::level_enum spd_level = spdlog::level::info;
  switch (level) {
    case Level::kDebug:
      spd_level = spdlog::level::debug;
      break;
    case Level::kInfo:
      spd_level = spdlog::level::info;
      break;
    case Level::kWarn:
      spd_level = spdlog::level::warn;
      break;
    case Level::kError:
      spd_level = spdlog::level::err;
      break;
  }
  Logger().log(spd_level, "[{}] {}", component, message);
}

}  // namespace vigil::log
