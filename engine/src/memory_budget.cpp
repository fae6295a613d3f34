#include "memory_budget.hpp"

#include "bd3/error.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace bd3 {

namespace {

std::optional<uint64_t> readNumberFile(const char* path)
{
    std::ifstream in(path);
    std::string text;
    if (!(in >> text) || text == "max") return std::nullopt;
    try {
        return std::stoull(text);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<uint64_t> meminfoAvailable()
{
    std::ifstream in("/proc/meminfo");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string key;
        uint64_t kib = 0;
        if (fields >> key >> kib && key == "MemAvailable:") return kib * 1024;
    }
    return std::nullopt;
}

} // namespace

std::optional<uint64_t> availableMemoryBytes()
{
    std::optional<uint64_t> available = meminfoAvailable();
    const auto limit = readNumberFile("/sys/fs/cgroup/memory.max");
    const auto used = readNumberFile("/sys/fs/cgroup/memory.current");
    if (limit && used) {
        const uint64_t room = *limit > *used ? *limit - *used : 0;
        available = available ? std::min(*available, room) : room;
    }
    return available;
}

std::string memorySizeText(uint64_t bytes)
{
    char text[64];
    const double b = static_cast<double>(bytes);
    if (b >= 1024.0 * 1024 * 1024) std::snprintf(text, sizeof text, "%.1f GiB", b / (1024.0 * 1024 * 1024));
    else std::snprintf(text, sizeof text, "%.1f MiB", b / (1024.0 * 1024));
    return text;
}

void requireAvailableMemory(uint64_t bytes, const std::string& what, const std::string& advice)
{
    const auto available = availableMemoryBytes();
    if (!available || bytes <= *available) return;
    throw Error(what + " needs about " + memorySizeText(bytes) + " of memory, but only " + memorySizeText(*available) +
                " is available; " + advice);
}

} // namespace bd3
