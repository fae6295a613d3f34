#include "cpu/weight_matrix.hpp"

#include "bd3/model.hpp"

#include <cblas.h>
#include <immintrin.h>

#include <bit>
#include <cstring>

namespace bd3 {

namespace {

// Output columns per task: enough work to be worth a thread.
constexpr int64_t columnGrain = 64;

float bf16ToFloat(uint16_t bits) { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

// y[r, j] += dot(x[r], w[j]) for j in [begin, end), w in bf16. The rows of
// x are taken four at a time, so each weight row is read from memory once.
__attribute__((target("avx2,fma"))) void bf16ColumnsAvx2(const float* x, int32_t n, int32_t in, const uint16_t* w,
                                                         int32_t out, float* y, int32_t begin, int32_t end)
{
    const int32_t vectorEnd = in / 8 * 8;
    for (int32_t j = begin; j < end; ++j) {
        const uint16_t* wj = w + static_cast<size_t>(j) * in;
        for (int32_t r0 = 0; r0 < n; r0 += 4) {
            const int32_t count = std::min(4, n - r0);
            __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
            for (int32_t k = 0; k < vectorEnd; k += 8) {
                const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wj + k));
                const __m256 wv = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(raw), 16));
                for (int32_t r = 0; r < count; ++r)
                    acc[r] = _mm256_fmadd_ps(_mm256_loadu_ps(x + static_cast<size_t>(r0 + r) * in + k), wv, acc[r]);
            }
            for (int32_t r = 0; r < count; ++r) {
                alignas(32) float lanes[8];
                _mm256_store_ps(lanes, acc[r]);
                float sum = lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
                for (int32_t k = vectorEnd; k < in; ++k)
                    sum += x[static_cast<size_t>(r0 + r) * in + k] * bf16ToFloat(wj[k]);
                y[static_cast<size_t>(r0 + r) * out + j] += sum;
            }
        }
    }
}

void bf16ColumnsPortable(const float* x, int32_t n, int32_t in, const uint16_t* w, int32_t out, float* y, int32_t begin,
                         int32_t end)
{
    for (int32_t j = begin; j < end; ++j) {
        const uint16_t* wj = w + static_cast<size_t>(j) * in;
        for (int32_t r = 0; r < n; ++r) {
            float sum = 0.0F;
            for (int32_t k = 0; k < in; ++k) sum += x[static_cast<size_t>(r) * in + k] * bf16ToFloat(wj[k]);
            y[static_cast<size_t>(r) * out + j] += sum;
        }
    }
}

const bool hasAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");

} // namespace

uint16_t bf16Bits(float value)
{
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    if ((bits & 0x7F800000U) == 0x7F800000U) return static_cast<uint16_t>(bits >> 16); // inf, NaN
    const uint32_t rounding = 0x7FFFU + ((bits >> 16) & 1U);
    return static_cast<uint16_t>((bits + rounding) >> 16);
}

float roundToBf16(float value) { return bf16ToFloat(bf16Bits(value)); }

WeightMatrix::WeightMatrix(std::vector<float> values, int32_t out, int32_t in, WeightPrecision precision)
    : m_out(out), m_in(in)
{
    if (precision == WeightPrecision::BFloat16) {
        m_bf16.resize(values.size());
        for (size_t i = 0; i < values.size(); ++i) m_bf16[i] = bf16Bits(values[i]);
    } else {
        m_f32 = std::move(values);
    }
}

int64_t WeightMatrix::bytes() const
{
    return static_cast<int64_t>(m_f32.size() * sizeof(float) + m_bf16.size() * sizeof(uint16_t));
}

void WeightMatrix::multiplyColumns(const float* x, int32_t n, float* y, int32_t begin, int32_t end) const
{
    if (!m_f32.empty()) {
        // One thread's slice of the product; OpenBLAS itself runs single-threaded.
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, end - begin, m_in, 1.0F, x, m_in,
                    m_f32.data() + static_cast<size_t>(begin) * m_in, m_in, 1.0F, y + begin, m_out);
    } else if (hasAvx2) {
        bf16ColumnsAvx2(x, n, m_in, m_bf16.data(), m_out, y, begin, end);
    } else {
        bf16ColumnsPortable(x, n, m_in, m_bf16.data(), m_out, y, begin, end);
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
    pool.parallelFor(m_out, columnGrain, [&](int64_t begin, int64_t end) {
        multiplyColumns(x, n, y, static_cast<int32_t>(begin), static_cast<int32_t>(end));
    });
}

} // namespace bd3
