// A weight matrix [out, in] held in its stored type (fp32, f16, bf16, Q8_0 or
// Q4_0), and y = x W^T + b computed with fp32 accumulation, split over the
// thread pool by output columns. 16-bit and quantized weights cut the bytes a
// pass streams, which is what bounds small blocks; with quantized weights x is
// quantized to int8 blocks too (cpu/quantized_product.hpp).
#pragma once

#include "cpu/thread_pool.hpp"
#include "formats/stored_tensor.hpp"

#include <cstdint>
#include <vector>

namespace bd3 {

class WeightMatrix {
public:
    WeightMatrix() = default;
    explicit WeightMatrix(StoredTensor tensor);

    int32_t rows() const { return m_out; }
    int32_t columns() const { return m_in; }
    DType dtype() const { return m_dtype; }
    // The bytes of the weights as stored (whole blocks for a quantized type).
    int64_t bytes() const { return static_cast<int64_t>(m_data.size()); }

    // y[n, out] = x[n, in] W^T (+ bias).
    void multiply(const float* x, int32_t n, float* y, const std::vector<float>* bias, ThreadPool& pool) const;
    // Row r widened to fp32 (an embedding lookup).
    void row(int32_t r, float* out) const;

private:
    void multiplyColumns(const float* x, int32_t n, float* y, int32_t begin, int32_t end) const;

    int32_t m_out = 0;
    int32_t m_in = 0;
    DType m_dtype = DType::F32;
    std::vector<std::byte> m_data;
};

} // namespace bd3
