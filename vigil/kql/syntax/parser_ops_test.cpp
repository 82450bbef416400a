// AST shapes of the tabular operators.
#include <gtest/gtest.h>

#include <string>

#include "vigil/kql/syntax/parser.h"

namespace vigil::kql {
namespace {

// Operators of the last statement's pipeline.
std::vector<Operator> Ops(std::string_view text) {
  auto script = ParseScript(text);
  if (!script) {
    ADD_FAILURE() << text << " -> " << script.error().code << " " << script.error().ToString();
    return {};
  }
  const auto& value = script->statements.back()->value;
  if (!value || value->kind != ExprKind::kTabular) {
    ADD_FAILURE() << "not tabular: " << text;
    return {};
  }
  return value->pipeline->ops;
}

std::string Param(const Operator& op, std::string_view key) {
  for (const auto& [k, v] : op.params) {
    if (k == key) {
      return v;
    }
  }
  return "<none>";
}

TEST(ParserOpsTest, ProjectExtendFamily) {
  auto ops =
      Ops("T | project a, b = c + 1 | extend (x, y) = f(a) | project-away a*, b "
          "| project-keep c | project-rename n = o | project-reorder z asc, *Id");
  ASSERT_EQ(ops.size(), 7u);
  EXPECT_EQ(ops[0].kind, OpKind::kSource);
  EXPECT_EQ(ops[0].source->name, "T");
  EXPECT_EQ(ops[1].kind, OpKind::kProject);
  EXPECT_EQ(ops[1].exprs[1].name, "b");
  EXPECT_EQ(ops[2].exprs[0].names, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(ops[3].names, (std::vector<std::string>{"a*", "b"}));
  EXPECT_EQ(ops[4].kind, OpKind::kProjectKeep);
  EXPECT_EQ(ops[5].exprs[0].name, "n");
  EXPECT_EQ(ops[5].exprs[0].expr->name, "o");
  EXPECT_EQ(ops[6].names, (std::vector<std::string>{"z", "*Id"}));
}

TEST(ParserOpsTest, SummarizeSortTop) {
  auto ops =
      Ops("T | summarize hint.strategy=shuffle c = count(), arg_max(Timestamp, *) by "
          "bin(Timestamp, 1h), K | sort by c desc nulls last, K asc | top 5 by c asc "
          "| order by K | take 10 | count as N | distinct * | distinct a, b");
  ASSERT_EQ(ops.size(), 9u);
  EXPECT_EQ(Param(ops[1], "hint.strategy"), "shuffle");
  ASSERT_EQ(ops[1].exprs.size(), 2u);
  EXPECT_EQ(ops[1].exprs[0].name, "c");
  EXPECT_EQ(ops[1].exprs[1].expr->args[1]->kind, ExprKind::kStar);
  ASSERT_EQ(ops[1].by.size(), 2u);
  EXPECT_EQ(ops[1].by[0].expr->name, "bin");
  EXPECT_FALSE(ops[2].sort[0].ascending);
  EXPECT_EQ(ops[2].sort[0].nulls, SortKey::Nulls::kLast);
  EXPECT_TRUE(ops[2].sort[1].ascending);
  EXPECT_EQ(ops[3].kind, OpKind::kTop);
  EXPECT_EQ(ops[3].count->literal.AsInt64(), 5);
  EXPECT_TRUE(ops[3].sort[0].ascending);
  EXPECT_EQ(ops[4].kind, OpKind::kSort);
  EXPECT_EQ(ops[5].kind, OpKind::kTake);
  EXPECT_EQ(ops[6].names[0], "N");
  EXPECT_EQ(ops[7].exprs[0].expr->kind, ExprKind::kStar);
  EXPECT_EQ(ops[8].exprs.size(), 2u);
  auto by_only = Ops("T | summarize by K");
  EXPECT_TRUE(by_only[1].exprs.empty());
  EXPECT_EQ(by_only[1].by.size(), 1u);
}

TEST(ParserOpsTest, JoinAndLookup) {
  auto ops =
      Ops("T | join kind=leftouter hint.strategy=broadcast (U | where x > 1) on "
          "$left.A == $right.B and C | lookup kind=inner V on (K)");
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[1].kind, OpKind::kJoin);
  EXPECT_EQ(Param(ops[1], "kind"), "leftouter");
  EXPECT_EQ(Param(ops[1], "hint.strategy"), "broadcast");
  ASSERT_EQ(ops[1].right->ops.size(), 2u);
  ASSERT_EQ(ops[1].on.size(), 2u);
  EXPECT_EQ(ops[1].on[0]->op, "==");
  EXPECT_EQ(ops[1].on[0]->args[0]->kind, ExprKind::kMember);
  EXPECT_EQ(ops[1].on[0]->args[0]->args[0]->name, "$left");
  EXPECT_EQ(ops[1].on[1]->name, "C");
  EXPECT_EQ(ops[2].kind, OpKind::kLookup);
  EXPECT_EQ(ops[2].right->ops[0].source->name, "V");
  EXPECT_EQ(ops[2].on[0]->name, "K");
}

TEST(ParserOpsTest, Union) {
  auto ops = Ops("union kind=outer withsource=Src isfuzzy=true Device*, (T | take 1), U");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].kind, OpKind::kUnion);
  EXPECT_EQ(Param(ops[0], "withsource"), "Src");
  ASSERT_EQ(ops[0].legs.size(), 3u);
  EXPECT_EQ(ops[0].legs[0]->ops[0].source->name, "Device*");
  EXPECT_EQ(ops[0].legs[1]->ops.size(), 2u);
  auto piped = Ops("T | union U, V | where x");
  EXPECT_EQ(piped[1].legs.size(), 2u);
  EXPECT_EQ(piped[2].kind, OpKind::kWhere);
}

