#include "vigil/detect/alerts/evidence.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include "vigil/base/json_escape.h"

namespace vigil::detect::alerts {

// The columns extraction reads, by name. Order matters only for kColumnNames below.
enum class Col : uint8_t {
  kDeviceId,
  kDeviceName,
  kLocalIp,
  kAccountName,
  kAccountDomain,
  kAccountSid,
  kAccountUpn,
  kAccountObjectId,
  kAccountDisplayName,
  kInitAccountName,
  kInitAccountDomain,
  kInitAccountSid,
  kInitAccountUpn,
  kInitAccountObjectId,
  kFileName,
  kFolderPath,
  kSha1,
  kSha256,
  kMd5,
  kProcessCommandLine,
  kProcessId,
  kInitFileName,
  kInitFolderPath,
  kInitCommandLine,
  kInitProcessId,
  kInitSha1,
  kInitSha256,
  kInitMd5,
  kRemoteIp,
  kIpAddress,
  kFileOriginIp,
  kSenderIpv4,
  kSenderIpv6,
  kDestinationIpAddress,
  kRemoteUrl,
  kUrl,
  kFileOriginUrl,
  kRegistryKey,
  kRegistryValueName,
  kRegistryValueData,
  kNetworkMessageId,
  kSubject,
  kRecipientEmailAddress,
  kSenderFromAddress,
  kApplication,
  kCount,
};

namespace {

constexpr size_t kColumns = static_cast<size_t>(Col::kCount);

constexpr std::array<std::string_view, kColumns> kColumnNames = {
    "DeviceId",
    "DeviceName",
    "LocalIP",
    "AccountName",
    "AccountDomain",
    "AccountSid",
    "AccountUpn",
    "AccountObjectId",
    "AccountDisplayName",
    "InitiatingProcessAccountName",
    "InitiatingProcessAccountDomain",
    "InitiatingProcessAccountSid",
    "InitiatingProcessAccountUpn",
    "InitiatingProcessAccountObjectId",
    "FileName",
    "FolderPath",
    "SHA1",
    "SHA256",
    "MD5",
    "ProcessCommandLine",
    "ProcessId",
    "InitiatingProcessFileName",
    "InitiatingProcessFolderPath",
    "InitiatingProcessCommandLine",
    "InitiatingProcessId",
    "InitiatingProcessSHA1",
    "InitiatingProcessSHA256",
    "InitiatingProcessMD5",
    "RemoteIP",
    "IPAddress",
    "FileOriginIP",
    "SenderIPv4",
    "SenderIPv6",
    "DestinationIPAddress",
    "RemoteUrl",
    "Url",
    "FileOriginUrl",
    "RegistryKey",
    "RegistryValueName",
    "RegistryValueData",
    "NetworkMessageId",
    "Subject",
    "RecipientEmailAddress",
    "SenderFromAddress",
    "Application",
};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') {
      x = static_cast<char>(x - 'A' + 'a');
    }
    if (y >= 'A' && y <= 'Z') {
      y = static_cast<char>(y - 'A' + 'a');
    }
    if (x != y) {
      return false;
    }
  }
  return true;
}

// Reads cells of one row through a layout; every read re-checks the column type so that a
// stale or odd layout can only yield empty values, never an out-of-range access.
class RowReader {
 public:
  RowReader(const EvidenceLayout& layout, const schema::TableBatch& batch, size_t row);
  std::string Str(Col col) const;
  int64_t Int(Col col) const;  // -1 when null/absent

 private:
  const EvidenceLayout& layout_;
  const schema::TableBatch& batch_;
  size_t row_;
};

bool SameAccount(const Evidence& a, const Evidence& b) {
  if (!a.account_sid.empty() && !b.account_sid.empty()) {
    return EqualsIgnoreCase(a.account_sid, b.account_sid);
  }
  if (!a.account_object_id.empty() && !b.account_object_id.empty()) {
    return EqualsIgnoreCase(a.account_object_id, b.account_object_id);
  }
  if (!a.account_upn.empty() && !b.account_upn.empty()) {
    return EqualsIgnoreCase(a.account_upn, b.account_upn);
  }
  if (!a.account_name.empty() && !b.account_name.empty()) {
    return EqualsIgnoreCase(a.account_name, b.account_name) &&
           (a.account_domain.empty() || b.account_domain.empty() ||
            EqualsIgnoreCase(a.account_domain, b.account_domain));
  }
  return false;
}

bool HasAccount(const Evidence& e) {
  return !e.account_name.empty() || !e.account_sid.empty() || !e.account_upn.empty() ||
         !e.account_object_id.empty();
}

