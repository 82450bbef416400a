// Less common scalar functions, first part: trigonometry (sin .. atan2, cot, degrees,
// radians), gamma/loggamma/erf, unit conversions (convert_angle/energy/force/length/mass/
// speed/temperature/volume), hash_combine/hash_many, regex_quote, format_bytes, new_guid,
// bitset_count_ones, strcmp, assert and estimate_data_size. RegisterMoreFunctions also pulls
// in the other more_*.cpp files.

#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/internal/more_util.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn2::Add;
using fn2::Arg;
using fn2::Returns;

constexpr double kPi = std::numbers::pi;

Value RealOrNull(double d) { return std::isnan(d) ? Value() : Value::Real(d); }

ScalarImpl Unary(double (*f)(double)) {
  return [f](std::span<const Value> args, FunctionContext&) -> Value {
    const auto x = fn2::RealOf(args[0]);
    return x ? RealOrNull(f(*x)) : Value();
  };
}

double Cot(double x) { return 1.0 / std::tan(x); }
double Degrees(double x) { return x * 180.0 / kPi; }
double Radians(double x) { return x * kPi / 180.0; }
double Gamma(double x) { return std::tgamma(x); }
double LogGamma(double x) {
  int sign = 0;
  return lgamma_r(x, &sign);  // lgamma() writes the global signgam: not thread-safe
}

// ---- unit conversions: each unit's size in the family's base unit ----

struct Unit {
  std::string_view name;
  double factor;
};

constexpr double kInch = 0.0254;
constexpr double kFoot = 0.3048;
constexpr double kUsSurveyFoot = 1200.0 / 3937.0;
constexpr double kLightYear = 9.4607304725808e15;
constexpr double kParsec = 3.08567758128e16;

constexpr Unit kLength[] = {
    {"Angstrom", 1e-10},
    {"AstronomicalUnit", 1.495978707e11},
    {"Centimeter", 1e-2},
    {"Chain", 20.1168},
    {"DataMile", 1828.8},
    {"Decameter", 10},
    {"Decimeter", 0.1},
    {"DtpPica", kInch / 6},
    {"DtpPoint", kInch / 72},
    {"Fathom", 1.8288},
    {"Foot", kFoot},
    {"Hand", 0.1016},
    {"Hectometer", 100},
    {"Inch", kInch},
    {"KilolightYear", kLightYear * 1e3},
    {"Kilometer", 1e3},
    {"Kiloparsec", kParsec * 1e3},
    {"LightYear", kLightYear},
    {"MegalightYear", kLightYear * 1e6},
    {"Megaparsec", kParsec * 1e6},
    {"Meter", 1},
    {"Microinch", kInch * 1e-6},
    {"Micrometer", 1e-6},
    {"Mil", kInch * 1e-3},
    {"Mile", 1609.344},
    {"Millimeter", 1e-3},
    {"Nanometer", 1e-9},
    {"NauticalMile", 1852},
    {"Parsec", kParsec},
    {"PrinterPica", kInch / 6.0225},
    {"PrinterPoint", kInch / 72.27},
    {"Shackle", 27.432},
    {"SolarRadius", 6.95508e8},
    {"Twip", kInch / 1440},
    {"UsSurveyFoot", kUsSurveyFoot},
    {"Yard", 0.9144},
};

constexpr double kPound = 0.45359237;
constexpr Unit kMass[] = {
    {"Centigram", 1e-5},
    {"Decagram", 1e-2},
    {"Decigram", 1e-4},
    {"EarthMass", 5.9722e24},
    {"Grain", 6.479891e-5},
    {"Gram", 1e-3},
    {"Hectogram", 0.1},
    {"Kilogram", 1},
    {"Kilopound", kPound * 1e3},
    {"Kilotonne", 1e6},
    {"LongHundredweight", kPound * 112},
    {"LongTon", kPound * 2240},
    {"Megapound", kPound * 1e6},
    {"Megatonne", 1e9},
    {"Microgram", 1e-9},
    {"Milligram", 1e-6},
    {"Nanogram", 1e-12},
    {"Ounce", kPound / 16},
    {"Pound", kPound},
    {"ShortHundredweight", kPound * 100},
    {"ShortTon", kPound * 2000},
    {"Slug", 14.593902937206364},
    {"SolarMass", 1.98947e30},
    {"Stone", kPound * 14},
    {"Tonne", 1e3},
};

