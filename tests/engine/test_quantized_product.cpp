// The Q8_0 / Q4_0 product kernels against their portable reference, the
// reference against the float product it approximates, the weight matrix
// that uses them, and the round trip of the reference block quantization.
#include "cpu/quantized_product.hpp"
#include "cpu/thread_pool.hpp"
#include "cpu/weight_matrix.hpp"
#include "formats/float_formats.hpp"
#include "formats/quantized_blocks.hpp"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <random>
#include <string>

namespace bd3 {
namespace {

constexpr DType kTypes[] = {DType::Q8_0, DType::Q4_0};

std::vector<float> normalValues(size_t count, uint32_t seed, float sigma = 1.0F)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0F, sigma);
    std::vector<float> values(count);
    for (float& v : values) v = normal(rng);
    return values;
}

// `rows` rows of quantized weights, `offset` bytes into the returned buffer.
std::vector<std::byte> quantizedRows(DType type, const std::vector<float>& w, int32_t rows, int32_t columns,
                                     size_t offset = 0)
{
    std::vector<std::byte> bytes(offset + rows * rowBytes(type, columns));
    for (int32_t r = 0; r < rows; ++r)
        quantizeRow(type, w.data() + static_cast<size_t>(r) * columns, columns,
                    bytes.data() + offset + r * rowBytes(type, columns));
    return bytes;
}

// Blocks of any bytes a file may hold: every int8 (-128 included) and every
// nibble, with scales of both signs.
std::vector<std::byte> arbitraryBlocks(DType type, int32_t rows, int32_t columns, uint32_t seed, size_t offset)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_real_distribution<float> scale(-0.02F, 0.02F);
    const size_t blockSize = blockBytes(type);
    std::vector<std::byte> bytes(offset + rows * rowBytes(type, columns));
    for (size_t b = 0; b < rows * rowBytes(type, columns) / blockSize; ++b) {
        std::byte* block = bytes.data() + offset + b * blockSize;
        const uint16_t half = floatToHalf(scale(rng));
        std::memcpy(block, &half, sizeof half);
        for (size_t i = sizeof half; i < blockSize; ++i) block[i] = static_cast<std::byte>(byte(rng));
    }
    return bytes;
}

std::vector<float> dequantized(DType type, const std::byte* w, int32_t rows, int32_t columns)
{
    std::vector<float> values(static_cast<size_t>(rows) * columns);
    for (int32_t r = 0; r < rows; ++r)
        dequantizeRow(type, w + r * rowBytes(type, columns), columns, values.data() + static_cast<size_t>(r) * columns);
    return values;
}

std::string shapeName(DType type, int32_t n, int32_t in, int32_t out)
{
    return std::string(dtypeName(type)) + " n=" + std::to_string(n) + " in=" + std::to_string(in) +
           " out=" + std::to_string(out);
}

TEST(QuantizedProduct, EveryKernelPathTheCpuRunsEqualsThePortableKernel)
{
    std::vector<KernelPath> paths;
    for (KernelPath path : {KernelPath::Avx2, KernelPath::AvxVnni, KernelPath::Avx512Vnni})
        if (cpuSupports(path)) paths.push_back(path);
    if (paths.empty()) GTEST_SKIP() << "this CPU runs only the portable kernel";

    uint32_t seed = 1;
    for (DType type : kTypes)
        for (int32_t n : {1, 2, 3, 4, 5, 7, 16, 17, 64})
            for (int32_t in : {32, 96, 224, 768})
                for (int32_t out : {1, 3, 65}) {
                    SCOPED_TRACE(shapeName(type, n, in, out));
                    // x one float and the weights one byte off any alignment.
                    const std::vector<float> xStorage = normalValues(1 + static_cast<size_t>(n) * in, ++seed);
                    const float* x = xStorage.data() + 1;
                    const std::vector<std::byte> wStorage = arbitraryBlocks(type, out, in, ++seed, 1);
                    const std::byte* w = wStorage.data() + 1;
                    QuantizedActivations activations;
                    activations.quantize(x, n, in);

                    // What each output sums in magnitude, for the tolerance.
                    const std::vector<float> wValues = dequantized(type, w, out, in);
                    std::vector<double> magnitude(static_cast<size_t>(n) * out, 0.0);
                    for (int32_t r = 0; r < n; ++r)
                        for (int32_t j = 0; j < out; ++j)
                            for (int32_t k = 0; k < in; ++k)
                                magnitude[r * out + j] += std::fabs(wValues[j * in + k]) *
                                                          std::fabs(activations.scales(r)[k / 32] *
                                                                    activations.values(r)[k]);

                    const std::vector<float> start = normalValues(static_cast<size_t>(n) * out, ++seed);
                    std::vector<float> expected = start;
                    quantizedColumns(type, activations, w, out, expected.data(), 0, out, KernelPath::Portable);
                    for (KernelPath path : paths) {
                        SCOPED_TRACE(std::string(kernelPathName(path)));
                        // Two slices of columns, as threads take them.
                        std::vector<float> actual = start;
                        quantizedColumns(type, activations, w, out, actual.data(), 0, out / 2, path);
                        quantizedColumns(type, activations, w, out, actual.data(), out / 2, out, path);
                        for (size_t i = 0; i < actual.size(); ++i)
                            ASSERT_NEAR(actual[i], expected[i], 1e-5 * magnitude[i] + 1e-6) << "output " << i;
                    }
                }
}

