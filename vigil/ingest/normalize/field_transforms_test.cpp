#include "vigil/ingest/normalize/field_transforms.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace vigil::ingest {
namespace {

TEST(FieldTransformsTest, ParsesDecimalAndHexIntegers) {
  EXPECT_EQ(ParseWinInteger("1234"), 1234);
  EXPECT_EQ(ParseWinInteger("0x3e7"), 999);
  EXPECT_EQ(ParseWinInteger("0X3E7"), 999);
  EXPECT_EQ(ParseWinInteger("-5"), -5);
  EXPECT_EQ(ParseWinInteger("0xFFFFFFFFFFFFFFFF"), -1);
  EXPECT_EQ(ParseWinInteger(""), std::nullopt);
  EXPECT_EQ(ParseWinInteger("0x"), std::nullopt);
  EXPECT_EQ(ParseWinInteger("12a"), std::nullopt);
  EXPECT_EQ(ParseWinInteger("not-a-number"), std::nullopt);
  EXPECT_EQ(ParseWinInteger("99999999999999999999"), std::nullopt);
  EXPECT_EQ(ParseWinInteger("0x1FFFFFFFFFFFFFFFF"), std::nullopt);
}

TEST(FieldTransformsTest, SplitsPathsAndAccounts) {
  EXPECT_EQ(PathFileName("C:\\Windows\\System32\\cmd.exe"), "cmd.exe");
  EXPECT_EQ(PathFileName("/usr/bin/ls"), "ls");
  EXPECT_EQ(PathFileName("System"), "System");
  EXPECT_EQ(PathFileName("C:\\dir\\"), "");

  AccountParts nt = SplitAccount("NT AUTHORITY\\SYSTEM");
  EXPECT_EQ(nt.domain, "NT AUTHORITY");
  EXPECT_EQ(nt.name, "SYSTEM");
  AccountParts upn = SplitAccount("alice@CONTOSO.LOCAL");
  EXPECT_EQ(upn.domain, "CONTOSO.LOCAL");
  EXPECT_EQ(upn.name, "alice");
  AccountParts bare = SplitAccount("bob");
  EXPECT_EQ(bare.domain, "");
  EXPECT_EQ(bare.name, "bob");
}

TEST(FieldTransformsTest, SplitsSysmonHashes) {
  std::vector<std::pair<std::string, std::string>> items;
  ForEachHash("MD5=AA,SHA256=BB,IMPHASH=CC,junk",
              [&](std::string_view algo, std::string_view v) { items.emplace_back(algo, v); });
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0], (std::pair<std::string, std::string>{"MD5", "AA"}));
  EXPECT_EQ(items[1], (std::pair<std::string, std::string>{"SHA256", "BB"}));
  EXPECT_EQ(items[2], (std::pair<std::string, std::string>{"IMPHASH", "CC"}));
  EXPECT_EQ(items[3], (std::pair<std::string, std::string>{"", "junk"}));
}

std::string Expand(std::string_view key) {
  std::string out;
  AppendExpandedRegistryKey(key, out);
  return out;
}

TEST(FieldTransformsTest, ExpandsRegistryHives) {
  EXPECT_EQ(Expand("HKLM\\SOFTWARE\\Microsoft"), "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft");
  EXPECT_EQ(Expand("HKU\\S-1-5-21-1\\Software"), "HKEY_USERS\\S-1-5-21-1\\Software");
  EXPECT_EQ(Expand("HKCU\\Software"), "HKEY_CURRENT_USER\\Software");
  EXPECT_EQ(Expand("HKCR\\.exe"), "HKEY_CLASSES_ROOT\\.exe");
  EXPECT_EQ(Expand("HKLM"), "HKEY_LOCAL_MACHINE");
  EXPECT_EQ(Expand("HKLM\\System\\CurrentControlSet\\Services\\X"),
            "HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\X");
  EXPECT_EQ(Expand("HKLM\\SYSTEM\\CurrentControlSetX"),
            "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSetX");
  EXPECT_EQ(Expand("\\REGISTRY\\MACHINE\\SOFTWARE\\X"), "HKEY_LOCAL_MACHINE\\SOFTWARE\\X");
  EXPECT_EQ(Expand("\\REGISTRY\\USER\\S-1-5-18\\X"), "HKEY_USERS\\S-1-5-18\\X");
  // Not a hive prefix: unchanged.
  EXPECT_EQ(Expand("HKLMX\\a"), "HKLMX\\a");
  EXPECT_EQ(Expand("\\REGISTRY\\A\\{guid}\\x"), "\\REGISTRY\\A\\{guid}\\x");
}

