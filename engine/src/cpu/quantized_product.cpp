#include "cpu/quantized_product.hpp"

#include "bd3/error.hpp"
#include "cpu/cpu_features.hpp"
#include "formats/float_formats.hpp"
#include "formats/quantized_blocks.hpp"


#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace bd3 {

namespace {

float blockScale(const std::byte* block)
{
    uint16_t half = 0;
    std::memcpy(&half, block, sizeof half);
    return halfToFloat(half);
}

// ---------------------------------------------------------------------------
// The portable kernel: the oracle of the others, and the path of CPUs
// without AVX2.

int32_t blockDot(DType type, const std::byte* block, const int8_t* x)
{
    const std::byte* q = block + sizeof(uint16_t);
    int32_t sum = 0;
    if (type == DType::Q8_0) {
        for (int32_t i = 0; i < kQuantBlock; ++i) sum += std::to_integer<int8_t>(q[i]) * x[i];
    } else {
        for (int32_t i = 0; i < kQuantBlock / 2; ++i) {
            const int32_t packed = std::to_integer<int32_t>(q[i]);
            sum += ((packed & 15) - 8) * x[i] + ((packed >> 4) - 8) * x[i + kQuantBlock / 2];
        }
    }
    return sum;
}

void columnsPortable(DType type, const QuantizedActivations& x, const std::byte* w, int32_t out, float* y,
                     int32_t begin, int32_t end)
{
    const int32_t blocks = x.blocksPerRow();
    const size_t bytes = blockBytes(type);
    for (int32_t j = begin; j < end; ++j) {
        const std::byte* wj = w + static_cast<size_t>(j) * blocks * bytes;
        for (int32_t r = 0; r < x.rows(); ++r) {
            const int8_t* xq = x.values(r);
            const float* xd = x.scales(r);
            float sum = 0.0F;
            for (int32_t b = 0; b < blocks; ++b) {
                const std::byte* block = wj + b * bytes;
                sum += blockScale(block) * xd[b] * static_cast<float>(blockDot(type, block, xq + b * kQuantBlock));
            }
            y[static_cast<size_t>(r) * out + j] += sum;
        }
    }
}

// ---------------------------------------------------------------------------
// Vector kernels. A weight block is loaded as 32 signed int8 w; the integer
// dot with x uses the sign trick, dot(w, x) = dot(|w|, x * sign(w)), so an
// unsigned-by-signed instruction (maddubs, dpbusd) multiplies exactly: |w| is
// at most 128 and x * sign(w) within +-127, so maddubs' int16 pairs reach at
// most 2 * 128 * 127 = 32512 and never saturate.

#define BD3_AVX2 "avx2,fma,f16c"
#define BD3_AVX512 "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"

__attribute__((target(BD3_AVX2))) inline float blockScaleF16c(const std::byte* block)
{
    uint16_t half = 0;
    std::memcpy(&half, block, sizeof half);
    return _cvtsh_ss(half);
}

// The 32 weights of one block as signed int8, in element order.
template <DType type> __attribute__((target(BD3_AVX2))) inline __m256i loadBlock(const std::byte* block)
{
    const std::byte* q = block + sizeof(uint16_t);
    if constexpr (type == DType::Q8_0) {
        return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
    } else {
        // Both halves hold the 16 packed bytes; the upper one shifted to its high nibbles.
        const __m256i packed = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q)));
        const __m256i nibbles = _mm256_and_si256(_mm256_srlv_epi64(packed, _mm256_set_epi64x(4, 4, 0, 0)),
                                                 _mm256_set1_epi8(15));
        return _mm256_sub_epi8(nibbles, _mm256_set1_epi8(8));
    }
}

