// The server's TLS certificate when none is configured: a self-signed EC P-256 certificate for
// localhost/127.0.0.1 generated with OpenSSL on first start and kept under <data>/tls/
// (server.key mode 0600, server.crt). Used by HttpServer. Not thread-safe: call at startup.
#pragma once

#include <string>

#include "vigil/base/status.h"

namespace vigil::api {

struct TlsFiles {
  std::string cert_file;
  std::string key_file;
  bool generated = false;  // true when this call created them
};

// Reuses <dir>/server.crt and <dir>/server.key when both exist; otherwise creates them.
Result<TlsFiles> EnsureSelfSignedCertificate(const std::string& dir);

}  // namespace vigil::api
