// The C++ network against the PyTorch reference in tools/: the committed
// fixtures hold a tiny random model, token sequences with [MASK]s and the
// reference's log-probabilities under the block-causal mask.
#include "test_support.hpp"

#include "bd3/model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace bd3 {
namespace {

struct ParityCase {
    std::string name;
    std::string weights;
    int32_t blockSize;
    std::vector<int32_t> tokens;
    std::string expected;
};

class Parity : public testing::TestWithParam<ParityCase> {};

std::vector<ParityCase> loadCases()
{
    const auto cases = nlohmann::json::parse(test::readFile(test::fixturesDir() / "parity" / "cases.json"));
    std::vector<ParityCase> result;
    for (const auto& c : cases["cases"])
        result.push_back({c["name"], c["weights"], c["block_size"], c["tokens"].get<std::vector<int32_t>>(), c["expected"]});
    return result;
}

TEST_P(Parity, LogProbabilitiesMatchTheReference)
{
    const ParityCase& c = GetParam();
    const auto fixture = test::fixturesDir() / "parity";
    const auto meta = nlohmann::json::parse(test::readFile(fixture / "cases.json"));
    const double atol = meta["atol"];
    const double impossible = meta["zero_probability_below"];

    // Each case names the weights file it was computed from (F32, F16, BF16).
    test::ScratchDir dir;
    const auto folder = test::copyParityModel(dir.path());
    std::filesystem::copy_file(fixture / c.weights, folder / "model.safetensors",
                               std::filesystem::copy_options::overwrite_existing);
    const auto model = Model::load(folder);
    const std::vector<float> actual = model->logProbs(c.tokens, c.blockSize);
    const test::NpyArray expected = test::readNpy(fixture / c.expected);
    ASSERT_EQ(expected.data.size(), actual.size());

    double worst = 0.0;
    size_t worstIndex = 0;
    for (size_t i = 0; i < actual.size(); ++i) {
        const bool expectedZero = expected.data[i] < impossible;
        const bool actualZero = actual[i] < impossible;  // -inf here, -1e6 in the reference
        ASSERT_EQ(expectedZero, actualZero) << "probability-zero class differs at row " << i / expected.shape[1]
                                            << ", token " << i % expected.shape[1];
        if (expectedZero) continue;
        const double error = std::abs(static_cast<double>(actual[i]) - expected.data[i]);
        if (error > worst) {
            worst = error;
            worstIndex = i;
        }
    }
    EXPECT_LE(worst, atol) << "largest difference at row " << worstIndex / expected.shape[1] << ", token "
                           << worstIndex % expected.shape[1];
    RecordProperty("max_abs_error", std::to_string(worst));
}

// With bf16 weights every weight is rounded as it loads, so the fp32 file
// gives what the reference computes from the bf16 checkpoint.
TEST(ParityBf16, Bf16WeightsMatchTheReferenceOnTheRoundedWeights)
{
    const auto fixture = test::fixturesDir() / "parity";
    const auto meta = nlohmann::json::parse(test::readFile(fixture / "cases.json"));
    const auto& c = *std::find_if(meta["cases"].begin(), meta["cases"].end(),
                                  [](const nlohmann::json& item) { return item["weights_dtype"] == "BF16"; });
    LoadOptions options;
    options.precision = WeightPrecision::BFloat16;
    const auto model = Model::load(test::parityModelDir(), options);  // the F32 file
    const std::vector<float> actual = model->logProbs(c["tokens"].get<std::vector<int32_t>>(), c["block_size"]);
    const test::NpyArray expected = test::readNpy(fixture / c["expected"].get<std::string>());
    ASSERT_EQ(expected.data.size(), actual.size());
    const double floor = meta["zero_probability_below"];
    double worst = 0.0;
    for (size_t i = 0; i < actual.size(); ++i) {
        ASSERT_EQ(expected.data[i] < floor, actual[i] < floor) << i;
        if (expected.data[i] >= floor) worst = std::max(worst, std::abs(double(actual[i]) - expected.data[i]));
    }
    EXPECT_LE(worst, meta["atol"].get<double>());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Parity, testing::ValuesIn(loadCases()),
                         [](const testing::TestParamInfo<ParityCase>& info) {
                             std::string name = info.param.name;
                             for (char& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                             return name;
                         });

} // namespace
} // namespace bd3
