#include "vigil/incidents/entities.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace vigil::incidents {
namespace {

bool ParseIp(std::string_view text, std::array<uint8_t, 16>& out, bool& v4) {
  if (text.size() > 64) {
    return false;
  }
  std::string ip(text);
  out.fill(0);
  if (inet_pton(AF_INET, ip.c_str(), out.data()) == 1) {
    v4 = true;
    return true;
  }
  if (inet_pton(AF_INET6, ip.c_str(), out.data()) == 1) {
    v4 = false;
    // IPv4-mapped (::ffff:a.b.c.d) is treated as IPv4.
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(out.data(), kMapped, 12) == 0) {
      std::memmove(out.data(), out.data() + 12, 4);
      std::memset(out.data() + 4, 0, 12);
      v4 = true;
    }
    return true;
  }
  return false;
}

bool PrefixMatch(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  for (int i = 0; i < bits; ++i) {
    const int byte = i / 8;
    const int mask = 0x80 >> (i % 8);
    if ((a[byte] & mask) != (b[byte] & mask)) {
      return false;
    }
  }
  return true;
}

std::string UrlHost(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#:", start);
  std::string_view host = url.substr(start, end == std::string_view::npos ? url.npos : end - start);
  const size_t at = host.rfind('@');
  if (at != std::string_view::npos) {
    host.remove_prefix(at + 1);
  }
  return FoldCase(host);
}

// "WS-0142.contoso.com" and "WS-0142" name one device: the host label, case-folded.
std::string HostLabel(std::string_view name) {
  const size_t dot = name.find('.');
  return FoldCase(dot == std::string_view::npos ? name : name.substr(0, dot));
}

// Well-known service principals that run on every Windows machine: an alert naming them says
// nothing about which other alerts belong with it.
bool IsBuiltinAccount(std::string_view sid, std::string_view name, std::string_view domain) {
  const std::string s = FoldCase(sid);
  if (s == "s-1-5-18" || s == "s-1-5-19" || s == "s-1-5-20" || s == "s-1-5-7") {
    return true;
  }
  const std::string n = FoldCase(name);
  const std::string d = FoldCase(domain);
  if (d == "nt authority" || d == "nt-autorität" || d == "autorite nt") {
    return true;
  }
  return n == "system" || n == "local service" || n == "network service" ||
         n == "anonymous logon" || n == "localsystem" || n == "-";
}

std::string Shorten(std::string_view text, size_t max) {
  if (text.size() <= max) {
    return std::string(text);
  }
  return std::string(text.substr(0, max)) + "...";
}

}  // namespace

std::string FoldCase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  return out;
}

Result<Cidr> ParseCidr(std::string_view text) {
  Cidr cidr;
  const size_t slash = text.find('/');
  if (!ParseIp(text.substr(0, slash), cidr.address, cidr.v4)) {
    return InvalidArgumentError("bad CIDR '{}'", text);
  }
  const int max_bits = cidr.v4 ? 32 : 128;
  cidr.prefix_bits = max_bits;
  if (slash != std::string_view::npos) {
    std::string_view bits = text.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), cidr.prefix_bits);
    if (ec != std::errc() || ptr != bits.data() + bits.size() || cidr.prefix_bits < 0 ||
        cidr.prefix_bits > max_bits) {
      return InvalidArgumentError("bad CIDR prefix length in '{}'", text);
    }
  }
  return cidr;
}

bool CidrContains(const Cidr& cidr, std::string_view ip) {
  std::array<uint8_t, 16> address{};
  bool v4 = false;
  return ParseIp(ip, address, v4) && v4 == cidr.v4 &&
         PrefixMatch(address, cidr.address, cidr.prefix_bits);
}

bool IsNonRoutableIp(std::string_view ip) {
  std::array<uint8_t, 16> a{};
  bool v4 = false;
  if (!ParseIp(ip, a, v4)) {
    return false;
  }
  if (v4) {
    return a[0] == 10 || a[0] == 127 || a[0] == 0 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
           (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) ||
           (a[0] == 100 && (a[1] & 0xc0) == 64) || a[0] >= 224;
  }
  bool zero_prefix = true;
  for (int i = 0; i < 15; ++i) {
    zero_prefix = zero_prefix && a[i] == 0;
  }
  if (zero_prefix && (a[15] == 0 || a[15] == 1)) {
    return true;  // :: and ::1
  }
  return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || a[0] == 0xff;
}

