// bd3's quantized weight layouts. A quantized matrix [rows, columns] keeps
// each row as columns / 32 blocks, one after another, and a block is a
// little-endian IEEE half scale d followed by 32 quantized weights:
//   Q8_0 (34 bytes): int8 q[32]; weight i = d * q[i].
//   Q4_0 (18 bytes): uint8 qs[16]; weight i = d * ((qs[i] & 15) - 8) and
//                    weight 16 + i = d * ((qs[i] >> 4) - 8), for i < 16.
// Rows of whole blocks keep every row-wise operation (stacking matrices,
// embedding lookups, splitting products by output column) as simple as for
// a float type. These functions are the reference of both layouts: what the
// quantizer writes and what the product kernels are tested against.
#pragma once

#include "formats/stored_tensor.hpp"

#include <cstddef>
#include <cstdint>

namespace bd3 {

constexpr int32_t kQuantBlock = 32;

struct Q8_0Block {
    uint16_t scale;
    int8_t q[kQuantBlock];
};
struct Q4_0Block {
    uint16_t scale;
    uint8_t qs[kQuantBlock / 2];
};
static_assert(sizeof(Q8_0Block) == 34 && alignof(Q8_0Block) == 2);
static_assert(sizeof(Q4_0Block) == 18 && alignof(Q4_0Block) == 2);

bool isQuantized(DType dtype);
// Bytes of one block of a quantized type.
size_t blockBytes(DType dtype);
// Bytes of one row of `columns` elements of any type (for a quantized type,
// columns is a multiple of 32).
size_t rowBytes(DType dtype, int64_t columns);

// Nearest IEEE half, ties to even (overflow to infinity, subnormals kept).
uint16_t floatToHalf(float value);

// One row of `columns` floats (a multiple of 32) into blocks of `dtype`: the
// scale makes the largest magnitude of each block the end of the range (127
// for Q8_0; -8 for Q4_0, whose range is one step longer below zero).
void quantizeRow(DType dtype, const float* x, int32_t columns, std::byte* out);
// One row of blocks back to floats.
void dequantizeRow(DType dtype, const std::byte* row, int32_t columns, float* out);

} // namespace bd3
