// EventMapper: maps one WinEvent onto rows of the hunting tables through a RowWriter, one
// Map* entry point per event source. Used only by Normalizer (normalizer.cpp); its members are
// defined per source family in sysmon_mapping.cpp, security_mapping.cpp, identity_mapping.cpp.
// Not thread-safe: a short-lived object per event, over the Normalizer's writer and routes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/ingest/normalize/field_transforms.h"
#include "vigil/ingest/normalize/internal/row_writer.h"
#include "vigil/ingest/win_event.h"

namespace vigil::ingest::internal {

// The mapping of one event onto rows. `Writer()` is begun per row by the Map* functions.
class EventMapper {
 public:
  EventMapper(RowWriter& writer, const std::array<TableState*, kTableCount>& route,
              const std::array<const std::string*, kTableCount>& names)
      : w_(writer), route_(route), names_(names) {}

  bool MapSysmon(const WinEvent& event);
  bool MapSecurity(const WinEvent& event);
  bool MapEventlog(const WinEvent& event);
  bool MapServiceControlManager(const WinEvent& event);
  void MapDefault(const WinEvent& event);

 private:
  void Begin(Table table) {
    const size_t index = static_cast<size_t>(table);
    w_.Begin(route_[index], names_[index]);
  }

  // Sysmon's acting process (Image, ProcessId, User) as the initiating process.
  void SysmonInitiatingProcess() {
    w_.Map("ProcessId", Col::kInitiatingProcessId);
    w_.MapPath("Image", Col::kInitiatingProcessFolderPath, Col::kInitiatingProcessFileName);
    w_.MapAccount("User", Col::kInitiatingProcessAccountDomain, Col::kInitiatingProcessAccountName);
  }
  // Security's Subject* fields into the initiating-process account or the account columns.
  void SubjectAsInitiating() {
    w_.MapSid("SubjectUserSid", Col::kInitiatingProcessAccountSid);
    w_.Map("SubjectUserName", Col::kInitiatingProcessAccountName);
    w_.Map("SubjectDomainName", Col::kInitiatingProcessAccountDomain);
    w_.Map("SubjectLogonId", Col::kInitiatingProcessLogonId);
  }
  void SubjectAsAccount() {
    w_.MapSid("SubjectUserSid", Col::kAccountSid);
    w_.Map("SubjectUserName", Col::kAccountName);
    w_.Map("SubjectDomainName", Col::kAccountDomain);
    w_.Map("SubjectLogonId", Col::kLogonId);
  }
  void TargetAsAccount() {
    w_.MapSid("TargetUserSid", Col::kAccountSid);
    w_.Map("TargetUserName", Col::kAccountName);
    w_.Map("TargetDomainName", Col::kAccountDomain);
    w_.Map("TargetLogonId", Col::kLogonId);
  }
  // Sets IP class columns from the values already in LocalIP/RemoteIP fields.
  void IpTypes(std::string_view local_field, std::string_view remote_field) {
    if (const std::string* local = w_.Value(local_field)) {
      w_.SetString(Col::kLocalIPType, IpAddressType(*local));
    }
    if (const std::string* remote = w_.Value(remote_field)) {
      w_.SetString(Col::kRemoteIPType, IpAddressType(*remote));
    }
  }

  void SysmonProcessCreate();
  void SysmonNetwork();
  void SysmonRegistry(int64_t event_id);
  void SysmonFile(std::string_view action, std::string_view hash_field);
  void SysmonApiCall(std::string_view action);
  void SysmonSimple(std::string_view action);

  void SecurityProcessCreate();
  void SecurityLogon(int64_t event_id);
  void SecurityFilteringPlatform(int64_t event_id);
  void SecurityShare(int64_t event_id);
  void SecurityDirectory(int64_t event_id);
  void SecurityKerberosOrNtlm(int64_t event_id);
  void SecurityRegistryValue();
  void ServiceInstalled(std::string_view image_field, bool system_user_is_installer);

  RowWriter& w_;
  const std::array<TableState*, kTableCount>& route_;
  const std::array<const std::string*, kTableCount>& names_;
};

}  // namespace vigil::ingest::internal