constexpr Unit kSpeed[] = {
    {"CentimeterPerHour", 1e-2 / 3600},
    {"CentimeterPerMinute", 1e-2 / 60},
    {"CentimeterPerSecond", 1e-2},
    {"DecimeterPerMinute", 0.1 / 60},
    {"DecimeterPerSecond", 0.1},
    {"FootPerHour", kFoot / 3600},
    {"FootPerMinute", kFoot / 60},
    {"FootPerSecond", kFoot},
    {"InchPerHour", kInch / 3600},
    {"InchPerMinute", kInch / 60},
    {"InchPerSecond", kInch},
    {"KilometerPerHour", 1e3 / 3600},
    {"KilometerPerMinute", 1e3 / 60},
    {"KilometerPerSecond", 1e3},
    {"Knot", 1852.0 / 3600},
    {"MeterPerHour", 1.0 / 3600},
    {"MeterPerMinute", 1.0 / 60},
    {"MeterPerSecond", 1},
    {"MicrometerPerMinute", 1e-6 / 60},
    {"MicrometerPerSecond", 1e-6},
    {"MilePerHour", 1609.344 / 3600},
    {"MillimeterPerHour", 1e-3 / 3600},
    {"MillimeterPerMinute", 1e-3 / 60},
    {"MillimeterPerSecond", 1e-3},
    {"NanometerPerMinute", 1e-9 / 60},
    {"NanometerPerSecond", 1e-9},
    {"UsSurveyFootPerHour", kUsSurveyFoot / 3600},
    {"UsSurveyFootPerMinute", kUsSurveyFoot / 60},
    {"UsSurveyFootPerSecond", kUsSurveyFoot},
    {"YardPerHour", 0.9144 / 3600},
    {"YardPerMinute", 0.9144 / 60},
    {"YardPerSecond", 0.9144},
};

constexpr double kUsGallon = 3.785411784e-3;
constexpr double kImperialGallon = 4.54609e-3;
constexpr double kCubicFoot = 0.028316846592;
constexpr Unit kVolume[] = {
    {"AcreFoot", 1233.48183754752},
    {"AuTablespoon", 2e-5},
    {"BoardFoot", kCubicFoot / 12},
    {"Centiliter", 1e-5},
    {"CubicCentimeter", 1e-6},
    {"CubicDecimeter", 1e-3},
    {"CubicFoot", kCubicFoot},
    {"CubicHectometer", 1e6},
    {"CubicInch", 1.6387064e-5},
    {"CubicKilometer", 1e9},
    {"CubicMeter", 1},
    {"CubicMicrometer", 1e-18},
    {"CubicMile", 4.168181825440579584e9},
    {"CubicMillimeter", 1e-9},
    {"CubicYard", 0.764554857984},
    {"Decaliter", 1e-2},
    {"DecausGallon", kUsGallon * 10},
    {"Deciliter", 1e-4},
    {"DeciusGallon", kUsGallon / 10},
    {"HectocubicFoot", kCubicFoot * 100},
    {"HectocubicMeter", 100},
    {"Hectoliter", 0.1},
    {"HectousGallon", kUsGallon * 100},
    {"ImperialBeerBarrel", 0.16365924},
    {"ImperialGallon", kImperialGallon},
    {"ImperialOunce", 2.84130625e-5},
    {"ImperialPint", 5.6826125e-4},
    {"KilocubicFoot", kCubicFoot * 1e3},
    {"KilocubicMeter", 1e3},
    {"KiloimperialGallon", kImperialGallon * 1e3},
    {"Kiloliter", 1},
    {"KilousGallon", kUsGallon * 1e3},
    {"Liter", 1e-3},
    {"MegacubicFoot", kCubicFoot * 1e6},
    {"MegaimperialGallon", kImperialGallon * 1e6},
    {"Megaliter", 1e3},
    {"MegausGallon", kUsGallon * 1e6},
    {"MetricCup", 2.5e-4},
    {"MetricTeaspoon", 5e-6},
    {"Microliter", 1e-9},
    {"Milliliter", 1e-6},
    {"OilBarrel", 0.158987294928},
    {"UkTablespoon", 1.5e-5},
    {"UsBeerBarrel", 0.1173477658},
    {"UsCustomaryCup", 2.365882365e-4},
    {"UsGallon", kUsGallon},
    {"UsLegalCup", 2.4e-4},
    {"UsOunce", 2.95735295625e-5},
    {"UsPint", 4.73176473e-4},
    {"UsQuart", 9.46352946e-4},
    {"UsTablespoon", 1.478676478125e-5},
    {"UsTeaspoon", 4.92892159375e-6},
};

