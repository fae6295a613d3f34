#include "cpu/weight_matrix.hpp"

#include "bd3/error.hpp"
#include "cpu/quantized_product.hpp"
#include "formats/float_formats.hpp"
#include "formats/quantized_blocks.hpp"

#include <cblas.h>
#include <cpuid.h>
#include <immintrin.h>

#include <cstring>

namespace bd3 {

namespace {

// Output columns per task: enough work to be worth a thread.
constexpr int64_t columnGrain = 64;

// Eight 16-bit weights widened to fp32 lanes.
__attribute__((target("avx2,fma"))) inline __m256 loadBf16(const uint16_t* w)
{
    const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(raw), 16));
}

__attribute__((target("avx2,fma,f16c"))) inline __m256 loadF16(const uint16_t* w)
{
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w)));
}

// y[r, j] += dot(x[r], w[j]) for j in [begin, end), w in a 16-bit type. The
// rows of x are taken four at a time, so each weight row is read from memory
// once per four rows.
template <__m256 (*load)(const uint16_t*), float (*widen)(uint16_t)>
__attribute__((target("avx2,fma,f16c"))) void columns16Avx2(const float* x, int32_t n, int32_t in, const uint16_t* w,
                                                            int32_t out, float* y, int32_t begin, int32_t end)
{
    const int32_t vectorEnd = in / 8 * 8;
    for (int32_t j = begin; j < end; ++j) {
        const uint16_t* wj = w + static_cast<size_t>(j) * in;
        for (int32_t r0 = 0; r0 < n; r0 += 4) {
            const int32_t count = std::min(4, n - r0);
            __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
            for (int32_t k = 0; k < vectorEnd; k += 8) {
                const __m256 wv = load(wj + k);
                for (int32_t r = 0; r < count; ++r)
                    acc[r] = _mm256_fmadd_ps(_mm256_loadu_ps(x + static_cast<size_t>(r0 + r) * in + k), wv, acc[r]);
            }
            for (int32_t r = 0; r < count; ++r) {
                alignas(32) float lanes[8];
                _mm256_store_ps(lanes, acc[r]);
                float sum = lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
                for (int32_t k = vectorEnd; k < in; ++k) sum += x[static_cast<size_t>(r0 + r) * in + k] * widen(wj[k]);
                y[static_cast<size_t>(r0 + r) * out + j] += sum;
            }
        }
    }
}

// The plain reference of the same product, kept as the oracle of the tests
// and used where the CPU lacks AVX2.
template <float (*widen)(uint16_t)>
void columns16Portable(const float* x, int32_t n, int32_t in, const uint16_t* w, int32_t out, float* y, int32_t begin,
                       int32_t end)
{
    for (int32_t j = begin; j < end; ++j) {
        const uint16_t* wj = w + static_cast<size_t>(j) * in;
        for (int32_t r = 0; r < n; ++r) {
            float sum = 0.0F;
            for (int32_t k = 0; k < in; ++k) sum += x[static_cast<size_t>(r) * in + k] * widen(wj[k]);
            y[static_cast<size_t>(r) * out + j] += sum;
        }
    }
}

const bool hasAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
// F16C by CPUID (leaf 1, ecx bit 29): not every compiler's builtin knows it.
bool cpuHasF16c()
{
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & bit_F16C) != 0;
}

const bool hasF16c = hasAvx2 && cpuHasF16c();

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
    const auto* w16 = reinterpret_cast<const uint16_t*>(m_data.data());
    switch (m_dtype) {
    case DType::F32:
        // One thread's slice of the product; OpenBLAS itself runs single-threaded.
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, end - begin, m_in, 1.0F, x, m_in,
                    reinterpret_cast<const float*>(m_data.data()) + static_cast<size_t>(begin) * m_in, m_in, 1.0F,
                    y + begin, m_out);
        return;
    case DType::BF16:
        if (hasAvx2) return columns16Avx2<loadBf16, bf16ToFloat>(x, n, m_in, w16, m_out, y, begin, end);
        return columns16Portable<bf16ToFloat>(x, n, m_in, w16, m_out, y, begin, end);
    case DType::F16:
        if (hasF16c) return columns16Avx2<loadF16, halfToFloat>(x, n, m_in, w16, m_out, y, begin, end);
        return columns16Portable<halfToFloat>(x, n, m_in, w16, m_out, y, begin, end);
    case DType::Q8_0:
    case DType::Q4_0:
        // multiply() quantizes x once for all slices and calls quantizedColumns.
        throw Error("internal: a quantized matrix's columns need quantized activations");
    }
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
