#include "kube/controller/controller_sink.h"

#include <set>

#include "ingest/json_text.h"

namespace microseg::kube {

namespace {

std::string ErrorOf(const ApiReply& reply) {
  Json body = ParseUntrustedJson(reply.body);
  if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    return body["error"].get<std::string>();
  }
  return "HTTP " + std::to_string(reply.status);
}

std::string MetadataString(const Json& object, const char* field) {
  if (!object.is_object() || !object.contains("metadata")) return "";
  const Json& meta = object["metadata"];
  if (!meta.is_object() || !meta.contains(field) || !meta[field].is_string()) return "";
  return meta[field].get<std::string>();
}

}  // namespace

Status ControllerSink::Apply(const SyncedObject& object) {
  Result<Json> reply = client_.Apply({{"kube: " + object.key.ToString(), object.json}});
  if (!reply.ok()) {
    return Status::Error("controller " + client_.server() + ": apply " + object.key.ToString() +
                         ": " + reply.status().message());
  }
  return Status::Ok();
}

Status ControllerSink::Delete(const ObjectKey& key) {
  std::string path = "/api/v1/objects/" + UrlEncode(key.kind) + "/" + UrlEncode(key.name);
  if (!key.namespace_name.empty()) path += "?namespace=" + UrlEncode(key.namespace_name);
  Result<ApiReply> reply = client_.Send("DELETE", path);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200 && reply->status != 404) {
    return Status::Error("controller " + client_.server() + ": delete " + key.ToString() + ": " +
                         ErrorOf(*reply));
  }
  return Status::Ok();
}

Status ControllerSink::Resync(const std::string& kind, const std::vector<ObjectKey>& present) {
  Result<Json> list = client_.List(kind, std::nullopt);
  if (!list.ok()) {
    return Status::Error("controller " + client_.server() + ": list " + kind + ": " +
                         list.status().message());
  }
  std::set<ObjectKey> keep(present.begin(), present.end());
  if (!list->is_object() || !list->contains("items") || !(*list)["items"].is_array()) {
    return Status::Error("controller " + client_.server() + ": list " + kind + ": no items");
  }
  for (const Json& item : (*list)["items"]) {
    ObjectKey key{kind, MetadataString(item, "namespace"), MetadataString(item, "name")};
    if (key.name.empty() || keep.contains(key)) continue;
    if (Status s = Delete(key); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace microseg::kube
