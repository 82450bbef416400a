// `vigil serve`: one process that ingests over HTTP (with inline detection), correlates new
// alerts into incidents and investigates them, and answers the Defender- and Graph-shaped API
// (vigil/api) until SIGINT or SIGTERM. Listens on 127.0.0.1 with TLS unless told otherwise.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "apps/vigil/commands.h"
#include "apps/vigil/detection_setup.h"
#include "apps/vigil/incident_response.h"
#include "apps/vigil/ingest_command.h"
#include "vigil/api/api_context.h"
#include "vigil/api/auth/auth_store.h"
#include "vigil/api/auth/authenticator.h"
#include "vigil/api/auth/token_routes.h"
#include "vigil/api/console/console_detections.h"
#include "vigil/api/console/console_routes.h"
#include "vigil/api/console/console_store.h"
#include "vigil/api/hunting/hunting.h"
#include "vigil/api/ingest/ingest_routes.h"
#include "vigil/api/ingest/ingest_service.h"
#include "vigil/api/openapi.h"
#include "vigil/api/resources/resource_routes.h"
#include "vigil/api/server/http_server.h"
#include "vigil/api/server/static_files.h"
#include "vigil/base/time.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/detect/custom_detection_file.h"
#include "vigil/detect/ioc/indicator_store.h"
#include "vigil/incidents/correlator.h"
#include "vigil/incidents/incident_store.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/respond/action_store.h"
#include "vigil/store/store.h"

