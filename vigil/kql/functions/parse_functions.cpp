// Parsing scalar functions: parse_url, parse_urlquery, parse_path, parse_user_agent
// (heuristic, see below), parse_version, parse_csv, url_encode, url_encode_component and
// url_decode. (parse_xml is not provided: pugixml is not linked into vigil_kql_functions.)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/kql/functions/function_util.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn1::Add;
using fn1::Arg;
using fn1::Returns;
using fn1::TextArg;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
    return (c | 0x20) - 'a' + 10;
  }
  return -1;
}

// Percent-decoding; '+' becomes a space (form encoding). Malformed escapes stay as they are.
std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexDigit(s[i + 1]) >= 0 &&
               HexDigit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// url_encode: form encoding (space as '+', lower-case hex, "-_.!*()" kept).
// url_encode_component: component encoding (space as %20, lower-case hex as Kusto's
// documented output, "-_.~" kept).
std::string UrlEncode(std::string_view s, bool component) {
  static constexpr char kLower[] = "0123456789abcdef";
  const std::string_view keep = component ? "-_.~" : "-_.!*()";
  const char* hex = kLower;
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    const bool alnum = (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'z');
    if (alnum || keep.find(c) != std::string_view::npos) {
      out.push_back(c);
    } else if (c == ' ' && !component) {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(hex[b >> 4]);
      out.push_back(hex[b & 15]);
    }
  }
  return out;
}

Value QueryParameters(std::string_view query) {
  Bag params;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) {
      amp = query.size();
    }
    const std::string_view pair = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) {
      continue;
    }
    const size_t eq = pair.find('=');
    std::string key = UrlDecode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : UrlDecode(pair.substr(eq + 1));
    params.emplace_back(std::move(key), Value::String(std::move(value)));
  }
  return Value::MakeBag(std::move(params));
}

// scheme://[user[:password]@]host[:port][/path][?query][#fragment]
Value ParseUrl(std::string_view url) {
  std::string scheme, user, password, host, port, path, fragment;
  std::string_view query;
  const size_t sep = url.find("://");
  if (sep != std::string_view::npos && sep > 0) {
    scheme.assign(url.substr(0, sep));
    std::string_view rest = url.substr(sep + 3);
    if (const size_t hash = rest.find('#'); hash != std::string_view::npos) {
      fragment.assign(rest.substr(hash + 1));
      rest = rest.substr(0, hash);
    }
    if (const size_t q = rest.find('?'); q != std::string_view::npos) {
      query = rest.substr(q + 1);
      rest = rest.substr(0, q);
    }
    const size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) {
      path.assign(rest.substr(slash));
    }
    if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
      const std::string_view userinfo = authority.substr(0, at);
      const size_t colon = userinfo.find(':');
      user.assign(userinfo.substr(0, colon));
      if (colon != std::string_view::npos) {
        password.assign(userinfo.substr(colon + 1));
      }
      authority = authority.substr(at + 1);
    }
    const size_t bracket = authority.rfind(']');  // [ipv6]:port
    const size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
      port.assign(authority.substr(colon + 1));
      authority = authority.substr(0, colon);
    }
    host.assign(authority);
  }
  Bag bag;
  bag.emplace_back("Scheme", Value::String(std::move(scheme)));
  bag.emplace_back("Host", Value::String(std::move(host)));
  bag.emplace_back("Port", Value::String(std::move(port)));
  bag.emplace_back("Path", Value::String(std::move(path)));
  bag.emplace_back("Username", Value::String(std::move(user)));
  bag.emplace_back("Password", Value::String(std::move(password)));
  bag.emplace_back("Query Parameters", QueryParameters(query));
  bag.emplace_back("Fragment", Value::String(std::move(fragment)));
  return Value::MakeBag(std::move(bag));
}

bool IsSlash(char c) { return c == '/' || c == '\\'; }

