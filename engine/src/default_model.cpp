#include "bd3/default_model.hpp"

namespace bd3 {

namespace {

std::filesystem::path executableFolder()
{
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path() : self.parent_path();
}

} // namespace

std::filesystem::path defaultModelFolder()
{
    std::error_code ec;
    const auto installed = executableFolder() / ".." / "share" / "bd3studio" / "models" / "default";
    if (std::filesystem::is_directory(installed, ec)) return installed.lexically_normal();
    return std::filesystem::path(BD3_SOURCE_MODELS_DIR) / "default";
}

} // namespace bd3