TEST(QuantizedProduct, ExtremeBlocksAreExactWithoutSaturation)
{
    // Q8_0 weights of -128 and Q4_0 nibbles of 0 (-8) against activations at
    // +-127: maddubs pairs reach 2 * 128 * 127, the most the sign trick allows.
    const int32_t in = 96;
    std::vector<float> x(in);
    for (int32_t k = 0; k < in; ++k) x[k] = k % 3 == 0 ? -1.0F : 1.0F;
    QuantizedActivations activations;
    activations.quantize(x.data(), 1, in);
    for (DType type : kTypes) {
        SCOPED_TRACE(std::string(dtypeName(type)));
        std::vector<std::byte> w(rowBytes(type, in), std::byte{0x80});
        if (type == DType::Q4_0) std::fill(w.begin(), w.end(), std::byte{0});
        for (size_t b = 0; b < w.size(); b += blockBytes(type)) {
            const uint16_t one = floatToHalf(1.0F);
            std::memcpy(w.data() + b, &one, sizeof one);
        }
        const float level = type == DType::Q8_0 ? -128.0F : -8.0F;
        float exact = 0.0F;
        for (int32_t k = 0; k < in; ++k) exact += level * activations.scales(0)[k / 32] * activations.values(0)[k];
        for (KernelPath path : {KernelPath::Portable, KernelPath::Avx2, KernelPath::AvxVnni, KernelPath::Avx512Vnni}) {
            if (!cpuSupports(path)) continue;
            float y = 0.0F;
            quantizedColumns(type, activations, w.data(), 1, &y, 0, 1, path);
            EXPECT_FLOAT_EQ(y, exact) << kernelPathName(path);
        }
    }
}

TEST(QuantizedProduct, TheReferenceIsWithinTheActivationRoundingOfTheFloatProduct)
{
    // x is rounded to d_x * q with d_x = amax / 127 per block, so each element
    // moves by at most d_x / 2 and output j by at most the sum over blocks of
    // d_x / 2 * sum |w|. On top come the float roundings: of each block's
    // product and of the sum over blocks, a relative (blocks + 3) * eps of the
    // magnitude sum |w| (|x| + d_x / 2).
    uint32_t seed = 100;
    for (DType type : kTypes)
        for (int32_t n : {1, 5, 17})
            for (int32_t in : {32, 224, 768})
                for (int32_t out : {3, 65}) {
                    SCOPED_TRACE(shapeName(type, n, in, out));
                    const std::vector<float> x = normalValues(static_cast<size_t>(n) * in, ++seed);
                    const std::vector<std::byte> w =
                        quantizedRows(type, normalValues(static_cast<size_t>(out) * in, ++seed, 0.02F), out, in);
                    const std::vector<float> wValues = dequantized(type, w.data(), out, in);
                    QuantizedActivations activations;
                    activations.quantize(x.data(), n, in);
                    std::vector<float> y(static_cast<size_t>(n) * out, 0.0F);
                    quantizedColumns(type, activations, w.data(), out, y.data(), 0, out, KernelPath::Portable);

                    const int32_t blocks = in / 32;
                    for (int32_t r = 0; r < n; ++r)
                        for (int32_t j = 0; j < out; ++j) {
                            double exact = 0.0;
                            double rounding = 0.0;
                            double magnitude = 0.0;
                            for (int32_t b = 0; b < blocks; ++b) {
                                const float* xb = x.data() + static_cast<size_t>(r) * in + b * 32;
                                const float* wb = wValues.data() + static_cast<size_t>(j) * in + b * 32;
                                double amax = 0.0;
                                for (int32_t i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(double{xb[i]}));
                                const double halfStep = amax / 127.0 / 2.0;
                                for (int32_t i = 0; i < 32; ++i) {
                                    exact += double{wb[i]} * xb[i];
                                    rounding += halfStep * std::fabs(wb[i]);
                                    magnitude += std::fabs(wb[i]) * (std::fabs(xb[i]) + halfStep);
                                }
                            }
                            const double bound = rounding * (1.0 + 1e-5) + (blocks + 3) * FLT_EPSILON * magnitude;
                            ASSERT_LE(std::fabs(y[r * out + j] - exact), bound) << "row " << r << ", column " << j;
                        }
                }
}

