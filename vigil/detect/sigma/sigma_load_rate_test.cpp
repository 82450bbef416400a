// Loads the SigmaHQ rule folders from /work/shared/sigma (skipped when absent) and checks that
// at least 99% of rule documents load; prints the failure summary.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "vigil/detect/sigma/load_report.h"
#include "vigil/detect/sigma/loader.h"

namespace vigil::detect::sigma {
namespace {

TEST(SigmaLoadRateTest, SigmaHqRulesLoad) {
  const std::string base = "/work/shared/sigma";
  std::vector<std::string> paths;
  for (const char* dir :
       {"rules", "rules-emerging-threats", "rules-threat-hunting", "rules-placeholder"}) {
    if (std::filesystem::is_directory(base + "/" + dir)) {
      paths.push_back(base + "/" + dir);
    }
  }
  if (paths.empty()) {
    GTEST_SKIP() << "no SigmaHQ rules under " << base;
  }
  LoadOptions options;
  // The placeholders used by rules-placeholder/, with stand-in values.
  for (const char* name : {"Administrators",
                           "Admins_Workstations",
                           "ApprovedUserUpn",
                           "Approved_Inviters",
                           "DomainControllers",
                           "HomeTenantID",
                           "Important_AppIds",
                           "KNOWN_LOCATION",
                           "Known_Location",
                           "Legitimate_Countries",
                           "Legitimate_IP_Ranges",
                           "ServerSystems",
                           "UnApprovedDevice",
                           "UnApprovedIp",
                           "UnLegitCountries",
                           "Workstations",
                           "dc_ip_addresses",
                           "dc_machine_accounts",
                           "domain_controller_hostnames",
                           "internal_domains",
                           "legit_ips",
                           "legtimate_identifiers",
                           "userdomain",
                           "DC-MACHINE-NAME",
                           "known_cdcs"}) {
    options.placeholders[name] = {"placeholder-value"};
  }
  options.placeholders["Legitimate_IP_Ranges"] = {"10.0.0.0/8"};
  options.placeholders["legit_ips"] = {"10.0.0.1"};
  options.placeholders["dc_ip_addresses"] = {"10.0.0.2"};
  options.placeholders["UnApprovedIp"] = {"192.0.2.1"};
  const RuleSet set = LoadRulePaths(paths, options);
  const size_t total = set.rules.size() + set.errors.size();
  ASSERT_GT(total, 1000u);
  const double rate = static_cast<double>(set.rules.size()) / static_cast<double>(total);
  std::cout << FormatLoadReport(set);
  std::cout << "load rate: " << set.rules.size() << "/" << total << " = " << rate * 100 << "%\n";
  EXPECT_GE(rate, 0.99);
}

}  // namespace
}  // namespace vigil::detect::sigma