namespace vigil::app {
namespace {

namespace fs = std::filesystem;

struct ServeArgs {
  std::string listen = "127.0.0.1:8443";
  bool insecure_http = false;
  std::string cert, key;
  int threads = 2;
  int respond_every_s = 10;
  double hunting_calls_per_minute = 45;  // per caller; <= 0: no call quota
  std::vector<std::string> rules;
  std::vector<std::string> detections;
  std::string web;      // the console's built files; default: found (FindConsoleDir)
  bool no_web = false;  // API only
};

Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgumentError("--listen '{}' is not ADDRESS:PORT", text);
  }
  std::string address = text.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  int port = 0;
  try {
    port = std::stoi(text.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return InvalidArgumentError("--listen '{}': port must be 0..65535", text);
  }
  return std::make_pair(address, static_cast<uint16_t>(port));
}

int Fail(const Status& status) {
  fmt::print(stderr, "vigil serve: {}\n", status.message());
  return kExitError;
}

int RunServe(const GlobalOptions& global, const ServeArgs& args) {
  // Signals are taken by a waiting thread, so block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto listen = ParseListen(args.listen);
  if (!listen.ok()) {
    return Fail(listen.status());
  }
  const fs::path data(global.data_dir);
  auto opened = OpenStore(global);
  if (!opened.ok()) {
    return Fail(opened.status());
  }
  std::unique_ptr<store::Store> store = std::move(*opened);
  kql::Engine engine(store.get(), &schema::Catalog::Default());
  auto alerts = detect::alerts::AlertStore::Open((data / "alerts.db").string());
  auto indicators = detect::ioc::IndicatorStore::Open((data / "indicators.db").string());
  auto incidents = incidents::IncidentStore::Open((data / "incidents.db").string());
  auto actions = respond::ActionStore::Open((data / "response.db").string());
  auto auth = api::AuthStore::Open((data / "auth.db").string());
  for (const Status& s : {alerts.status(), indicators.status(), incidents.status(),
                          actions.status(), auth.status()}) {
    if (!s.ok()) {
      return Fail(s);
    }
  }
  auto config = LoadCorrelationConfigFor(data);
  if (!config.ok()) {
    return Fail(config.status());
  }
  auto correlator = incidents::Correlator::Create(incidents->get(), alerts->get(), *config);
  if (!correlator.ok()) {
    return Fail(correlator.status());
  }
  auto admin = (*auth)->EnsureAdminApp();
  if (!admin.ok()) {
    return Fail(admin.status());
  }
  auto admin_user = (*auth)->EnsureAdminUser();
  if (!admin_user.ok()) {
    return Fail(admin_user.status());
  }
  auto authenticator = api::Authenticator::Create(**auth);
  if (!authenticator.ok()) {
    return Fail(authenticator.status());
  }

  // Ingestion with the same detection as `vigil ingest` (rule pack or --rules).
  api::IngestServiceOptions ingest_options;
  ingest_options.alerts = alerts->get();
  ingest_options.always_detect = true;  // console-created detections can start at any time
  std::vector<std::string> rule_paths = args.rules;
  if (rule_paths.empty() && !DefaultRulesDir().empty()) {
    rule_paths.push_back(DefaultRulesDir());
  }
  if (!rule_paths.empty()) {
    auto loaded = LoadRules(rule_paths, "");
    if (!loaded.ok()) {
      return Fail(loaded.status());
    }
    ingest_options.rules = std::move(loaded->rules);
    ingest_options.rule_paths = std::move(loaded->rule_paths);
  }
  // Continuous custom detections (the shipped ones unless --detections names files).
  const std::vector<std::string> detection_paths =
      !args.detections.empty()                  ? args.detections
      : DefaultContentPath("detections").empty() ? std::vector<std::string>{}
                                                 : std::vector<std::string>{
                                                       DefaultContentPath("detections")};
  std::vector<detect::CustomDetectionRule> content_detections;  // every period, for the console
  if (!detection_paths.empty()) {
    auto custom = detect::LoadCustomDetections(detection_paths);
    if (!custom.errors.empty()) {
      return Fail(InvalidArgumentError("{}", custom.errors.front()));
    }
    content_detections = custom.rules;
    for (auto& rule : custom.rules) {
      if (rule.enabled && rule.period == detect::DetectionPeriod::kContinuous) {
        ingest_options.continuous.push_back(std::move(rule));
      }
    }
  }
  auto ingest = api::IngestService::Create(global.data_dir, store.get(), std::move(ingest_options));
  if (!ingest.ok()) {
    return Fail(ingest.status());
  }

  api::ApiContext context;
  context.data_dir = global.data_dir;
  context.store = store.get();
  context.engine = &engine;
  context.alerts = alerts->get();
  context.indicators = indicators->get();
  context.incidents = incidents->get();
  context.correlator = correlator->get();
  context.actions = actions->get();
  api::Router router;
  api::LoginThrottle throttle;
  api::IngestSources sources;
  api::RegisterAuthRoutes(router, **auth, **authenticator, throttle);
  api::HuntingOptions hunting;
  hunting.quota.calls_per_minute = args.hunting_calls_per_minute;
  api::RegisterHuntingRoutes(router, context, hunting);
  api::RegisterResourceRoutes(router, context);
  api::RegisterIngestRoutes(router, **ingest, sources);
  // Console support: saved queries, rule switches and custom detections (applied to ingestion
  // live), automation and API app settings.
  auto console_store = api::console::ConsoleStore::Open((data / "console.db").string());
  if (!console_store.ok()) {
    return Fail(console_store.status());
  }
  auto console_detections = api::console::ConsoleDetections::Create(
      global.data_dir, std::move(content_detections), **console_store, ingest->get());
  if (!console_detections.ok()) {
    return Fail(console_detections.status());
  }
  api::console::RegisterConsoleRoutes(
      router, api::console::ConsoleContext{global.data_dir, console_store->get(),
                                           console_detections->get(), auth->get(),
                                           authenticator->get()});
  api::RegisterOpenApiRoute(router);  // last: the document lists the routes above

  api::ServerOptions options;
  options.address = listen->first;
  options.port = listen->second;
  options.threads = std::max(1, args.threads);
  options.tls.enabled = !args.insecure_http;
  options.tls.cert_file = args.cert;
  options.tls.key_file = args.key;
  options.tls.generated_dir = (data / "tls").string();
  options.public_routes.push_back("/api/openapi.json");
  if (!args.no_web) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    options.web_root = api::FindConsoleDir(
        args.web, {exe.parent_path() / ".." / "share" / "vigil" / "web", VIGIL_SOURCE_WEB_DIR});
    if (!options.web_root && !args.web.empty()) {
      return Fail(InvalidArgumentError("--web '{}' holds no index.html (build the console with"
                                       " `npm --prefix web run build`)",
                                       args.web));
    }
  }
  api::HttpServer server(options, router, **authenticator);
  if (Status started = server.Start(); !started.ok()) {
    return Fail(started);
  }
  if (admin->has_value()) {
    fmt::print(
        "First start: created the admin app (shown once; keep it safe)\n"
        "  client_id:     {}\n  client_secret: {}\n",
        (*admin)->client_id, (*admin)->client_secret);
  }
  if (admin_user->has_value()) {
    fmt::print(
        "First start: created the console user 'admin' (shown once; change it with"
        " `vigil users passwd admin`)\n  password: {}\n",
        **admin_user);
  }
  if ((*ingest)->continuous_detections() > 0) {
    fmt::print("Continuous custom detections on ingestion: {}\n",
               (*ingest)->continuous_detections());
  }
  fmt::print("Vigil API listening on {}://{}:{} (data '{}'); Ctrl-C or SIGTERM stops\n",
             args.insecure_http ? "http" : "https", listen->first, server.port(),
             global.data_dir);
  if (options.web_root) {
    fmt::print("Console: {}://{}:{}/ (files from '{}')\n", args.insecure_http ? "http" : "https",
               listen->first == "0.0.0.0" || listen->first == "::" ? "localhost" : listen->first,
               server.port(), options.web_root->string());
  } else if (!args.no_web) {
    fmt::print("Console: not built (run `bash tools/setup.sh`); serving the API only\n");
  }
  std::fflush(stdout);

