// Writes NumPy .npy files (format 1.0, little-endian float32, C order).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace bd3::cli {

void writeNpy(const std::filesystem::path& path, std::span<const float> data, const std::vector<int64_t>& shape);

} // namespace bd3::cli
