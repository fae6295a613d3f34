// The 16-bit float formats of stored weights: IEEE half (F16) and bfloat16
// (BF16), and the one rounding of fp32 to bf16 every part of the engine uses.
#pragma once

#include <bit>
#include <cstdint>

namespace bd3 {

inline float bf16ToFloat(uint16_t bits) { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

// Nearest bf16, ties to even; infinities stay infinite and a NaN stays a
// (quiet) NaN, whatever its payload.
inline uint16_t floatToBf16(float value)
{
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    if ((bits & 0x7F800000U) == 0x7F800000U)
        return static_cast<uint16_t>((bits >> 16) | ((bits & 0x007FFFFFU) != 0 ? 0x0040U : 0U));
    return static_cast<uint16_t>((bits + 0x7FFFU + ((bits >> 16) & 1U)) >> 16);
}

inline float roundToBf16(float value) { return bf16ToFloat(floatToBf16(value)); }

inline float halfToFloat(uint16_t h)
{
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000U) << 16;
    const uint32_t exponent = (h >> 10) & 0x1FU;
    uint32_t mantissa = h & 0x3FFU;
    uint32_t bits = 0;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {  // subnormal: normalise into a float exponent
            int e = -1;
            do {
                ++e;
                mantissa <<= 1;
            } while ((mantissa & 0x400U) == 0);
            bits = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | ((mantissa & 0x3FFU) << 13);
        }
    } else if (exponent == 0x1F) {
        bits = sign | 0x7F800000U | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    return std::bit_cast<float>(bits);
}

} // namespace bd3
