// A tensor as a checkpoint stores it: its bytes in the stored element type,
// read once from the file and handed to a backend, which keeps that type
// (or the bf16 a model was asked to load in) without an fp32 copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bd3 {

enum class DType { F32, F16, BF16 };
std::string_view dtypeName(DType dtype);
size_t dtypeSize(DType dtype);

struct StoredTensor {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    std::vector<std::byte> bytes;

    // An F32 tensor holding values.
    static StoredTensor fromFloats(std::string name, std::vector<int64_t> shape, const std::vector<float>& values);

    int64_t elements() const;
    // Element i widened to fp32.
    float at(size_t i) const;
    std::vector<float> toFloat() const;
    // The same values rounded to bf16 and stored as BF16 (from F32 or F16).
    StoredTensor toBf16() const;
};

std::string shapeText(std::span<const int64_t> shape);

} // namespace bd3