void AccountAliases::Unify(const std::vector<std::string>& identifiers) {
  if (identifiers.size() < 2) {
    return;
  }
  size_t target = SIZE_MAX;
  for (const auto& id : identifiers) {
    auto it = class_of_.find(id);
    if (it != class_of_.end() &&
        (target == SIZE_MAX || classes_[it->second].size() > classes_[target].size())) {
      target = it->second;
    }
  }
  if (target == SIZE_MAX) {
    if (class_of_.size() + identifiers.size() > kMaxIdentifiers) {
      return;
    }
    target = classes_.size();
    classes_.emplace_back();
  }
  for (const auto& id : identifiers) {
    auto it = class_of_.find(id);
    if (it != class_of_.end()) {
      const size_t source = it->second;
      if (source == target || classes_[target].size() + classes_[source].size() > kMaxClassSize) {
        continue;
      }
      for (auto& member : classes_[source]) {
        class_of_[member] = target;
        classes_[target].push_back(std::move(member));
      }
      classes_[source].clear();
      continue;
    }
    if (classes_[target].size() >= kMaxClassSize || class_of_.size() >= kMaxIdentifiers) {
      continue;
    }
    class_of_.emplace(id, target);
    classes_[target].push_back(id);
  }
}

std::vector<std::string> AccountAliases::Expand(const std::string& identifier) const {
  auto it = class_of_.find(identifier);
  if (it == class_of_.end()) {
    return {identifier};
  }
  return classes_[it->second];
}

EntityExtractor::EntityExtractor(const CorrelationConfig& config) : config_(config) {
  for (const auto& text : config.infrastructure_cidrs) {
    auto cidr = ParseCidr(text);
    if (cidr.ok()) {
      infrastructure_.push_back(*cidr);
    }
  }
  for (const auto& key : config.ignored_entities) {
    ignored_.insert(FoldCase(key));
  }
  for (const auto& [netbios, suffix] : config.account_domains) {
    suffix_to_netbios_[FoldCase(suffix)] = FoldCase(netbios);
    netbios_to_suffix_[FoldCase(netbios)] = FoldCase(suffix);
  }
}

std::vector<std::string> EntityExtractor::AccountIdentifiers(std::string_view sid,
                                                             std::string_view upn,
                                                             std::string_view name,
                                                             std::string_view domain) const {
  std::vector<std::string> ids;
  if (!sid.empty()) {
    ids.push_back("account:sid:" + FoldCase(sid));
  }
  std::string folded_upn = FoldCase(upn);
  std::string folded_name = FoldCase(name);
  std::string folded_domain = FoldCase(domain);
  if (folded_upn.empty() && !folded_name.empty() && folded_name.find('@') != std::string::npos) {
    folded_upn = folded_name;  // a name that is a UPN
    folded_name.clear();
  }
  if (!folded_upn.empty()) {
    ids.push_back("account:upn:" + folded_upn);
    const size_t at = folded_upn.find('@');
    auto it = at == std::string::npos ? suffix_to_netbios_.end()
                                      : suffix_to_netbios_.find(folded_upn.substr(at + 1));
    if (it != suffix_to_netbios_.end()) {
      ids.push_back("account:name:" + it->second + "\\" + folded_upn.substr(0, at));
    }
  }
  if (!folded_name.empty() && !folded_domain.empty()) {
    if (folded_domain.find('.') != std::string::npos) {
      // A DNS domain (Kerberos realm, "user@REALM"): name@domain is the UPN form.
      ids.push_back("account:upn:" + folded_name + "@" + folded_domain);
      auto it = suffix_to_netbios_.find(folded_domain);
      if (it != suffix_to_netbios_.end()) {
        ids.push_back("account:name:" + it->second + "\\" + folded_name);
      }
    } else {
      ids.push_back("account:name:" + folded_domain + "\\" + folded_name);
      auto it = netbios_to_suffix_.find(folded_domain);
      if (it != netbios_to_suffix_.end()) {
        ids.push_back("account:upn:" + folded_name + "@" + it->second);
      }
    }
  }
  std::vector<std::string> unique;
  for (auto& id : ids) {
    if (std::find(unique.begin(), unique.end(), id) == unique.end()) {
      unique.push_back(std::move(id));
    }
  }
  return unique;
}

void EntityExtractor::AddAccountAlias(std::string_view sid, std::string_view upn,
                                      std::string_view name, std::string_view domain) {
  // Directory data also tells which NetBIOS domain goes with which UPN suffix.
  const std::string folded_upn = FoldCase(upn);
  const std::string folded_domain = FoldCase(domain);
  const size_t at = folded_upn.find('@');
  if (at != std::string::npos && !folded_domain.empty() &&
      folded_domain.find('.') == std::string::npos && suffix_to_netbios_.size() < 4096) {
    const std::string suffix = folded_upn.substr(at + 1);
    suffix_to_netbios_.emplace(suffix, folded_domain);
    netbios_to_suffix_.emplace(folded_domain, suffix);
  }
  aliases_.Unify(AccountIdentifiers(sid, upn, name, domain));
}

