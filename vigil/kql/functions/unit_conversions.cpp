// Unit conversions: convert_angle, convert_energy, convert_force, convert_length, convert_mass,
// convert_speed, convert_temperature and convert_volume, with Kusto's unit names. Registered
// by RegisterMoreFunctions through internal::RegisterUnitConversions. Pure functions.
#include <cmath>
#include <numbers>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

}  // namespace

namespace internal {

void RegisterUnitConversions(Registry& r) {
  const Type real = Type::kReal;
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
}

}  // namespace internal
}  // namespace vigil::kql
