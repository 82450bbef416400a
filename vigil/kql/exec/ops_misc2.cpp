// RowExtendOp, MaterializeOp and their helpers; the sources and extras planned from our own
// data: externaldata (local CSV files only) and `invoke FileProfile()`.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <unordered_map>

#include "vigil/kql/exec/compiler_internal.h"
#include "vigil/kql/exec/operators2.h"

namespace vigil::kql {


RowExtendOp::RowExtendOp(PhysOpPtr input, Schema schema, std::vector<int> targets, RowFn fn,
                         std::string label, ExecContext* ctx)
    : targets_(std::move(targets)), fn_(std::move(fn)), label_(std::move(label)), ctx_(ctx) {
  schema_ = std::move(schema);
  inputs_.push_back(std::move(input));
}

KResult<bool> RowExtendOp::Next(Chunk& out) {
  const size_t in_width = inputs_[0]->schema().size();
  std::vector<Value> extra;
  while (true) {
    out.Reset(schema_.size());
    auto ok = ctx_->Check();
    if (!ok) {
      return ok;
    }
    in_.Reset(in_width);
    auto more = inputs_[0]->Next(in_);
    if (!more || !*more) {
      return more;
    }
    for (size_t r = 0; r < in_.rows; ++r) {
      extra.assign(targets_.size(), Value());
      if (!fn_(in_, r, extra)) {
        continue;
      }
      for (size_t c = 0; c < in_width; ++c) {
        out.cols[c].push_back(CellOrNull(in_.cols[c], r));
      }
      for (size_t c = in_width; c < schema_.size(); ++c) {
        out.cols[c].push_back(Value());
      }
      for (size_t i = 0; i < targets_.size(); ++i) {
        out.cols[static_cast<size_t>(targets_[i])].back() = std::move(extra[i]);
      }
      out.rows++;
    }
    if (out.rows > 0) {
      return true;
    }
  }
}

MaterializeOp::MaterializeOp(PhysOpPtr input, Schema schema, TransformFn transform,
                             std::string label, ExecContext* ctx)
    : transform_(std::move(transform)), label_(std::move(label)), ctx_(ctx) {
  schema_ = std::move(schema);
  inputs_.push_back(std::move(input));
}

KResult<bool> MaterializeOp::Next(Chunk& out) {
  out.Reset(schema_.size());
  if (!result_) {
    auto in = Collect(*inputs_[0], *ctx_);
    if (!in) {
      return tl::unexpected(in.error());
    }
    auto t = transform_(**in);
    if (!t) {
      return tl::unexpected(t.error());
    }
    result_ = *t;
  }
  if (pos_ >= result_->rows) {
    return false;
  }
  const size_t n = std::min(kChunkRows, result_->rows - pos_);
  for (size_t c = 0; c < schema_.size() && c < result_->cols.size(); ++c) {
    out.cols[c].assign(result_->cols[c].begin() + static_cast<ptrdiff_t>(pos_),
                       result_->cols[c].begin() + static_cast<ptrdiff_t>(pos_ + n));
  }
  out.rows = n;
  pos_ += n;
  return true;
}

Value ConvertText(const std::string& text, Type type, FunctionContext& fn_ctx) {
  const char* fn_name = nullptr;
  switch (type) {
    case Type::kString:
      return Value::String(text);
    case Type::kBool: fn_name = "tobool"; break;
    case Type::kInt: fn_name = "toint"; break;
    case Type::kLong: fn_name = "tolong"; break;
    case Type::kReal: fn_name = "toreal"; break;
    case Type::kDecimal: fn_name = "todecimal"; break;
    case Type::kDateTime: fn_name = "todatetime"; break;
    case Type::kTimeSpan: fn_name = "totimespan"; break;
    case Type::kGuid: fn_name = "toguid"; break;
    case Type::kDynamic: fn_name = "todynamic"; break;
  }
  const ScalarFunction* fn = Registry::Default().FindScalar(fn_name);
  if (fn == nullptr) {
    return Value();
  }
  const Value arg = Value::String(text);
  return fn->impl(std::span<const Value>(&arg, 1), fn_ctx);
}

Value ToDeclared(const Value& v, Type t, FunctionContext& fn) {
  if (t == Type::kDynamic) {
    return v;
  }
  if (t == Type::kString) {
    return Value::String(v.ToText());
  }
  if (v.is_null()) {
    return v;
  }
  if (v.is_number() && IsNumeric(t)) {
    return CoerceTo(v, t);
  }
  return ConvertText(v.ToText(), t, fn);
}

Chunk TableChunk(const Table& t) {
  Chunk ch;
  ch.rows = t.rows;
  ch.cols = t.cols;
  return ch;
}

KResult<bool> AppendCharged(Table& table, const std::vector<Value>& row, ExecContext& ctx) {
  table.AppendRow(row);
  if ((table.rows & 1023) == 0) {
    auto ok = ctx.Charge(1024 * row.size() * (sizeof(Value) + 16));
    if (!ok) {
      return ok;
    }
    return ctx.Check();
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// externaldata

namespace {

constexpr size_t kMaxExternalFileBytes = size_t{256} << 20;

// One CSV record from `text` starting at `pos` (RFC 4180 quoting); advances `pos`.
std::vector<std::string> ReadCsvRecord(const std::string& text, size_t& pos, char sep) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  while (pos < text.size()) {
    const char ch = text[pos++];
    if (quoted) {
      if (ch == '"') {
        if (pos < text.size() && text[pos] == '"') {
          field += '"';
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        field += ch;
      }
      continue;
    }
    if (ch == '"' && field.empty()) {
      quoted = true;
    } else if (ch == sep) {
      fields.push_back(std::move(field));
      field.clear();
    } else if (ch == '\n') {
      break;
    } else if (ch != '\r') {
      field += ch;
    }
  }
  fields.push_back(std::move(field));
  return fields;
}

std::string ExternalRefusal() {
  return "externaldata is refused: a hunt has no network access; allow a local directory with "
         "--externaldata-dir";
}

}  // namespace

KResult<PhysOpPtr> PlanExternalData(Compiler& c, const Operator& op) {
  namespace fs = std::filesystem;
  Schema schema;
  for (const auto& [n, t] : op.schema) {
    schema.push_back({n, t});
  }
  if (schema.empty()) {
    return KErr("KQL0110", "externaldata needs a schema", op.pos);
  }
  if (c.ctx()->check_only) {
    // --check binds against the declared schema without reading (or refusing) anything.
    auto empty = std::make_shared<Table>();
    empty->Reset(schema);
    return PhysOpPtr(std::make_unique<TableOp>(empty, "ExternalData (not read: check only)"));
  }
  bool skip_header = false;
  std::string format = "csv";
  for (const auto& [k, v] : op.params) {
    if (k == "ignorefirstrecord") {
      skip_header = v == "true" || v == "True";
    } else if (k == "format") {
      format = v;
      std::transform(format.begin(), format.end(), format.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    }
  }
  std::vector<std::string> urls;
  size_t start = 0;
  while (start <= op.text.size()) {
    const size_t nl = op.text.find('\n', start);
    const std::string url =
        op.text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!url.empty()) {
      urls.push_back(url);
    }
    if (nl == std::string::npos) {
      break;
    }
    start = nl + 1;
  }
  std::vector<fs::path> files;
  for (std::string url : urls) {
    if (url.rfind("file://", 0) == 0) {
      url = url.substr(7);
    }
    if (url.empty() || url[0] != '/') {
      return KErr("KQL0108", ExternalRefusal(), op.pos);
    }
    std::error_code ec;
    const fs::path path = fs::weakly_canonical(fs::path(url), ec);
    bool allowed = false;
    for (const auto& dir : c.sources().externaldata_allow) {
      const fs::path base = fs::weakly_canonical(fs::path(dir), ec);
      if (ec) {
        continue;
      }
      auto rel = path.lexically_relative(base);
      allowed = allowed || (!rel.empty() && *rel.begin() != "..");
    }
    if (!allowed) {
      return KErr("KQL0108", ExternalRefusal() + " ('" + url + "' is not in an allowed directory)",
                  op.pos);
    }
    files.push_back(path);
  }
  const char sep = format == "tsv" || format == "tsve" ? '\t' : ',';
  const bool whole_line = format == "txt" || format == "raw";
  auto table = std::make_shared<Table>();
  table->Reset(schema);
  for (const auto& file : files) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec) {
      return KErr("KQL0108", "externaldata: cannot read '" + file.string() + "'", op.pos);
    }
    if (size > kMaxExternalFileBytes) {
      return KErr("KQL0902", "externaldata: '" + file.string() + "' is larger than 256 MiB",
                  op.pos);
    }
    auto charged = c.ctx()->Charge(static_cast<size_t>(size) * 2);
    if (!charged) {
      return tl::unexpected(charged.error());
    }
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t pos = 0;
    bool first = true;
    while (pos < text.size()) {
      std::vector<std::string> fields;
      if (whole_line) {
        size_t nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        if (!line.empty() && line.back() == '\r') {
          line.pop_back();
        }
        fields.push_back(std::move(line));
        pos = nl == std::string::npos ? text.size() : nl + 1;
      } else {
        fields = ReadCsvRecord(text, pos, sep);
      }
      if (first && skip_header) {
        first = false;
        continue;
      }
      first = false;
      if (fields.size() == 1 && fields[0].empty() && pos >= text.size()) {
        break;  // trailing newline
      }
      std::vector<Value> row;
      for (size_t i = 0; i < schema.size(); ++i) {
        if (i >= fields.size()) {
          row.push_back(schema[i].type == Type::kString ? Value::String("") : Value());
          continue;
        }
        row.push_back(ConvertText(fields[i], schema[i].type, c.ctx()->eval.fn));
      }
      auto ok = AppendCharged(*table, row, *c.ctx());
      if (!ok) {
        return tl::unexpected(ok.error());
      }
    }
  }
  return PhysOpPtr(std::make_unique<TableOp>(
      table, "ExternalData files=" + std::to_string(files.size()) + " rows=" +
                 std::to_string(table->rows)));
}

// ---------------------------------------------------------------------------------------------
// invoke FileProfile(HashColumn [, max]): file facts computed from our own events.

namespace {

struct FileFacts {
  std::set<std::string> devices;
  int64_t first = INT64_MAX;
  int64_t last = INT64_MIN;
  Value sha1, sha256, md5, size;
};

const std::pair<const char*, Type> kProfileColumns[] = {
    {"SHA1", Type::kString},           {"SHA256", Type::kString},
    {"MD5", Type::kString},            {"FileSize", Type::kLong},
    {"GlobalPrevalence", Type::kLong}, {"GlobalFirstSeen", Type::kDateTime},
    {"GlobalLastSeen", Type::kDateTime}, {"Signer", Type::kString},
    {"Issuer", Type::kString},         {"SignerHash", Type::kString},
    {"IsCertificateValid", Type::kBool}, {"IsRootSignerMicrosoft", Type::kBool},
    {"SignatureState", Type::kString}, {"IsExecutable", Type::kBool},
    {"ThreatName", Type::kString},     {"Publisher", Type::kString},
    {"SoftwareName", Type::kString},   {"ProfileAvailability", Type::kString},
};

// Reads `hash_col in (hashes)` from one event table into `facts`.
KResult<bool> GatherFacts(Compiler& c, const std::string& table, const std::string& hash_col,
                          const std::vector<std::string>& hashes, Pos pos, ScopePtr scope,
                          std::unordered_map<std::string, FileFacts>& facts) {
  auto src = PlanNamedTable(c, table, pos, scope);
  if (!src) {
    return true;  // the table is not there: nothing to learn from it
  }
  const Schema& s = (*src)->schema();
  if (FindColumn(s, hash_col) < 0) {
    return true;
  }
  auto list = std::make_shared<Expr>();
  list->kind = ExprKind::kList;
  for (const auto& h : hashes) {
    auto lit = std::make_shared<Expr>();
    lit->kind = ExprKind::kLiteral;
    lit->literal = Value::String(h);
    lit->literal_type = Type::kString;
    list->args.push_back(lit);
  }
  auto pred = std::make_shared<Expr>();
  pred->kind = ExprKind::kBinary;
  pred->op = "in~";
  pred->args = {MakeNameExpr(hash_col, pos), list};
  Operator where;
  where.kind = OpKind::kWhere;
  where.pos = pos;
  where.predicate = pred;
  Operator project;
  project.kind = OpKind::kProjectKeep;
  for (const char* col : {"DeviceId", "Timestamp", "SHA1", "SHA256", "MD5", "FileSize"}) {
    if (FindColumn(s, col) >= 0) {
      project.names.push_back(col);
    }
  }
  auto filtered = PlanOperator(c, where, std::move(*src), scope);
  if (!filtered) {
    return tl::unexpected(filtered.error());
  }
  auto projected = PlanOperator(c, project, std::move(*filtered), scope);
  if (!projected) {
    return tl::unexpected(projected.error());
  }
  auto rows = c.Execute(std::move(*projected));
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  const Table& t = **rows;
  auto col = [&](const char* name) { return FindColumn(t.schema, name); };
  const int hc = col(hash_col.c_str());
  const int dc = col("DeviceId");
  const int tc = col("Timestamp");
  for (size_t r = 0; r < t.rows; ++r) {
    std::string key = t.cols[static_cast<size_t>(hc)][r].ToText();
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    FileFacts& f = facts[key];
    if (dc >= 0) {
      f.devices.insert(t.cols[static_cast<size_t>(dc)][r].ToText());
    }
    if (tc >= 0 && t.cols[static_cast<size_t>(tc)][r].kind() == Kind::kDateTime) {
      const int64_t ts = t.cols[static_cast<size_t>(tc)][r].AsInt64();
      f.first = std::min(f.first, ts);
      f.last = std::max(f.last, ts);
    }
    auto keep = [&](Value& dst, const char* name) {
      const int i = col(name);
      if (i >= 0 && dst.is_null()) {
        const Value& v = t.cols[static_cast<size_t>(i)][r];
        if (!v.is_null() && !(v.is_string() && v.AsString().empty())) {
          dst = v;
        }
      }
    };
    keep(f.sha1, "SHA1");
    keep(f.sha256, "SHA256");
    keep(f.md5, "MD5");
    keep(f.size, "FileSize");
  }
  return true;
}

}  // namespace

KResult<PhysOpPtr> PlanFileProfile(Compiler& c, const Operator& op, PhysOpPtr input,
                                   ScopePtr scope) {
  const Expr& call = *op.exprs[0].expr;
  std::string hash_col = "SHA1";
  if (!call.args.empty()) {
    const Expr& a = *call.args[0];
    if (a.kind == ExprKind::kName) {
      hash_col = a.name;
    } else if (a.kind == ExprKind::kLiteral && a.literal.is_string()) {
      hash_col = a.literal.AsString();
    } else {
      return KErr("KQL0104", "FileProfile(): argument 1 must be a hash column (SHA1 or SHA256)",
                  a.pos);
    }
  }
  const Schema in = input->schema();
  const int hash_idx = FindColumn(in, hash_col);
  if (hash_idx < 0) {
    return KErr("KQL0101", "FileProfile(): unknown column '" + hash_col + "'", call.pos);
  }
  std::string upper = hash_col;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  const std::string event_col = upper.find("256") != std::string::npos ? "SHA256"
                                : upper.find("MD5") != std::string::npos ? "MD5"
                                                                         : "SHA1";
  Schema schema = in;
  std::vector<int> targets;  // output column per profile column (-1: kept from the input)
  for (const auto& [name, type] : kProfileColumns) {
    if (FindColumn(in, name) >= 0) {
      targets.push_back(-1);
      continue;
    }
    targets.push_back(static_cast<int>(schema.size()));
    schema.push_back({name, type});
  }
  Compiler* cp = &c;
  const Pos pos = op.pos;
  auto transform = [cp, scope, schema, targets, hash_idx, event_col,
                    pos](const Table& t) -> KResult<TablePtr> {
    std::vector<std::string> hashes;
    std::set<std::string> seen;
    for (size_t r = 0; r < t.rows; ++r) {
      std::string h = t.cols[static_cast<size_t>(hash_idx)][r].ToText();
      std::transform(h.begin(), h.end(), h.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      if (!h.empty() && seen.insert(h).second) {
        hashes.push_back(h);
      }
    }
    std::unordered_map<std::string, FileFacts> facts;
    if (!hashes.empty()) {
      for (const char* table :
           {"DeviceProcessEvents", "DeviceFileEvents", "DeviceImageLoadEvents"}) {
        auto ok = GatherFacts(*cp, table, event_col, hashes, pos, scope, facts);
        if (!ok) {
          return tl::unexpected(ok.error());
        }
      }
    }
    auto out = std::make_shared<Table>();
    out->Reset(schema);
    std::vector<Value> row(schema.size());
    for (size_t r = 0; r < t.rows; ++r) {
      for (size_t col = 0; col < t.cols.size(); ++col) {
        row[col] = t.cols[col][r];
      }
      std::string h = t.cols[static_cast<size_t>(hash_idx)][r].ToText();
      std::transform(h.begin(), h.end(), h.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      auto it = facts.find(h);
      const FileFacts* f = it == facts.end() ? nullptr : &it->second;
      for (size_t k = 0; k < targets.size(); ++k) {
        if (targets[k] < 0) {
          continue;
        }
        const std::string name = kProfileColumns[k].first;
        Value v;
        if (name == "GlobalPrevalence") {
          v = Value::Long(f ? static_cast<int64_t>(f->devices.size()) : 0);
        } else if (f != nullptr && name == "GlobalFirstSeen" && f->first != INT64_MAX) {
          v = Value::DateTime(f->first);
        } else if (f != nullptr && name == "GlobalLastSeen" && f->last != INT64_MIN) {
          v = Value::DateTime(f->last);
        } else if (f != nullptr && name == "SHA1") {
          v = f->sha1;
        } else if (f != nullptr && name == "SHA256") {
          v = f->sha256;
        } else if (f != nullptr && name == "MD5") {
          v = f->md5;
        } else if (f != nullptr && name == "FileSize") {
          v = f->size.is_null() ? Value() : Value::Long(f->size.AsInt64());
        } else if (name == "ProfileAvailability") {
          v = Value::String(f ? "Available" : "NotAvailable");
        } else if (kProfileColumns[k].second == Type::kString) {
          v = Value::String("");
        }
        row[static_cast<size_t>(targets[k])] = v;
      }
      auto ok = AppendCharged(*out, row, *cp->ctx());
      if (!ok) {
        return tl::unexpected(ok.error());
      }
    }
    return TablePtr(out);
  };
  return PhysOpPtr(std::make_unique<MaterializeOp>(std::move(input), schema, transform,
                                                   "FileProfile on " + hash_col, c.ctx()));
}

}  // namespace vigil::kql
