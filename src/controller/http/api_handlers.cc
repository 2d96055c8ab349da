#include "controller/http/api_handlers.h"

#include <map>

#include "controller/api/api_kinds.h"
#include "controller/api/apply_request.h"
#include "controller/http/http_reply.h"
#include "controller/http/request_auth.h"
#include "controller/http/watch_handler.h"

namespace microseg {

namespace {

constexpr int kStoreUnavailable = 503;  // nothing was written
constexpr int kOutcomeUnknown = 504;    // the write may or may not have been stored

// The reply to a failed Commit: 503 means nothing was written; 504 that the
// store could not say (repeating the request is then safe: an apply of what
// is stored is "unchanged", a delete of what is gone a 404).
void ReplyCommitError(httplib::Response& res, const Status& status) {
  if (IsCommitOutcomeUnknown(status)) {
    return ReplyError(
        res, kOutcomeUnknown,
        status.message() + " (it may or may not have been stored; repeating the request is safe)");
  }
  ReplyError(res, kStoreUnavailable, status.message() + " (nothing was stored)");
}

Json KeyJson(const ObjectKey& key, const char* result) {
  Json out{{"kind", key.kind}, {"name", key.name}, {"result", result}};
  if (!key.namespace_name.empty()) out["namespace"] = key.namespace_name;
  return out;
}

// The kind named in the path, or a 404 reply.
const ApiKind* KindOrReply(const std::string& name, httplib::Response& res) {
  const ApiKind* kind = ResolveKind(name);
  if (kind == nullptr) {
    ReplyError(res, 404, "unknown kind " + Quote(name) + " (supported: " + KindList() + ")");
  }
  return kind;
}

// The namespace parameter: validated when present. False after replying 400.
bool NamespaceParam(const httplib::Request& req, httplib::Response& res,
                    std::optional<std::string>* out) {
  if (!req.has_param("namespace") || req.get_param_value("namespace").empty()) return true;
  std::string ns = req.get_param_value("namespace");
  if (!IsValidObjectName(ns)) {
    ReplyError(res, 400, "invalid namespace " + Quote(ns));
    return false;
  }
  *out = std::move(ns);
  return true;
}

// The key named by /objects/KIND/NAME?namespace=NS; false after replying.
bool KeyFromPath(const httplib::Request& req, httplib::Response& res, ObjectKey* key) {
  const ApiKind* kind = KindOrReply(req.matches[1], res);
  if (kind == nullptr) return false;
  std::string name = req.matches[2];
  if (!IsValidObjectName(name)) {
    ReplyError(res, 400, "invalid name " + Quote(name));
    return false;
  }
  std::optional<std::string> ns;
  if (!NamespaceParam(req, res, &ns)) return false;
  key->kind = std::string(kind->kind);
  key->name = std::move(name);
  key->namespace_name = kind->namespaced ? ns.value_or("default") : "";
  return true;
}

Result<std::vector<ManifestSource>> SourcesOf(const httplib::Request& req) {
  std::string source = req.has_param("source") ? req.get_param_value("source") : "request";
  return ReadManifestSources(req.body, req.get_header_value("Content-Type"), source);
}

void HandleApply(Store* store, const httplib::Request& req, httplib::Response& res) {
  if (!AgentMayPostBody(req, res)) return;  // an agent applies only its host Workload
  Result<std::vector<ManifestSource>> sources = SourcesOf(req);
  if (!sources.ok()) return ReplyError(res, 400, sources.status().message());
  Result<ParsedRequest> parsed = ParseApplyRequest(*sources);
  if (!parsed.ok()) return ReplyError(res, 400, parsed.status().message());
  if (parsed->objects.empty()) return ReplyError(res, 400, "no objects to apply");

  std::vector<Mutation> mutations;
  Json results = Json::array();
  for (ApiObject& object : parsed->objects) {
    Result<std::optional<StoredObject>> existing = store->Get(object.key);
    if (!existing.ok()) return ReplyError(res, kStoreUnavailable, existing.status().message());
    const char* result = "created";
    if (existing->has_value()) {
      result = (*existing)->json == object.json ? "unchanged" : "configured";
    }
    results.push_back(KeyJson(object.key, result));
    if (std::string_view(result) != "unchanged") {
      mutations.push_back({Mutation::Type::kPut, object.key, std::move(object.json)});
    }
  }
  Result<CommitResult> commit = store->Commit(mutations);
  if (!commit.ok()) return ReplyCommitError(res, commit.status());
  ReplyJson(res, 200,
            {{"resourceVersion", std::to_string(commit->revision)},
             {"objects", std::move(results)},
             {"warnings", parsed->warnings}});
}

void ReplyDeleted(Store* store, const std::vector<Mutation>& mutations, httplib::Response& res) {
  Result<CommitResult> commit = store->Commit(mutations);
  if (!commit.ok()) return ReplyCommitError(res, commit.status());
  if (commit->missing) {
    std::string message = commit->missing->ToString() + " not found";
    if (mutations.size() > 1) message += "; nothing was deleted";
    return ReplyError(res, 404, message);
  }
  Json results = Json::array();
  for (const Mutation& m : mutations) results.push_back(KeyJson(m.key, "deleted"));
  ReplyJson(res, 200,
            {{"resourceVersion", std::to_string(commit->revision)}, {"objects", results}});
}

void HandleDeleteManifests(Store* store, const httplib::Request& req, httplib::Response& res) {
  Result<std::vector<ManifestSource>> sources = SourcesOf(req);
  if (!sources.ok()) return ReplyError(res, 400, sources.status().message());
  Result<ParsedRequest> parsed = ParseDeleteRequest(*sources);
  if (!parsed.ok()) return ReplyError(res, 400, parsed.status().message());
  if (parsed->objects.empty()) return ReplyError(res, 400, "no objects to delete");
  std::vector<Mutation> mutations;
  for (const ApiObject& object : parsed->objects) {
    mutations.push_back({Mutation::Type::kDelete, object.key, {}});
  }
  ReplyDeleted(store, mutations, res);
}

void HandleList(Store* store, const std::string& kind_name, const httplib::Request& req,
                httplib::Response& res) {
  ListOptions options;
  if (!kind_name.empty()) {
    const ApiKind* kind = KindOrReply(kind_name, res);
    if (kind == nullptr) return;
    options.kind = std::string(kind->kind);
  }
  if (!NamespaceParam(req, res, &options.namespace_name)) return;
  Result<Snapshot> snapshot = store->List(options);
  if (!snapshot.ok()) return ReplyError(res, kStoreUnavailable, snapshot.status().message());
  ReplyJson(res, 200, RenderList(*snapshot));
}

}  // namespace

void AddApiRoutes(RouteTable* routes, Store* store, const std::atomic<bool>* stopping,
                  SpanComputer* spans) {
  routes->push_back({"POST", "/api/v1/apply", Access::kAgentBody,
                     [store](const httplib::Request& req, httplib::Response& res) {
                       HandleApply(store, req, res);
                     }});
  routes->push_back({"POST", "/api/v1/delete", Access::kAdmin,
                     [store](const httplib::Request& req, httplib::Response& res) {
                       HandleDeleteManifests(store, req, res);
                     }});
  routes->push_back({"GET", "/api/v1/objects", Access::kAdmin,
                     [store](const httplib::Request& req, httplib::Response& res) {
                       HandleList(store, "", req, res);
                     }});
  routes->push_back({"GET", "/api/v1/objects/([^/]+)", Access::kAdmin,
                     [store](const httplib::Request& req, httplib::Response& res) {
                       HandleList(store, req.matches[1], req, res);
                     }});
  routes->push_back({"GET", "/api/v1/objects/([^/]+)/([^/]+)", Access::kAdmin,
                     [store](const httplib::Request& req, httplib::Response& res) {
                       ObjectKey key;
                       if (!KeyFromPath(req, res, &key)) return;
                       Result<std::optional<StoredObject>> object = store->Get(key);
                       if (!object.ok()) {
                         return ReplyError(res, kStoreUnavailable, object.status().message());
                       }
                       if (!object->has_value())
                         return ReplyError(res, 404, key.ToString() + " not found");
                       ReplyJson(res, 200, RenderObject(**object));
                     }});
  routes->push_back({"DELETE", "/api/v1/objects/([^/]+)/([^/]+)", Access::kAdmin,
                     [store](const httplib::Request& req, httplib::Response& res) {
                       ObjectKey key;
                       if (!KeyFromPath(req, res, &key)) return;
                       ReplyDeleted(store, {{Mutation::Type::kDelete, key, {}}}, res);
                     }});
  routes->push_back({"GET", "/api/v1/watch", Access::kAgentWatch,
                     [store, stopping, spans](const httplib::Request& req, httplib::Response& res) {
                       HandleWatch(store, stopping, spans, req, res);
                     }});
}

}  // namespace microseg