// Dots of weight row w with `rows` activation rows from r0: the weight
// blocks are loaded and prepared once for all of them.
template <DType type, int rows>
__attribute__((target(BD3_AVX2))) void rowGroupAvx2(const std::byte* w, const QuantizedActivations& x, int32_t r0,
                                                   float* dots)
{
    const size_t bytes = sizeof(uint16_t) + (type == DType::Q8_0 ? kQuantBlock : kQuantBlock / 2);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[rows];
    for (int r = 0; r < rows; ++r) acc[r] = _mm256_setzero_ps();
    for (int32_t b = 0; b < x.blocksPerRow(); ++b) {
        const std::byte* block = w + b * bytes;
        const __m256i wq = loadBlock<type>(block);
        const __m256i magnitude = _mm256_abs_epi8(wq);
        const __m256 dw = _mm256_set1_ps(blockScaleF16c(block));
        for (int r = 0; r < rows; ++r) {
            const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.values(r0 + r) + b * kQuantBlock));
            const __m256i dot = _mm256_madd_epi16(_mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(xq, wq)), ones);
            acc[r] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(dot), dw),
                                     _mm256_broadcast_ss(x.scales(r0 + r) + b), acc[r]);
        }
    }
    for (int r = 0; r < rows; ++r) dots[r] = horizontalSum(acc[r]);
}

// The same with AVX-VNNI (CPUs with VNNI but no AVX-512): dpbusd does the
// work of maddubs and madd in one instruction.
template <DType type, int rows>
__attribute__((target(BD3_AVX2 ",avxvnni"))) void rowGroupAvxVnni(const std::byte* w, const QuantizedActivations& x,
                                                                  int32_t r0, float* dots)
{
    const size_t bytes = sizeof(uint16_t) + (type == DType::Q8_0 ? kQuantBlock : kQuantBlock / 2);
    __m256 acc[rows];
    for (int r = 0; r < rows; ++r) acc[r] = _mm256_setzero_ps();
    for (int32_t b = 0; b < x.blocksPerRow(); ++b) {
        const std::byte* block = w + b * bytes;
        const __m256i wq = loadBlock<type>(block);
        const __m256i magnitude = _mm256_abs_epi8(wq);
        const __m256 dw = _mm256_set1_ps(blockScaleF16c(block));
        for (int r = 0; r < rows; ++r) {
            const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.values(r0 + r) + b * kQuantBlock));
            const __m256i dot = _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), magnitude, _mm256_sign_epi8(xq, wq));
            acc[r] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(dot), dw),
                                     _mm256_broadcast_ss(x.scales(r0 + r) + b), acc[r]);
        }
    }
    for (int r = 0; r < rows; ++r) dots[r] = horizontalSum(acc[r]);
}

// GCC 12 takes the deliberately undefined vectors inside its AVX-512
// intrinsics for uninitialized variables.
#pragma GCC diagnostic push
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#pragma GCC diagnostic ignored "-Wuninitialized"

// 512-bit: two blocks per vector, 8 int32 lanes each.
template <DType type> __attribute__((target(BD3_AVX512))) inline __m512i loadBlockPair(const std::byte* block)
{
    constexpr size_t bytes = sizeof(uint16_t) + (type == DType::Q8_0 ? kQuantBlock : kQuantBlock / 2);
    const std::byte* q = block + sizeof(uint16_t);
    if constexpr (type == DType::Q8_0) {
        const __m256i low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
        const __m256i high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + bytes));
        return _mm512_inserti64x4(_mm512_castsi256_si512(low), high, 1);
    } else {
        // 128-bit lanes: packed bytes of block 0, 0, 1, 1; the odd lanes shifted to the high nibbles.
        const __m512i packed = _mm512_mask_broadcast_i32x4(
            _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q))), 0xFF00,
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + bytes)));
        const __m512i nibbles = _mm512_and_si512(_mm512_srlv_epi64(packed, _mm512_set_epi64(4, 4, 0, 0, 4, 4, 0, 0)),
                                                 _mm512_set1_epi8(15));
        return _mm512_sub_epi8(nibbles, _mm512_set1_epi8(8));
    }
}

// Two floats spread over the two halves of a vector, eight lanes each.
__attribute__((target(BD3_AVX512))) inline __m512 pairLanes(__m128 two)
{
    return _mm512_permutexvar_ps(_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
                                 _mm512_castps128_ps512(two));
}

