#include "controller/store/store_factory.h"

#include "controller/store/etcd_store.h"

namespace microseg {

Result<std::unique_ptr<Store>> OpenStore(const std::string& spec, const std::string& data_dir,
                                         const SqliteStoreOptions& sqlite_options) {
  if (spec.empty() || spec == "sqlite") {
    Result<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(data_dir + "/state.db", sqlite_options);
    if (!store.ok()) return store.status();
    return std::unique_ptr<Store>(std::move(*store));
  }
  if (spec.rfind("etcd://", 0) == 0) {
    Result<std::unique_ptr<EtcdStore>> store = EtcdStore::Open(spec);
    if (!store.ok()) return store.status();
    return std::unique_ptr<Store>(std::move(*store));
  }
  return Status::Error("--store " + spec + ": expected sqlite or etcd://HOST:PORT,...");
}

}  // namespace microseg
