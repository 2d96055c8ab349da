// The web UI's files, embedded in the binary at build time (web/, CMake
// option MICROSEG_BUILD_UI). The implementation is generated into the build
// tree by web/embed.mjs; with the option OFF the list is empty.
#pragma once

#include <span>
#include <string_view>

namespace microseg {

struct UiAsset {
  std::string_view name;          // "index.html", "app.js", "app.css"
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view body;
};

std::span<const UiAsset> UiAssets();

}  // namespace microseg
