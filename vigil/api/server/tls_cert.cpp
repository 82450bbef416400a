#include "vigil/api/server/tls_cert.h"

#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include "vigil/api/auth/crypto.h"

namespace vigil::api {
namespace {

namespace fs = std::filesystem;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct FileClose {
  void operator()(FILE* f) const { std::fclose(f); }
};

Result<std::unique_ptr<EVP_PKEY, PkeyFree>> NewKey() {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), NID_X9_62_prime256v1) != 1 ||
      EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return InternalError("tls: cannot generate a P-256 key");
  }
  return std::unique_ptr<EVP_PKEY, PkeyFree>(raw);
}

Status AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return InternalError("tls: cannot add certificate extension {}", nid);
  }
  return Status();
}

Status WriteFile(const fs::path& path, mode_t mode, bool (*write)(FILE*, void*), void* what) {
  const std::string tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return IoError("tls: cannot create '{}'", tmp);
  }
  std::unique_ptr<FILE, FileClose> file(::fdopen(fd, "w"));
  if (!file) {
    ::close(fd);
    return IoError("tls: cannot open '{}'", tmp);
  }
  ::fchmod(fd, mode);
  if (!write(file.get(), what) || std::fflush(file.get()) != 0) {
    return IoError("tls: cannot write '{}'", tmp);
  }
  file.reset();
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    return IoError("tls: cannot rename '{}': {}", tmp, ec.message());
  }
  return Status();
}

}  // namespace

Result<TlsFiles> EnsureSelfSignedCertificate(const std::string& dir) {
  TlsFiles files;
  const fs::path cert_path = fs::path(dir) / "server.crt";
  const fs::path key_path = fs::path(dir) / "server.key";
  files.cert_file = cert_path.string();
  files.key_file = key_path.string();
  std::error_code ec;
  if (fs::exists(cert_path, ec) && fs::exists(key_path, ec)) {
    return files;
  }
  fs::create_directories(dir, ec);
  if (ec) {
    return IoError("tls: cannot create '{}': {}", dir, ec.message());
  }
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);

  VIGIL_ASSIGN_OR_RETURN(auto key, NewKey());
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert) {
    return InternalError("tls: cannot allocate a certificate");
  }
  X509_set_version(cert.get(), 2);
  const std::string serial = auth::RandomBytes(8);
  uint64_t serial_value = 0;
  for (char c : serial) {
    serial_value = (serial_value << 8) | static_cast<uint8_t>(c);
  }
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial_value >> 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 825);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Vigil"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  VIGIL_RETURN_IF_ERROR(AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  VIGIL_RETURN_IF_ERROR(
      AddExtension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"));
  VIGIL_RETURN_IF_ERROR(AddExtension(cert.get(), NID_ext_key_usage, "serverAuth"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return InternalError("tls: cannot sign the certificate");
  }
  VIGIL_RETURN_IF_ERROR(WriteFile(
      key_path, 0600,
      [](FILE* f, void* k) {
        return PEM_write_PrivateKey(f, static_cast<EVP_PKEY*>(k), nullptr, nullptr, 0, nullptr,
                                    nullptr) == 1;
      },
      key.get()));
  VIGIL_RETURN_IF_ERROR(WriteFile(
      cert_path, 0644,
      [](FILE* f, void* c) { return PEM_write_X509(f, static_cast<X509*>(c)) == 1; },
      cert.get()));
  files.generated = true;
  return files;
}

}  // namespace vigil::api
