// Reading .safetensors files: an 8-byte little-endian header length, a JSON
// header of tensor entries, then the raw data. The file stays open for the
// life of the object and tensors are read from it on request; nothing keeps
// it mapped, so a model file changed on disk after loading cannot hurt.
#pragma once

#include "formats/stored_tensor.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace bd3 {


struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    size_t offset = 0;  // from the start of the data section
    size_t bytes = 0;

    int64_t elements() const;
};

class SafetensorsFile {
public:
    // Validates the header completely: every entry's dtype, shape and data
    // range, against the file's real size. Throws bd3::Error naming the entry.
    explicit SafetensorsFile(const std::filesystem::path& path);

    const std::filesystem::path& path() const { return m_path; }
    const std::map<std::string, TensorInfo>& tensors() const { return m_tensors; }
    // Converts one tensor to fp32 into out (out.size() == info.elements()).
    void readAsFloat(const TensorInfo& info, std::span<float> out) const;
    // One tensor's bytes as stored.
    StoredTensor read(const TensorInfo& info) const;

private:
    class Descriptor {
    public:
        explicit Descriptor(int fd) : m_fd(fd) {}
        ~Descriptor();
        Descriptor(const Descriptor&) = delete;
        Descriptor& operator=(const Descriptor&) = delete;
        int get() const { return m_fd; }

    private:
        int m_fd;
    };

    std::filesystem::path m_path;
    Descriptor m_fd;
    std::map<std::string, TensorInfo> m_tensors;
    uint64_t m_dataStart = 0;  // file offset of the first data byte
};

} // namespace bd3