constexpr double kPoundForce = 4.4482216152605;
constexpr Unit kForce[] = {
    {"Decanewton", 10},
    {"Dyn", 1e-5},
    {"KilogramForce", 9.80665},
    {"Kilonewton", 1e3},
    {"KiloPond", 9.80665},
    {"KilopoundForce", kPoundForce * 1e3},
    {"Meganewton", 1e6},
    {"Micronewton", 1e-6},
    {"Millinewton", 1e-3},
    {"Newton", 1},
    {"OunceForce", kPoundForce / 16},
    {"Poundal", 0.138254954376},
    {"PoundForce", kPoundForce},
    {"ShortTonForce", kPoundForce * 2000},
    {"TonneForce", 9806.65},
};

constexpr double kBtu = 1055.05585262;
constexpr double kEv = 1.602176634e-19;
constexpr Unit kEnergy[] = {
    {"BritishThermalUnit", kBtu},
    {"Calorie", 4.184},
    {"DecathermEc", 1.05505585262e9},
    {"DecathermImperial", 1.05505585257348e9},
    {"DecathermUs", 1.054804e9},
    {"ElectronVolt", kEv},
    {"Erg", 1e-7},
    {"FootPound", 1.355817948331400},
    {"GigabritishThermalUnit", kBtu * 1e9},
    {"GigaelectronVolt", kEv * 1e9},
    {"Gigajoule", 1e9},
    {"GigawattDay", 8.64e13},
    {"GigawattHour", 3.6e12},
    {"HorsepowerHour", 2.684519537696172792e6},
    {"Joule", 1},
    {"KilobritishThermalUnit", kBtu * 1e3},
    {"Kilocalorie", 4184},
    {"KiloelectronVolt", kEv * 1e3},
    {"Kilojoule", 1e3},
    {"KilowattDay", 8.64e7},
    {"KilowattHour", 3.6e6},
    {"MegabritishThermalUnit", kBtu * 1e6},
    {"Megacalorie", 4.184e6},
    {"MegaelectronVolt", kEv * 1e6},
    {"Megajoule", 1e6},
    {"MegawattDay", 8.64e10},
    {"MegawattHour", 3.6e9},
    {"Millijoule", 1e-3},
    {"TeraelectronVolt", kEv * 1e12},
    {"TerawattDay", 8.64e16},
    {"TerawattHour", 3.6e15},
    {"ThermEc", 1.05505585262e8},
    {"ThermImperial", 1.05505585257348e8},
    {"ThermUs", 1.054804e8},
    {"WattDay", 86400},
    {"WattHour", 3600},
};

// Angles in degrees (the documented examples convert from degrees; exact for them).
constexpr Unit kAngle[] = {
    {"Arcminute", 1.0 / 60},
    {"Arcsecond", 1.0 / 3600},
    {"Centiradian", 1.8 / kPi},
    {"Deciradian", 18 / kPi},
    {"Degree", 1},
    {"Gradian", 0.9},
    {"Microdegree", 1e-6},
    {"Microradian", 180e-6 / kPi},
    {"Millidegree", 1e-3},
    {"Milliradian", 0.18 / kPi},
    {"Nanodegree", 1e-9},
    {"Nanoradian", 180e-9 / kPi},
    {"NatoMil", 360.0 / 6400},
    {"Radian", 180 / kPi},
    {"Revolution", 360},
};

template <size_t N>
std::optional<double> FactorOf(const Unit (&table)[N], std::string_view name) {
  for (const Unit& u : table) {
    if (u.name == name) {
      return u.factor;
    }
  }
  return std::nullopt;
}

// value * from / to; divisions by an exact reciprocal (1/60) would leave 72.00000000000001
// for 1.2 degrees in arcminutes, so an integral inverse factor multiplies instead.
double Scale(double value, double from, double to) {
  const double base = value * from;
  const double inverse = 1.0 / to;
  if (inverse == std::round(inverse) && inverse > 1) {
    return base * inverse;
  }
  return base / to;
}

