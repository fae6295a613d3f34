#include "cpu/float_product.hpp"

#include "bd3/error.hpp"
#include "cpu/cpu_features.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace bd3 {

namespace {

void columnsPortable(DType dtype, const float* x, int32_t n, int32_t in, const std::byte* w, int32_t out, float* y,
                     int32_t begin, int32_t end)
{
    const size_t rowBytes = static_cast<size_t>(in) * dtypeSize(dtype);
    for (int32_t j = begin; j < end; ++j) {
        const std::byte* wj = w + static_cast<size_t>(j) * rowBytes;
        for (int32_t r = 0; r < n; ++r) {
            float sum = 0.0F;
            for (int32_t k = 0; k < in; ++k) sum += x[static_cast<size_t>(r) * in + k] * floatElement(dtype, wj, static_cast<size_t>(k));
            y[static_cast<size_t>(r) * out + j] += sum;
        }
    }
}

#define BD3_AVX2 "avx2,fma,f16c"
#define BD3_AVX512 "avx2,fma,f16c,avx512f,avx512bw,avx512vl"

// `lanes` weights from element k of a row, widened to fp32 lanes.
template <DType dtype> __attribute__((target(BD3_AVX2))) inline __m256 load8(const std::byte* w, int32_t k)
{
    if constexpr (dtype == DType::F32) {
        return _mm256_loadu_ps(reinterpret_cast<const float*>(w) + k);
    } else {
        const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(reinterpret_cast<const uint16_t*>(w) + k));
        if constexpr (dtype == DType::F16) return _mm256_cvtph_ps(raw);
        return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(raw), 16));
    }
}

// GCC 12 takes the deliberately undefined vectors inside its AVX-512
// intrinsics for uninitialized variables.
#pragma GCC diagnostic push
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#pragma GCC diagnostic ignored "-Wuninitialized"

template <DType dtype> __attribute__((target(BD3_AVX512))) inline __m512 load16(const std::byte* w, int32_t k)
{
    if constexpr (dtype == DType::F32) {
        return _mm512_loadu_ps(reinterpret_cast<const float*>(w) + k);
    } else {
        const __m256i raw =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(reinterpret_cast<const uint16_t*>(w) + k));
        if constexpr (dtype == DType::F16) return _mm512_cvtph_ps(raw);
        return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(raw), 16));
    }
}