TEST(FieldTransformsTest, ConvertsRegistryDetails) {
  std::string_view type;
  std::string data;
  ASSERT_TRUE(ConvertRegistryDetails("DWORD (0x00000001)", type, data));
  EXPECT_EQ(type, "Dword");
  EXPECT_EQ(data, "1");
  ASSERT_TRUE(ConvertRegistryDetails("DWORD (0xffffffff)", type, data));
  EXPECT_EQ(data, "4294967295");
  ASSERT_TRUE(ConvertRegistryDetails("QWORD (0x00000001-0x00000002)", type, data));
  EXPECT_EQ(type, "Qword");
  EXPECT_EQ(data, "4294967298");
  ASSERT_TRUE(ConvertRegistryDetails("Binary Data", type, data));
  EXPECT_EQ(type, "Binary");
  EXPECT_EQ(data, "");
  EXPECT_FALSE(ConvertRegistryDetails("C:\\evil.exe", type, data));
  EXPECT_FALSE(ConvertRegistryDetails("DWORD (garbage)", type, data));
  EXPECT_FALSE(ConvertRegistryDetails("", type, data));
}

TEST(FieldTransformsTest, NamesCodes) {
  EXPECT_EQ(LogonTypeName(2), "Interactive");
  EXPECT_EQ(LogonTypeName(3), "Network");
  EXPECT_EQ(LogonTypeName(10), "RemoteInteractive");
  EXPECT_EQ(LogonTypeName(11), "CachedInteractive");
  EXPECT_EQ(LogonTypeName(42), "");
  EXPECT_EQ(NtStatusFailureReason(0xC000006A), "WrongPassword");
  EXPECT_EQ(NtStatusFailureReason(0xC0000064), "UnknownUser");
  EXPECT_EQ(NtStatusFailureReason(0x1), "");
  EXPECT_EQ(KerberosFailureReason(0x18), "WrongPassword");
  EXPECT_EQ(KerberosFailureReason(0x6), "UnknownUser");
  EXPECT_EQ(IntegrityLevelFromLabel("S-1-16-12288"), "High");
  EXPECT_EQ(IntegrityLevelFromLabel("S-1-16-8192"), "Medium");
  EXPECT_EQ(TokenElevationName("%%1937"), "TokenElevationTypeFull");
  EXPECT_EQ(ProtocolName("6"), "Tcp");
  EXPECT_EQ(ProtocolName("udp"), "Udp");
  EXPECT_EQ(ProtocolName("99"), "");
}

TEST(FieldTransformsTest, ClassifiesIpAddresses) {
  EXPECT_EQ(IpAddressType("10.1.2.3"), "Private");
  EXPECT_EQ(IpAddressType("172.16.0.1"), "Private");
  EXPECT_EQ(IpAddressType("172.32.0.1"), "Public");
  EXPECT_EQ(IpAddressType("192.168.1.1"), "Private");
  EXPECT_EQ(IpAddressType("127.0.0.1"), "Loopback");
  EXPECT_EQ(IpAddressType("169.254.3.4"), "LinkLocal");
  EXPECT_EQ(IpAddressType("224.0.0.251"), "Multicast");
  EXPECT_EQ(IpAddressType("255.255.255.255"), "Broadcast");
  EXPECT_EQ(IpAddressType("0.0.0.0"), "Reserved");
  EXPECT_EQ(IpAddressType("8.8.8.8"), "Public");
  EXPECT_EQ(IpAddressType("::1"), "Loopback");
  EXPECT_EQ(IpAddressType("fe80::1"), "LinkLocal");
  EXPECT_EQ(IpAddressType("::ffff:10.0.0.1"), "FourToSixMapping");
  EXPECT_EQ(IpAddressType("2001:db8::1"), "Public");
  EXPECT_EQ(IpAddressType("-"), "");
  EXPECT_EQ(IpAddressType("1.2.3"), "");
  EXPECT_EQ(IpAddressType("1.2.3.256"), "");
  EXPECT_EQ(IpAddressType("host:name"), "");
}

TEST(FieldTransformsTest, Sha1MatchesKnownVectors) {
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(Sha1Hex(std::string(1000, 'a')), "291e9a6c66994949b57ba5e650361e98fc36b1ba");
  // Padding boundaries: 55 bytes fit one block, 56 and 64 need a second.
  EXPECT_EQ(Sha1Hex(std::string(55, 'a')), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  EXPECT_EQ(Sha1Hex(std::string(56, 'a')), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  EXPECT_EQ(Sha1Hex(std::string(64, 'a')), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
  EXPECT_EQ(DeviceIdFor("ws01"), Sha1Hex("ws01"));
}

}  // namespace
}  // namespace vigil::ingest