std::optional<double> ToDegrees(double v, std::string_view unit) {
  if (unit == "Tilt") {  // the sine of the angle
    return v >= -1 && v <= 1 ? std::optional<double>(std::asin(v) * 180 / kPi) : std::nullopt;
  }
  const auto f = FactorOf(kAngle, unit);
  return f ? std::optional<double>(v * *f) : std::nullopt;
}

std::optional<double> ConvertAngle(double v, std::string_view from, std::string_view to) {
  if (from != "Tilt" && to != "Tilt") {
    const auto f = FactorOf(kAngle, from);
    const auto t = FactorOf(kAngle, to);
    return f && t ? std::optional<double>(Scale(v, *f, *t)) : std::nullopt;
  }
  const auto deg = ToDegrees(v, from);
  if (!deg) {
    return std::nullopt;
  }
  if (to == "Tilt") {
    return std::sin(*deg * kPi / 180);
  }
  const auto t = FactorOf(kAngle, to);
  return t ? std::optional<double>(*deg / *t) : std::nullopt;
}

// Temperatures are affine: kelvin = a * value + b.
struct Affine {
  std::string_view name;
  double a;
  double b;
};
constexpr Affine kTemperature[] = {
    {"DegreeCelsius", 1, 273.15},
    {"DegreeDelisle", -2.0 / 3, 373.15},
    {"DegreeFahrenheit", 5.0 / 9, 459.67 * 5 / 9},
    {"DegreeNewton", 100.0 / 33, 273.15},
    {"DegreeRankine", 5.0 / 9, 0},
    {"DegreeReaumur", 5.0 / 4, 273.15},
    {"DegreeRoemer", 40.0 / 21, 273.15 - 7.5 * 40 / 21},
    {"Kelvin", 1, 0},
    {"MillidegreeCelsius", 1e-3, 273.15},
    {"SolarTemperature", 5778, 0},
};

std::optional<double> ConvertTemperature(double v, std::string_view from, std::string_view to) {
  const Affine* f = nullptr;
  const Affine* t = nullptr;
  for (const Affine& u : kTemperature) {
    f = u.name == from ? &u : f;
    t = u.name == to ? &u : t;
  }
  if (f == nullptr || t == nullptr) {
    return std::nullopt;
  }
  if (f == t) {
    return v;
  }
  const double kelvin = f->a * v + f->b;
  return (kelvin - t->b) / t->a;
}

template <size_t N>
ScalarImpl Converter(const Unit (&table)[N]) {
  return [&table](std::span<const Value> args, FunctionContext&) -> Value {
    const auto v = fn2::RealOf(args[0]);
    if (!v || !args[1].is_string() || !args[2].is_string()) {
      return Value();
    }
    const auto f = FactorOf(table, args[1].AsString());
    const auto t = FactorOf(table, args[2].AsString());
    if (!f || !t) {
      return Value();
    }
    return RealOrNull(Scale(*v, *f, *t));
  };
}

ScalarImpl FunctionConverter(std::optional<double> (*f)(double, std::string_view,
                                                        std::string_view)) {
  return [f](std::span<const Value> args, FunctionContext&) -> Value {
    const auto v = fn2::RealOf(args[0]);
    if (!v || !args[1].is_string() || !args[2].is_string()) {
      return Value();
    }
    const auto r = f(*v, args[1].AsString(), args[2].AsString());
    return r ? RealOrNull(*r) : Value();
  };
}

// ---- text helpers ----

