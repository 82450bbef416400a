#include "vigil/ingest/evtx/evtx_value.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "vigil/base/time.h"
#include "vigil/ingest/evtx/evtx_format.h"

namespace vigil::ingest::evtx {
namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kHexLower[] = "0123456789abcdef";

void AppendHexBytesUpper(std::string& out, const uint8_t* data, size_t size) {
  const size_t start = out.size();
  out.resize(start + size * 2);
  char* dst = out.data() + start;
  for (size_t i = 0; i < size; ++i) {
    dst[2 * i] = kHexUpper[data[i] >> 4];
    dst[2 * i + 1] = kHexUpper[data[i] & 0xf];
  }
}

// "0x" + lower-case hex without leading zeros (Windows' %I64x rendering).
void AppendHexInt(std::string& out, uint64_t value) {
  char buf[18];
  char* end = buf + sizeof(buf);
  char* p = end;
  do {
    *--p = kHexLower[value & 0xf];
    value >>= 4;
  } while (value != 0);
  *--p = 'x';
  *--p = '0';
  out.append(p, static_cast<size_t>(end - p));
}

template <typename T>
void AppendDecimal(std::string& out, T value) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void)ec;
  out.append(buf, static_cast<size_t>(ptr - buf));
}

void AppendTwoDigits(std::string& out, unsigned value) {
  out.push_back(static_cast<char>('0' + (value / 10) % 10));
  out.push_back(static_cast<char>('0' + value % 10));
}

void AppendGuid(std::string& out, const uint8_t* p) {
  out.push_back('{');
  // Data1..Data3 are little-endian integers, Data4 is 8 bytes in order.
  const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out.push_back('-');
    }
    const uint8_t b = p[order[i]];
    out.push_back(kHexUpper[b >> 4]);
    out.push_back(kHexUpper[b & 0xf]);
  }
  out.push_back('}');
}

// Length in bytes of the SID at `p` (at most `size`), or 0 when malformed.
size_t SidLength(const uint8_t* p, size_t size) {
  if (size < 8) {
    return 0;
  }
  const size_t length = 8 + 4 * static_cast<size_t>(p[1]);
  return length <= size ? length : 0;
}

bool AppendSid(std::string& out, const uint8_t* p, size_t size) {
  const size_t length = SidLength(p, size);
  if (length == 0) {
    return false;
  }
  out.append("S-");
  AppendDecimal(out, static_cast<unsigned>(p[0]));
  out.push_back('-');
  uint64_t authority = 0;
  for (size_t i = 2; i < 8; ++i) {
    authority = (authority << 8) | p[i];
  }
  if (authority >= (uint64_t{1} << 32)) {
    AppendHexInt(out, authority);
  } else {
    AppendDecimal(out, authority);
  }
  for (size_t i = 0; i < p[1]; ++i) {
    out.push_back('-');
    AppendDecimal(out, LoadU32(p + 8 + 4 * i));
  }
  return true;
}

void AppendSystemTime(std::string& out, const uint8_t* p) {
  const unsigned year = LoadU16(p);
  const unsigned month = LoadU16(p + 2);
  const unsigned day = LoadU16(p + 6);
  const unsigned hour = LoadU16(p + 8);
  const unsigned minute = LoadU16(p + 10);
  const unsigned second = LoadU16(p + 12);
  const unsigned millis = LoadU16(p + 14);
  AppendTwoDigits(out, (year / 100) % 100);
  AppendTwoDigits(out, year % 100);
  out.push_back('-');
  AppendTwoDigits(out, month);
  out.push_back('-');
  AppendTwoDigits(out, day);
  out.push_back('T');
  AppendTwoDigits(out, hour);
  out.push_back(':');
  AppendTwoDigits(out, minute);
  out.push_back(':');
  AppendTwoDigits(out, second);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + (millis / 100) % 10));
  AppendTwoDigits(out, millis % 100);
  out.push_back('Z');
}

// Bytes per item of fixed-size types; 0 for variable-size ones.
size_t FixedSize(ValueType type, size_t total) {
  switch (type) {
    case ValueType::kInt8:
    case ValueType::kUInt8:
      return 1;
    case ValueType::kInt16:
    case ValueType::kUInt16:
      return 2;
    case ValueType::kInt32:
    case ValueType::kUInt32:
    case ValueType::kFloat:
    case ValueType::kBool:
    case ValueType::kHexInt32:
      return 4;
    case ValueType::kInt64:
    case ValueType::kUInt64:
    case ValueType::kDouble:
    case ValueType::kFileTime:
    case ValueType::kHexInt64:
      return 8;
    case ValueType::kGuid:
    case ValueType::kSystemTime:
      return 16;
    case ValueType::kSizeT:
      return total % 8 == 0 ? 8 : 4;
    default:
      return 0;
  }
}

