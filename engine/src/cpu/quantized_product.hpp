// Products of a few activation rows (a block's worth: 1 to 64) with a Q8_0 or
// Q4_0 weight matrix [out, in]. Each activation row is quantized once per
// product into blocks of 32 int8 with one fp32 scale, so every block of a
// product is an exact integer dot of two int8 blocks scaled by d_w * d_x:
//   y[r, j] += sum over blocks b of d_w[j, b] * d_x[r, b] * dot(q_w[j, b], q_x[r, b]).
// The portable kernel computes exactly that and is the oracle of the vector
// kernels, which differ from it only in the order of the float sums.
#pragma once

#include "formats/stored_tensor.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace bd3 {

enum class KernelPath { Portable, Avx2, AvxVnni, Avx512Vnni };

std::string_view kernelPathName(KernelPath path);  // "portable", "avx2", "avx-vnni", "avx512-vnni"
bool cpuSupports(KernelPath path);
// The fastest path this CPU runs.
KernelPath bestKernelPath();

// Activation rows quantized to int8 blocks: d = amax / 127 and q = round(x / d)
// for each block of 32. The buffers are kept between products, so one object
// reused for every product allocates only while rows grow.
class QuantizedActivations {
public:
    // x is [rows, columns], columns a multiple of 32.
    void quantize(const float* x, int32_t rows, int32_t columns);

    int32_t rows() const { return m_rows; }
    int32_t columns() const { return m_columns; }
    int32_t blocksPerRow() const { return m_columns / 32; }
    // Row r's columns() values and its blocksPerRow() scales.
    const int8_t* values(int32_t r) const { return m_values.data() + static_cast<size_t>(r) * m_columns; }
    const float* scales(int32_t r) const { return m_scales.data() + static_cast<size_t>(r) * blocksPerRow(); }

private:
    int32_t m_rows = 0;
    int32_t m_columns = 0;
    std::vector<int8_t> m_values;
    std::vector<float> m_scales;
};

// y[r, j] += dot(x row r, weight row j) for r < x.rows() and j in [begin, end),
// y being [x.rows(), out]. `weights` holds `out` rows of x.columns() / 32
// blocks of `type` (Q8_0 or Q4_0), at any byte alignment. `path` must be one
// the CPU supports.
void quantizedColumns(DType type, const QuantizedActivations& x, const std::byte* weights, int32_t out, float* y,
                      int32_t begin, int32_t end, KernelPath path);

} // namespace bd3