// .NET Regex.Escape: metacharacters get a backslash, white space an escape sequence.
std::string RegexQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (const char c : s) {
    switch (c) {
      case '\\':
      case '*':
      case '+':
      case '?':
      case '|':
      case '{':
      case '[':
      case '(':
      case ')':
      case '^':
      case '$':
      case '.':
      case '#':
      case ' ':
        out += '\\';
        out += c;
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// format_bytes(size [, precision = 0 [, units = auto [, base = 1024]]]).
Value FormatBytes(std::span<const Value> args) {
  const auto size = fn2::RealOf(args[0]);
  if (!size || !std::isfinite(*size)) {
    return Value();
  }
  int64_t precision = 0;
  if (args.size() > 1 && !args[1].is_null()) {
    const auto p = fn2::IntegerOf(args[1]);
    if (!p || *p < 0 || *p > 15) {
      return Value();
    }
    precision = *p;
  }
  double base = 1024;
  if (args.size() > 3 && !args[3].is_null()) {
    const auto b = fn2::IntegerOf(args[3]);
    if (!b || (*b != 1000 && *b != 1024)) {
      return Value();
    }
    base = static_cast<double>(*b);
  }
  static constexpr std::string_view kUnits[] = {"Bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
  int unit = -1;
  if (args.size() > 2 && args[2].is_string() && !args[2].AsString().empty()) {
    for (int i = 0; i < 7; ++i) {
      std::string_view want = args[2].AsString();
      if (want.size() == kUnits[i].size()) {
        bool same = true;
        for (size_t k = 0; k < want.size(); ++k) {
          same = same && std::tolower(static_cast<unsigned char>(want[k])) ==
                             std::tolower(static_cast<unsigned char>(kUnits[i][k]));
        }
        unit = same ? i : unit;
      }
    }
    if (unit < 0) {
      return Value();
    }
  } else {
    unit = 0;
    double magnitude = std::fabs(*size);
    while (unit < 6 && magnitude >= base) {
      magnitude /= base;
      ++unit;
    }
  }
  const double scaled = *size / std::pow(base, unit);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f %s", static_cast<int>(precision), scaled,
                std::string(kUnits[unit]).c_str());
  return Value::String(buf);
}

Value NewGuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t hi = rng();
  const uint64_t lo = rng();
  uint8_t b[16];
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<uint8_t>(hi >> (8 * i));
    b[8 + i] = static_cast<uint8_t>(lo >> (8 * i));
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out += '-';
    }
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0xF];
  }
  return Value::Guid(std::move(out));
}

// Bytes a value takes in Kusto's accounting: fixed widths for scalars, text length for
// strings, JSON length for dynamic values.
int64_t DataSize(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return 0;
    case Kind::kBool:
      return 1;
    case Kind::kInt:
      return 4;
    case Kind::kLong:
    case Kind::kReal:
    case Kind::kDateTime:
    case Kind::kTimeSpan:
      return 8;
    case Kind::kGuid:
      return 16;
    case Kind::kString:
      return static_cast<int64_t>(v.AsString().size());
    case Kind::kArray:
    case Kind::kBag:
      return static_cast<int64_t>(v.ToJson().size());
  }
  return 0;
}

}  // namespace

namespace internal {

// Kusto's hash_combine: the boost-style mix of 64-bit hashes, folded left.
int64_t CombineHashes(int64_t seed, int64_t h) {
  auto s = static_cast<uint64_t>(seed);
  const auto v = static_cast<uint64_t>(h);
  s ^= v + 0x9e3779b9ULL + (s << 6) + (s >> 2);
  return static_cast<int64_t>(s);
}

}  // namespace internal

