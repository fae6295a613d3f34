// How much memory the process can still take, so that a model too large for
// the machine is refused with a message before its weights are read (the
// kernel's out-of-memory killer would otherwise end the program unannounced).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace bd3 {

// MemAvailable from /proc/meminfo, lowered to the cgroup's remaining room
// where a cgroup v2 limit applies; nullopt where neither can be read.
std::optional<uint64_t> availableMemoryBytes();

// "3.2 GiB", "512.0 MiB".
std::string memorySizeText(uint64_t bytes);

// Throws bd3::Error naming what, both sizes and the advice when bytes exceed
// what is available; does nothing when availability is unknown.
void requireAvailableMemory(uint64_t bytes, const std::string& what,
                            const std::string& advice = "free memory, or choose a smaller model");

} // namespace bd3
