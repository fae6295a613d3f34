// Products of a few activation rows (a block's worth) with a weight matrix
// [out, in] stored as f32, f16 or bf16, accumulated in fp32. Each weight row
// is read once for every four activation rows, widened in registers, so a
// pass streams the weights as stored. The portable kernel is the oracle of
// the vector ones (AVX2 and AVX-512, chosen at run time), which differ from it
// only in the order of the float sums.
#pragma once

#include "formats/stored_tensor.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bd3 {

enum class FloatKernelPath { Portable, Avx2, Avx512 };

std::string_view floatKernelPathName(FloatKernelPath path);  // "portable", "avx2", "avx512"
bool cpuSupports(FloatKernelPath path);
FloatKernelPath bestFloatKernelPath();

// y[r, j] += dot(x row r, weight row j) for r < n and j in [begin, end); x is
// [n, in], y [n, out], and `weights` holds `out` rows of `in` elements of
// `dtype` (F32, F16 or BF16) at any alignment. `path` must be one the CPU
// supports.
void floatColumns(DType dtype, const float* x, int32_t n, int32_t in, const std::byte* weights, int32_t out, float* y,
                  int32_t begin, int32_t end, FloatKernelPath path);

} // namespace bd3
