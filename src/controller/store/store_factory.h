// Opens the store named on the controller's command line.
#pragma once

#include <memory>
#include <string>

#include "controller/store/sqlite_store.h"
#include "microseg/store.h"

namespace microseg {

// `spec` is "sqlite" (DATA_DIR/state.db) or "etcd://HOST:PORT,...".
Result<std::unique_ptr<Store>> OpenStore(const std::string& spec, const std::string& data_dir,
                                         const SqliteStoreOptions& sqlite_options = {});

}  // namespace microseg
