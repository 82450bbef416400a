#include "tests/kql/golden_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "vigil/base/time.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/schema/catalog.h"

namespace vigil::kql::testing {
namespace {

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    lines.push_back(line);
  }
  return lines;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string w;
  while (ss >> w) {
    out.push_back(w);
  }
  return out;
}

// Loads a table-shaped JSON-lines file.
std::string LoadTable(const std::filesystem::path& path, const std::string& name, Engine& engine) {
  std::ifstream in(path);
  if (!in) {
    return "cannot read " + path.string();
  }
  std::vector<Value> rows;
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (Trim(line).empty()) {
      continue;
    }
    auto v = ParseJson(line);
    if (!v || !v->is_bag()) {
      return path.string() + ":" + std::to_string(lineno) + ": not a JSON object";
    }
    rows.push_back(*v);
  }
  Schema schema;
  const schema::TableSchema* known = schema::Catalog::Default().Find(name);
  if (known != nullptr) {
    for (const auto& c : known->columns()) {
      schema.push_back({c.name, FromColumnType(c.type)});
    }
  } else {
    // Columns in first-seen order; type from the values (datetime for ISO 8601 text).
    for (const auto& row : rows) {
      for (const auto& [k, v] : row.AsBag()) {
        Type t = Type::kDynamic;
        switch (v.kind()) {
          case Kind::kBool:
            t = Type::kBool;
            break;
          case Kind::kLong:
            t = Type::kLong;
            break;
          case Kind::kReal:
            t = Type::kReal;
            break;
          case Kind::kString:
            t = (v.AsString().size() >= 19 && v.AsString()[4] == '-' && v.AsString()[10] == 'T' &&
                 ParseDateTime(v.AsString()))
                    ? Type::kDateTime
                    : Type::kString;
            break;
          case Kind::kNull:
            continue;
          default:
            t = Type::kDynamic;
        }
        const int idx = FindColumn(schema, k);
        if (idx < 0) {
          schema.push_back({k, t});
        } else if (schema[static_cast<size_t>(idx)].type != t) {
          auto& have = schema[static_cast<size_t>(idx)].type;
          have = (have == Type::kLong && t == Type::kReal) || (have == Type::kReal && t == Type::kLong)
                     ? Type::kReal
                     : Type::kDynamic;
        }
      }
    }
  }
  auto table = std::make_shared<Table>();
  table->Reset(schema);
  for (const auto& row : rows) {
    std::vector<Value> values;
    for (const auto& col : schema) {
      const Value* v = row.Find(col.name);
      Value x = v != nullptr ? *v : Value();
      if (col.type == Type::kDateTime && x.is_string()) {
        auto t = ParseDateTime(x.AsString());
        x = t ? Value::DateTime(*t) : Value();
      } else if (col.type == Type::kString) {
        x = Value::String(x.is_null() ? std::string() : x.ToText());
      } else if (col.type == Type::kInt && x.kind() == Kind::kLong) {
        x = Value::Int(x.AsInt64());
      } else if (col.type == Type::kReal && x.kind() == Kind::kLong) {
        x = Value::Real(static_cast<double>(x.AsInt64()));
      } else if (col.type == Type::kGuid && x.is_string()) {
        x = Value::Guid(x.AsString());
      } else if (col.type == Type::kTimeSpan && x.is_string()) {
        x = Value();
      }
      values.push_back(std::move(x));
    }
    table->AppendRow(values);
  }
  engine.AddTable(name, table);
  return {};
}

char TypeLetter(Type t) {
  switch (t) {
    case Type::kString:
    case Type::kGuid:
      return 'T';
    case Type::kInt:
    case Type::kLong:
      return 'I';
    case Type::kReal:
    case Type::kDecimal:
      return 'R';
    case Type::kBool:
      return 'B';
    case Type::kDateTime:
      return 'D';
    case Type::kTimeSpan:
      return 'S';
    case Type::kDynamic:
      return 'J';
  }
  return '?';
}

std::string Cell(const Value& v) {
  if (v.is_null()) {
    return "NULL";
  }
  std::string s = v.ToText();
  if (s.empty() && (v.is_string() || v.kind() == Kind::kGuid)) {
    return "(empty)";
  }
  for (auto& c : s) {
    if (c == '\t' || c == '\n') {
      c = ' ';
    }
  }
  return s;
}

}  // namespace