// Trims trailing UTF-16 NUL terminators; returns the number of code units kept.
size_t TrimUtf16(const uint8_t* data, size_t size) {
  size_t units = size / 2;
  while (units > 0 && data[2 * units - 2] == 0 && data[2 * units - 1] == 0) {
    --units;
  }
  return units;
}

bool AppendScalar(std::string& out, ValueType type, const uint8_t* p, size_t size) {
  switch (type) {
    case ValueType::kNull:
      return true;
    case ValueType::kUtf8Text:
      out.append(reinterpret_cast<const char*>(p), size);
      return true;
    case ValueType::kString:
    case ValueType::kEvtXml:
      AppendUtf16AsUtf8(out, p, TrimUtf16(p, size));
      return size % 2 == 0;
    case ValueType::kAnsiString: {
      while (size > 0 && p[size - 1] == 0) {
        --size;
      }
      for (size_t i = 0; i < size; ++i) {
        AppendCodePoint(out, p[i]);  // Windows-1252 approximated as Latin-1
      }
      return true;
    }
    case ValueType::kBinary:
    case ValueType::kBinXml:
      AppendHexBytesUpper(out, p, size);
      return true;
    case ValueType::kSid:
      if (AppendSid(out, p, size)) {
        return true;
      }
      break;
    default:
      break;
  }
  const size_t fixed = FixedSize(type, size);
  if (fixed == 0 || size != fixed) {
    if (type == ValueType::kEvtHandle && (size == 4 || size == 8)) {
      AppendHexInt(out, size == 4 ? LoadU32(p) : LoadU64(p));
      return true;
    }
    AppendHexBytesUpper(out, p, size);
    return false;
  }
  switch (type) {
    case ValueType::kInt8:
      AppendDecimal(out, static_cast<int>(static_cast<int8_t>(p[0])));
      return true;
    case ValueType::kUInt8:
      AppendDecimal(out, static_cast<unsigned>(p[0]));
      return true;
    case ValueType::kInt16:
      AppendDecimal(out, static_cast<int16_t>(LoadU16(p)));
      return true;
    case ValueType::kUInt16:
      AppendDecimal(out, LoadU16(p));
      return true;
    case ValueType::kInt32:
      AppendDecimal(out, static_cast<int32_t>(LoadU32(p)));
      return true;
    case ValueType::kUInt32:
      AppendDecimal(out, LoadU32(p));
      return true;
    case ValueType::kInt64:
      AppendDecimal(out, static_cast<int64_t>(LoadU64(p)));
      return true;
    case ValueType::kUInt64:
      AppendDecimal(out, LoadU64(p));
      return true;
    case ValueType::kFloat: {
      float f;
      std::memcpy(&f, p, sizeof(f));
      fmt::format_to(std::back_inserter(out), "{}", f);
      return true;
    }
    case ValueType::kDouble: {
      double d;
      std::memcpy(&d, p, sizeof(d));
      fmt::format_to(std::back_inserter(out), "{}", d);
      return true;
    }
    case ValueType::kBool:
      out.append(LoadU32(p) != 0 ? "true" : "false");
      return true;
    case ValueType::kGuid:
      AppendGuid(out, p);
      return true;
    case ValueType::kSizeT:
    case ValueType::kHexInt32:
    case ValueType::kHexInt64:
      AppendHexInt(out, size == 4 ? LoadU32(p) : LoadU64(p));
      return true;
    case ValueType::kFileTime:
      AppendFileTime(out, LoadU64(p));
      return true;
    case ValueType::kSystemTime:
      AppendSystemTime(out, p);
      return true;
    default:
      AppendHexBytesUpper(out, p, size);
      return false;
  }
}

}  // namespace

void AppendCodePoint(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    if (cp >= 0xD800 && cp < 0xE000) {
      cp = 0xFFFD;
    }
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x110000) {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    AppendCodePoint(out, 0xFFFD);
  }
}

void AppendUtf16AsUtf8(std::string& out, const uint8_t* data, size_t units) {
  // ASCII fast path: write directly into the grown buffer, fall back at the first non-ASCII unit.
  const size_t start = out.size();
  out.resize(start + units);
  char* dst = out.data() + start;
  size_t i = 0;
  for (; i < units; ++i) {
    const uint8_t lo = data[2 * i];
    const uint8_t hi = data[2 * i + 1];
    if (hi != 0 || lo >= 0x80) {
      break;
    }
    dst[i] = static_cast<char>(lo);
  }
  if (i == units) {
    return;
  }
  out.resize(start + i);
  while (i < units) {
    uint32_t unit = LoadU16(data + 2 * i);
    ++i;
    if (unit >= 0xD800 && unit < 0xDC00 && i < units) {
      const uint32_t next = LoadU16(data + 2 * i);
      if (next >= 0xDC00 && next < 0xE000) {
        ++i;
        AppendCodePoint(out, 0x10000 + ((unit - 0xD800) << 10) + (next - 0xDC00));
        continue;
      }
    }
    AppendCodePoint(out, unit);
  }
}