template <DType type, int rows>
__attribute__((target(BD3_AVX512))) void rowGroupAvx512(const std::byte* w, const QuantizedActivations& x, int32_t r0,
                                                       float* dots)
{
    constexpr size_t bytes = sizeof(uint16_t) + (type == DType::Q8_0 ? kQuantBlock : kQuantBlock / 2);
    const int32_t blocks = x.blocksPerRow();
    const int32_t pairEnd = blocks / 2 * 2;
    __m512 acc[rows];
    for (int r = 0; r < rows; ++r) acc[r] = _mm512_setzero_ps();
    for (int32_t b = 0; b < pairEnd; b += 2) {
        const std::byte* block = w + b * bytes;
        const __m512i wq = loadBlockPair<type>(block);
        const __m512i magnitude = _mm512_abs_epi8(wq);
        const __mmask64 negative = _mm512_movepi8_mask(wq);
        uint16_t halves[2];
        std::memcpy(&halves[0], block, sizeof(uint16_t));
        std::memcpy(&halves[1], block + bytes, sizeof(uint16_t));
        uint32_t packedScales = 0;
        std::memcpy(&packedScales, halves, sizeof packedScales);
        const __m512 dw = pairLanes(_mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(packedScales))));
        for (int r = 0; r < rows; ++r) {
            const __m512i xq = _mm512_loadu_si512(x.values(r0 + r) + b * kQuantBlock);
            const __m512i signedX = _mm512_mask_sub_epi8(xq, negative, _mm512_setzero_si512(), xq);
            const __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), magnitude, signedX);
            const __m512 dx = pairLanes(_mm_castsi128_ps(_mm_loadu_si64(x.scales(r0 + r) + b)));
            acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(dw, dx), acc[r]);
        }
    }
    float tail[rows] = {};
    if (pairEnd < blocks) {  // an odd last block, in 256 bits
        const std::byte* block = w + pairEnd * bytes;
        const __m256i wq = loadBlock<type>(block);
        const __m256i magnitude = _mm256_abs_epi8(wq);
        const __m256 dw = _mm256_set1_ps(blockScaleF16c(block));
        for (int r = 0; r < rows; ++r) {
            const __m256i xq =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.values(r0 + r) + pairEnd * kQuantBlock));
            const __m256i dot = _mm256_dpbusd_epi32(_mm256_setzero_si256(), magnitude, _mm256_sign_epi8(xq, wq));
            tail[r] = horizontalSum(_mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(dot), dw),
                                                  _mm256_set1_ps(x.scales(r0 + r)[pairEnd])));
        }
    }
    for (int r = 0; r < rows; ++r) dots[r] = _mm512_reduce_add_ps(acc[r]) + tail[r];
}

#pragma GCC diagnostic pop

using RowGroupKernel = void (*)(const std::byte*, const QuantizedActivations&, int32_t, float*);

// Rows are taken `group` at a time, so each weight row is read from memory
// once and stays in L1 for all of them; kernels[k] handles k + 1 rows.
constexpr int group = 4;

void columnsGrouped(const RowGroupKernel* kernels, size_t blockBytes, const QuantizedActivations& x,
                    const std::byte* w, int32_t out, float* y, int32_t begin, int32_t end)
{
    const size_t rowBytes = static_cast<size_t>(x.blocksPerRow()) * blockBytes;
    for (int32_t j = begin; j < end; ++j) {
        const std::byte* wj = w + static_cast<size_t>(j) * rowBytes;
        for (int32_t r0 = 0; r0 < x.rows(); r0 += group) {
            const int32_t count = std::min(group, x.rows() - r0);
            float dots[group];
            kernels[count - 1](wj, x, r0, dots);
            for (int32_t r = 0; r < count; ++r) y[static_cast<size_t>(r0 + r) * out + j] += dots[r];
        }
    }
}

template <DType type> constexpr RowGroupKernel avx2Kernels[group] = {
    rowGroupAvx2<type, 1>, rowGroupAvx2<type, 2>, rowGroupAvx2<type, 3>, rowGroupAvx2<type, 4>};
