#include "formats/stored_tensor.hpp"

#include "formats/float_formats.hpp"

#include <cstring>

namespace bd3 {

std::string_view dtypeName(DType dtype)
{
    switch (dtype) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    }
    return "?";
}

size_t dtypeSize(DType dtype) { return dtype == DType::F32 ? 4 : 2; }

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
    if (dtype == DType::F32) {
        float value = 0.0F;
        std::memcpy(&value, bytes.data() + 4 * i, 4);
        return value;
    }
    uint16_t bits = 0;
    std::memcpy(&bits, bytes.data() + 2 * i, 2);
    return dtype == DType::F16 ? halfToFloat(bits) : bf16ToFloat(bits);
}

std::vector<float> StoredTensor::toFloat() const
{
    std::vector<float> values(static_cast<size_t>(elements()));
    for (size_t i = 0; i < values.size(); ++i) values[i] = at(i);
    return values;
}

StoredTensor StoredTensor::toBf16() const
{
    if (dtype == DType::BF16) return *this;
    StoredTensor out{name, DType::BF16, shape, {}};
    out.bytes.resize(static_cast<size_t>(elements()) * 2);
    for (size_t i = 0; i < static_cast<size_t>(elements()); ++i) {
        const uint16_t bits = floatToBf16(at(i));
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
