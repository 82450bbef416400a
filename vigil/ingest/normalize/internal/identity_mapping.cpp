// EventMapper members for the domain-controller side of Windows Security auditing: directory
// changes (IdentityDirectoryEvents) and Kerberos/NTLM authentication (IdentityLogonEvents).
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/ingest/normalize/field_transforms.h"
#include "vigil/ingest/normalize/internal/event_mapper.h"
#include "vigil/ingest/normalize/internal/row_writer.h"

namespace vigil::ingest::internal {

// ---------------------------------------------------------------------------------------------
// Windows Security auditing on domain controllers

void EventMapper::SecurityDirectory(int64_t event_id) {
  Begin(Table::kIdentityDirectoryEvents);
  w_.SetString(Col::kApplication, "Active Directory");
  // The domain controller that logged the change.
  w_.SetText(Col::kDestinationDeviceName, w_.device_name());
  std::string_view action;
  bool group_change = false;
  bool added = true;
  switch (event_id) {
    case 4662: {
      const std::string* properties = w_.Value("Properties");
      // DS-Replication-Get-Changes(-All): what DCSync asks for.
      const bool replication =
          properties != nullptr &&
          (properties->find("1131f6aa-9c07-11d1-f79f-00c04fc2dcd2") != std::string::npos ||
           properties->find("1131f6ad-9c07-11d1-f79f-00c04fc2dcd2") != std::string::npos);
      action =
          replication ? "Directory Services replication" : "Directory Services object accessed";
      break;
    }
    case 4720:
      action = "User Account created";
      break;
    case 4722:
      action = "Account Enabled";
      break;
    case 4723:
    case 4724:
      action = "Account Password changed";
      break;
    case 4725:
      action = "Account Disabled";
      break;
    case 4726:
      action = "Account Deleted";
      break;
    case 4727:
    case 4731:
    case 4754:
      action = "Security Group created";
      break;
    case 4730:
      action = "Security Group deleted";
      break;
    case 4738:
      action = "Account Changed";
      break;
    case 4740:
      action = "Account Locked";
      break;
    case 4767:
      action = "Account Unlocked";
      break;
    case 4781:
      action = "Account Name changed";
      break;
    case 5136:
      action = "Directory Services object modified";
      break;
    case 4729:
    case 4733:
    case 4757:
      added = false;
      group_change = true;
      action = "Group Membership changed";
      break;
    default:  // 4728, 4732, 4756
      group_change = true;
      action = "Group Membership changed";
  }
  if (group_change) {
    // The member is the account acted on; the group is Target*.
    w_.MapSid("MemberSid", Col::kAccountSid);
    if (const std::string* group = w_.Value("TargetUserName")) {
      w_.AddDerived(added ? "TO.GROUP" : "FROM.GROUP", *group);
    }
    if (const std::string* member = w_.Value("MemberName");
        member != nullptr && !IsEmptyValue(*member)) {
      // "CN=name,OU=...": the common name is the account's display name.
      std::string_view dn = *member;
      if (dn.size() > 3 && EqualsIgnoreCase(dn.substr(0, 3), "CN=")) {
        dn.remove_prefix(3);
        size_t end = 0;
        while (end < dn.size() && dn[end] != ',') {
          end += dn[end] == '\\' ? 2 : 1;
        }
        std::string name;
        for (size_t i = 0; i < std::min(end, dn.size()); ++i) {
          if (dn[i] == '\\' && i + 1 < dn.size()) {
            ++i;  // RFC 4514 escape: "\," is a literal comma
          }
          name.push_back(dn[i]);
        }
        w_.SetString(Col::kAccountName, name);
      }
    }
  } else if (event_id == 4662 || event_id == 5136) {
    SubjectAsAccount();
  } else if (event_id == 4781) {
    w_.MapSid("TargetSid", Col::kAccountSid);
    w_.Map("NewTargetUserName", Col::kAccountName);
    w_.Map("TargetDomainName", Col::kAccountDomain);
  } else {
    w_.MapSid("TargetSid", Col::kAccountSid);
    w_.Map("TargetUserName", Col::kAccountName);
    w_.Map("TargetDomainName", Col::kAccountDomain);
  }
  w_.Finish(action);
}

void EventMapper::SecurityKerberosOrNtlm(int64_t event_id) {
  Begin(Table::kIdentityLogonEvents);
  w_.SetString(Col::kApplication, "Active Directory");
  const bool ntlm = event_id == 4776;
  w_.SetString(Col::kProtocol, ntlm ? "NTLM" : "Kerberos");
  w_.SetString(Col::kLogonType, event_id == 4769 ? "Resource access" : "Credentials validation");
  w_.SetText(Col::kDestinationDeviceName, w_.device_name());
  std::string_view action = "LogonSuccess";
  const int status = w_.Find("Status");
  if (event_id == 4771) {
    action = "LogonFailed";  // 4771 is only logged for failed pre-authentication
  }
  if (status >= 0) {
    const std::string& raw = w_.event().data[static_cast<size_t>(status)].value;
    const std::optional<int64_t> code = ParseWinInteger(raw);
    if (code && *code != 0) {
      action = "LogonFailed";
      const std::string_view reason = ntlm ? NtStatusFailureReason(static_cast<uint32_t>(*code))
                                           : KerberosFailureReason(static_cast<uint32_t>(*code));
      w_.SetString(Col::kFailureReason, reason.empty() ? std::string_view(raw) : reason);
    }
  }
  // 4769 names the client "user@REALM".
  if (const int user = w_.Find("TargetUserName"); user >= 0) {
    const std::string& value = w_.event().data[static_cast<size_t>(user)].value;
    const AccountParts parts = SplitAccount(value);
    if (!IsEmptyValue(parts.name)) {
      w_.SetString(Col::kAccountName, parts.name);
      if (!parts.domain.empty()) {
        w_.SetString(Col::kAccountDomain, parts.domain);
      }
    }
    w_.Consume(user);
  }
  w_.Map("TargetDomainName", Col::kAccountDomain);
  w_.MapSid("TargetSid", Col::kAccountSid);
  if (ntlm) {
    w_.Map("Workstation", Col::kDeviceName);
  }
  if (const int ip = w_.Find("IpAddress"); ip >= 0) {
    std::string_view value = w_.event().data[static_cast<size_t>(ip)].value;
    if (value.size() > 7 && EqualsIgnoreCase(value.substr(0, 7), "::ffff:")) {
      value.remove_prefix(7);  // IPv4 mapped into IPv6, as the DC logs IPv4 clients
    }
    if (w_.SetText(Col::kIPAddress, value)) {
      w_.Consume(ip);
    }
  }
  w_.Map("IpPort", Col::kPort);
  if (event_id == 4769) {
    if (const std::string* service = w_.Value("ServiceName");
        service != nullptr && service->size() > 1 && service->back() == '$') {
      w_.SetString(Col::kTargetDeviceName,
                   std::string_view(*service).substr(0, service->size() - 1));
    }
  }
  w_.Finish(action);
}

}  // namespace vigil::ingest::internal