template <DType type> constexpr RowGroupKernel avxVnniKernels[group] = {
    rowGroupAvxVnni<type, 1>, rowGroupAvxVnni<type, 2>, rowGroupAvxVnni<type, 3>, rowGroupAvxVnni<type, 4>};
template <DType type> constexpr RowGroupKernel avx512Kernels[group] = {
    rowGroupAvx512<type, 1>, rowGroupAvx512<type, 2>, rowGroupAvx512<type, 3>, rowGroupAvx512<type, 4>};

} // namespace

std::string_view kernelPathName(KernelPath path)
{
    switch (path) {
    case KernelPath::Portable: return "portable";
    case KernelPath::Avx2: return "avx2";
    case KernelPath::AvxVnni: return "avx-vnni";
    case KernelPath::Avx512Vnni: return "avx512-vnni";
    }
    return "unknown";
}

bool cpuSupports(KernelPath path)
{
    static const bool avx2 = cpuHasAvx2();
    static const bool avx512 = cpuHasAvx512() && __builtin_cpu_supports("avx512vnni");
    switch (path) {
    case KernelPath::Portable: return true;
    case KernelPath::Avx2: return avx2;
    case KernelPath::AvxVnni: return avx2 && cpuHasAvxVnni();
    case KernelPath::Avx512Vnni: return avx512;
    }
    return false;
}

KernelPath bestKernelPath()
{
    for (KernelPath path : {KernelPath::Avx512Vnni, KernelPath::AvxVnni, KernelPath::Avx2})
        if (cpuSupports(path)) return path;
    return KernelPath::Portable;
}

void QuantizedActivations::quantize(const float* x, int32_t rows, int32_t columns)
{
    if (columns % kQuantBlock != 0)
        throw Error("internal: activation rows of " + std::to_string(columns) + " columns are not whole blocks of 32");
    m_rows = rows;
    m_columns = columns;
    m_values.resize(static_cast<size_t>(rows) * columns);
    m_scales.resize(static_cast<size_t>(rows) * blocksPerRow());
    for (size_t b = 0; b < m_scales.size(); ++b) {
        const float* v = x + b * kQuantBlock;
        float amax = 0.0F;
        for (int32_t i = 0; i < kQuantBlock; ++i) amax = std::max(amax, std::fabs(v[i]));
        const float d = amax / 127.0F;
        m_scales[b] = d;
        int8_t* q = m_values.data() + b * kQuantBlock;
        for (int32_t i = 0; i < kQuantBlock; ++i) {
            float level = d != 0.0F ? std::nearbyint(v[i] / d) : 0.0F;
            level = level >= -127.0F ? level : -127.0F;  // also maps a NaN to a defined value
            q[i] = static_cast<int8_t>(level <= 127.0F ? level : 127.0F);
        }
    }
}

void quantizedColumns(DType type, const QuantizedActivations& x, const std::byte* weights, int32_t out, float* y,
                      int32_t begin, int32_t end, KernelPath path)
{
    if (!isQuantized(type)) throw Error("internal: " + std::string(dtypeName(type)) + " is not a quantized type");
    if (!cpuSupports(path)) throw Error("internal: this CPU lacks the " + std::string(kernelPathName(path)) + " kernels");
    const bool q8 = type == DType::Q8_0;
    const size_t bytes = blockBytes(type);
    switch (path) {
    case KernelPath::Portable: return columnsPortable(type, x, weights, out, y, begin, end);
    case KernelPath::Avx2:
        return columnsGrouped(q8 ? avx2Kernels<DType::Q8_0> : avx2Kernels<DType::Q4_0>, bytes, x, weights, out, y,
                              begin, end);
    case KernelPath::AvxVnni:
        return columnsGrouped(q8 ? avxVnniKernels<DType::Q8_0> : avxVnniKernels<DType::Q4_0>, bytes, x, weights, out, y,
                              begin, end);
    case KernelPath::Avx512Vnni:
        return columnsGrouped(q8 ? avx512Kernels<DType::Q8_0> : avx512Kernels<DType::Q4_0>, bytes, x, weights, out, y,
                              begin, end);
    }
}

} // namespace bd3