std::vector<AlertEntity> EntityExtractor::Extract(const std::vector<detect::Evidence>& evidence) {
  std::vector<AlertEntity> out;
  auto add = [&out](AlertEntity entity) {
    for (const auto& e : out) {
      if (e.key == entity.key) {
        return;
      }
    }
    out.push_back(std::move(entity));
  };
  std::string device_key;
  for (const auto& e : evidence) {
    if (!e.device_id.empty() || !e.device_name.empty()) {
      device_key = !e.device_id.empty() ? "device:" + FoldCase(e.device_id)
                                        : "device:name:" + HostLabel(e.device_name);
      break;
    }
  }
  for (const auto& e : evidence) {
    const std::string& type = e.entity_type;
    if (type == "Machine" && (!e.device_id.empty() || !e.device_name.empty())) {
      // Known by its DeviceId and by its host name: sources that only have the NetBIOS name
      // (NTLM, Kerberos) or the FQDN still meet.
      AlertEntity device;
      device.kind = "device";
      device.name = FoldCase(!e.device_name.empty() ? e.device_name : e.device_id);
      device.label = "device " + device.name;
      if (!e.device_id.empty()) {
        device.identifiers.push_back("device:" + FoldCase(e.device_id));
      }
      if (!e.device_name.empty()) {
        device.identifiers.push_back("device:name:" + HostLabel(e.device_name));
      }
      device.key = device.identifiers.front();
      add(std::move(device));
    } else if (type == "User" || type == "Mailbox") {
      if (IsBuiltinAccount(e.account_sid, e.account_name, e.account_domain)) {
        continue;
      }
      const bool mailbox = type == "Mailbox";
      std::vector<std::string> ids =
          AccountIdentifiers(e.account_sid, !e.account_upn.empty() ? e.account_upn : e.mailbox,
                             e.account_name, e.account_domain);
      if (ids.empty()) {
        continue;
      }
      aliases_.Unify(ids);
      std::string name;
      if (!e.account_name.empty() && !e.account_domain.empty() && !mailbox) {
        name = FoldCase(e.account_domain) + "\\" + FoldCase(e.account_name);
      } else if (!e.account_upn.empty() || !e.mailbox.empty()) {
        name = FoldCase(!e.account_upn.empty() ? e.account_upn : e.mailbox);
      } else {
        name = FoldCase(!e.account_name.empty() ? e.account_name : e.account_sid);
      }
      AlertEntity entity{mailbox ? "mailbox" : "account",
                         ids.front(),
                         (mailbox ? "mailbox " : "account ") + name,
                         name,
                         {}};
      for (const auto& id : ids) {
        for (auto& alias : aliases_.Expand(id)) {
          if (std::find(entity.identifiers.begin(), entity.identifiers.end(), alias) ==
              entity.identifiers.end()) {
            entity.identifiers.push_back(std::move(alias));
          }
        }
      }
      add(std::move(entity));
    } else if (type == "File" && !e.sha256.empty()) {
      const std::string key = "file:" + FoldCase(e.sha256);
      const std::string name = !e.file_name.empty() ? e.file_name : Shorten(e.sha256, 12);
      add({"file", key, "file " + name, name, {key}});
    } else if (type == "Process" && !e.process_command_line.empty()) {
      const std::string key = "process:" + device_key + "|" + FoldCase(e.process_command_line);
      const std::string name = Shorten(e.process_command_line, 60);
      add({"process", key, "process " + name, name, {key}});
    } else if (type == "Ip" && !e.remote_ip.empty()) {
      const std::string key = "ip:" + FoldCase(e.remote_ip);
      add({"ip", key, "ip " + e.remote_ip, e.remote_ip, {key}});
    } else if (type == "Url" && !e.remote_url.empty()) {
      const std::string key = "url:" + FoldCase(e.remote_url);
      const std::string name = Shorten(e.remote_url, 80);
      add({"url", key, "url " + name, name, {key}});
      const std::string host = UrlHost(e.remote_url);
      if (!host.empty()) {
        add({"domain", "domain:" + host, "domain " + host, host, {"domain:" + host}});
      }
    } else if (type == "CloudApplication" && !e.application.empty()) {
      const std::string key = "cloudapp:" + FoldCase(e.application);
      add({"cloudapp", key, "cloud app " + e.application, e.application, {key}});
    } else if (type == "MailMessage" && !e.network_message_id.empty()) {
      const std::string key = "mail:" + FoldCase(e.network_message_id);
      const std::string name =
          !e.email_subject.empty() ? Shorten(e.email_subject, 60) : e.network_message_id;
      add({"mail", key, "email '" + name + "'", name, {key}});
    }
  }
  return out;
}

bool EntityExtractor::Ignored(const AlertEntity& entity) const {
  if (ignored_.count(entity.key) > 0) {
    return true;
  }
  if (entity.kind == "ip") {
    if (config_.ignore_private_ips && IsNonRoutableIp(entity.name)) {
      return true;
    }
    for (const auto& cidr : infrastructure_) {
      if (CidrContains(cidr, entity.name)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace vigil::incidents