void AddField(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) {
    return;
  }
  out += ',';
  AppendJsonQuoted(out, name);
  out += ':';
  AppendJsonQuoted(out, value);
}

}  // namespace

struct EvidenceLayout {
  std::string table;
  size_t column_count = 0;
  std::array<int, kColumns> index{};
};

RowReader::RowReader(const EvidenceLayout& layout, const schema::TableBatch& batch, size_t row)
    : layout_(layout), batch_(batch), row_(row) {}

std::string RowReader::Str(Col col) const {
  const int index = layout_.index[static_cast<size_t>(col)];
  if (index < 0 || static_cast<size_t>(index) >= batch_.schema().column_count()) {
    return {};
  }
  const auto column_index = static_cast<size_t>(index);
  const schema::ColumnData& data = batch_.column(column_index);
  if (row_ >= data.valid.size() || data.IsNull(row_)) {
    return {};
  }
  const schema::ColumnType type = batch_.schema().column(column_index).type;
  if (schema::IsBytesBacked(type)) {
    if (row_ + 1 >= data.offsets.size()) {
      return {};
    }
    std::string value(data.GetBytes(row_));
    // Windows renders an absent value as "-"; it identifies nothing.
    if (value == "-") {
      return {};
    }
    return value;
  }
  if (schema::IsIntegerBacked(type) && row_ < data.ints.size()) {
    return fmt::format("{}", data.ints[row_]);
  }
  return {};
}

