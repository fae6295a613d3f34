#include "formats/quantized_blocks.hpp"

#include "bd3/error.hpp"
#include "formats/float_formats.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace bd3 {

bool isQuantized(DType dtype) { return dtype == DType::Q8_0 || dtype == DType::Q4_0; }

size_t blockBytes(DType dtype)
{
    switch (dtype) {
    case DType::Q8_0: return sizeof(Q8_0Block);
    case DType::Q4_0: return sizeof(Q4_0Block);
    default: throw Error("internal: " + std::string(dtypeName(dtype)) + " is not a quantized type");
    }
}

size_t rowBytes(DType dtype, int64_t columns)
{
    if (!isQuantized(dtype)) return static_cast<size_t>(columns) * dtypeSize(dtype);
    if (columns % kQuantBlock != 0)
        throw Error("internal: a " + std::string(dtypeName(dtype)) + " row of " + std::to_string(columns) +
                    " columns is not whole blocks of 32");
    return static_cast<size_t>(columns / kQuantBlock) * blockBytes(dtype);
}

uint16_t floatToHalf(float value)
{
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    const uint32_t sign = (bits >> 16) & 0x8000U;
    const uint32_t exponent = (bits >> 23) & 0xFFU;
    uint32_t mantissa = bits & 0x7FFFFFU;
    if (exponent == 0xFF) return static_cast<uint16_t>(sign | 0x7C00U | (mantissa != 0 ? 0x200U : 0U));
    const int32_t halfExponent = static_cast<int32_t>(exponent) - 127 + 15;
    if (halfExponent >= 0x1F) return static_cast<uint16_t>(sign | 0x7C00U);
    if (halfExponent <= 0) {
        // Subnormal half (or zero): shift the full mantissa into place, rounding to even.
        if (halfExponent < -10) return static_cast<uint16_t>(sign);
        mantissa |= 0x800000U;
        const uint32_t shift = static_cast<uint32_t>(14 - halfExponent);
        uint32_t half = mantissa >> shift;
        const uint32_t rest = mantissa & ((1U << shift) - 1);
        const uint32_t halfway = 1U << (shift - 1);
        if (rest > halfway || (rest == halfway && (half & 1U) != 0)) ++half;
        return static_cast<uint16_t>(sign | half);
    }
    uint32_t half = (static_cast<uint32_t>(halfExponent) << 10) | (mantissa >> 13);
    const uint32_t rest = mantissa & 0x1FFFU;
    if (rest > 0x1000U || (rest == 0x1000U && (half & 1U) != 0)) ++half;  // may carry into the exponent: still right
    return static_cast<uint16_t>(sign | half);
}

void quantizeRow(DType dtype, const float* x, int32_t columns, std::byte* out)
{
    const int32_t blocks = static_cast<int32_t>(rowBytes(dtype, columns) / blockBytes(dtype));
    for (int32_t b = 0; b < blocks; ++b) {
        const float* v = x + static_cast<size_t>(b) * kQuantBlock;
        if (dtype == DType::Q8_0) {
            float amax = 0.0F;
            for (int32_t i = 0; i < kQuantBlock; ++i) amax = std::max(amax, std::fabs(v[i]));
            const uint16_t scale = floatToHalf(amax / 127.0F);
            const float d = halfToFloat(scale);
            const float inverse = d != 0.0F ? 1.0F / d : 0.0F;
            Q8_0Block block{};
            block.scale = scale;
            for (int32_t i = 0; i < kQuantBlock; ++i)
                block.q[i] = static_cast<int8_t>(std::clamp(std::lround(v[i] * inverse), -127L, 127L));
            std::memcpy(out + static_cast<size_t>(b) * sizeof block, &block, sizeof block);
        } else {
            // The value of largest magnitude, with its sign, maps to -8.
            float extreme = 0.0F;
            for (int32_t i = 0; i < kQuantBlock; ++i)
                if (std::fabs(v[i]) > std::fabs(extreme)) extreme = v[i];
            const uint16_t scale = floatToHalf(extreme / -8.0F);
            const float d = halfToFloat(scale);
            const float inverse = d != 0.0F ? 1.0F / d : 0.0F;
            const auto level = [&](float value) {
                return static_cast<uint8_t>(std::clamp(std::lround(value * inverse) + 8, 0L, 15L));
            };
            Q4_0Block block{};
            block.scale = scale;
            for (int32_t i = 0; i < kQuantBlock / 2; ++i)
                block.qs[i] = static_cast<uint8_t>(level(v[i]) | (level(v[i + kQuantBlock / 2]) << 4));
            std::memcpy(out + static_cast<size_t>(b) * sizeof block, &block, sizeof block);
        }
    }
}

void dequantizeRow(DType dtype, const std::byte* row, int32_t columns, float* out)
{
    const int32_t blocks = static_cast<int32_t>(rowBytes(dtype, columns) / blockBytes(dtype));
    for (int32_t b = 0; b < blocks; ++b) {
        float* v = out + static_cast<size_t>(b) * kQuantBlock;
        if (dtype == DType::Q8_0) {
            Q8_0Block block{};
            std::memcpy(&block, row + static_cast<size_t>(b) * sizeof block, sizeof block);
            const float d = halfToFloat(block.scale);
            for (int32_t i = 0; i < kQuantBlock; ++i) v[i] = d * static_cast<float>(block.q[i]);
        } else {
            Q4_0Block block{};
            std::memcpy(&block, row + static_cast<size_t>(b) * sizeof block, sizeof block);
            const float d = halfToFloat(block.scale);
            for (int32_t i = 0; i < kQuantBlock / 2; ++i) {
                v[i] = d * static_cast<float>((block.qs[i] & 15) - 8);
                v[i + kQuantBlock / 2] = d * static_cast<float>((block.qs[i] >> 4) - 8);
            }
        }
    }
}

} // namespace bd3