  // Correlation and investigation of new alerts, every respond_every_s seconds.
  std::mutex mu;
  std::condition_variable wake;
  bool stopping = false;
  std::thread responder([&] {
    ResponseStores stores{global.data_dir, alerts->get(),  incidents->get(), correlator->get(),
                          &engine,         actions->get(), indicators->get()};
    std::unique_lock lock(mu);
    while (!stopping) {
      wake.wait_for(lock, std::chrono::seconds(std::max(1, args.respond_every_s)));
      if (stopping) {
        break;
      }
      lock.unlock();
      // Alert groups of a quiet stream close by the wall clock, then new alerts are correlated.
      if (Status advanced = (*ingest)->AdvanceTo(NowTicks() / 10); !advanced.ok()) {
        fmt::print(stderr, "vigil serve: detection: {}\n", advanced.message());
      }
      auto run = CorrelateAndRespond(stores, ResponseRunOptions{});
      server.InvalidateCache();  // new alerts, incidents and actions
      if (!run.ok()) {
        fmt::print(stderr, "vigil serve: incidents: {}\n", run.status().message());
      } else {
        PrintResponseSummary(*run, stdout);
        std::fflush(stdout);
      }
      lock.lock();
    }
  });

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  fmt::print("vigil serve: {} received, finishing in-flight requests\n",
             signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  server.Stop();
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  wake.notify_all();
  responder.join();
  Status finished = (*ingest)->Finish();
  ingest->reset();
  Status closed = store->Close();
  if (!finished.ok() || !closed.ok()) {
    return Fail(!finished.ok() ? finished : closed);
  }
  fmt::print("vigil serve: stopped; everything acknowledged is on disk\n");
  return kExitOk;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Run the API server: ingestion, detection, incidents, response and hunting");
  cmd->add_option("--listen", args->listen, "ADDRESS:PORT to listen on (port 0: any free one)")
      ->capture_default_str();
  cmd->add_flag("--insecure-http", args->insecure_http,
                "plain HTTP instead of TLS (tests and benchmarks on loopback only)");
  cmd->add_option("--cert", args->cert, "TLS certificate chain (PEM); default: self-signed");
  cmd->add_option("--key", args->key, "TLS private key (PEM)");
  cmd->add_option("--threads", args->threads, "server threads")->capture_default_str();
  cmd->add_option("--respond-every", args->respond_every_s,
                  "seconds between correlation/investigation runs")
      ->capture_default_str();
  cmd->add_option("--hunting-calls-per-minute", args->hunting_calls_per_minute,
                  "hunting API calls per caller per minute (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--rules", args->rules, "Sigma rule files or directories for ingestion")
      ->expected(0, -1);
  cmd->add_option("--detections", args->detections,
                  "custom detection files whose continuous rules run on every ingested batch"
                  " (default: the shipped ones)")
      ->expected(0, -1);
  cmd->add_option("--web", args->web,
                  "directory of the built web console (default: $VIGIL_WEB_DIR or web/dist)");
  cmd->add_flag("--no-web", args->no_web, "serve the API only, without the web console");
  cmd->callback([&global, &exit_code, args] { exit_code = RunServe(global, *args); });
}

}  // namespace vigil::app
