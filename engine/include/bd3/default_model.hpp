// Where the model used when none is named lives.
#pragma once

#include <filesystem>

namespace bd3 {

// The default model installed beside the running program
// (bin/../share/bd3studio/models/default, so an unpacked tree works wherever
// it is put), else the one in the source tree; the trained default model is
// preferred over the random stand-in used before it existed.
std::filesystem::path defaultModelFolder();

} // namespace bd3