StoredTensor quantizedTensor(DType type, int32_t out, int32_t in, uint32_t seed)
{
    StoredTensor tensor;
    tensor.name = "w";
    tensor.dtype = type;
    tensor.shape = {out, in};
    tensor.bytes = quantizedRows(type, normalValues(static_cast<size_t>(out) * in, seed, 0.02F), out, in);
    return tensor;
}

TEST(QuantizedWeightMatrix, MultiplyOverTwoThreadsEqualsColumnByColumnProductsPlusBias)
{
    const int32_t n = 6;
    const int32_t in = 160;
    const int32_t out = 200;  // more than one slice of columns per thread
    ThreadPool pool(2);
    for (DType type : kTypes) {
        SCOPED_TRACE(std::string(dtypeName(type)));
        const StoredTensor tensor = quantizedTensor(type, out, in, 7);
        const WeightMatrix matrix(tensor);
        EXPECT_EQ(matrix.bytes(), static_cast<int64_t>(out * rowBytes(type, in)));
        const std::vector<float> x = normalValues(static_cast<size_t>(n) * in, 8);
        const std::vector<float> bias = normalValues(out, 9);
        std::vector<float> y(static_cast<size_t>(n) * out);
        matrix.multiply(x.data(), n, y.data(), &bias, pool);

        QuantizedActivations activations;
        activations.quantize(x.data(), n, in);
        for (int32_t j = 0; j < out; ++j) {
            std::vector<float> column(static_cast<size_t>(n) * out, 0.0F);
            for (int32_t r = 0; r < n; ++r) column[r * out + j] = bias[j];
            quantizedColumns(type, activations, tensor.bytes.data(), out, column.data(), j, j + 1, bestKernelPath());
            for (int32_t r = 0; r < n; ++r) ASSERT_EQ(y[r * out + j], column[r * out + j]) << "row " << r << ", column " << j;
        }
    }
}

TEST(QuantizedWeightMatrix, ARowIsItsDequantizedBlocks)
{
    const int32_t out = 5;
    const int32_t in = 96;
    for (DType type : kTypes) {
        const StoredTensor tensor = quantizedTensor(type, out, in, 11);
        const WeightMatrix matrix(tensor);
        for (int32_t r = 0; r < out; ++r) {
            std::vector<float> actual(in);
            std::vector<float> expected(in);
            matrix.row(r, actual.data());
            dequantizeRow(type, tensor.bytes.data() + r * rowBytes(type, in), in, expected.data());
            EXPECT_EQ(actual, expected) << dtypeName(type) << " row " << r;
        }
    }
}

TEST(QuantizedWeightMatrix, BytesThatDoNotFitTheShapeAreRefused)
{
    StoredTensor tensor = quantizedTensor(DType::Q4_0, 3, 64, 12);
    tensor.bytes.pop_back();
    EXPECT_THROW(WeightMatrix{tensor}, std::exception);
}

// One block quantized and back; the scale and levels it was given.
struct RoundTrip {
    float scale;
    std::vector<float> values;
};

RoundTrip roundTrip(DType type, const std::vector<float>& x)
{
    std::vector<std::byte> bytes(rowBytes(type, static_cast<int64_t>(x.size())));
    quantizeRow(type, x.data(), static_cast<int32_t>(x.size()), bytes.data());
    uint16_t half = 0;
    std::memcpy(&half, bytes.data(), sizeof half);
    RoundTrip result{halfToFloat(half), std::vector<float>(x.size())};
    dequantizeRow(type, bytes.data(), static_cast<int32_t>(x.size()), result.values.data());
    return result;
}