GoldenOutcome RunGoldenFile(const std::filesystem::path& file,
                            const std::filesystem::path& suite_root) {
  GoldenOutcome outcome;
  std::ifstream in(file);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::vector<std::string> lines = SplitLines(buf.str());
  Engine engine(nullptr, &schema::Catalog::Default());
  QueryOptions options;
  options.now_ticks = *ParseDateTime("2026-01-01T00:00:00Z");
  options.limits.timeout = std::chrono::seconds(60);
  std::string out;
  size_t i = 0;
  auto fail = [&](size_t line_no, const std::string& msg) {
    outcome.failures.push_back("line " + std::to_string(line_no + 1) + ": " + msg);
  };
  while (i < lines.size()) {
    const std::string& line = lines[i];
    const std::string t = Trim(line);
    if (t.empty() || t[0] == '#') {
      out += line + "\n";
      ++i;
      continue;
    }
    const auto words = Words(t);
    if (words[0] == "load") {
      out += line + "\n";
      ++i;
      if (words.size() != 4 || words[2] != "from") {
        fail(i - 1, "expected: load <Table> from <file>");
        continue;
      }
      const std::string err = LoadTable(suite_root / words[3], words[1], engine);
      if (!err.empty()) {
        fail(i - 1, err);
      }
      continue;
    }
    if (words[0] != "query" && words[0] != "error" && words[0] != "plan") {
      fail(i, "unknown directive '" + words[0] + "'");
      out += line + "\n";
      ++i;
      continue;
    }
    const size_t start = i;
    out += line + "\n";
    ++i;
    std::string query;
    while (i < lines.size() && lines[i] != "----") {
      query += lines[i] + "\n";
      out += lines[i] + "\n";
      ++i;
    }
    if (i >= lines.size()) {
      fail(start, "missing ---- separator");
      break;
    }
    out += "----\n";
    ++i;
    std::vector<std::string> expected;
    while (i < lines.size() && !lines[i].empty()) {
      expected.push_back(lines[i]);
      ++i;
    }
    ++outcome.blocks;
    std::vector<std::string> actual;
    if (words[0] == "query") {
      const std::string letters = words.size() > 1 ? words[1] : "";
      const bool rowsort = words.size() > 2 && words[2] == "rowsort";
      auto result = engine.Run(query, options);
      if (!result) {
        fail(start, "query failed: " + result.error().code + " " + result.error().ToString());
        actual = expected;
      } else {
        const Table& tab = *result->table;
        std::string got_letters;
        for (const auto& c : tab.schema) {
          got_letters += TypeLetter(c.type);
        }
        if (got_letters != letters) {
          fail(start, "column types " + got_letters + ", expected " + letters);
        }
        for (size_t r = 0; r < tab.rows; ++r) {
          std::string row;
          for (size_t c = 0; c < tab.schema.size(); ++c) {
            row += (c ? "\t" : "") + Cell(tab.cols[c][r]);
          }
          actual.push_back(row);
        }
        if (rowsort) {
          std::sort(actual.begin(), actual.end());
        }
        if (actual != expected) {
          std::string msg = "rows differ\n--- expected\n";
          for (const auto& e : expected) msg += e + "\n";
          msg += "--- actual\n";
          for (const auto& a : actual) msg += a + "\n";
          fail(start, msg);
        }
      }
    } else if (words[0] == "error") {
      const std::string code = words.size() > 1 ? words[1] : "";
      auto result = engine.Run(query, options);
      if (result) {
        fail(start, "expected error " + code + ", but the query succeeded");
        actual = expected;
      } else {
        actual.push_back(result.error().ToString());
        if (result.error().code != code) {
          fail(start, "error code " + result.error().code + ", expected " + code + " (" +
                          result.error().ToString() + ")");
        } else if (actual != expected) {
          fail(start, "error message '" + actual[0] + "', expected '" +
                          (expected.empty() ? "" : expected[0]) + "'");
        }
      }
    } else {
      auto plan = engine.Explain(query, options);
      if (!plan) {
        fail(start, "explain failed: " + plan.error().ToString());
        actual = expected;
      } else {
        actual = SplitLines(*plan);
        if (actual != expected) {
          std::string msg = "plan differs\n--- expected\n";
          for (const auto& e : expected) msg += e + "\n";
          msg += "--- actual\n" + *plan + "\n";
          fail(start, msg);
        }
      }
    }
    for (const auto& a : actual) {
      out += a + "\n";
    }
    if (i < lines.size()) {
      out += "\n";
      ++i;
    }
  }
  outcome.updated_text = out;
  return outcome;
}

}  // namespace vigil::kql::testing
