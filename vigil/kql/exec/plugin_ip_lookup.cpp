// evaluate ipv4_lookup / ipv6_lookup(LookupTable, SourceIPKey, LookupKey [, ExtraKey, ...]
// [, return_unmatched]): joins each input row to the lookup row whose IP range (CIDR text,
// or a single address) contains the row's address, longest prefix first, with extra key
// columns compared for equality. Output: the lookup table's columns then the input's; rows with
// no match are dropped unless return_unmatched is true. Planned from PlanEvaluate
// (compiler_ops3.cpp); the lookup table is read once and indexed per prefix length.
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "vigil/kql/exec/operators3.h"

namespace vigil::kql {
namespace {

using Addr = std::array<uint64_t, 2>;  // 128 bits; IPv4 in the low 32 bits of [1]

struct AddrHash {
  size_t operator()(const Addr& a) const { return std::hash<uint64_t>()(a[0] * 31 + a[1]); }
};

Value CallFn(const char* name, const Value& arg, FunctionContext& fn) {
  const ScalarFunction* f = Registry::Default().FindScalar(name);
  if (f == nullptr) {
    return Value();
  }
  const Value args[1] = {arg};
  return f->impl(std::span<const Value>(args, 1), fn);
}

// Address and prefix length of an IP or CIDR text; nullopt when it does not parse.
std::optional<std::pair<Addr, int>> ParseIp(const Value& v, bool v6, FunctionContext& fn) {
  if (v.is_null()) {
    return std::nullopt;
  }
  std::string text = v.is_string() ? std::string(v.AsString()) : v.ToText();
  const int max_bits = v6 ? 128 : 32;
  int prefix = max_bits;
  if (const size_t slash = text.find('/'); slash != std::string::npos) {
    const std::string bits = text.substr(slash + 1);
    if (bits.empty() || bits.size() > 3 ||
        !std::all_of(bits.begin(), bits.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      return std::nullopt;
    }
    prefix = std::stoi(bits);
    text.resize(slash);
    if (prefix > max_bits) {
      return std::nullopt;
    }
  }
  Addr addr{0, 0};
  if (!v6) {
    const Value parsed = CallFn("parse_ipv4", Value::String(text), fn);
    if (!parsed.is_integral()) {
      return std::nullopt;
    }
    addr[1] = static_cast<uint64_t>(parsed.AsInt64()) & 0xffffffffULL;
  } else {
    // IPv6 text, or IPv4 mapped to ::ffff:a.b.c.d (its prefix then counts from bit 96).
    const Value v4 = text.find(':') == std::string::npos
                         ? CallFn("parse_ipv4", Value::String(text), fn)
                         : Value();
    if (v4.is_integral()) {
      addr[1] = (uint64_t{0xffff} << 32) | (static_cast<uint64_t>(v4.AsInt64()) & 0xffffffffULL);
      if (prefix < max_bits) {
        prefix = std::min(max_bits, prefix + 96);
      }
    } else {
      std::array<uint8_t, 16> bytes{};
      if (text.size() > 64 || inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) {
        return std::nullopt;
      }
      for (size_t i = 0; i < 16; ++i) {
        addr[i / 8] = (addr[i / 8] << 8) | bytes[i];
      }
    }
  }
  return std::make_pair(addr, prefix);
}

Addr Mask(Addr a, int prefix, bool v6) {
  const int total = v6 ? 128 : 32;
  const int drop = total - prefix;  // low bits cleared
  for (int word = 1; word >= 0; --word) {
    const int bits_here = std::min(64, std::max(0, drop - (1 - word) * 64));
    if (bits_here >= 64) {
      a[static_cast<size_t>(word)] = 0;
    } else if (bits_here > 0) {
      a[static_cast<size_t>(word)] &= ~((uint64_t{1} << bits_here) - 1);
    }
  }
  return a;
}

}  // namespace

KResult<PhysOpPtr> PlanIpLookup(Compiler& c, const Expr& call, PhysOpPtr input, ScopePtr scope) {
  const bool v6 = call.name == "ipv6_lookup";
  std::vector<const Expr*> args;
  bool return_unmatched = false;
  for (const auto& a : call.args) {
    const Expr* value = a.get();
    if (a->kind == ExprKind::kBinary && a->op == "=" && a->args[0]->kind == ExprKind::kName) {
      if (a->args[0]->name != "return_unmatched") {
        return KErr("KQL0104", call.name + ": unknown argument '" + a->args[0]->name + "'", a->pos);
      }
      value = a->args[1].get();
    } else if (args.size() < 3 || a->kind == ExprKind::kName) {
      args.push_back(value);
      continue;
    }
    auto b = c.BindExpr(*value, Schema{}, scope);
    if (!b || (*b)->kind != BKind::kConst || (*b)->constant.kind() != Kind::kBool) {
      return KErr("KQL0104", call.name + ": return_unmatched must be a constant bool", a->pos);
    }
    return_unmatched = (*b)->constant.AsBool();
  }
  if (args.size() < 3) {
    return KErr("KQL0104",
                call.name +
                    " expects (LookupTable, SourceKey, LookupKey [, ExtraKey...] "
                    "[, return_unmatched])",
                call.pos);
  }
  auto lookup_plan = c.PlanTabularExpr(*args[0], scope);
  if (!lookup_plan) {
    return tl::unexpected(lookup_plan.error());
  }
  const Schema lookup_schema = (*lookup_plan)->schema();
  const Schema in = input->schema();
  auto column_of = [&](const Expr* e, const Schema& s, const char* side) -> KResult<int> {
    if (e->kind != ExprKind::kName) {
      return KErr("KQL0104", call.name + ": expected a column name", e->pos);
    }
    const int idx = FindColumn(s, e->name);
    if (idx < 0) {
      return KErr("KQL0101", "unknown name '" + e->name + "' in the " + side + " of " + call.name,
                  e->pos);
    }
    return idx;
  };
  auto src_key = column_of(args[1], in, "input");
  auto lookup_key = column_of(args[2], lookup_schema, "lookup table");
  if (!src_key || !lookup_key) {
    return tl::unexpected(!src_key ? src_key.error() : lookup_key.error());
  }
  std::vector<std::pair<int, int>> extra;  // (input col, lookup col)
  for (size_t i = 3; i < args.size(); ++i) {
    auto a = column_of(args[i], in, "input");
    auto b = column_of(args[i], lookup_schema, "lookup table");
    if (!a || !b) {
      return tl::unexpected(!a ? a.error() : b.error());
    }
    extra.emplace_back(*a, *b);
  }
  auto lookup = c.Execute(std::move(*lookup_plan));
  if (!lookup) {
    return tl::unexpected(lookup.error());
  }
  Schema schema = lookup_schema;
  for (const auto& col : in) {
    schema.push_back({UniqueName(schema, col.name), col.type});
  }
  // Index: prefix length -> masked address -> lookup rows.
  auto index = std::make_shared<
      std::map<int, std::unordered_map<Addr, std::vector<size_t>, AddrHash>, std::greater<>>>();
  FunctionContext& fn = c.ctx()->eval.fn;
  const Table& lt = **lookup;
  for (size_t r = 0; r < lt.rows; ++r) {
    const auto parsed = ParseIp(CellOrNull(lt.cols[static_cast<size_t>(*lookup_key)], r), v6, fn);
    if (parsed) {
      (*index)[parsed->second][Mask(parsed->first, parsed->second, v6)].push_back(r);
    }
  }
  Compiler* cp = &c;
  TablePtr table = *lookup;
  const int key = *src_key;
  auto transform = [cp, table, index, schema, extra, key, v6,
                    return_unmatched](const Table& t) -> KResult<TablePtr> {
    ExecContext* ctx = cp->ctx();
    auto out = std::make_shared<Table>();
    out->Reset(schema);
    const size_t lw = table->schema.size();
    std::vector<Value> row(schema.size());
    for (size_t r = 0; r < t.rows; ++r) {
      const auto ip = ParseIp(CellOrNull(t.cols[static_cast<size_t>(key)], r), v6, ctx->eval.fn);
      std::optional<size_t> hit;
      if (ip) {
        for (const auto& [prefix, entries] : *index) {
          auto it = entries.find(Mask(ip->first, prefix, v6));
          if (it == entries.end()) {
            continue;
          }
          for (size_t lr : it->second) {
            bool same = true;
            for (const auto& [ic, lc] : extra) {
              same = same && ValueEq()(CellOrNull(t.cols[static_cast<size_t>(ic)], r),
                                       CellOrNull(table->cols[static_cast<size_t>(lc)], lr));
            }
            if (same) {
              hit = lr;
              break;
            }
          }
          if (hit) {
            break;
          }
        }
      }
      if (!hit && !return_unmatched) {
        continue;
      }
      for (size_t col = 0; col < lw; ++col) {
        row[col] = hit ? CellOrNull(table->cols[col], *hit) : Value();
      }
      for (size_t col = 0; col < t.schema.size(); ++col) {
        row[lw + col] = CellOrNull(t.cols[col], r);
      }
      auto ok = AppendCharged(*out, row, *ctx);
      if (!ok) {
        return tl::unexpected(ok.error());
      }
    }
    return TablePtr(out);
  };
  return PhysOpPtr(std::make_unique<MaterializeOp>(std::move(input), schema, transform,
                                                   v6 ? "Ipv6Lookup" : "Ipv4Lookup", c.ctx()));
}

}  // namespace vigil::kql
