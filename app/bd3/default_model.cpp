#include "commands.hpp"

#include <unistd.h>

namespace bd3::cli {

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
    // An installed or unpacked tree keeps its model under share/, relative to
    // bin/, so it works wherever it was put.
    const auto installed = executableFolder() / ".." / "share" / "bd3studio" / "models" / "default";
    std::error_code ec;
    if (std::filesystem::is_directory(installed, ec)) return installed.lexically_normal();
    return std::filesystem::path(BD3_SOURCE_MODELS_DIR) / "tiny-random";
}

void addModelOption(CLI::App& command, std::filesystem::path& folder)
{
    folder = defaultModelFolder();
    command.add_option("-m,--model", folder, "Model folder (config.json, model.safetensors, tokenizer files)")
        ->capture_default_str();
}

} // namespace bd3::cli
