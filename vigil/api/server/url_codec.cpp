#include "vigil/api/server/url_codec.h"

#include "vigil/base/hex.h"

namespace vigil::api {

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      const int hi = HexDigitValue(text[i + 1]);
      const int lo = HexDigitValue(text[i + 2]);
      if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
        return std::nullopt;
      }
      out += static_cast<char>((hi << 4) | lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '\0') {
      return std::nullopt;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::multimap<std::string, std::string>> ParseForm(std::string_view text) {
  std::multimap<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('&', pos);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const std::string_view pair = text.substr(pos, end - pos);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      auto name = PercentDecode(pair.substr(0, eq), true);
      auto value = eq == std::string_view::npos ? std::optional<std::string>(std::string())
                                                : PercentDecode(pair.substr(eq + 1), true);
      if (!name || !value) {
        return std::nullopt;
      }
      out.emplace(std::move(*name), std::move(*value));
    }
    pos = end + 1;
  }
  return out;
}

std::optional<ParsedTarget> ParseTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return std::nullopt;
  }
  const size_t question = target.find('?');
  ParsedTarget parsed;
  auto path = PercentDecode(target.substr(0, question), false);
  if (!path) {
    return std::nullopt;
  }
  parsed.path = std::move(*path);
  if (question != std::string_view::npos) {
    auto query = ParseForm(target.substr(question + 1));
    if (!query) {
      return std::nullopt;
    }
    parsed.query = std::move(*query);
  }
  return parsed;
}

}  // namespace vigil::api
