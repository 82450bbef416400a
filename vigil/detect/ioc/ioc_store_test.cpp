#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "vigil/detect/ioc/indicator_store.h"

namespace vigil::detect::ioc {
namespace {

constexpr int64_t kNowUs = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z
constexpr int64_t kDayUs = 86'400'000'000;

Indicator Make(IndicatorType type, std::string value,
               IndicatorAction action = IndicatorAction::kBlock) {
  Indicator indicator;
  indicator.indicator_type = type;
  indicator.indicator_value = std::move(value);
  indicator.action = action;
  indicator.title = "t";
  indicator.description = "d";
  return indicator;
}

std::unique_ptr<IndicatorStore> OpenMemory(const StoreOptions& options = {}) {
  Result<std::unique_ptr<IndicatorStore>> store = IndicatorStore::Open(":memory:", options);
  EXPECT_TRUE(store.ok()) << store.error().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(IocStoreTest, SubmitCreatesThenUpdatesSameValue) {
  auto store = OpenMemory();
  ASSERT_NE(store, nullptr);
  Indicator first = Make(IndicatorType::kDomainName, "Evil.COM");
  first.application = "feed-a";
  Result<Indicator> created = store->Submit(first, "alice", kNowUs);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(created->id, "1");
  EXPECT_EQ(created->indicator_value, "evil.com");
  EXPECT_EQ(created->created_by, "alice");
  EXPECT_EQ(created->creation_time_us, kNowUs);

  Indicator second = Make(IndicatorType::kDomainName, "evil.com", IndicatorAction::kWarn);
  second.severity = Severity::kHigh;
  second.application = "feed-b";
  second.rbac_group_names = {"Servers", "Laptops"};
  Result<Indicator> updated = store->Submit(second, "bob", kNowUs + 10);
  ASSERT_TRUE(updated.ok()) << updated.error().ToString();
  EXPECT_EQ(updated->id, "1");
  EXPECT_EQ(updated->created_by, "alice");
  EXPECT_EQ(updated->application, "feed-a");  // kept, as Defender does
  EXPECT_EQ(updated->last_updated_by, "bob");

  Result<std::vector<Indicator>> all = store->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].action, IndicatorAction::kWarn);
  EXPECT_EQ((*all)[0].rbac_group_names, (std::vector<std::string>{"Servers", "Laptops"}));
  EXPECT_EQ((*all)[0].last_update_time_us, kNowUs + 10);

  Result<std::vector<IndicatorAuditEntry>> audit = store->AuditLog("1");
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].operation, "update");
  EXPECT_EQ((*audit)[0].actor, "bob");
  EXPECT_EQ((*audit)[0].details,
            "action: Block -> Warn; severity: Informational -> High; rbacGroupNames:  -> "
            "Servers\nLaptops");
  EXPECT_EQ((*audit)[1].operation, "create");
}

TEST(IocStoreTest, ValidationGetDeleteAndUpdate) {
  auto store = OpenMemory();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(
      store->Submit(Make(IndicatorType::kIpAddress, "1.2.3.0/24"), "a", kNowUs).error().code(),
      StatusCode::kInvalidArgument);
  Result<Indicator> ip = store->Submit(Make(IndicatorType::kIpAddress, "203.0.113.5"), "a", kNowUs);
  ASSERT_TRUE(ip.ok());
  Result<Indicator> hash =
      store->Submit(Make(IndicatorType::kFileMd5, std::string(32, 'A')), "a", kNowUs);
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(store->Get(ip->id)->indicator_value, "203.0.113.5");
  EXPECT_EQ(store->Get("nope").error().code(), StatusCode::kNotFound);
  Result<std::optional<Indicator>> found =
      store->Find(IndicatorType::kFileMd5, std::string(32, 'a'));
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, hash->id);

  Indicator clash = Make(IndicatorType::kFileMd5, std::string(32, 'a'));
  EXPECT_EQ(store->Update(ip->id, clash, "a", kNowUs).error().code(), StatusCode::kAlreadyExists);
  Indicator change = Make(IndicatorType::kIpAddress, "203.0.113.6");
  Result<Indicator> changed = store->Update(ip->id, change, "carol", kNowUs + 1);
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_EQ(store->Get(ip->id)->indicator_value, "203.0.113.6");

  ASSERT_TRUE(store->Delete(hash->id, "dave", kNowUs + 2).ok());
  EXPECT_EQ(store->Delete(hash->id, "dave", kNowUs + 2).code(), StatusCode::kNotFound);
  Result<std::vector<IndicatorAuditEntry>> audit = store->AuditLog();
  ASSERT_TRUE(audit.ok());
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ((*audit)[0].operation, "delete");
  EXPECT_EQ((*audit)[0].actor, "dave");
  EXPECT_EQ((*audit)[1].details, "indicatorValue: 203.0.113.5 -> 203.0.113.6");
}