// Each element of one block within half a step of its value, where its level lies in the
// type's range. Past the range's ends lie only the last half step below 7.5
// of Q4_0 (the value of the extreme's magnitude and the other sign, since the
// extreme maps to -8 and the levels stop at +7) and the extreme when the
// scale's rounding made it a little small; those are checked for their own
// bounds. The slack covers rounding v / d through the reciprocal the
// quantizer multiplies by: two roundings of a level of at most 128.
void expectWithinHalfAStep(DType type, const std::vector<float>& x, float scaleRounding)
{
    const RoundTrip result = roundTrip(type, x);
    const float step = std::fabs(result.scale);
    const float lowest = type == DType::Q8_0 ? -127.0F : -8.0F;
    const float highest = type == DType::Q8_0 ? 127.0F : 7.0F;
    for (size_t i = 0; i < x.size(); ++i) {
        const float error = std::fabs(result.values[i] - x[i]);
        const float level = result.scale != 0.0F ? x[i] / result.scale : 0.0F;
        if (level >= lowest - 0.5F && level <= highest + 0.5F) {
            EXPECT_LE(error, step * (0.5F + 1e-4F)) << "element " << i << " of value " << x[i];
        } else if (type == DType::Q4_0 && level > highest) {
            EXPECT_LE(error, step * (1.0F + 1e-4F) - lowest * scaleRounding)
                << "element " << i << " of value " << x[i] << " past level 7";
        } else {
            // Only the extreme, off by the scale's rounding times its level.
            EXPECT_LE(error, -lowest * scaleRounding * (1.0F + 1e-4F)) << "element " << i << " of value " << x[i];
        }
    }
}

TEST(QuantizedBlocks, RoundTripsAreWithinHalfAStepPerElement)
{
    for (DType type : kTypes) {
        SCOPED_TRACE(std::string(dtypeName(type)));
        for (uint32_t seed = 0; seed < 64; ++seed) {
            const std::vector<float> x = normalValues(32, 21 + seed, 1.0F + static_cast<float>(seed));
            expectWithinHalfAStep(type, x, std::fabs(roundTrip(type, x).scale) * 0x1p-11F);
        }
    }
}

TEST(QuantizedBlocks, AZeroBlockIsAZeroScaleAndZeros)
{
    for (DType type : kTypes) {
        const RoundTrip result = roundTrip(type, std::vector<float>(64, 0.0F));
        EXPECT_EQ(result.scale, 0.0F) << dtypeName(type);
        EXPECT_EQ(result.values, std::vector<float>(64, 0.0F)) << dtypeName(type);
    }
}

TEST(QuantizedBlocks, TheExtremeOfEitherSignIsKeptExactly)
{
    // Extremes whose scale (extreme / 127 or / -8) a half holds exactly come back exactly.
    for (float sign : {-1.0F, 1.0F}) {
        std::vector<float> x = normalValues(32, 22, 0.1F);
        x[5] = sign * 2.0F;
        for (DType type : kTypes) {
            const RoundTrip result = roundTrip(type, x);
            if (type == DType::Q4_0) {
                EXPECT_EQ(result.scale, -sign * 0.25F);  // the extreme is level -8, whatever its sign
                EXPECT_EQ(result.values[5], x[5]);
            }
            expectWithinHalfAStep(type, x, std::fabs(result.scale) * 0x1p-11F);
        }
        x[5] = sign * 127.0F * 0.015625F;  // Q8_0's scale 1/64
        const RoundTrip q8 = roundTrip(DType::Q8_0, x);
        EXPECT_EQ(q8.scale, 0.015625F);
        EXPECT_EQ(q8.values[5], x[5]);
    }
}

TEST(QuantizedBlocks, SubnormalScalesStayWithinHalfAStepOrTheirRounding)
{
    // Scales below the smallest normal half (6.1e-5) keep a fixed absolute
    // spacing of 2^-24, so they round by up to 2^-25 and the extreme by up to
    // 127 (or 8) times that.
    for (DType type : kTypes)
        for (float amax : {4e-4F, 1e-4F, 2e-5F}) {
            SCOPED_TRACE(std::string(dtypeName(type)) + " amax " + std::to_string(amax));
            std::vector<float> x = normalValues(32, 23, amax / 4.0F);
            for (float& v : x) v = std::clamp(v, -amax * 0.99F, amax * 0.99F);
            x[9] = amax;
            const RoundTrip result = roundTrip(type, x);
            ASSERT_NE(result.scale, 0.0F);
            uint16_t half = floatToHalf(result.scale);
            EXPECT_EQ(half & 0x7C00U, 0U) << "the scale is subnormal";
            expectWithinHalfAStep(type, x, 0x1p-25F);
        }
}

} // namespace
} // namespace bd3
