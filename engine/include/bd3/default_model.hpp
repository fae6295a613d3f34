// Where the model used when none is named lives.
#pragma once

#include <filesystem>

namespace bd3 {

// The default model installed beside the running program
// (bin/../share/bd3studio/models/default, so an unpacked tree works wherever
// it is put), else the one in the source tree (resources/models/default, the
// model trained by tools/train.py; see its README).
std::filesystem::path defaultModelFolder();

} // namespace bd3
