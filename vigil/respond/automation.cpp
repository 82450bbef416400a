#include "vigil/respond/automation.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vigil::respond {
namespace {

constexpr std::array<std::string_view, 5> kLevelNames = {
    "Full", "SemiRequireApprovalAllFolders", "SemiRequireApprovalCoreFolders",
    "SemiRequireApprovalNonTempFolders", "NoAutomatedResponse"};

constexpr size_t kMaxPolicyBytes = size_t{1} << 20;
constexpr size_t kMaxDeviceGroups = 10000;

std::string Folded(std::string_view text, bool keep_separators) {
  std::string out;
  for (char c : text) {
    if (!keep_separators && (c == ' ' || c == '-' || c == '_')) {
      continue;
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

Status FieldError(std::string_view file, const YAML::Node& node, std::string_view field,
                  std::string_view what) {
  const YAML::Mark mark = node.Mark();
  const int line = mark.line >= 0 ? mark.line + 1 : 0;
  return InvalidArgumentError("{}:{}: {}: {}", file, line, field, what);
}

Result<AutomationLevel> LevelAt(std::string_view file, const YAML::Node& node,
                                std::string_view field) {
  if (!node.IsScalar()) {
    return FieldError(file, node, field, "expected an automation level");
  }
  const auto level = ParseAutomationLevel(node.Scalar());
  if (!level) {
    return FieldError(file, node, field,
                      fmt::format("unknown automation level '{}' (Full, "
                                  "SemiRequireApprovalAllFolders, SemiRequireApprovalCoreFolders, "
                                  "SemiRequireApprovalNonTempFolders, NoAutomatedResponse)",
                                  node.Scalar()));
  }
  return *level;
}

Status ReadLevels(std::string_view file, const YAML::Node& node, std::string_view field,
                  DomainLevels& levels) {
  if (!node.IsMap()) {
    return FieldError(file, node, field, "expected a map of domain: level");
  }
  for (const auto& item : node) {
    if (!item.first.IsScalar()) {
      return FieldError(file, item.first, field, "expected a domain name");
    }
    const std::string key = item.first.Scalar();
    const auto domain = ParseDomain(key);
    if (!domain) {
      return FieldError(file, item.first, fmt::format("{}.{}", field, key),
                        "unknown domain (endpoint, email, identity, cloud)");
    }
    VIGIL_ASSIGN_OR_RETURN(levels.For(*domain),
                           LevelAt(file, item.second, fmt::format("{}.{}", field, key)));
  }
  return Status::Ok();
}

Result<AutomationPolicy> ParseNode(const YAML::Node& root, std::string_view file) {
  AutomationPolicy policy;
  if (root.IsNull()) {
    return policy;
  }
  if (!root.IsMap()) {
    return FieldError(file, root, "document", "expected a map with defaults and device_groups");
  }
  YAML::Node defaults;
  YAML::Node groups;
  for (const auto& item : root) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : std::string();
    if (key == "defaults") {
      defaults = item.second;
    } else if (key == "device_groups") {
      groups = item.second;
    } else {
      return FieldError(file, item.first, key.empty() ? "key" : key,
                        "unknown field (expected defaults or device_groups)");
    }
  }
  // Defaults first: a group inherits the default level of every domain it does not name.
  if (defaults.IsDefined() && !defaults.IsNull()) {
    VIGIL_RETURN_IF_ERROR(ReadLevels(file, defaults, "defaults", policy.defaults));
  }
  if (!groups.IsDefined() || groups.IsNull()) {
    return policy;
  }
  if (!groups.IsMap()) {
    return FieldError(file, groups, "device_groups", "expected a map of group: level");
  }
  for (const auto& group : groups) {
    if (!group.first.IsScalar() || group.first.Scalar().empty()) {
      return FieldError(file, group.first, "device_groups", "expected a group name");
    }
    if (policy.device_groups.size() >= kMaxDeviceGroups) {
      return FieldError(file, group.first, "device_groups",
                        fmt::format("more than {} groups", kMaxDeviceGroups));
    }
    const std::string field = fmt::format("device_groups.{}", group.first.Scalar());
    DomainLevels levels = policy.defaults;
    if (group.second.IsScalar()) {
      VIGIL_ASSIGN_OR_RETURN(levels.endpoint, LevelAt(file, group.second, field));
    } else {
      VIGIL_RETURN_IF_ERROR(ReadLevels(file, group.second, field, levels));
    }
    policy.device_groups[Folded(group.first.Scalar(), true)] = levels;
  }
  return policy;
}

}  // namespace

AutomationLevel& DomainLevels::For(Domain domain) {
  switch (domain) {
    case Domain::kEndpoint:
      return endpoint;
    case Domain::kEmail:
      return email;
    case Domain::kIdentity:
      return identity;
    case Domain::kCloud:
      return cloud;
  }
  return endpoint;
}

AutomationLevel DomainLevels::For(Domain domain) const {
  return const_cast<DomainLevels*>(this)->For(domain);
}

AutomationLevel AutomationPolicy::LevelFor(Domain domain, std::string_view device_group) const {
  if (!device_group.empty()) {
    const auto it = device_groups.find(Folded(device_group, true));
    if (it != device_groups.end()) {
      return it->second.For(domain);
    }
  }
  return defaults.For(domain);
}

std::string_view AutomationLevelName(AutomationLevel level) {
  const auto i = static_cast<size_t>(level);
  return i < kLevelNames.size() ? kLevelNames[i] : "Full";
}

std::optional<AutomationLevel> ParseAutomationLevel(std::string_view text) {
  // Portal spellings too: "Semi - require approval for core folders remediation",
  // "Full - remediate threats automatically": filler words are dropped.
  std::string folded;
  std::string word;
  auto flush = [&] {
    if (word != "for" && word != "remediation" && word != "remediate" && word != "threats" &&
        word != "automatically") {
      folded += word;
    }
    word.clear();
  };
  for (char c : Folded(text, true)) {
    if (c == ' ' || c == '-' || c == '_') {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  if (folded == "none" || folded == "noautomatedresponse" || folded == "off") {
    return AutomationLevel::kNoAutomatedResponse;
  }
  if (folded == "semi") {
    return AutomationLevel::kSemiRequireApprovalAllFolders;
  }
  for (size_t i = 0; i < kLevelNames.size(); ++i) {
    if (folded == Folded(kLevelNames[i], false)) {
      return static_cast<AutomationLevel>(i);
    }
  }
  return std::nullopt;
}

std::string_view DecisionName(Decision decision) {
  switch (decision) {
    case Decision::kAutomatic:
      return "Automatic";
    case Decision::kRequireApproval:
      return "RequireApproval";
    case Decision::kNone:
      return "None";
  }
  return "None";
}

bool IsCoreFolder(std::string_view path) {
  const std::string p = Folded(path, true);
  // "c:\windows\..." or "\windows\..." (device paths), not "c:\users\x\windows\".
  const size_t at = p.find("\\windows\\");
  if (at == std::string::npos) {
    return false;
  }
  return at == 0 || (at == 2 && p[1] == ':') || p.rfind("\\device\\", 0) == 0;
}

bool IsTempFolder(std::string_view path) {
  std::string p = Folded(path, true);
  for (char& c : p) {
    if (c == '/') {
      c = '\\';
    }
  }
  if (!p.empty() && p.back() != '\\') {
    p += '\\';
  }
  return p.find("\\temp\\") != std::string::npos || p.find("\\tmp\\") != std::string::npos;
}

Decision Decide(AutomationLevel level, Domain domain, Verdict verdict, std::string_view file_path) {
  if (level == AutomationLevel::kNoAutomatedResponse) {
    return Decision::kNone;
  }
  if (verdict == Verdict::kNoThreatsFound || verdict == Verdict::kUnknown) {
    return Decision::kNone;
  }
  if (verdict == Verdict::kSuspicious || domain == Domain::kEmail) {
    return Decision::kRequireApproval;
  }
  switch (level) {
    case AutomationLevel::kFull:
      return Decision::kAutomatic;
    case AutomationLevel::kSemiRequireApprovalAllFolders:
      return Decision::kRequireApproval;
    case AutomationLevel::kSemiRequireApprovalCoreFolders:
      if (domain != Domain::kEndpoint || file_path.empty()) {
        return Decision::kRequireApproval;
      }
      return IsCoreFolder(file_path) ? Decision::kRequireApproval : Decision::kAutomatic;
    case AutomationLevel::kSemiRequireApprovalNonTempFolders:
      if (domain != Domain::kEndpoint || file_path.empty()) {
        return Decision::kRequireApproval;
      }
      return IsTempFolder(file_path) ? Decision::kAutomatic : Decision::kRequireApproval;
    case AutomationLevel::kNoAutomatedResponse:
      break;
  }
  return Decision::kNone;
}

Result<AutomationPolicy> ParseAutomationPolicy(std::string_view yaml, std::string_view file_name) {
  if (yaml.size() > kMaxPolicyBytes) {
    return InvalidArgumentError("{}: automation policy is larger than {} bytes", file_name,
                                kMaxPolicyBytes);
  }
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    return ParseNode(root, file_name);
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("{}:{}: invalid yaml: {}", file_name, e.mark.line + 1, e.msg);
  } catch (const std::exception& e) {
    return InvalidArgumentError("{}: cannot read automation policy: {}", file_name, e.what());
  }
}

Result<AutomationPolicy> LoadAutomationPolicy(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return AutomationPolicy{};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return IoError("cannot open automation policy '{}'", path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseAutomationPolicy(text.str(), path);
}

}  // namespace vigil::respond
