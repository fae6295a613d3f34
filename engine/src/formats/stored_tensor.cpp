#include "formats/stored_tensor.hpp"

#include "bd3/error.hpp"
#include "formats/float_formats.hpp"
#include "formats/quantized_blocks.hpp"

#include <cstring>

namespace bd3 {

std::string_view dtypeName(DType dtype)
{
    switch (dtype) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::Q8_0: return "Q8_0";
    case DType::Q4_0: return "Q4_0";
    }
    return "?";
}

size_t dtypeSize(DType dtype)
{
    if (isQuantized(dtype)) throw Error("internal: " + std::string(dtypeName(dtype)) + " has no per-element size");
    return dtype == DType::F32 ? 4 : 2;
}

StoredTensor StoredTensor::fromFloats(std::string name, std::vector<int64_t> shape, const std::vector<float>& values)
{
    StoredTensor tensor{std::move(name), DType::F32, std::move(shape), std::vector<std::byte>(values.size() * 4)};
    std::memcpy(tensor.bytes.data(), values.data(), tensor.bytes.size());
    return tensor;
}

int64_t StoredTensor::elements() const
{
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

float StoredTensor::at(size_t i) const
{
    if (isQuantized(dtype)) {
        const auto columns = static_cast<size_t>(shape.at(1));
        const size_t row = i / columns;
        const size_t block = (i % columns) / kQuantBlock;
        float values[kQuantBlock];
        dequantizeRow(dtype, bytes.data() + row * rowBytes(dtype, shape[1]) + block * blockBytes(dtype), kQuantBlock,
                      values);
        return values[i % kQuantBlock];
    }
    return floatElement(dtype, bytes.data(), i);
}

float floatElement(DType dtype, const std::byte* data, size_t i)
{
    if (dtype == DType::F32) {
        float value = 0.0F;
        std::memcpy(&value, data + 4 * i, 4);
        return value;
    }
    uint16_t bits = 0;
    std::memcpy(&bits, data + 2 * i, 2);
    return dtype == DType::F16 ? halfToFloat(bits) : bf16ToFloat(bits);
}

std::vector<float> StoredTensor::toFloat() const
{
    std::vector<float> values(static_cast<size_t>(elements()));
    // Row by row (a vector is one row), so a quantized matrix's blocks are whole.
    const int64_t columns = shape.size() >= 2 ? shape.back() : elements();
    const int64_t rows = columns > 0 ? elements() / columns : 0;
    const size_t stride = rowBytes(dtype, columns);
    for (int64_t r = 0; r < rows; ++r)
        rowToFloat(dtype, bytes.data() + static_cast<size_t>(r) * stride, columns, values.data() + r * columns);
    return values;
}

void rowToFloat(DType dtype, const std::byte* row, int64_t columns, float* out)
{
    if (isQuantized(dtype)) return dequantizeRow(dtype, row, static_cast<int32_t>(columns), out);
    if (dtype == DType::F32) {
        std::memcpy(out, row, static_cast<size_t>(columns) * sizeof(float));
        return;
    }
    for (int64_t k = 0; k < columns; ++k) out[k] = floatElement(dtype, row, static_cast<size_t>(k));
}

StoredTensor StoredTensor::toBf16() const
{
    if (dtype == DType::BF16) return *this;
    StoredTensor out{name, DType::BF16, shape, {}};
    out.bytes.resize(static_cast<size_t>(elements()) * 2);
    const std::vector<float> dequantized = isQuantized(dtype) ? toFloat() : std::vector<float>{};
    for (size_t i = 0; i < static_cast<size_t>(elements()); ++i) {
        const uint16_t bits = floatToBf16(dequantized.empty() ? at(i) : dequantized[i]);
        std::memcpy(out.bytes.data() + 2 * i, &bits, 2);
    }
    return out;
}

std::string shapeText(std::span<const int64_t> shape)
{
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i > 0) text += ", ";
        text += std::to_string(shape[i]);
    }
    return text + "]";
}

} // namespace bd3
