// Parsers that read files get the fuzzer's bytes through a file of their own,
// rewritten for every input.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace bd3::fuzz {

inline std::filesystem::path scratchFile(const std::string& name)
{
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() / ("bd3-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir / name;
}

inline std::filesystem::path writeScratch(const std::string& name, const uint8_t* data, size_t size)
{
    const auto path = scratchFile(name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
}

} // namespace bd3::fuzz
