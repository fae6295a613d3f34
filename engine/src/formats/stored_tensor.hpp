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

// Q8_0 and Q4_0 are bd3's block-quantized layouts (formats/quantized_blocks.hpp):
// a tensor of either is a matrix whose rows are whole blocks of 32.
enum class DType { F32, F16, BF16, Q8_0, Q4_0 };
std::string_view dtypeName(DType dtype);
// Bytes per element of a float type (a quantized type has none: see rowBytes).
size_t dtypeSize(DType dtype);

struct StoredTensor {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    std::vector<std::byte> bytes;

    // An F32 tensor holding values.
    static StoredTensor fromFloats(std::string name, std::vector<int64_t> shape, const std::vector<float>& values);

    int64_t elements() const;
    // Element i widened (or dequantized) to fp32.
    float at(size_t i) const;
    std::vector<float> toFloat() const;
    // The same values rounded to bf16 and stored as BF16 (from any type).
    StoredTensor toBf16() const;
};

// Element i of data stored as a float type (F32, F16 or BF16), widened to fp32.
float floatElement(DType dtype, const std::byte* data, size_t i);
// One row of `columns` elements stored as `dtype` (for a quantized type,
// whole blocks) widened or dequantized to fp32.
void rowToFloat(DType dtype, const std::byte* row, int64_t columns, float* out);

std::string shapeText(std::span<const int64_t> shape);

} // namespace bd3