int64_t RowReader::Int(Col col) const {
  const int index = layout_.index[static_cast<size_t>(col)];
  if (index < 0 || static_cast<size_t>(index) >= batch_.schema().column_count()) {
    return -1;
  }
  const auto column_index = static_cast<size_t>(index);
  const schema::ColumnData& data = batch_.column(column_index);
  if (row_ >= data.valid.size() || data.IsNull(row_)) {
    return -1;
  }
  const schema::ColumnType type = batch_.schema().column(column_index).type;
  if (schema::IsIntegerBacked(type) && row_ < data.ints.size()) {
    return data.ints[row_];
  }
  if (schema::IsBytesBacked(type)) {
    // Some tables keep ids as text; accept plain decimal only.
    const std::string text = Str(col);
    if (text.empty() || text.size() > 18) {
      return -1;
    }
    int64_t value = 0;
    for (char c : text) {
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
  return -1;
}

EvidenceExtractor::EvidenceExtractor() = default;
EvidenceExtractor::~EvidenceExtractor() = default;

const EvidenceLayout& EvidenceExtractor::LayoutFor(const schema::TableSchema& schema) {
  auto it = layouts_.find(&schema);
  if (it != layouts_.end() && it->second->table == schema.name() &&
      it->second->column_count == schema.column_count()) {
    return *it->second;
  }
  if (layouts_.size() >= kMaxCachedSchemas) {
    layouts_.clear();
  }
  auto layout = std::make_unique<EvidenceLayout>();
  layout->table = schema.name();
  layout->column_count = schema.column_count();
  for (size_t i = 0; i < kColumns; ++i) {
    layout->index[i] = schema.FindColumn(kColumnNames[i]);
  }
  auto& slot = layouts_[&schema];
  slot = std::move(layout);
  return *slot;
}

std::vector<Evidence> EvidenceExtractor::Extract(const schema::TableBatch& batch, size_t row) {
  std::vector<Evidence> out;
  if (row >= batch.rows()) {
    return out;
  }
  const RowReader r(LayoutFor(batch.schema()), batch, row);

  Evidence machine;
  machine.entity_type = "Machine";
  machine.evidence_role = "Impacted";
  machine.device_id = r.Str(Col::kDeviceId);
  machine.device_name = r.Str(Col::kDeviceName);
  machine.local_ip = r.Str(Col::kLocalIp);
  if (!machine.device_id.empty() || !machine.device_name.empty()) {
    out.push_back(std::move(machine));
  }

  Evidence account;
  account.entity_type = "User";
  account.account_name = r.Str(Col::kAccountName);
  account.account_domain = r.Str(Col::kAccountDomain);
  account.account_sid = r.Str(Col::kAccountSid);
  account.account_upn = r.Str(Col::kAccountUpn);
  account.account_object_id = r.Str(Col::kAccountObjectId);
  if (account.account_name.empty() && HasAccount(account)) {
    account.account_name = r.Str(Col::kAccountDisplayName);
  }
  Evidence initiating_account;
  initiating_account.entity_type = "User";
  initiating_account.account_name = r.Str(Col::kInitAccountName);
  initiating_account.account_domain = r.Str(Col::kInitAccountDomain);
  initiating_account.account_sid = r.Str(Col::kInitAccountSid);
  initiating_account.account_upn = r.Str(Col::kInitAccountUpn);
  initiating_account.account_object_id = r.Str(Col::kInitAccountObjectId);
  bool have_main_account = false;
  if (HasAccount(account)) {
    account.evidence_role = "Impacted";
    have_main_account = true;
    out.push_back(std::move(account));
    if (HasAccount(initiating_account) && !SameAccount(out.back(), initiating_account)) {
      out.push_back(std::move(initiating_account));
    }
  } else if (HasAccount(initiating_account)) {
    initiating_account.evidence_role = "Impacted";
    have_main_account = true;
    out.push_back(std::move(initiating_account));
  }

  const std::string recipient = r.Str(Col::kRecipientEmailAddress);
  if (!recipient.empty()) {
    Evidence mailbox;
    mailbox.entity_type = "Mailbox";
    mailbox.evidence_role = have_main_account ? "Related" : "Impacted";
    mailbox.mailbox = recipient;
    mailbox.account_upn = recipient;
    have_main_account = true;
    out.push_back(std::move(mailbox));
  }
  const std::string sender = r.Str(Col::kSenderFromAddress);
  if (!sender.empty()) {
    Evidence mailbox;
    mailbox.entity_type = "Mailbox";
    mailbox.mailbox = sender;
    mailbox.account_upn = sender;
    out.push_back(std::move(mailbox));
  }

  // The row's own file: a process when the row describes one (command line or id set),
  // otherwise a file (file, image-load, attachment tables).
  Evidence subject;
  subject.file_name = r.Str(Col::kFileName);
  subject.folder_path = r.Str(Col::kFolderPath);
  subject.sha1 = r.Str(Col::kSha1);
  subject.sha256 = r.Str(Col::kSha256);
  subject.md5 = r.Str(Col::kMd5);
  subject.process_command_line = r.Str(Col::kProcessCommandLine);
  subject.process_id = r.Int(Col::kProcessId);
  const bool is_process = !subject.process_command_line.empty() || subject.process_id >= 0;
  const bool has_file = !subject.file_name.empty() || !subject.folder_path.empty() ||
                        !subject.sha1.empty() || !subject.sha256.empty() || !subject.md5.empty();
  if (is_process) {
    subject.entity_type = "Process";
    out.push_back(std::move(subject));
  }

  Evidence parent;
  parent.entity_type = "Process";
  parent.file_name = r.Str(Col::kInitFileName);
  parent.folder_path = r.Str(Col::kInitFolderPath);
  parent.process_command_line = r.Str(Col::kInitCommandLine);
  parent.process_id = r.Int(Col::kInitProcessId);
  parent.sha1 = r.Str(Col::kInitSha1);
  parent.sha256 = r.Str(Col::kInitSha256);
  parent.md5 = r.Str(Col::kInitMd5);
  if (!parent.file_name.empty() || !parent.folder_path.empty() ||
      !parent.process_command_line.empty()) {
    out.push_back(std::move(parent));
  }

  if (!is_process && has_file) {
    subject.entity_type = "File";
    subject.process_id = -1;
    out.push_back(std::move(subject));
  }

  for (Col col : {Col::kRemoteIp, Col::kIpAddress, Col::kFileOriginIp, Col::kSenderIpv4,
                  Col::kSenderIpv6, Col::kDestinationIpAddress}) {
    std::string ip = r.Str(col);
    if (!ip.empty()) {
      Evidence entity;
      entity.entity_type = "Ip";
      entity.remote_ip = std::move(ip);
      out.push_back(std::move(entity));
    }
  }
  for (Col col : {Col::kRemoteUrl, Col::kUrl, Col::kFileOriginUrl}) {
    std::string url = r.Str(col);
    if (!url.empty()) {
      Evidence entity;
      entity.entity_type = "Url";
      entity.remote_url = std::move(url);
      out.push_back(std::move(entity));
    }
  }

  const std::string registry_key = r.Str(Col::kRegistryKey);
  if (!registry_key.empty()) {
    Evidence key;
    key.entity_type = "RegistryKey";
    key.registry_key = registry_key;
    out.push_back(std::move(key));
    Evidence value;
    value.entity_type = "RegistryValue";
    value.registry_key = registry_key;
    value.registry_value_name = r.Str(Col::kRegistryValueName);
    value.registry_value_data = r.Str(Col::kRegistryValueData);
    if (!value.registry_value_name.empty() || !value.registry_value_data.empty()) {
      out.push_back(std::move(value));
    }
  }

  Evidence message;
  message.entity_type = "MailMessage";
  message.network_message_id = r.Str(Col::kNetworkMessageId);
  if (!message.network_message_id.empty()) {
    message.email_subject = r.Str(Col::kSubject);
    message.mailbox = recipient;
    out.push_back(std::move(message));
  }

  Evidence app;
  app.entity_type = "CloudApplication";
  app.application = r.Str(Col::kApplication);
  if (!app.application.empty()) {
    out.push_back(std::move(app));
  }

  // Drop entities that identify nothing or repeat an earlier one (e.g. RemoteIP == IPAddress).
  std::vector<std::string> seen;
  std::vector<Evidence> unique;
  unique.reserve(out.size());
  for (Evidence& entity : out) {
    std::string key = EntityKey(entity);
    if (key.empty() || std::find(seen.begin(), seen.end(), key) != seen.end()) {
      continue;
    }
    seen.push_back(std::move(key));
    unique.push_back(std::move(entity));
  }
  return unique;
}

std::vector<Evidence> EvidenceFromRow(const schema::TableBatch& batch, size_t row) {
  thread_local EvidenceExtractor extractor;
  return extractor.Extract(batch, row);
}

std::string EntityKey(const Evidence& e) {
  const std::string& type = e.entity_type;
  std::string id;
  if (type == "Machine") {
    id = Lower(!e.device_id.empty() ? e.device_id : e.device_name);
  } else if (type == "User") {
    if (!e.account_sid.empty()) {
      id = Lower(e.account_sid);
    } else if (!e.account_object_id.empty()) {
      id = Lower(e.account_object_id);
    } else if (!e.account_upn.empty()) {
      id = Lower(e.account_upn);
    } else if (!e.account_name.empty()) {
      id = Lower(e.account_domain + "\\" + e.account_name);
    }
  } else if (type == "Process" || type == "File") {
    const std::string& hash = !e.sha256.empty() ? e.sha256 : (!e.sha1.empty() ? e.sha1 : e.md5);
    if (!hash.empty() || !e.folder_path.empty() || !e.file_name.empty() ||
        !e.process_command_line.empty()) {
      id = Lower(hash) + "|" + Lower(e.folder_path) + "|" + Lower(e.file_name);
      if (type == "Process") {
        id += "|" + Lower(e.process_command_line);
      }
    }
  } else if (type == "Ip") {
    id = Lower(e.remote_ip);
  } else if (type == "Url") {
    id = Lower(e.remote_url);
  } else if (type == "RegistryKey") {
    id = Lower(e.registry_key);
  } else if (type == "RegistryValue") {
    if (!e.registry_key.empty() || !e.registry_value_name.empty()) {
      id = Lower(e.registry_key) + "|" + Lower(e.registry_value_name) + "|" + e.registry_value_data;
    }
  } else if (type == "MailMessage") {
    id = Lower(!e.network_message_id.empty() ? e.network_message_id : e.email_subject);
  } else if (type == "Mailbox") {
    id = Lower(!e.mailbox.empty() ? e.mailbox : e.account_upn);
  } else if (type == "CloudApplication") {
    id = Lower(e.application);
  } else {
    // Unknown types: every identifying member, so distinct entities stay distinct.
    for (const std::string* part :
         {&e.device_id, &e.device_name, &e.account_sid, &e.account_upn, &e.account_name, &e.sha256,
          &e.sha1, &e.md5, &e.folder_path, &e.file_name, &e.process_command_line, &e.remote_ip,
          &e.remote_url, &e.registry_key, &e.network_message_id, &e.mailbox, &e.application}) {
      if (!part->empty()) {
        id += Lower(*part);
        id += '|';
      }
    }
  }
  if (id.empty()) {
    return {};
  }
  return type + "|" + id;
}

std::vector<std::string> EntityKeys(const std::vector<Evidence>& evidence) {
  std::vector<std::string> keys;
  keys.reserve(evidence.size());
  for (const Evidence& entity : evidence) {
    std::string key = EntityKey(entity);
    if (!key.empty()) {
      keys.push_back(std::move(key));
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

std::string EvidenceToJson(const std::vector<Evidence>& evidence) {
  std::string out = "[";
  for (const Evidence& e : evidence) {
    if (out.size() > 1) {
      out += ',';
    }
    out += "{\"EntityType\":";
    AppendJsonQuoted(out, e.entity_type);
    AddField(out, "EvidenceRole", e.evidence_role);
    AddField(out, "DeviceId", e.device_id);
    AddField(out, "DeviceName", e.device_name);
    AddField(out, "AccountName", e.account_name);
    AddField(out, "AccountDomain", e.account_domain);
    AddField(out, "AccountSid", e.account_sid);
    AddField(out, "AccountUpn", e.account_upn);
    AddField(out, "AccountObjectId", e.account_object_id);
    AddField(out, "FileName", e.file_name);
    AddField(out, "FolderPath", e.folder_path);
    AddField(out, "SHA1", e.sha1);
    AddField(out, "SHA256", e.sha256);
    AddField(out, "MD5", e.md5);
    AddField(out, "ProcessCommandLine", e.process_command_line);
    if (e.process_id >= 0) {
      out += fmt::format(",\"ProcessId\":{}", e.process_id);
    }
    AddField(out, "RemoteIP", e.remote_ip);
    AddField(out, "LocalIP", e.local_ip);
    AddField(out, "RemoteUrl", e.remote_url);
    AddField(out, "RegistryKey", e.registry_key);
    AddField(out, "RegistryValueName", e.registry_value_name);
    AddField(out, "RegistryValueData", e.registry_value_data);
    AddField(out, "NetworkMessageId", e.network_message_id);
    AddField(out, "EmailSubject", e.email_subject);
    AddField(out, "Mailbox", e.mailbox);
    AddField(out, "Application", e.application);
    out += '}';
  }
  out += ']';
  return out;
}

Result<std::vector<Evidence>> EvidenceFromJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
    return InvalidArgumentError("evidence is not valid JSON");
  }
  simdjson::dom::array items;
  if (root.get_array().get(items) != simdjson::SUCCESS) {
    return InvalidArgumentError("evidence is not a JSON array");
  }
  std::vector<Evidence> out;
  for (simdjson::dom::element item : items) {
    simdjson::dom::object object;
    if (item.get_object().get(object) != simdjson::SUCCESS) {
      return InvalidArgumentError("evidence item {} is not an object", out.size());
    }
    Evidence e;
    e.evidence_role.clear();
    for (auto field : object) {
      const std::string_view key = field.key;
      if (key == "ProcessId") {
        int64_t pid = -1;
        if (field.value.get_int64().get(pid) != simdjson::SUCCESS) {
          return InvalidArgumentError("evidence item {}: ProcessId is not an integer", out.size());
        }
        e.process_id = pid;
        continue;
      }
      std::string* target = nullptr;
      static const std::pair<std::string_view, std::string Evidence::*> kFields[] = {
          {"EntityType", &Evidence::entity_type},
          {"EvidenceRole", &Evidence::evidence_role},
          {"DeviceId", &Evidence::device_id},
          {"DeviceName", &Evidence::device_name},
          {"AccountName", &Evidence::account_name},
          {"AccountDomain", &Evidence::account_domain},
          {"AccountSid", &Evidence::account_sid},
          {"AccountUpn", &Evidence::account_upn},
          {"AccountObjectId", &Evidence::account_object_id},
          {"FileName", &Evidence::file_name},
          {"FolderPath", &Evidence::folder_path},
          {"SHA1", &Evidence::sha1},
          {"SHA256", &Evidence::sha256},
          {"MD5", &Evidence::md5},
          {"ProcessCommandLine", &Evidence::process_command_line},
          {"RemoteIP", &Evidence::remote_ip},
          {"LocalIP", &Evidence::local_ip},
          {"RemoteUrl", &Evidence::remote_url},
          {"RegistryKey", &Evidence::registry_key},
          {"RegistryValueName", &Evidence::registry_value_name},
          {"RegistryValueData", &Evidence::registry_value_data},
          {"NetworkMessageId", &Evidence::network_message_id},
          {"EmailSubject", &Evidence::email_subject},
          {"Mailbox", &Evidence::mailbox},
          {"Application", &Evidence::application},
      };
      for (const auto& [name, member] : kFields) {
        if (name == key) {
          target = &(e.*member);
          break;
        }
      }
      if (target == nullptr) {
        continue;
      }
      std::string_view value;
      if (field.value.get_string().get(value) != simdjson::SUCCESS) {
        return InvalidArgumentError("evidence item {}: {} is not a string", out.size(), key);
      }
      target->assign(value);
    }
    if (e.evidence_role.empty()) {
      e.evidence_role = "Related";
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace vigil::detect::alerts
