// The few-row products of f32, f16 and bf16 weights: every vector path the
// CPU has against the portable kernel, the portable kernel against a double
// precision sum, and the weight matrix that uses them against OpenBLAS.
#include "cpu/float_product.hpp"
#include "cpu/thread_pool.hpp"
#include "cpu/weight_matrix.hpp"
#include "formats/float_formats.hpp"
#include "formats/quantized_blocks.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

namespace bd3 {
namespace {

constexpr DType kTypes[] = {DType::F32, DType::F16, DType::BF16};

std::vector<float> normalValues(size_t count, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0F, 1.0F);
    std::vector<float> values(count);
    for (float& v : values) v = normal(rng);
    return values;
}

// Weights of `dtype`, `offset` bytes into the buffer (an odd offset tests
// unaligned loads); `values` get the stored values back, widened.
std::vector<std::byte> storedWeights(DType dtype, std::vector<float>& values, size_t offset)
{
    std::vector<std::byte> bytes(offset + values.size() * dtypeSize(dtype));
    for (size_t i = 0; i < values.size(); ++i) {
        std::byte* at = bytes.data() + offset + i * dtypeSize(dtype);
        if (dtype == DType::F32) {
            std::memcpy(at, &values[i], 4);
            continue;
        }
        const uint16_t bits = dtype == DType::F16 ? floatToHalf(values[i]) : floatToBf16(values[i]);
        std::memcpy(at, &bits, 2);
        values[i] = dtype == DType::F16 ? halfToFloat(bits) : bf16ToFloat(bits);
    }
    return bytes;
}

struct Shape {
    int32_t n, in, out;
};

TEST(FloatProduct, EveryKernelPathTheCpuRunsEqualsThePortableKernel)
{
    int checkedPaths = 0;
    for (FloatKernelPath path : {FloatKernelPath::Avx2, FloatKernelPath::Avx512}) {
        if (!cpuSupports(path)) continue;
        ++checkedPaths;
        for (DType dtype : kTypes)
            for (int32_t n : {1, 2, 3, 4, 5, 7, 16, 17})
                for (int32_t in : {1, 7, 8, 16, 31, 33, 64, 773})
                    for (int32_t out : {1, 3, 65}) {
                        SCOPED_TRACE(std::string(floatKernelPathName(path)) + " " + std::string(dtypeName(dtype)) +
                                     " n " + std::to_string(n) + " in " + std::to_string(in) + " out " +
                                     std::to_string(out));
                        std::vector<float> w = normalValues(static_cast<size_t>(out) * in, 1);
                        const std::vector<std::byte> bytes = storedWeights(dtype, w, 3);
                        const std::vector<float> x = normalValues(static_cast<size_t>(n) * in + 1, 2);
                        std::vector<float> expected(static_cast<size_t>(n) * out, 0.5F), actual = expected;
                        floatColumns(dtype, x.data() + 1, n, in, bytes.data() + 3, out, expected.data(), 0, out,
                                     FloatKernelPath::Portable);
                        // In two slices, as the thread pool splits a product.
                        floatColumns(dtype, x.data() + 1, n, in, bytes.data() + 3, out, actual.data(), 0, out / 2, path);
                        floatColumns(dtype, x.data() + 1, n, in, bytes.data() + 3, out, actual.data(), out / 2, out, path);
                        for (size_t i = 0; i < expected.size(); ++i) {
                            // Float sums in another order: within a few rounding steps of sum |x w|.
                            double magnitude = 0.0;
                            const size_t r = i / out, j = i % out;
                            for (int32_t k = 0; k < in; ++k)
                                magnitude += std::abs(x[1 + r * in + k] * w[j * in + k]);
                            ASSERT_NEAR(actual[i], expected[i], 1e-6 * (magnitude + 1.0));
                        }
                    }
    }
    RecordProperty("vector_paths_checked", checkedPaths);
}

TEST(FloatProduct, ThePortableKernelIsTheExactSumInFloat)
{
    for (DType dtype : kTypes) {
        const int32_t n = 3, in = 100, out = 5;
        std::vector<float> w = normalValues(static_cast<size_t>(out) * in, 3);
        const std::vector<std::byte> bytes = storedWeights(dtype, w, 0);
        const std::vector<float> x = normalValues(static_cast<size_t>(n) * in, 4);
        std::vector<float> y(static_cast<size_t>(n) * out, 0.0F);
        floatColumns(dtype, x.data(), n, in, bytes.data(), out, y.data(), 0, out, FloatKernelPath::Portable);
        for (int32_t r = 0; r < n; ++r)
            for (int32_t j = 0; j < out; ++j) {
                double sum = 0.0, magnitude = 0.0;
                for (int32_t k = 0; k < in; ++k) {
                    sum += static_cast<double>(x[r * in + k]) * w[j * in + k];
                    magnitude += std::abs(static_cast<double>(x[r * in + k]) * w[j * in + k]);
                }
                EXPECT_NEAR(y[r * out + j], sum, in * 6e-8 * magnitude) << dtypeName(dtype);
            }
    }
}

// Few rows go through the kernels above and more through OpenBLAS: both give
// the same product, with the bias, split over two threads.
TEST(FloatProduct, TheWeightMatrixAgreesAcrossRowCounts)
{
    ThreadPool pool(2);
    const int32_t in = 96, out = 130;
    const std::vector<float> w = normalValues(static_cast<size_t>(out) * in, 5);
    const std::vector<float> bias = normalValues(out, 6);
    for (DType dtype : kTypes) {
        StoredTensor stored = StoredTensor::fromFloats("w", {out, in}, w);
        if (dtype != DType::F32) {
            std::vector<float> values = w;
            stored.bytes = storedWeights(dtype, values, 0);
            stored.dtype = dtype;
        }
        const WeightMatrix matrix(stored);
        const std::vector<float> widened = stored.toFloat();
        for (int32_t n : {1, 4, 16, 17, 40}) {
            const std::vector<float> x = normalValues(static_cast<size_t>(n) * in, 7);
            std::vector<float> y(static_cast<size_t>(n) * out);
            matrix.multiply(x.data(), n, y.data(), &bias, pool);
            for (int32_t r = 0; r < n; ++r)
                for (int32_t j = 0; j < out; ++j) {
                    double sum = bias[j], magnitude = std::abs(bias[j]);
                    for (int32_t k = 0; k < in; ++k) {
                        sum += static_cast<double>(x[r * in + k]) * widened[j * in + k];
                        magnitude += std::abs(static_cast<double>(x[r * in + k]) * widened[j * in + k]);
                    }
                    ASSERT_NEAR(y[r * out + j], sum, 1e-5 * magnitude) << dtypeName(dtype) << " n " << n;
                }
        }
    }
}

} // namespace
} // namespace bd3