void RegisterMoreFunctions(Registry& r) {
  const Type real = Type::kReal;
  const std::pair<const char*, double (*)(double)> unary[] = {
      {"sin", [](double x) { return std::sin(x); }},
      {"cos", [](double x) { return std::cos(x); }},
      {"tan", [](double x) { return std::tan(x); }},
      {"asin", [](double x) { return std::asin(x); }},
      {"acos", [](double x) { return std::acos(x); }},
      {"atan", [](double x) { return std::atan(x); }},
      {"cot", Cot},
      {"degrees", Degrees},
      {"radians", Radians},
      {"gamma", Gamma},
      {"loggamma", LogGamma},
      {"erf", [](double x) { return std::erf(x); }},
      {"erfc", [](double x) { return std::erfc(x); }},
  };
  for (const auto& [name, f] : unary) {
    Add(r, name, 1, 1, Returns(name, real, {Arg::kNumber}), Unary(f));
  }
  Add(r, "atan2", 2, 2, Returns("atan2", real, {Arg::kNumber, Arg::kNumber}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto y = fn2::RealOf(args[0]);
        const auto x = fn2::RealOf(args[1]);
        return x && y ? RealOrNull(std::atan2(*y, *x)) : Value();
      });

  const std::vector<Arg> conv_args = {Arg::kNumber, Arg::kString, Arg::kString};
  Add(r, "convert_length", 3, 3, Returns("convert_length", real, conv_args), Converter(kLength));
  Add(r, "convert_mass", 3, 3, Returns("convert_mass", real, conv_args), Converter(kMass));
  Add(r, "convert_speed", 3, 3, Returns("convert_speed", real, conv_args), Converter(kSpeed));
  Add(r, "convert_volume", 3, 3, Returns("convert_volume", real, conv_args), Converter(kVolume));
  Add(r, "convert_force", 3, 3, Returns("convert_force", real, conv_args), Converter(kForce));
  Add(r, "convert_energy", 3, 3, Returns("convert_energy", real, conv_args), Converter(kEnergy));
  Add(r, "convert_angle", 3, 3, Returns("convert_angle", real, conv_args),
      FunctionConverter(ConvertAngle));
  Add(r, "convert_temperature", 3, 3, Returns("convert_temperature", real, conv_args),
      FunctionConverter(ConvertTemperature));

  Add(r, "hash_combine", 2, -1, Returns("hash_combine", Type::kLong, {Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        std::optional<int64_t> acc;
        for (const Value& v : args) {
          const auto h = fn2::IntegerOf(v);
          if (!h) {
            return Value();
          }
          acc = acc ? internal::CombineHashes(*acc, *h) : *h;
        }
        return Value::Long(*acc);
      });
  Add(r, "hash_many", 1, -1, Returns("hash_many", Type::kLong),
      [](std::span<const Value> args, FunctionContext& ctx) -> Value {
        const ScalarFunction* hash = Registry::Default().FindScalar("hash");
        if (hash == nullptr) {
          return Value();
        }
        std::optional<int64_t> acc;
        for (const Value& v : args) {
          const Value one[] = {v};
          const Value h = hash->impl(one, ctx);
          const int64_t hv = h.is_null() ? 0 : h.AsInt64();
          acc = acc ? internal::CombineHashes(*acc, hv) : hv;
        }
        return Value::Long(*acc);
      });
  Add(r, "regex_quote", 1, 1, Returns("regex_quote", Type::kString),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        return Value::String(
            RegexQuote(args[0].is_string() ? args[0].AsString() : args[0].ToText()));
      });
  Add(r, "format_bytes", 1, 4,
      Returns("format_bytes", Type::kString,
              {Arg::kNumber, Arg::kInteger, Arg::kString, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) { return FormatBytes(args); });
  Add(
      r, "new_guid", 0, 0, Returns("new_guid", Type::kGuid),
      [](std::span<const Value>, FunctionContext&) { return NewGuid(); }, false);
  Add(r, "bitset_count_ones", 1, 1, Returns("bitset_count_ones", Type::kLong, {Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const auto v = fn2::IntegerOf(args[0]);
        if (!v) {
          return Value();
        }
        if (args[0].kind() == Kind::kInt) {
          return Value::Long(std::popcount(static_cast<uint32_t>(*v)));
        }
        return Value::Long(std::popcount(static_cast<uint64_t>(*v)));
      });
  Add(r, "strcmp", 2, 2, Returns("strcmp", Type::kInt),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const std::string a = args[0].is_string() ? args[0].AsString() : args[0].ToText();
        const std::string b = args[1].is_string() ? args[1].AsString() : args[1].ToText();
        const int c = a.compare(b);
        return Value::Int(c < 0 ? -1 : (c > 0 ? 1 : 0));
      });
  // Kusto fails the query when the condition is false; we cannot raise from a function, so
  // the message becomes a warning and the call yields false.
  Add(r, "assert", 2, 2, Returns("assert", Type::kBool, {Arg::kBool, Arg::kString}),
      [](std::span<const Value> args, FunctionContext& ctx) -> Value {
        if (args[0].kind() == Kind::kBool && args[0].AsBool()) {
          return Value::Bool(true);
        }
        ctx.Warn("assert(): " + args[1].ToText());
        return Value::Bool(false);
      });
  Add(r, "estimate_data_size", 1, -1, Returns("estimate_data_size", Type::kLong),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        int64_t total = 0;
        for (const Value& v : args) {
          total += DataSize(v);
        }
        return Value::Long(total);
      });

  internal::RegisterMoreEncodingFunctions(r);
  internal::RegisterMoreSeriesFunctions(r);
}

}  // namespace vigil::kql