TEST(IocStoreTest, ExpirySweepAndLimit) {
  StoreOptions options;
  options.max_active = 2;
  auto store = OpenMemory(options);
  ASSERT_NE(store, nullptr);
  Indicator soon = Make(IndicatorType::kDomainName, "a.example");
  soon.expiration_time_us = kNowUs + kDayUs;
  ASSERT_TRUE(store->Submit(soon, "a", kNowUs).ok());
  ASSERT_TRUE(store->Submit(Make(IndicatorType::kDomainName, "b.example"), "a", kNowUs).ok());
  Result<Indicator> third =
      store->Submit(Make(IndicatorType::kDomainName, "c.example"), "a", kNowUs);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code(), StatusCode::kResourceExhausted);
  // Updating an existing value is not a new indicator.
  EXPECT_TRUE(store->Submit(Make(IndicatorType::kDomainName, "b.example"), "a", kNowUs).ok());

  const int64_t later = kNowUs + 2 * kDayUs;
  EXPECT_EQ(*store->CountActive(later), 1u);
  IndicatorListFilter active;
  active.include_expired = false;
  active.now_us = later;
  EXPECT_EQ(store->List(active)->size(), 1u);
  EXPECT_TRUE(store->Submit(Make(IndicatorType::kDomainName, "c.example"), "a", later).ok());
  EXPECT_EQ(*store->SweepExpired(later), 1u);
  EXPECT_EQ(store->List()->size(), 2u);
  Result<std::vector<IndicatorAuditEntry>> audit = store->AuditLog();
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ((*audit)[0].operation, "expire");
  EXPECT_EQ((*audit)[0].indicator_value, "a.example");
  IndicatorListFilter domains;
  domains.type = IndicatorType::kDomainName;
  domains.limit = 1;
  EXPECT_EQ(store->List(domains)->size(), 1u);
}

TEST(IocStoreTest, PersistsAcrossReopenInWalMode) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vigil_ioc_store_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "indicators.db").string();
  {
    Result<std::unique_ptr<IndicatorStore>> store = IndicatorStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    Indicator url = Make(IndicatorType::kUrl, "HTTP://Evil.com/x");
    url.mitre_techniques = {"T1189"};
    ASSERT_TRUE((*store)->Submit(url, "a", kNowUs).ok());
  }
  {
    Result<std::unique_ptr<IndicatorStore>> store = IndicatorStore::Open(path);
    ASSERT_TRUE(store.ok());
    Result<std::vector<Indicator>> all = (*store)->List();
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ((*all)[0].indicator_value, "http://evil.com/x");
    EXPECT_EQ((*all)[0].mitre_techniques, (std::vector<std::string>{"T1189"}));
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* pragma = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &pragma, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(pragma), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(pragma, 0)), "wal");
  sqlite3_finalize(pragma);
  sqlite3_close(raw);
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(IndicatorStore::Open((dir / "missing" / "x.db").string()).ok());
}

}  // namespace
}  // namespace vigil::detect::ioc
