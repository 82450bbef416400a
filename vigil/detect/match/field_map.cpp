// Sigma field -> row accessor per FieldContext (ResolveField) and the literal rewrites
// (RewriteLiteral). The tables follow docs/NORMALIZATION.md column by column.

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "vigil/detect/match/mapping.h"

namespace vigil::detect::match {
namespace {

using K = AccessorKind;
using R = LiteralRewrite;

struct FieldEntry {
  std::string_view field;  // Sigma name (compared case-insensitively)
  K kind;
  std::string_view col;
  std::string_view col2;
  R rewrite = R::kNone;
};

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The process that acts (Sysmon's Image in every event but process creation/tampering).
const std::vector<FieldEntry> kInitiating = {
    {"Image", K::kColumn, "InitiatingProcessFolderPath", ""},
    {"ProcessName", K::kColumn, "InitiatingProcessFolderPath", ""},
    {"ProcessId", K::kColumn, "InitiatingProcessId", ""},
    {"CommandLine", K::kColumn, "InitiatingProcessCommandLine", ""},
    {"User", K::kAccount, "InitiatingProcessAccountDomain", "InitiatingProcessAccountName"},
    {"ParentProcessId", K::kColumn, "InitiatingProcessParentId", ""},
    {"SubjectUserName", K::kColumn, "InitiatingProcessAccountName", ""},
    {"SubjectDomainName", K::kColumn, "InitiatingProcessAccountDomain", ""},
    {"SubjectUserSid", K::kColumn, "InitiatingProcessAccountSid", ""},
    {"SubjectLogonId", K::kColumn, "InitiatingProcessLogonId", ""},
};

const std::vector<FieldEntry> kProcess = {
    {"Image", K::kColumn, "FolderPath", ""},
    {"NewProcessName", K::kColumn, "FolderPath", ""},
    {"CommandLine", K::kColumn, "ProcessCommandLine", ""},
    {"ProcessId", K::kColumn, "ProcessId", ""},
    {"NewProcessId", K::kColumn, "ProcessId", ""},
    {"ParentImage", K::kColumn, "InitiatingProcessFolderPath", ""},
    {"ParentProcessName", K::kColumn, "InitiatingProcessFolderPath", ""},
    {"ParentCommandLine", K::kColumn, "InitiatingProcessCommandLine", ""},
    {"ParentProcessId", K::kColumn, "InitiatingProcessId", ""},
    {"User", K::kAccount, "AccountDomain", "AccountName"},
    {"ParentUser", K::kAccount, "InitiatingProcessAccountDomain", "InitiatingProcessAccountName"},
    {"LogonId", K::kColumn, "LogonId", ""},
    {"TerminalSessionId", K::kColumn, "CreatedProcessSessionId", ""},
    {"IntegrityLevel", K::kColumn, "ProcessIntegrityLevel", ""},
    {"MandatoryLabel", K::kColumn, "ProcessIntegrityLevel", "", R::kIntegrityLabel},
    {"TokenElevationType", K::kColumn, "ProcessTokenElevation", "", R::kTokenElevation},
    {"Hashes", K::kHashes, "", ""},
    {"FileVersion", K::kColumn, "ProcessVersionInfoProductVersion", ""},
    {"Description", K::kColumn, "ProcessVersionInfoFileDescription", ""},
    {"Product", K::kColumn, "ProcessVersionInfoProductName", ""},
    {"Company", K::kColumn, "ProcessVersionInfoCompanyName", ""},
    {"OriginalFileName", K::kColumn, "ProcessVersionInfoOriginalFileName", ""},
    {"TargetUserName", K::kColumn, "AccountName", ""},
    {"TargetDomainName", K::kColumn, "AccountDomain", ""},
    {"TargetUserSid", K::kColumn, "AccountSid", ""},
    {"TargetLogonId", K::kColumn, "LogonId", ""},
    {"SubjectUserName", K::kColumn, "InitiatingProcessAccountName", ""},
    {"SubjectDomainName", K::kColumn, "InitiatingProcessAccountDomain", ""},
    {"SubjectUserSid", K::kColumn, "InitiatingProcessAccountSid", ""},
    {"SubjectLogonId", K::kColumn, "InitiatingProcessLogonId", ""},
};

const std::vector<FieldEntry> kFile = {
    {"TargetFilename", K::kColumn, "FolderPath", ""},
    {"Hashes", K::kHashes, "", ""},
    {"Hash", K::kHashes, "", ""},
};

const std::vector<FieldEntry> kNetwork = {
    {"SourceIp", K::kColumn, "LocalIP", ""},
    {"SourcePort", K::kColumn, "LocalPort", ""},
    {"DestinationIp", K::kColumn, "RemoteIP", ""},
    {"DestinationPort", K::kColumn, "RemotePort", ""},
    {"DestinationHostname", K::kColumn, "RemoteUrl", ""},
    {"Protocol", K::kColumn, "Protocol", "", R::kProtocol},
    {"Initiated", K::kInitiated, "", ""},
    {"Application", K::kColumn, "InitiatingProcessFolderPath", ""},
};

const std::vector<FieldEntry> kRegistry = {
    {"TargetObject", K::kRegistryTarget, "RegistryKey", "RegistryValueName", R::kRegistryKey},
    {"ObjectName", K::kColumn, "RegistryKey", "", R::kRegistryKey},
    {"ObjectValueName", K::kColumn, "RegistryValueName", ""},
    {"NewName", K::kColumn, "RegistryKey", "", R::kRegistryKey},
    {"Details", K::kAdditional, "RegistryValueData", ""},
    {"NewValue", K::kColumn, "RegistryValueData", ""},
    {"EventType", K::kColumn, "ActionType", "", R::kRegistryEventType},
};

const std::vector<FieldEntry> kImageLoad = {
    {"ImageLoaded", K::kColumn, "FolderPath", ""},
    {"Hashes", K::kHashes, "", ""},
    // The DLL's version info stays in AdditionalFields (not the initiating process's).
    {"OriginalFileName", K::kAdditional, "", ""},
    {"Description", K::kAdditional, "", ""},
    {"Product", K::kAdditional, "", ""},
    {"Company", K::kAdditional, "", ""},
    {"FileVersion", K::kAdditional, "", ""},
};

const std::vector<FieldEntry> kLogon = {
    {"TargetUserName", K::kColumn, "AccountName", ""},
    {"TargetDomainName", K::kColumn, "AccountDomain", ""},
    {"TargetUserSid", K::kColumn, "AccountSid", ""},
    {"TargetLogonId", K::kColumn, "LogonId", ""},
    {"LogonType", K::kColumn, "LogonType", "", R::kLogonType},
    {"AuthenticationPackageName", K::kColumn, "Protocol", ""},
    {"WorkstationName", K::kColumn, "RemoteDeviceName", ""},
    {"TargetServerName", K::kColumn, "RemoteDeviceName", ""},
    {"IpAddress", K::kColumn, "RemoteIP", ""},
    {"IpPort", K::kColumn, "RemotePort", ""},
    {"ElevatedToken", K::kColumn, "IsLocalAdmin", "", R::kElevatedToken},
    {"ProcessName", K::kColumn, "InitiatingProcessFolderPath", ""},
};

const std::vector<FieldEntry> kProcessAccess = {
    {"SourceImage", K::kColumn, "InitiatingProcessFolderPath", ""},
    {"SourceProcessId", K::kColumn, "InitiatingProcessId", ""},
    {"SourceUser", K::kAccount, "InitiatingProcessAccountDomain", "InitiatingProcessAccountName"},
    {"TargetImage", K::kColumn, "FolderPath", ""},
    {"TargetProcessId", K::kColumn, "ProcessId", ""},
    {"TargetUser", K::kAccount, "AccountDomain", "AccountName"},
};

const std::vector<FieldEntry> kDeviceObject = {
    {"Image", K::kColumn, "FolderPath", ""},
    {"ImageLoaded", K::kColumn, "FolderPath", ""},
    {"TargetFilename", K::kColumn, "FolderPath", ""},
    {"ProcessId", K::kColumn, "ProcessId", ""},
    {"User", K::kAccount, "AccountDomain", "AccountName"},
    {"Hashes", K::kHashes, "", ""},
};

const std::vector<FieldEntry> kDevice = {
    {"QueryName", K::kAdditional, "RemoteUrl", ""},
    {"ServiceFileName", K::kAdditional, "", ""},
    {"ImagePath", K::kAdditional, "", ""},
    {"TargetFilename", K::kColumn, "FolderPath", ""},
    {"ImageLoaded", K::kColumn, "FolderPath", ""},
    {"Hashes", K::kHashes, "", ""},
    {"IpAddress", K::kColumn, "RemoteIP", ""},
    {"IpPort", K::kColumn, "RemotePort", ""},
};

const std::vector<FieldEntry> kIdentity = {
    {"TargetUserName", K::kColumn, "AccountName", ""},
    {"TargetDomainName", K::kColumn, "AccountDomain", ""},
    {"TargetSid", K::kColumn, "AccountSid", ""},
    {"TargetUserSid", K::kColumn, "AccountSid", ""},
    {"IpAddress", K::kColumn, "IPAddress", ""},
    {"IpPort", K::kColumn, "Port", ""},
    {"Workstation", K::kColumn, "DeviceName", ""},
    // The acting account of 4662/5136 fills the Account* columns; of account changes (4720,
    // ...) it stays in AdditionalFields: read AdditionalFields first, then the column.
    {"SubjectUserName", K::kAdditional, "AccountName", ""},
    {"SubjectDomainName", K::kAdditional, "AccountDomain", ""},
    {"SubjectUserSid", K::kAdditional, "AccountSid", ""},
};

// Fields available on every table.
const std::vector<FieldEntry> kCommon = {
    {"EventID", K::kEventId, "", ""},
    {"EventId", K::kEventId, "", ""},
    {"Channel", K::kChannel, "", ""},
    {"Provider_Name", K::kProvider, "", ""},
    {"Provider", K::kProvider, "", ""},
    {"Computer", K::kColumn, "DeviceName", ""},
    {"ComputerName", K::kColumn, "DeviceName", ""},
    {"Hostname", K::kColumn, "DeviceName", ""},
    {"UtcTime", K::kColumn, "Timestamp", ""},
    {"TimeCreated", K::kColumn, "Timestamp", ""},
    {"@timestamp", K::kColumn, "Timestamp", ""},
    {"md5", K::kColumn, "MD5", ""},
    {"sha1", K::kColumn, "SHA1", ""},
    {"sha256", K::kColumn, "SHA256", ""},
    {"Imphash", K::kAdditional, "", ""},
};

// Fields the normalizer moves into columns (they are not in AdditionalFields), so a context
// without a mapping for them cannot read them.
constexpr std::string_view kConsumed[] = {
    "Image",
    "ParentImage",
    "CommandLine",
    "ParentCommandLine",
    "ParentProcessId",
    "User",
    "ParentUser",
    "TerminalSessionId",
    "IntegrityLevel",
    "Hashes",
    "TargetFilename",
    "ImageLoaded",
    "SourceIp",
    "SourcePort",
    "DestinationIp",
    "DestinationPort",
    "DestinationHostname",
    "TargetObject",
    "SourceImage",
    "TargetImage",
    "SourceUser",
    "TargetUser",
    "SourceProcessId",
    "TargetProcessId",
    "NewProcessName",
    "ParentProcessName",
    "NewProcessId",
    "MandatoryLabel",
    "TokenElevationType",
    "LogonType",
    "WorkstationName",
    "AuthenticationPackageName",
    "ObjectName",
    "ObjectValueName",
    "NewValue",
    "ProcessName",
};

// Consumed fields that only process creation events carry (Sysmon 1, Security 4688). Other
// events never hold them unless an enrichment added them, and then the normalizer keeps them in
// AdditionalFields, so outside the process context they are read from there.
constexpr std::string_view kProcessCreationOnly[] = {
    "ParentImage",    "ParentCommandLine",  "ParentUser",        "ParentProcessName",
    "NewProcessName", "NewProcessId",       "TerminalSessionId", "IntegrityLevel",
    "MandatoryLabel", "TokenElevationType",
};

const std::vector<FieldEntry>* ContextFields(FieldContext context) {
  switch (context) {
    case FieldContext::kProcess:
      return &kProcess;
    case FieldContext::kFile:
      return &kFile;
    case FieldContext::kNetwork:
      return &kNetwork;
    case FieldContext::kRegistry:
      return &kRegistry;
    case FieldContext::kImageLoad:
      return &kImageLoad;
    case FieldContext::kLogon:
      return &kLogon;
    case FieldContext::kProcessAccess:
      return &kProcessAccess;
    case FieldContext::kDeviceObject:
      return &kDeviceObject;
    case FieldContext::kDevice:
      return &kDevice;
    case FieldContext::kIdentity:
      return &kIdentity;
  }
  return &kDevice;
}

const FieldEntry* Find(const std::vector<FieldEntry>& entries, std::string_view field) {
  for (const auto& entry : entries) {
    if (IEquals(entry.field, field)) {
      return &entry;
    }
  }
  return nullptr;
}

// Columns whose value the normalizer may leave in AdditionalFields (unparsable numbers, the
// NULL SID, process id 0): reading them falls back to the member of the Sigma name.
bool NeedsFallback(const schema::ColumnDef& column) {
  return column.type != schema::ColumnType::kString || column.name.find("Sid") != std::string::npos;
}

Result<Accessor> FromEntry(const schema::TableSchema& table, const FieldEntry& entry,
                           std::string_view sigma_field) {
  Accessor accessor;
  accessor.kind = entry.kind;
  accessor.rewrite = entry.rewrite;
  auto column = [&](std::string_view name) -> Result<int> {
    int index = table.FindColumn(name);
    if (index < 0) {
      return NotFoundError("field '{}' maps to column '{}', absent from table '{}'", sigma_field,
                           name, table.name());
    }
    return index;
  };
  switch (entry.kind) {
    case K::kColumn: {
      VIGIL_ASSIGN_OR_RETURN(accessor.col, column(entry.col));
      const auto& def = table.column(static_cast<size_t>(accessor.col));
      accessor.datetime = def.type == schema::ColumnType::kDateTime;
      if (NeedsFallback(def)) {
        accessor.key = std::string(sigma_field);
      }
      break;
    }
    case K::kAdditional:
      accessor.key = std::string(sigma_field);
      accessor.col = entry.col.empty() ? -1 : table.FindColumn(entry.col);
      break;
    case K::kAccount:
    case K::kRegistryTarget: {
      VIGIL_ASSIGN_OR_RETURN(accessor.col, column(entry.col));
      VIGIL_ASSIGN_OR_RETURN(accessor.col2, column(entry.col2));
      break;
    }
    case K::kHashes:
      accessor.key = "Hashes";
      break;
    case K::kInitiated: {
      VIGIL_ASSIGN_OR_RETURN(accessor.col, column("ActionType"));
      break;
    }
    case K::kProvider:
    case K::kChannel:
    case K::kEventId:
      break;
  }
  return accessor;
}

bool StartsWithI(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && IEquals(text.substr(0, prefix.size()), prefix);
}

void ReplaceAllI(std::string& text, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while (pos + from.size() <= text.size()) {
    if (IEquals(std::string_view(text).substr(pos, from.size()), from)) {
      text.replace(pos, from.size(), to);
      pos += to.size();
    } else {
      ++pos;
    }
  }
}

}  // namespace

Result<Accessor> ResolveField(const schema::TableSchema& table, FieldContext context,
                              std::string_view sigma_field) {
  if (const FieldEntry* entry = Find(*ContextFields(context), sigma_field)) {
    return FromEntry(table, *entry, sigma_field);
  }
  if (const FieldEntry* entry = Find(kCommon, sigma_field)) {
    auto accessor = FromEntry(table, *entry, sigma_field);
    if (accessor.ok()) {
      return accessor;
    }
  }
  if (context != FieldContext::kProcess && context != FieldContext::kDeviceObject &&
      context != FieldContext::kIdentity) {
    if (const FieldEntry* entry = Find(kInitiating, sigma_field)) {
      auto accessor = FromEntry(table, *entry, sigma_field);
      if (accessor.ok()) {
        return accessor;
      }
    }
  }
  // A Defender column named like the field (ActionType, FileName, ...) is read directly.
  if (int index = table.FindColumn(sigma_field); index >= 0) {
    Accessor accessor;
    accessor.kind = K::kColumn;
    accessor.col = index;
    const auto& def = table.column(static_cast<size_t>(index));
    accessor.datetime = def.type == schema::ColumnType::kDateTime;
    if (NeedsFallback(def)) {
      accessor.key = std::string(sigma_field);
    }
    return accessor;
  }
  const bool process_only =
      std::any_of(std::begin(kProcessCreationOnly), std::end(kProcessCreationOnly),
                  [&](std::string_view name) { return IEquals(name, sigma_field); });
  for (std::string_view consumed : kConsumed) {
    if (!process_only && IEquals(consumed, sigma_field)) {
      return NotFoundError(
          "field '{}' is moved into a column by the normalizer and has no mapping on table '{}'",
          sigma_field, table.name());
    }
  }
  Accessor accessor;
  accessor.kind = K::kAdditional;
  accessor.key = std::string(sigma_field);
  return accessor;
}

void RewriteLiteral(LiteralRewrite rewrite, sigma::MatchOp op, const std::string& literal,
                    std::vector<std::string>& out) {
  switch (rewrite) {
    case R::kNone:
      out.push_back(literal);
      return;
    case R::kRegistryKey: {
      std::string text = literal;
      static constexpr std::pair<std::string_view, std::string_view> kHives[] = {
          {"HKLM", "HKEY_LOCAL_MACHINE"},    {"HKU", "HKEY_USERS"},
          {"HKCU", "HKEY_CURRENT_USER"},     {"HKCR", "HKEY_CLASSES_ROOT"},
          {"HKCC", "HKEY_CURRENT_CONFIG"},   {"\\REGISTRY\\MACHINE", "HKEY_LOCAL_MACHINE"},
          {"\\REGISTRY\\USER", "HKEY_USERS"}};
      const bool anchored = op == sigma::MatchOp::kEquals || op == sigma::MatchOp::kStartsWith ||
                            op == sigma::MatchOp::kGlob;
      for (const auto& [from, to] : kHives) {
        if (anchored && StartsWithI(text, from) &&
            (text.size() == from.size() || text[from.size()] == '\\')) {
          text = std::string(to) + text.substr(from.size());
          break;
        }
      }
      if (op == sigma::MatchOp::kRegex) {
        ReplaceAllI(text, "HKLM\\\\", "HKEY_LOCAL_MACHINE\\\\");
        ReplaceAllI(text, "HKU\\\\", "HKEY_USERS\\\\");
      }
      ReplaceAllI(text, "CurrentControlSet", "ControlSet001");
      out.push_back(std::move(text));
      return;
    }
    case R::kLogonType: {
      static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
          {"0", "System"},
          {"2", "Interactive"},
          {"3", "Network"},
          {"4", "Batch"},
          {"5", "Service"},
          {"7", "Unlock"},
          {"8", "NetworkCleartext"},
          {"9", "NewCredentials"},
          {"10", "RemoteInteractive"},
          {"11", "CachedInteractive"},
          {"12", "CachedRemoteInteractive"},
          {"13", "CachedUnlock"}};
      for (const auto& [number, name] : kTypes) {
        if (literal == number) {
          out.emplace_back(name);
        }
      }
      out.push_back(literal);
      return;
    }
    case R::kProtocol: {
      static constexpr std::pair<std::string_view, std::string_view> kProtocols[] = {
          {"6", "Tcp"}, {"17", "Udp"}, {"1", "Icmp"}, {"58", "IcmpV6"}, {"2", "Igmp"}};
      for (const auto& [number, name] : kProtocols) {
        if (literal == number) {
          out.emplace_back(name);
        }
      }
      out.push_back(literal);
      return;
    }
    case R::kIntegrityLabel: {
      static constexpr std::pair<std::string_view, std::string_view> kLabels[] = {
          {"S-1-16-4096", "Low"},   {"S-1-16-8192", "Medium"},  {"S-1-16-8448", "MediumPlus"},
          {"S-1-16-12288", "High"}, {"S-1-16-16384", "System"}, {"S-1-16-20480", "Protected"},
          {"S-1-16-0", "Untrusted"}};
      for (const auto& [sid, name] : kLabels) {
        if (IEquals(literal, sid)) {
          out.emplace_back(name);
        }
      }
      out.push_back(literal);
      return;
    }
    case R::kTokenElevation: {
      static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
          {"%%1936", "TokenElevationTypeDefault"},
          {"%%1937", "TokenElevationTypeFull"},
          {"%%1938", "TokenElevationTypeLimited"}};
      for (const auto& [code, name] : kTypes) {
        if (literal == code) {
          out.emplace_back(name);
        }
      }
      out.push_back(literal);
      return;
    }
    case R::kRegistryEventType: {
      static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
          {"CreateKey", "RegistryKeyCreated"},     {"DeleteKey", "RegistryKeyDeleted"},
          {"DeleteValue", "RegistryValueDeleted"}, {"SetValue", "RegistryValueSet"},
          {"CreateValue", "RegistryValueSet"},     {"RenameKey", "RegistryKeyRenamed"}};
      for (const auto& [sysmon, action] : kTypes) {
        if (IEquals(literal, sysmon)) {
          out.emplace_back(action);
        }
      }
      out.push_back(literal);
      return;
    }
    case R::kElevatedToken:
      if (literal == "%%1842") {
        out.emplace_back("true");
      } else if (literal == "%%1843") {
        out.emplace_back("false");
      }
      out.push_back(literal);
      return;
  }
  out.push_back(literal);
}

}  // namespace vigil::detect::match