bool IsLetter(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

Value ParsePath(std::string_view p) {
  std::string scheme;
  // A scheme has at least two letters, so a drive letter ("C:") is not taken for one.
  if (const size_t sep = p.find("://"); sep != std::string_view::npos && sep >= 2) {
    bool ok = true;
    for (const char c : p.substr(0, sep)) {
      ok = ok && (IsLetter(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.');
    }
    if (ok) {
      scheme.assign(p.substr(0, sep));
      p = p.substr(sep + 3);
    }
  }
  if (p.starts_with("\\\\?\\") || p.starts_with("\\\\.\\")) {
    p.remove_prefix(4);  // long-path / device prefix
  }
  std::string root;
  if (p.size() >= 2 && IsLetter(p[0]) && p[1] == ':') {
    root.assign(p.substr(0, 2));
  }
  size_t last = std::string_view::npos;
  for (size_t i = 0; i < p.size(); ++i) {
    if (IsSlash(p[i])) {
      last = i;
    }
  }
  std::string_view dir = last == std::string_view::npos ? std::string_view() : p.substr(0, last);
  std::string_view file =
      last == std::string_view::npos ? p.substr(root.size()) : p.substr(last + 1);
  std::string_view stream;
  if (const size_t colon = file.find(':'); colon != std::string_view::npos) {
    stream = file.substr(colon + 1);
    file = file.substr(0, colon);
  }
  std::string_view dir_name = dir;
  for (size_t i = dir.size(); i > 0; --i) {
    if (IsSlash(dir[i - 1])) {
      dir_name = dir.substr(i);
      break;
    }
  }
  const size_t dot = file.rfind('.');
  const std::string_view ext =
      dot == std::string_view::npos ? std::string_view() : file.substr(dot + 1);
  Bag bag;
  bag.emplace_back("Scheme", Value::String(std::move(scheme)));
  bag.emplace_back("RootPath", Value::String(std::move(root)));
  bag.emplace_back("DirectoryPath", Value::String(std::string(dir)));
  bag.emplace_back("DirectoryName", Value::String(std::string(dir_name)));
  bag.emplace_back("Filename", Value::String(std::string(file)));
  bag.emplace_back("Extension", Value::String(std::string(ext)));
  bag.emplace_back("AlternateDataStreamName", Value::String(std::string(stream)));
  return Value::MakeBag(std::move(bag));
}

// parse_version: up to four numeric parts of up to 8 digits, as one number whose decimal
// digits are the parts zero-padded to 8 (so "1.2" is 1 followed by 7 zeros, 2, 16 zeros).
// Carried as real: ordering is exact only while the value fits in a double's 53 bits.
Value ParseVersion(std::string_view s) {
  while (!s.empty() && s.front() == ' ') {
    s.remove_prefix(1);
  }
  while (!s.empty() && s.back() == ' ') {
    s.remove_suffix(1);
  }
  std::vector<uint64_t> parts;
  size_t pos = 0;
  while (true) {
    const size_t begin = pos;
    uint64_t v = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - begin < 8) {
      v = v * 10 + static_cast<uint64_t>(s[pos] - '0');
      ++pos;
    }
    if (pos == begin || parts.size() == 4) {
      return Value();
    }
    parts.push_back(v);
    if (pos == s.size()) {
      break;
    }
    if (s[pos] != '.') {
      return Value();
    }
    ++pos;
  }
  double result = 0;
  for (size_t i = 0; i < 4; ++i) {
    result = result * 1e8 + static_cast<double>(i < parts.size() ? parts[i] : 0);
  }
  return Value::Real(result);
}

// One CSV record (RFC 4180 quoting); text after the first unquoted line break is ignored.
Value ParseCsv(std::string_view s) {
  Array fields;
  std::string cur;
  bool in_quotes = false;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') {
          cur.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        cur.push_back(c);
      }
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == ',') {
      fields.push_back(Value::String(std::move(cur)));
      cur.clear();
    } else if (c == '\n' || c == '\r') {
      break;
    } else {
      cur.push_back(c);
    }
  }
  fields.push_back(Value::String(std::move(cur)));
  return Value::MakeArray(std::move(fields));
}

// Text up to the first character outside [0-9.] after `token`, or "".
std::string VersionAfter(std::string_view ua, std::string_view token) {
  const size_t at = ua.find(token);
  if (at == std::string_view::npos) {
    return "";
  }
  size_t pos = at + token.size();
  const size_t begin = pos;
  while (pos < ua.size() &&
         ((ua[pos] >= '0' && ua[pos] <= '9') || ua[pos] == '.' || ua[pos] == '_')) {
    ++pos;
  }
  std::string v(ua.substr(begin, pos - begin));
  for (char& c : v) {
    c = c == '_' ? '.' : c;
  }
  return v;
}

Bag VersionBag(std::string family, const std::string& version, std::vector<std::string> names) {
  Bag bag;
  bag.emplace_back("Family", Value::String(std::move(family)));
  size_t pos = 0;
  for (std::string& name : names) {
    std::string part;
    if (pos <= version.size() && !version.empty()) {
      const size_t dot = version.find('.', pos);
      part = version.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
      pos = dot == std::string::npos ? version.size() + 1 : dot + 1;
    }
    bag.emplace_back(std::move(name), Value::String(std::move(part)));
  }
  return bag;
}