TEST(ParserOpsTest, MvExpandMvApply) {
  auto ops =
      Ops("T | mv-expand bagexpansion=array with_itemindex=I a to typeof(string), "
          "b = c limit 10 | mv-apply x to typeof(long) on (top 1 by x | project x)");
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(Param(ops[1], "with_itemindex"), "I");
  ASSERT_EQ(ops[1].types.size(), 2u);
  EXPECT_EQ(ops[1].types[0], Type::kString);
  EXPECT_EQ(ops[1].types[1], Type::kDynamic);
  EXPECT_EQ(ops[1].exprs[1].name, "b");
  EXPECT_EQ(ops[1].count->literal.AsInt64(), 10);
  EXPECT_EQ(ops[2].kind, OpKind::kMvApply);
  EXPECT_EQ(ops[2].types[0], Type::kLong);
  ASSERT_EQ(ops[2].right->ops.size(), 2u);
  EXPECT_EQ(ops[2].right->ops[0].kind, OpKind::kTop);
}

TEST(ParserOpsTest, ParseFamily) {
  auto ops =
      Ops("T | parse kind=regex flags=Ui Msg with * \"id=\" Id:long \" \" Rest "
          "| parse-where Msg with 'a' B | parse-kv Msg as (k:string, n:long) with "
          "(pair_delimiter=';', kv_delimiter='=')");
  ASSERT_EQ(ops.size(), 4u);
  EXPECT_EQ(Param(ops[1], "kind"), "regex");
  EXPECT_EQ(Param(ops[1], "flags"), "Ui");
  ASSERT_EQ(ops[1].parse_items.size(), 5u);
  EXPECT_TRUE(ops[1].parse_items[0].wildcard);
  EXPECT_EQ(ops[1].parse_items[1].text, "id=");
  EXPECT_TRUE(ops[1].parse_items[2].is_column);
  EXPECT_EQ(ops[1].parse_items[2].type, Type::kLong);
  EXPECT_EQ(ops[1].text, "* \"id=\" Id:long \" \" Rest");
  EXPECT_EQ(ops[2].kind, OpKind::kParseWhere);
  EXPECT_EQ(ops[3].schema.size(), 2u);
  EXPECT_EQ(Param(ops[3], "pair_delimiter"), ";");
}