void AppendFileTime(std::string& out, uint64_t filetime) {
  // Beyond what FormatDateTime's signed ticks can hold: show the raw value.
  if (filetime > static_cast<uint64_t>(INT64_MAX)) {
    AppendHexInt(out, filetime);
    return;
  }
  out.append(FormatDateTime(FileTimeToTicks(filetime)));
}

bool SplitArray(const ValueRef& value, std::vector<ValueRef>& items) {
  items.clear();
  const ValueType type = value.base_type();
  const uint8_t item_type = static_cast<uint8_t>(type);
  const uint8_t* p = value.data;
  const size_t size = value.size;
  if (type == ValueType::kString) {
    size_t start = 0;
    for (size_t i = 0; i + 1 < size; i += 2) {
      if (p[i] == 0 && p[i + 1] == 0) {
        items.push_back({item_type, p + start, static_cast<uint32_t>(i - start)});
        start = i + 2;
      }
    }
    if (start + 1 < size) {
      items.push_back({item_type, p + start, static_cast<uint32_t>(size - start)});
    }
    return size % 2 == 0;
  }
  if (type == ValueType::kAnsiString) {
    size_t start = 0;
    for (size_t i = 0; i < size; ++i) {
      if (p[i] == 0) {
        items.push_back({item_type, p + start, static_cast<uint32_t>(i - start)});
        start = i + 1;
      }
    }
    if (start < size) {
      items.push_back({item_type, p + start, static_cast<uint32_t>(size - start)});
    }
    return true;
  }
  if (type == ValueType::kSid) {
    size_t pos = 0;
    while (pos < size) {
      const size_t length = SidLength(p + pos, size - pos);
      if (length == 0) {
        return false;
      }
      items.push_back({item_type, p + pos, static_cast<uint32_t>(length)});
      pos += length;
    }
    return true;
  }
  const size_t fixed = FixedSize(type, size);
  if (fixed == 0 || size % fixed != 0) {
    return false;
  }
  for (size_t pos = 0; pos < size; pos += fixed) {
    items.push_back({item_type, p + pos, static_cast<uint32_t>(fixed)});
  }
  return true;
}

bool AppendValue(std::string& out, const ValueRef& value) {
  if (!value.is_array()) {
    return AppendScalar(out, value.base_type(), value.data, value.size);
  }
  // Arrays are rare outside element content (where the walker expands them); render joined.
  std::vector<ValueRef> items;
  if (!SplitArray(value, items)) {
    AppendHexBytesUpper(out, value.data, value.size);
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out.append(", ");
    }
    ok = AppendScalar(out, items[i].base_type(), items[i].data, items[i].size) && ok;
  }
  return ok;
}

bool ValueAsInt(const ValueRef& value, int64_t& result) {
  if (value.is_array() || value.type == static_cast<uint8_t>(ValueType::kUtf8Text)) {
    return false;
  }
  const ValueType type = value.base_type();
  const size_t fixed = FixedSize(type, value.size);
  if (fixed == 0 || value.size != fixed) {
    return false;
  }
  const uint8_t* p = value.data;
  switch (type) {
    case ValueType::kInt8:
      result = static_cast<int8_t>(p[0]);
      return true;
    case ValueType::kUInt8:
      result = p[0];
      return true;
    case ValueType::kInt16:
      result = static_cast<int16_t>(LoadU16(p));
      return true;
    case ValueType::kUInt16:
      result = LoadU16(p);
      return true;
    case ValueType::kInt32:
      result = static_cast<int32_t>(LoadU32(p));
      return true;
    case ValueType::kUInt32:
    case ValueType::kHexInt32:
    case ValueType::kBool:
      result = LoadU32(p);
      return true;
    case ValueType::kInt64:
    case ValueType::kUInt64:
    case ValueType::kHexInt64:
      result = static_cast<int64_t>(LoadU64(p));
      return true;
    case ValueType::kSizeT:
      result = fixed == 4 ? static_cast<int64_t>(LoadU32(p)) : static_cast<int64_t>(LoadU64(p));
      return true;
    default:
      return false;
  }
}

}  // namespace vigil::ingest::evtx