// Dots of weight row w with `rows` (1 to 4) activation rows: each row keeps
// two accumulators, so eight independent FMA chains hide the FMA latency.
template <DType dtype, int rows>
__attribute__((target(BD3_AVX2))) void rowGroupAvx2(const std::byte* w, const float* x, int32_t in, float* dots)
{
    __m256 acc[rows][2];
    for (int r = 0; r < rows; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    int32_t k = 0;
    for (; k + 16 <= in; k += 16) {
        const __m256 w0 = load8<dtype>(w, k), w1 = load8<dtype>(w, k + 8);
        for (int r = 0; r < rows; ++r) {
            acc[r][0] = _mm256_fmadd_ps(_mm256_loadu_ps(x + static_cast<size_t>(r) * in + k), w0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(_mm256_loadu_ps(x + static_cast<size_t>(r) * in + k + 8), w1, acc[r][1]);
        }
    }
    for (; k + 8 <= in; k += 8) {
        const __m256 w0 = load8<dtype>(w, k);
        for (int r = 0; r < rows; ++r)
            acc[r][0] = _mm256_fmadd_ps(_mm256_loadu_ps(x + static_cast<size_t>(r) * in + k), w0, acc[r][0]);
    }
    for (int r = 0; r < rows; ++r) {
        float sum = horizontalSum(_mm256_add_ps(acc[r][0], acc[r][1]));
        for (int32_t t = k; t < in; ++t) sum += x[static_cast<size_t>(r) * in + t] * floatElement(dtype, w, static_cast<size_t>(t));
        dots[r] = sum;
    }
}

template <DType dtype, int rows>
__attribute__((target(BD3_AVX512))) void rowGroupAvx512(const std::byte* w, const float* x, int32_t in, float* dots)
{
    __m512 acc[rows][2];
    for (int r = 0; r < rows; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    int32_t k = 0;
    for (; k + 32 <= in; k += 32) {
        const __m512 w0 = load16<dtype>(w, k), w1 = load16<dtype>(w, k + 16);
        for (int r = 0; r < rows; ++r) {
            acc[r][0] = _mm512_fmadd_ps(_mm512_loadu_ps(x + static_cast<size_t>(r) * in + k), w0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(_mm512_loadu_ps(x + static_cast<size_t>(r) * in + k + 16), w1, acc[r][1]);
        }
    }
    for (; k + 16 <= in; k += 16) {
        const __m512 w0 = load16<dtype>(w, k);
        for (int r = 0; r < rows; ++r)
            acc[r][0] = _mm512_fmadd_ps(_mm512_loadu_ps(x + static_cast<size_t>(r) * in + k), w0, acc[r][0]);
    }
    for (int r = 0; r < rows; ++r) {
        float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc[r][0], acc[r][1]));
        for (int32_t t = k; t < in; ++t) sum += x[static_cast<size_t>(r) * in + t] * floatElement(dtype, w, static_cast<size_t>(t));
        dots[r] = sum;
    }
}

#pragma GCC diagnostic pop

using RowGroupKernel = void (*)(const std::byte*, const float*, int32_t, float*);
constexpr int group = 4;

template <DType dtype> constexpr RowGroupKernel avx2Kernels[group] = {
    rowGroupAvx2<dtype, 1>, rowGroupAvx2<dtype, 2>, rowGroupAvx2<dtype, 3>, rowGroupAvx2<dtype, 4>};
template <DType dtype> constexpr RowGroupKernel avx512Kernels[group] = {
    rowGroupAvx512<dtype, 1>, rowGroupAvx512<dtype, 2>, rowGroupAvx512<dtype, 3>, rowGroupAvx512<dtype, 4>};

// Weight rows in the outer loop: each is read from memory once and stays in
// L1 for every group of activation rows.
void columnsGrouped(const RowGroupKernel* kernels, size_t rowBytes, const float* x, int32_t n, int32_t in,
                    const std::byte* w, int32_t out, float* y, int32_t begin, int32_t end)
{
    for (int32_t j = begin; j < end; ++j) {
        const std::byte* wj = w + static_cast<size_t>(j) * rowBytes;
        for (int32_t r0 = 0; r0 < n; r0 += group) {
            const int32_t count = std::min(group, n - r0);
            float dots[group];
            kernels[count - 1](wj, x + static_cast<size_t>(r0) * in, in, dots);
            for (int32_t r = 0; r < count; ++r) y[static_cast<size_t>(r0 + r) * out + j] += dots[r];
        }
    }
}

const RowGroupKernel* kernelsFor(FloatKernelPath path, DType dtype)
{
    const bool wide = path == FloatKernelPath::Avx512;
    switch (dtype) {
    case DType::F32: return wide ? avx512Kernels<DType::F32> : avx2Kernels<DType::F32>;
    case DType::F16: return wide ? avx512Kernels<DType::F16> : avx2Kernels<DType::F16>;
    case DType::BF16: return wide ? avx512Kernels<DType::BF16> : avx2Kernels<DType::BF16>;
    default: throw Error("internal: " + std::string(dtypeName(dtype)) + " is not a float type");
    }
}

} // namespace

std::string_view floatKernelPathName(FloatKernelPath path)
{
    switch (path) {
    case FloatKernelPath::Portable: return "portable";
    case FloatKernelPath::Avx2: return "avx2";
    case FloatKernelPath::Avx512: return "avx512";
    }
    return "unknown";
}

bool cpuSupports(FloatKernelPath path)
{
    static const bool avx2 = cpuHasAvx2();
    static const bool avx512 = cpuHasAvx512();
    switch (path) {
    case FloatKernelPath::Portable: return true;
    case FloatKernelPath::Avx2: return avx2;
    case FloatKernelPath::Avx512: return avx512;
    }
    return false;
}

FloatKernelPath bestFloatKernelPath()
{
    for (FloatKernelPath path : {FloatKernelPath::Avx512, FloatKernelPath::Avx2})
        if (cpuSupports(path)) return path;
    return FloatKernelPath::Portable;
}

void floatColumns(DType dtype, const float* x, int32_t n, int32_t in, const std::byte* weights, int32_t out, float* y,
                  int32_t begin, int32_t end, FloatKernelPath path)
{
    if (!cpuSupports(path))
        throw Error("internal: this CPU lacks the " + std::string(floatKernelPathName(path)) + " kernels");
    const size_t rowBytes = static_cast<size_t>(in) * dtypeSize(dtype);
    switch (path) {
    case FloatKernelPath::Portable: return columnsPortable(dtype, x, n, in, weights, out, y, begin, end);
    case FloatKernelPath::Avx2:
    case FloatKernelPath::Avx512:
        return columnsGrouped(kernelsFor(path, dtype), rowBytes, x, n, in, weights, out, y, begin, end);
    }
}

} // namespace bd3
