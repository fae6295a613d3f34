// A weight matrix [out, in] held in fp32 or bf16, and y = x W^T + b computed
// with fp32 accumulation, split over the thread pool by output columns.
// bf16 halves the bytes a pass streams, which is what bounds small blocks.
#pragma once

#include "cpu/thread_pool.hpp"

#include <cstdint>
#include <vector>

namespace bd3 {

enum class WeightPrecision;

class WeightMatrix {
public:
    WeightMatrix() = default;
    WeightMatrix(std::vector<float> values, int32_t out, int32_t in, WeightPrecision precision);

    int32_t rows() const { return m_out; }
    int32_t columns() const { return m_in; }
    int64_t bytes() const;

    // y[n, out] = x[n, in] W^T (+ bias).
    void multiply(const float* x, int32_t n, float* y, const std::vector<float>* bias, ThreadPool& pool) const;

private:
    void multiplyColumns(const float* x, int32_t n, float* y, int32_t begin, int32_t end) const;

    int32_t m_out = 0;
    int32_t m_in = 0;
    std::vector<float> m_f32;
    std::vector<uint16_t> m_bf16;
};

// Rounds to the nearest bf16 value (ties to even), kept as fp32.
float roundToBf16(float value);
uint16_t bf16Bits(float value);

} // namespace bd3