// Heuristic user-agent parsing (not the ua-parser regex database Kusto uses): common browsers
// and operating systems by their well-known tokens; anything else is "Other".
Value ParseUserAgent(std::string_view ua, const Value& look_for) {
  bool want_browser = false, want_os = false, want_device = false;
  auto want = [&](const std::string& what) {
    want_browser = want_browser || what == "browser";
    want_os = want_os || what == "os";
    want_device = want_device || what == "device";
  };
  if (look_for.is_array()) {
    for (const Value& v : look_for.AsArray()) {
      want(v.ToText());
    }
  } else {
    want(look_for.ToText());
  }
  Bag out;
  if (want_browser) {
    std::string family = "Other", version;
    static const std::pair<const char*, const char*> kBrowsers[] = {
        {"Edg/", "Edge"},        {"Edge/", "Edge"},     {"OPR/", "Opera"},
        {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"MSIE ", "IE"}};
    for (const auto& [token, name] : kBrowsers) {
      if (ua.find(token) != std::string_view::npos) {
        family = name;
        version = VersionAfter(ua, token);
        break;
      }
    }
    if (family == "Other" && ua.find("Trident/") != std::string_view::npos) {
      family = "IE";
      version = VersionAfter(ua, "rv:");
    } else if (family == "Other" && ua.find("Safari/") != std::string_view::npos) {
      family = ua.find("Mobile") != std::string_view::npos ? "Mobile Safari" : "Safari";
      version = VersionAfter(ua, "Version/");
    }
    out.emplace_back("Browser", Value::MakeBag(VersionBag(
                                    family, version, {"MajorVersion", "MinorVersion", "Patch"})));
  }
  if (want_os) {
    std::string family = "Other", version;
    if (ua.find("Windows NT ") != std::string_view::npos) {
      family = "Windows";
      const std::string nt = VersionAfter(ua, "Windows NT ");
      static const std::pair<const char*, const char*> kNt[] = {{"10.0", "10"},   {"6.3", "8.1"},
                                                                {"6.2", "8"},     {"6.1", "7"},
                                                                {"6.0", "Vista"}, {"5.1", "XP"}};
      for (const auto& [nt_version, name] : kNt) {
        if (nt == nt_version) {
          version = name;
        }
      }
    } else if (ua.find("iPhone OS ") != std::string_view::npos ||
               ua.find("iPad") != std::string_view::npos) {
      family = "iOS";
      version = VersionAfter(ua, " OS ");
    } else if (ua.find("Android") != std::string_view::npos) {
      family = "Android";
      version = VersionAfter(ua, "Android ");
    } else if (ua.find("Mac OS X") != std::string_view::npos) {
      family = "Mac OS X";
      version = VersionAfter(ua, "Mac OS X ");
    } else if (ua.find("CrOS") != std::string_view::npos) {
      family = "Chrome OS";
    } else if (ua.find("Linux") != std::string_view::npos) {
      family = "Linux";
    }
    out.emplace_back(
        "OperatingSystem",
        Value::MakeBag(
            VersionBag(family, version, {"MajorVersion", "MinorVersion", "Patch", "PatchMinor"})));
  }
  if (want_device) {
    std::string family = "Other", brand, model;
    for (const char* apple : {"iPhone", "iPad", "iPod"}) {
      if (ua.find(apple) != std::string_view::npos) {
        family = model = apple;
        brand = "Apple";
        break;
      }
    }
    if (family == "Other" && ua.find("Macintosh") != std::string_view::npos) {
      family = "Mac";
      brand = "Apple";
      model = "Mac";
    }
    Bag device;
    device.emplace_back("Family", Value::String(std::move(family)));
    device.emplace_back("Brand", Value::String(std::move(brand)));
    device.emplace_back("Model", Value::String(std::move(model)));
    out.emplace_back("Device", Value::MakeBag(std::move(device)));
  }
  return Value::MakeBag(std::move(out));
}

}  // namespace

void RegisterParseFunctions(Registry& r) {
  for (const char* name : {"parse_url", "parseurl"}) {
    Add(r, name, 1, 1, Returns(name, Type::kDynamic),
        [](std::span<const Value> args, FunctionContext&) { return ParseUrl(TextArg(args[0])); });
  }
  for (const char* name : {"parse_urlquery", "parseurlquery"}) {
    Add(r, name, 1, 1, Returns(name, Type::kDynamic),
        [](std::span<const Value> args, FunctionContext&) -> Value {
          const TextArg text(args[0]);
          std::string_view query = text.view();
          if (query.starts_with("?")) {
            query.remove_prefix(1);
          }
          Bag bag;
          bag.emplace_back("Query Parameters", QueryParameters(query));
          return Value::MakeBag(std::move(bag));
        });
  }
  Add(r, "parse_path", 1, 1, Returns("parse_path", Type::kDynamic),
      [](std::span<const Value> args, FunctionContext&) { return ParsePath(TextArg(args[0])); });
  Add(r, "parse_user_agent", 2, 2, Returns("parse_user_agent", Type::kDynamic),
      [](std::span<const Value> args, FunctionContext&) {
        return ParseUserAgent(TextArg(args[0]), args[1]);
      });
  Add(r, "parse_version", 1, 1, Returns("parse_version", Type::kDecimal),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        return args[0].is_string() ? ParseVersion(args[0].AsString()) : Value();
      });
  Add(r, "parse_csv", 1, 1, Returns("parse_csv", Type::kDynamic),
      [](std::span<const Value> args, FunctionContext&) { return ParseCsv(TextArg(args[0])); });
  Add(r, "url_encode", 1, 1, Returns("url_encode", Type::kString),
      [](std::span<const Value> args, FunctionContext&) {
        return Value::String(UrlEncode(TextArg(args[0]), false));
      });
  Add(r, "url_encode_component", 1, 1, Returns("url_encode_component", Type::kString),
      [](std::span<const Value> args, FunctionContext&) {
        return Value::String(UrlEncode(TextArg(args[0]), true));
      });
  Add(r, "url_decode", 1, 1, Returns("url_decode", Type::kString),
      [](std::span<const Value> args, FunctionContext&) {
        return Value::String(UrlDecode(TextArg(args[0])));
      });
}

}  // namespace vigil::kql
