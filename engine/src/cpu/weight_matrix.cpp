#include "cpu/weight_matrix.hpp"

#include "bd3/error.hpp"
#include "cpu/float_product.hpp"
#include "cpu/quantized_product.hpp"
#include "formats/quantized_blocks.hpp"

#include <cblas.h>

#include <cstring>

namespace bd3 {

namespace {

// Output columns per task: enough work to be worth a thread.
constexpr int64_t columnGrain = 64;

// Up to this many rows a product streams the weights once through the
// few-row kernels; more rows are OpenBLAS's, whose blocking then pays.
constexpr int32_t kFewRows = 16;

} // namespace

WeightMatrix::WeightMatrix(StoredTensor tensor)
    : m_out(static_cast<int32_t>(tensor.shape.at(0))),
      m_in(tensor.shape.size() > 1 ? static_cast<int32_t>(tensor.shape[1]) : 1), m_dtype(tensor.dtype),
      m_data(std::move(tensor.bytes))
{
    if (tensor.shape.size() != 2) throw Error("internal: '" + tensor.name + "' is not a matrix");
    if (m_data.size() != static_cast<size_t>(m_out) * rowBytes(m_dtype, m_in))
        throw Error("internal: '" + tensor.name + "' holds " + std::to_string(m_data.size()) + " bytes, not the " +
                    std::to_string(static_cast<size_t>(m_out) * rowBytes(m_dtype, m_in)) + " of its shape");
}

void WeightMatrix::row(int32_t r, float* out) const
{
    rowToFloat(m_dtype, m_data.data() + static_cast<size_t>(r) * rowBytes(m_dtype, m_in), m_in, out);
}

void WeightMatrix::multiplyColumns(const float* x, int32_t n, float* y, int32_t begin, int32_t end) const
{
    static const FloatKernelPath path = bestFloatKernelPath();
    if (m_dtype == DType::F32 && (n > kFewRows || path == FloatKernelPath::Portable)) {
        // One thread's slice of the product; OpenBLAS itself runs single-threaded.
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, end - begin, m_in, 1.0F, x, m_in,
                    reinterpret_cast<const float*>(m_data.data()) + static_cast<size_t>(begin) * m_in, m_in, 1.0F,
                    y + begin, m_out);
        return;
    }
    if (isQuantized(m_dtype))
        // multiply() quantizes x once for all slices and calls quantizedColumns.
        throw Error("internal: a quantized matrix's columns need quantized activations");
    floatColumns(m_dtype, x, n, m_in, m_data.data(), m_out, y, begin, end, path);
}

void WeightMatrix::multiply(const float* x, int32_t n, float* y, const std::vector<float>* bias, ThreadPool& pool) const
{
    for (int32_t r = 0; r < n; ++r) {
        float* row = y + static_cast<size_t>(r) * m_out;
        if (bias != nullptr) {
            std::memcpy(row, bias->data(), static_cast<size_t>(m_out) * sizeof(float));
        } else {
            std::memset(row, 0, static_cast<size_t>(m_out) * sizeof(float));
        }
    }
    if (isQuantized(m_dtype)) {
        // Quantized once here, not per slice; the buffer is kept for the next product of this thread.
        // The workers must see this thread's buffer, not their own: hence the reference.
        static thread_local QuantizedActivations buffer;
        static const KernelPath path = bestKernelPath();
        QuantizedActivations& activations = buffer;
        activations.quantize(x, n, m_in);
        pool.parallelFor(m_out, columnGrain, [&](int64_t begin, int64_t end) {
            quantizedColumns(m_dtype, activations, m_data.data(), m_out, y, static_cast<int32_t>(begin),
                             static_cast<int32_t>(end), path);
        });
        return;
    }
    pool.parallelFor(m_out, columnGrain, [&](int64_t begin, int64_t end) {
        multiplyColumns(x, n, y, static_cast<int32_t>(begin), static_cast<int32_t>(end));
    });
}

} // namespace bd3