TEST(ParserOpsTest, MakeSeriesTopNested) {
  auto ops =
      Ops("T | make-series c = count() default=0 on Timestamp from ago(1d) to now() "
          "step 1h by K | top-nested 3 of A by n = count(), top-nested of B with "
          "others = 'x' by sum(v) asc");
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[1].defaults[0]->literal.AsInt64(), 0);
  EXPECT_EQ(ops[1].on_expr->name, "Timestamp");
  ASSERT_EQ(ops[1].range_exprs.size(), 3u);
  EXPECT_EQ(ops[1].range_exprs[2]->literal.kind(), Kind::kTimeSpan);
  EXPECT_EQ(ops[1].by.size(), 1u);
  ASSERT_EQ(ops[2].levels.size(), 2u);
  EXPECT_EQ(ops[2].levels[0].count->literal.AsInt64(), 3);
  EXPECT_EQ(ops[2].levels[0].by.name, "n");
  EXPECT_FALSE(ops[2].levels[1].count);
  EXPECT_TRUE(ops[2].levels[1].with_others);
  EXPECT_TRUE(ops[2].levels[1].ascending);
  auto old_form = Ops("T | make-series count() on Ts in range(a, b, 1h)");
  EXPECT_EQ(old_form[1].range_exprs.size(), 3u);
}

TEST(ParserOpsTest, Sources) {
  auto dt = Ops("datatable(a:string, b:long) ['x', 1, 'y', -2]");
  ASSERT_EQ(dt.size(), 1u);
  EXPECT_EQ(dt[0].kind, OpKind::kDatatable);
  EXPECT_EQ(dt[0].schema[1].second, Type::kLong);
  ASSERT_EQ(dt[0].exprs.size(), 4u);
  EXPECT_EQ(dt[0].exprs[3].expr->literal.AsInt64(), -2);
  auto pr = Ops("print a = 1, 'x'");
  EXPECT_EQ(pr[0].kind, OpKind::kPrint);
  EXPECT_EQ(pr[0].exprs.size(), 2u);
  auto rg = Ops("range x from 1 to 10 step 2");
  EXPECT_EQ(rg[0].names[0], "x");
  EXPECT_EQ(rg[0].exprs.size(), 3u);
  auto ext = Ops("externaldata(u:string) [@'https://a/b.csv', 'c'] with (format='csv')");
  EXPECT_EQ(ext[0].text, "https://a/b.csv\nc");
  EXPECT_EQ(Param(ext[0], "format"), "csv");
}

TEST(ParserOpsTest, SearchFindAndOthers) {
  auto s = Ops("search kind=case_sensitive in (T1, T2) \"term\" and Col:\"x\" or * has 'y'");
  EXPECT_EQ(s[0].kind, OpKind::kSearch);
  EXPECT_EQ(s[0].legs.size(), 2u);
  EXPECT_EQ(s[0].predicate->op, "or");
  EXPECT_EQ(s[0].predicate->args[0]->args[1]->op, ":");
  auto f = Ops("find in (T1, T2) where x == 1 project a, b");
  EXPECT_EQ(f[0].kind, OpKind::kFind);
  EXPECT_EQ(f[0].names.size(), 2u);
  auto misc =
      Ops("T | as hint.materialized=true X | getschema | sample 5 | sample-distinct 3 "
          "of c | evaluate bag_unpack(d) | invoke f(1) | render timechart with "
          "(title='t', ycolumns=a, b) | consume | serialize n = row_number()");
  ASSERT_EQ(misc.size(), 10u);
  EXPECT_EQ(misc[1].names[0], "X");
  EXPECT_EQ(misc[3].kind, OpKind::kSample);
  EXPECT_EQ(misc[4].exprs.size(), 2u);
  EXPECT_EQ(misc[5].exprs[0].expr->name, "bag_unpack");
  EXPECT_EQ(misc[6].kind, OpKind::kInvoke);
  EXPECT_EQ(misc[7].text, "timechart");
  EXPECT_EQ(Param(misc[7], "ycolumns"), "a,b");
  EXPECT_EQ(misc[9].kind, OpKind::kSerialize);
  auto part = Ops("T | partition by K (top 1 by x)");
  EXPECT_EQ(part[1].kind, OpKind::kPartition);
  EXPECT_EQ(part[1].right->ops[0].kind, OpKind::kTop);
  auto scan = Ops("T | scan with (step s: x == 1;) | take 1");
  EXPECT_EQ(scan[1].kind, OpKind::kScan);
  EXPECT_EQ(scan[2].kind, OpKind::kTake);
}

}  // namespace
}  // namespace vigil::kql
