// Writing .safetensors files: every tensor's name, type and shape are given
// first, so the header is written once, then each tensor's data in the same
// order. Quantized tensors are stored as U8 [rows, bytes per row] and named
// in __metadata__, as the reader expects.
#pragma once

#include "formats/stored_tensor.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace bd3 {

struct TensorEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;  // the tensor's own shape (for a quantized matrix, [rows, columns])

    uint64_t bytes() const;
};

class SafetensorsWriter {
public:
    SafetensorsWriter(const std::filesystem::path& path, std::vector<TensorEntry> entries);
    // The next tensor in the order given; its type, shape and size must match.
    void write(const StoredTensor& tensor);
    // Checks that every tensor was written and closes the file.
    void finish();

private:
    std::filesystem::path m_path;
    std::vector<TensorEntry> m_entries;
    size_t m_next = 0;
    std::ofstream m_out;
};

} // namespace bd3
