// Reading .safetensors files: an 8-byte little-endian header length, a JSON
// header of tensor entries, then the raw data. The file is memory-mapped for
// the life of the object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace bd3 {

enum class DType { F32, F16, BF16 };
std::string_view dtypeName(DType dtype);

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    size_t offset = 0;  // from the start of the data section
    size_t bytes = 0;

    int64_t elements() const;
};

std::string shapeText(std::span<const int64_t> shape);

class SafetensorsFile {
public:
    // Validates the header completely: every entry's dtype, shape and data
    // range, against the file's real size. Throws bd3::Error naming the entry.
    explicit SafetensorsFile(const std::filesystem::path& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    const std::map<std::string, TensorInfo>& tensors() const { return m_tensors; }
    // Converts one tensor to fp32 into out (out.size() == info.elements()).
    void readAsFloat(const TensorInfo& info, std::span<float> out) const;

private:
    std::filesystem::path m_path;
    std::map<std::string, TensorInfo> m_tensors;
    const std::byte* m_map = nullptr;
    size_t m_mapSize = 0;
    const std::byte* m_data = nullptr;
};

} // namespace bd3
