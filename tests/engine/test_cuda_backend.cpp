// The CUDA backend against the CPU backend. For every family, on its tiny
// fixture models (the BD3-LM parity model; SDAR, Fast-dLLM v2 and dllm's A2D
// Qwen decoders): log-probabilities in fp32 and bf16, the key/value cache,
// captured graphs against separate launches, a greedy generation token for
// token, and the Qwen models' raw logits against the PyTorch reference. On
// the BD3-LM model: matrices stored in f16 and bf16, the sampling
// distributions kept on the device (summaries, draws, alternatives) against
// the host's, generation with device sampling, and running out of GPU
// memory. Without a CUDA device every test is skipped with the probe's
// reason.
#include "chunk_runs.hpp"
#include "test_support.hpp"

#include "backend.hpp"
#include "bd3/error.hpp"
#include "bd3/generator.hpp"
#include "bd3/model.hpp"
#include "cuda/cuda_devices.hpp"
#include "samplers/masked_distributions.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <ostream>
#include <random>
#include <utility>

namespace bd3 {
namespace {

// Why no CUDA test can run here, or empty when a device is present.
std::string missingDevice()
{
    const CudaProbe probe = probeCudaDevices();
    return probe.devices.empty() ? probe.status : std::string();
}

// |a - b| / max(|b|, 1) over the finite entries; the infinite ones (tokens a
// clean position is not) must agree exactly.
double maxRelativeError(std::span<const float> actual, std::span<const float> expected)
{
    EXPECT_EQ(actual.size(), expected.size());
    double worst = 0.0;
    for (size_t i = 0; i < std::min(actual.size(), expected.size()); ++i) {
        if (std::isinf(actual[i]) || std::isinf(expected[i])) {
            EXPECT_EQ(actual[i], expected[i]) << "at " << i;
            continue;
        }
        const double error = std::abs(static_cast<double>(actual[i]) - expected[i]) /
                             std::max(std::abs(static_cast<double>(expected[i])), 1.0);
        worst = std::max(worst, error);
    }
    return worst;
}

// Skips without a device; loads models on either backend.
class CudaTest : public testing::Test {
protected:
    void SetUp() override
    {
        const std::string why = missingDevice();
        if (!why.empty()) GTEST_SKIP() << "no CUDA device visible to this test: " << why;
    }

    static std::unique_ptr<Model> loadFolder(const std::filesystem::path& folder, Device device,
                                             WeightPrecision precision = WeightPrecision::Float32)
    {
        LoadOptions options;
        options.device = device;
        options.precision = precision;
        auto model = Model::load(folder, options);
        // A CUDA load that fell back to the CPU would make every comparison
        // below one of the CPU with itself.
        if (device == Device::Cuda && model->device() != Device::Cuda)
            ADD_FAILURE() << "the model runs on the CPU: " << model->deviceNote();
        return model;
    }
};

// One fixture model of each family.
struct FixtureModel {
    std::string name;
    std::filesystem::path folder;  // under tests/fixtures
};

void PrintTo(const FixtureModel& model, std::ostream* os) { *os << model.name; }

std::vector<FixtureModel> fixtureModels()
{
    return {{"bd3lm", "parity/model"},
            {"sdar", "qwen/tiny-sdar"},             // Qwen3: q/k norm, 4 q / 2 kv heads of 24
            {"fast_dllm", "qwen/tiny-fast-dllm"},   // Qwen2: q/k/v biases, shifted logits, two shards
            {"a2d", "qwen/tiny-a2d"}};              // Qwen3 with tied embeddings
}

// The network of every family, CPU against GPU.
class CudaNetworkTest : public CudaTest, public testing::WithParamInterface<FixtureModel> {
protected:
    static std::unique_ptr<Model> load(Device device, WeightPrecision precision = WeightPrecision::Float32)
    {
        return loadFolder(test::fixturesDir() / GetParam().folder, device, precision);
    }

    // GPU log-probabilities against the CPU's over 64 random tokens at
    // several block sizes, in one precision; the worst relative error of
    // each is recorded under name.
    static void expectLogProbsMatchTheCpu(const Model& cpu, const Model& gpu, uint32_t seed, double tolerance,
                                          const std::string& name)
    {
        const auto count = static_cast<size_t>(std::min(64, cpu.config().contextLength));
        for (int32_t blockSize : {1, 4, 8, 64}) {
            const std::vector<int32_t> tokens =
                test::randomTokens(cpu.config(), count, seed + static_cast<uint32_t>(blockSize));
            const double error = maxRelativeError(gpu.logProbs(tokens, blockSize), cpu.logProbs(tokens, blockSize));
            EXPECT_LE(error, tolerance) << "block size " << blockSize;
            RecordProperty(name + "_max_relative_error_bs" + std::to_string(blockSize), std::to_string(error));
        }
    }
};

// The sampling distributions, generation and memory on the BD3-LM parity
// model.
class CudaBackendTest : public CudaTest {
protected:
    static std::unique_ptr<Model> load(Device device, WeightPrecision precision = WeightPrecision::Float32)
    {
        return loadFolder(test::parityModelDir(), device, precision);
    }

    // The sampling distributions of the [MASK] rows of a chunk (blocks of 8)
    // after an empty cache, as the backend keeps them (a GPU's top-k ones on
    // the host).
    static std::unique_ptr<MaskedDistributions> maskedDistributions(const Model& model, std::span<const int32_t> tokens,
                                                                    double temperature, double topP, int32_t topK = 0)
    {
        const ModelConfig& c = model.config();
        std::vector<int32_t> offsets;
        for (size_t i = 0; i < tokens.size(); ++i)
            if (tokens[i] == c.maskId) offsets.push_back(static_cast<int32_t>(i));
        const auto cache = model.backend().newCache(c.contextLength);
        DistributionParams params;
        params.vocabSize = c.vocabSize;
        params.maskId = c.maskId;
        params.temperature = temperature;
        params.topP = topP;
        params.topK = topK;
        return model.backend().forwardToDistributions({tokens, 8, 0, offsets}, *cache, offsets, params);
    }

    // Uniforms in [0, 1) with 53 random bits.
    static double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

    // Temperature 0 is greedy.
    struct Setting {
        double temperature, topP;
        int32_t topK = 0;
        std::string text() const
        {
            return "temperature " + std::to_string(temperature) + ", top-p " + std::to_string(topP) + ", top-k " +
                   std::to_string(topK);
        }
    };
};

TEST_P(CudaNetworkTest, LoadsOnTheGpu)
{
    const auto model = load(Device::Cuda);
    EXPECT_EQ(model->device(), Device::Cuda);
    EXPECT_EQ(model->backend().name(), "cuda");
    EXPECT_GT(model->weightBytes(), 0);
    const auto bf16 = load(Device::Cuda, WeightPrecision::BFloat16);
    EXPECT_LT(bf16->weightBytes(), model->weightBytes());
}

TEST_P(CudaNetworkTest, Fp32LogProbabilitiesMatchTheCpu)
{
    expectLogProbsMatchTheCpu(*load(Device::Cpu), *load(Device::Cuda), 100, 1e-4, "fp32");
}

// Both sides round the weights to bf16; the GPU also multiplies bf16
// activations, which the CPU keeps in fp32.
TEST_P(CudaNetworkTest, Bf16LogProbabilitiesMatchTheCpu)
{
    expectLogProbsMatchTheCpu(*load(Device::Cpu, WeightPrecision::BFloat16),
                              *load(Device::Cuda, WeightPrecision::BFloat16), 200, 2e-2, "bf16");
}

TEST_P(CudaNetworkTest, BlockByBlockWithTheCacheEqualsOnePass)
{
    const auto gpu = load(Device::Cuda);
    const int32_t V = gpu->config().vocabSize;
    for (int32_t blockSize : {1, 4, 8}) {
        const std::vector<int32_t> tokens = test::randomTokens(gpu->config(), 40, static_cast<uint32_t>(blockSize));
        // Each row's own SUBS log-probabilities, whatever the family's
        // logit alignment, on both sides.
        const auto wholeCache = gpu->backend().newCache(64);
        const std::vector<float> whole = test::runChunk(*gpu, *wholeCache, tokens, blockSize, false);
        const auto cache = gpu->backend().newCache(64);
        for (size_t start = 0; start < tokens.size(); start += static_cast<size_t>(blockSize)) {
            const auto block = std::span(tokens).subspan(start, static_cast<size_t>(blockSize));
            const std::vector<float> cached = test::runChunk(*gpu, *cache, block, blockSize, true);
            EXPECT_LE(maxRelativeError(cached, std::span(whole).subspan(start * V, cached.size())), 1e-4)
                << "block size " << blockSize << ", block at " << start;
        }
        EXPECT_EQ(cache->length(), 40);
    }
}

// A clean block kept in the same pass as the next block's first step (the
// first block of the chunk differs in size), and a pass that keeps nothing.
TEST_P(CudaNetworkTest, KeptAndLookedAtRowsInOnePassEqualTwoPasses)
{
    const test::StoredWithNextStep run = test::storeBlockWithNextStep(*load(Device::Cuda));
    EXPECT_EQ(run.separateLength, 20);
    EXPECT_EQ(run.mergedLength, 20);
    EXPECT_LE(maxRelativeError(run.merged, run.separate), 1e-5);
    EXPECT_LE(maxRelativeError(run.afterMerged, run.separate), 1e-5);
}

TEST_P(CudaNetworkTest, MisuseIsAClearError)
{
    const auto gpu = load(Device::Cuda);
    const auto cpu = load(Device::Cpu);
    const std::vector<int32_t> tokens = test::randomTokens(gpu->config(), 12, 3);
    const auto small = gpu->backend().newCache(8);
    EXPECT_THROW(test::runChunk(*gpu, *small, tokens, 4, true), Error);
    const auto cpuCache = cpu->backend().newCache(64);
    EXPECT_THROW(test::runChunk(*gpu, *cpuCache, tokens, 4, true), Error);
    std::vector<int32_t> bad = tokens;
    bad[3] = gpu->config().vocabSize;
    const auto cache = gpu->backend().newCache(64);
    EXPECT_THROW(test::runChunk(*gpu, *cache, bad, 4, true), Error);
    EXPECT_EQ(cache->length(), 0);
}

// The raw logits of each Qwen reference case (tests/fixtures/qwen/cases.json:
// the whole sequence in one pass, blocks from position 0) against the
// PyTorch reference's, in fp32.
TEST_F(CudaTest, QwenLogitsMatchTheReference)
{
    const auto fixture = test::fixturesDir() / "qwen";
    const auto meta = nlohmann::json::parse(test::readFile(fixture / "cases.json"));
    const double atol = meta["atol"];
    for (const auto& c : meta["cases"]) {
        const std::string name = c["name"];
        SCOPED_TRACE(name);
        const auto gpu = loadFolder(fixture / c["model"].get<std::string>(), Device::Cuda);
        const std::vector<int32_t> tokens = c["tokens"].get<std::vector<int32_t>>();
        std::vector<int32_t> rows(tokens.size());
        std::iota(rows.begin(), rows.end(), 0);
        std::vector<float> logits(tokens.size() * static_cast<size_t>(gpu->config().vocabSize));
        const auto cache = gpu->backend().newCache(static_cast<int32_t>(tokens.size()));
        gpu->backend().forward({tokens, c["block_size"].get<int32_t>(), 0, rows}, *cache, logits);
        const test::NpyArray expected = test::readNpy(fixture / c["expected"].get<std::string>());
        ASSERT_EQ(expected.data.size(), logits.size());
        double worst = 0.0;
        for (size_t i = 0; i < logits.size(); ++i)
            worst = std::max(worst, std::abs(static_cast<double>(logits[i]) - expected.data[i]));
        EXPECT_LE(worst, atol);
        RecordProperty(name + "_max_abs_error", std::to_string(worst));
    }
}

// Matrices stored in f16 and bf16 stay in that type on both backends (the
// parity fixture's rounded weight files); the GPU also multiplies 16-bit
// activations, which the CPU keeps in fp32.
TEST_F(CudaTest, StoredHalfPrecisionWeightsMatchTheCpu)
{
    for (const auto& [file, tolerance] : {std::pair<std::string, double>{"model-f16.safetensors", 5e-3},
                                          std::pair<std::string, double>{"model-bf16.safetensors", 2e-2}}) {
        SCOPED_TRACE(file);
        test::ScratchDir dir;
        const auto folder = test::copyParityModel(dir.path());
        std::filesystem::copy_file(test::fixturesDir() / "parity" / file, folder / "model.safetensors",
                                   std::filesystem::copy_options::overwrite_existing);
        const auto cpu = loadFolder(folder, Device::Cpu);
        const auto gpu = loadFolder(folder, Device::Cuda);
        for (int32_t blockSize : {1, 4, 16}) {
            const std::vector<int32_t> tokens = test::randomTokens(cpu->config(), 48, 400 + blockSize);
            const double error = maxRelativeError(gpu->logProbs(tokens, blockSize), cpu->logProbs(tokens, blockSize));
            EXPECT_LE(error, tolerance) << "block size " << blockSize;
            RecordProperty(file + "_max_relative_error_bs" + std::to_string(blockSize), std::to_string(error));
        }
    }
}

// The device's probabilities, entropy, top two and alternatives against the
// host's TokenDistribution of the CPU backend's logits for the same chunk;
// greedy (temperature 0) keeps the temperature-1 distribution, and top-k
// comes from the host's distributions of the GPU's logits.
TEST_F(CudaBackendTest, DistributionsMatchTheHost)
{
    const auto cpu = load(Device::Cpu);
    const auto gpu = load(Device::Cuda);
    const std::vector<int32_t> tokens = test::randomTokens(cpu->config(), 48, 11);
    for (const Setting setting :
         {Setting{1.0, 1.0}, Setting{0.7, 0.9}, Setting{1.5, 0.5}, Setting{0.0, 1.0}, Setting{1.0, 0.9, 5}}) {
        SCOPED_TRACE(setting.text());
        const auto host = maskedDistributions(*cpu, tokens, setting.temperature, setting.topP, setting.topK);
        const auto device = maskedDistributions(*gpu, tokens, setting.temperature, setting.topP, setting.topK);
        ASSERT_GT(host->size(), 0U);
        ASSERT_EQ(device->size(), host->size());
        std::vector<size_t> indices(host->size());
        std::iota(indices.begin(), indices.end(), 0);
        for (size_t i : indices) {
            const MaskedPosition& h = host->position(i);
            const MaskedPosition& d = device->position(i);
            EXPECT_EQ(d.offset, h.offset);
            EXPECT_NEAR(d.entropy, h.entropy, 1e-4 * std::max(h.entropy, 1e-3)) << "position " << i;
            EXPECT_NEAR(d.top1, h.top1, 1e-5) << "position " << i;
            EXPECT_NEAR(d.top2, h.top2, 1e-5) << "position " << i;
        }
        const auto hostAlternatives = host->alternatives(indices, 5);
        const auto deviceAlternatives = device->alternatives(indices, 5);
        ASSERT_EQ(deviceAlternatives.size(), indices.size());
        for (size_t i : indices) {
            ASSERT_EQ(deviceAlternatives[i].size(), 5U);
            for (size_t k = 0; k < 5; ++k) {
                const Alternative& h = hostAlternatives[i][k];
                const Alternative& d = deviceAlternatives[i][k];
                EXPECT_NEAR(d.probability, h.probability, 1e-5) << "position " << i << ", rank " << k;
                // Two tokens of all but equal probability may trade places
                // between the backends' logits.
                if (d.token != h.token) {
                    EXPECT_NEAR(d.probability, h.probability, 1e-7)
                        << "position " << i << ", rank " << k << ": token " << d.token << " for " << h.token;
                }
            }
        }
    }
}

// Inversion at the same uniforms gives the same tokens, but for uniforms that
// fall within rounding of a boundary between two tokens; greedy draws (the
// most probable token) and top-k ones (the host's, on the GPU's logits) too.
// Dropping a position first checks that both sides look up the same rows
// afterwards.
TEST_F(CudaBackendTest, DrawsMatchTheHostAtTheSameUniforms)
{
    const auto cpu = load(Device::Cpu);
    const auto gpu = load(Device::Cuda);
    const std::vector<int32_t> tokens = test::randomTokens(cpu->config(), 48, 12);
    int32_t run = 0;
    for (const Setting setting : {Setting{1.0, 1.0}, Setting{0.7, 0.9}, Setting{0.0, 0.9}, Setting{0.7, 1.0, 5}}) {
        SCOPED_TRACE(setting.text());
        const auto host = maskedDistributions(*cpu, tokens, setting.temperature, setting.topP, setting.topK);
        const auto device = maskedDistributions(*gpu, tokens, setting.temperature, setting.topP, setting.topK);
        ASSERT_GT(host->size(), 2U);
        const size_t dropped[] = {1};
        host->remove(dropped);
        device->remove(dropped);
        ASSERT_EQ(device->size(), host->size());
        EXPECT_EQ(device->position(1).offset, host->position(1).offset);

        std::mt19937_64 rng(2024);
        std::vector<DrawRequest> requests(2000);
        for (size_t k = 0; k < requests.size(); ++k) requests[k] = {k % host->size(), uniform(rng)};
        const std::vector<DrawnToken> expected = host->draw(requests);
        const std::vector<DrawnToken> drawn = device->draw(requests);
        ASSERT_EQ(drawn.size(), expected.size());
        size_t same = 0;
        for (size_t k = 0; k < drawn.size(); ++k) {
            if (drawn[k].token != expected[k].token) continue;
            ++same;
            EXPECT_NEAR(drawn[k].probability, expected[k].probability, 1e-5) << "draw " << k;
        }
        EXPECT_GE(static_cast<double>(same), 0.995 * static_cast<double>(drawn.size()));
        RecordProperty("identical_draws_" + std::to_string(run++), std::to_string(same));
    }
}

// The device's draws at one position follow its own probabilities (read back
// through alternatives over the whole vocabulary): every token of p > 0.01
// within 5 standard errors over 20,000 draws, [MASK] and tokens of
// probability 0 never. With top-p 0.5 nothing outside the nucleus (the
// host's rule on the full distribution) is drawn.
TEST_F(CudaBackendTest, SamplerStatistics)
{
    const auto gpu = load(Device::Cuda);
    const ModelConfig& c = gpu->config();
    const int32_t V = c.vocabSize;
    const std::vector<int32_t> tokens = test::randomTokens(c, 48, 13);
    const size_t position[] = {0};
    constexpr size_t draws = 20000;
    std::mt19937_64 rng(99);
    std::vector<DrawRequest> requests(draws);
    for (DrawRequest& r : requests) r = {0, uniform(rng)};

    // Full distribution, most probable first.
    std::vector<Alternative> full;
    {
        const auto device = maskedDistributions(*gpu, tokens, 1.0, 1.0);
        ASSERT_GT(device->size(), 0U);
        full = device->alternatives(position, V).front();
        ASSERT_EQ(full.size(), static_cast<size_t>(V));
        std::vector<double> probability(static_cast<size_t>(V), -1.0);
        double total = 0.0;
        for (size_t k = 0; k < full.size(); ++k) {
            const Alternative& a = full[k];
            ASSERT_GE(a.token, 0);
            ASSERT_LT(a.token, V);
            EXPECT_EQ(probability[static_cast<size_t>(a.token)], -1.0) << "token " << a.token << " listed twice";
            probability[static_cast<size_t>(a.token)] = a.probability;
            total += a.probability;
            if (k > 0) {
                EXPECT_LE(a.probability, full[k - 1].probability);
            }
        }
        EXPECT_NEAR(total, 1.0, 1e-5);
        EXPECT_EQ(probability[static_cast<size_t>(c.maskId)], 0.0);
        EXPECT_FLOAT_EQ(full[0].probability, device->position(0).top1);
        EXPECT_FLOAT_EQ(full[1].probability, device->position(0).top2);

        std::vector<size_t> counts(static_cast<size_t>(V), 0);
        for (const DrawnToken& d : device->draw(requests)) {
            ASSERT_GE(d.token, 0);
            ASSERT_LT(d.token, V);
            ++counts[static_cast<size_t>(d.token)];
            EXPECT_EQ(d.probability, static_cast<float>(probability[static_cast<size_t>(d.token)]));
        }
        EXPECT_EQ(counts[static_cast<size_t>(c.maskId)], 0U);
        int32_t checked = 0;
        for (size_t t = 0; t < counts.size(); ++t) {
            const double p = probability[t];
            if (p <= 0.0) {
                EXPECT_EQ(counts[t], 0U) << "token " << t << " of probability 0 drawn";
            }
            if (p <= 0.01) continue;
            ++checked;
            const double frequency = static_cast<double>(counts[t]) / draws;
            const double standardError = std::sqrt(p * (1.0 - p) / draws);
            EXPECT_LE(std::abs(frequency - p), 5.0 * standardError) << "token " << t << ", p " << p;
        }
        EXPECT_GT(checked, 0);
        RecordProperty("tokens_checked", std::to_string(checked));
    }

    // The nucleus of mass 0.5 by the host's rule: the most probable tokens
    // whose cumulative mass stays within 0.5, renormalised.
    std::vector<double> nucleus(static_cast<size_t>(V), 0.0);
    double cumulative = 0.0, kept = 0.0;
    for (size_t k = 0; k < full.size(); ++k) {
        cumulative += full[k].probability;
        if (k > 0 && cumulative > 0.5) break;
        nucleus[static_cast<size_t>(full[k].token)] = full[k].probability;
        kept += full[k].probability;
    }
    const auto device = maskedDistributions(*gpu, tokens, 1.0, 0.5);
    const std::vector<Alternative> cut = device->alternatives(position, V).front();
    for (const Alternative& a : cut)
        EXPECT_NEAR(a.probability, nucleus[static_cast<size_t>(a.token)] / kept, 1e-6) << "token " << a.token;
    for (const DrawnToken& d : device->draw(requests))
        ASSERT_GT(nucleus[static_cast<size_t>(d.token)], 0.0) << "token " << d.token << " outside the nucleus drawn";
}

// Greedy decoding: each step reveals the masked position whose best token is
// most probable; a finished block is then stored in the cache.
std::vector<int32_t> greedyGeneration(const Model& model, int32_t blockSize, int32_t blocks)
{
    const ModelConfig& c = model.config();
    const int32_t V = c.vocabSize;
    const auto cache = model.backend().newCache(c.contextLength);
    std::vector<int32_t> sequence{c.bosId};
    model.backend().forward({sequence, 1, 1, {}}, *cache, {});
    std::vector<int32_t> rows(static_cast<size_t>(blockSize));
    std::iota(rows.begin(), rows.end(), 0);
    std::vector<float> logits(static_cast<size_t>(blockSize) * V);
    for (int32_t b = 0; b < blocks; ++b) {
        std::vector<int32_t> block(static_cast<size_t>(blockSize), c.maskId);
        for (int32_t step = 0; step < blockSize; ++step) {
            model.backend().forward({block, blockSize, 0, rows}, *cache, logits);
            int32_t bestRow = -1, bestToken = -1;
            double bestLogProb = -INFINITY;
            for (int32_t r = 0; r < blockSize; ++r) {
                if (block[static_cast<size_t>(r)] != c.maskId) continue;
                const float* row = logits.data() + static_cast<size_t>(r) * V;
                double maximum = -INFINITY, sum = 0.0;
                int32_t argmax = 0;
                for (int32_t v = 0; v < V; ++v)
                    if (v != c.maskId && row[v] > maximum) maximum = row[argmax = v];
                for (int32_t v = 0; v < V; ++v)
                    if (v != c.maskId) sum += std::exp(row[v] - maximum);
                const double logProb = -std::log(sum);
                if (logProb > bestLogProb) {
                    bestLogProb = logProb;
                    bestRow = r;
                    bestToken = argmax;
                }
            }
            block[static_cast<size_t>(bestRow)] = bestToken;
        }
        model.backend().forward({block, blockSize, blockSize, {}}, *cache, {});
        sequence.insert(sequence.end(), block.begin(), block.end());
    }
    return sequence;
}

TEST_P(CudaNetworkTest, GreedyGenerationMatchesTheCpuTokenForToken)
{
    const auto cpu = load(Device::Cpu);
    const auto gpu = load(Device::Cuda);
    for (int32_t blockSize : {1, 4, 8}) {
        const int32_t blocks = 32 / blockSize;
        EXPECT_EQ(greedyGeneration(*gpu, blockSize, blocks), greedyGeneration(*cpu, blockSize, blocks))
            << "block size " << blockSize;
    }
}

// A shape's first pass runs as plain launches, its second is captured and
// every later one replays the graph with the new cache length and position:
// block by block, the results equal those of a backend that launches every
// kernel itself (BD3_CUDA_GRAPHS=0).
TEST_P(CudaNetworkTest, CapturedGraphsReplayLikeSeparateLaunches)
{
    setenv("BD3_CUDA_GRAPHS", "0", 1);
    const auto separate = load(Device::Cuda);
    unsetenv("BD3_CUDA_GRAPHS");
    const auto captured = load(Device::Cuda);
    for (int32_t blockSize : {1, 4, 8}) {
        const std::vector<int32_t> tokens =
            test::randomTokens(captured->config(), 48, static_cast<uint32_t>(300 + blockSize));
        const auto separateCache = separate->backend().newCache(64);
        const auto capturedCache = captured->backend().newCache(64);
        for (size_t start = 0; start < tokens.size(); start += static_cast<size_t>(blockSize)) {
            const auto block = std::span(tokens).subspan(start, static_cast<size_t>(blockSize));
            // Looked at twice, then kept: one shape, so from the second block
            // on every pass replays. Stale cache lengths or positions would
            // differ by far more than the 1e-5 allowed for cuBLAS choosing
            // other kernels under capture.
            for (bool keep : {false, false, true}) {
                const std::vector<float> expected = test::runChunk(*separate, *separateCache, block, blockSize, keep);
                const std::vector<float> replayed = test::runChunk(*captured, *capturedCache, block, blockSize, keep);
                EXPECT_LE(maxRelativeError(replayed, expected), 1e-5)
                    << "block size " << blockSize << ", block at " << start;
            }
        }
        EXPECT_EQ(capturedCache->length(), 48);
    }
}

// A cache larger than the GPU's memory is an error naming the bytes, and the
// backend goes on working.
TEST_F(CudaBackendTest, OutOfGpuMemoryIsAClearErrorAndTheBackendStaysUsable)
{
    const auto gpu = load(Device::Cuda);
    try {
        gpu->backend().newCache(std::numeric_limits<int32_t>::max());
        FAIL() << "a cache of 2^31 rows fitted on the GPU";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("out of GPU memory"), std::string::npos) << error.what();
    }
    const std::vector<int32_t> tokens = test::randomTokens(gpu->config(), 16, 9);
    const auto cpu = load(Device::Cpu);
    EXPECT_LE(maxRelativeError(gpu->logProbs(tokens, 4), cpu->logProbs(tokens, 4)), 1e-4);
}

// The generator with sampling on the device: with a nucleus that keeps only
// the top token the draws are certain, so the text, the reveal order and the
// passes equal the CPU's, for a sampler that reveals by schedule and one that
// ranks by confidence.
TEST_F(CudaBackendTest, GenerationWithDeviceSamplingMatchesTheCpu)
{
    const auto cpu = load(Device::Cpu);
    const auto gpu = load(Device::Cuda);
    struct Recorder final : GenerationObserver {
        void stepDone(const StepDone& e) override
        {
            for (const Reveal& r : e.reveals) reveals.push_back({e.block, e.step, r.offset, r.token});
        }
        std::vector<std::array<int32_t, 4>> reveals;
    };
    for (SamplerKind sampler : {SamplerKind::Ddpm, SamplerKind::TopKConfidence}) {
        SamplingParams params;
        params.blockSize = 4;
        params.steps = 4;
        params.sampler = sampler;
        params.topP = 1e-6;
        GenerationOptions options;
        options.seed = 7;
        options.maxNewTokens = 24;
        options.stopAtEos = false;
        Recorder onCpu, onGpu;
        const LiveParameters live(params);
        const GenerationFinished a = Generator(*cpu).run("the", live, options, onCpu);
        const GenerationFinished b = Generator(*gpu).run("the", live, options, onGpu);
        EXPECT_EQ(b.text, a.text) << samplerName(sampler);
        EXPECT_EQ(b.nfe, a.nfe) << samplerName(sampler);
        EXPECT_EQ(onGpu.reveals, onCpu.reveals) << samplerName(sampler);
    }
}

// The generator on the Qwen fixtures with greedy draws (temperature 0), from
// the device's distributions (top-k off) and from the host's ones of the
// GPU's logits (top-k on): the text, the passes and the reveals equal the
// CPU's, for the unshifted and the shifted logit conventions.
TEST_F(CudaTest, QwenGreedyGenerationMatchesTheCpu)
{
    auto reveals = [](const test::EventRecorder& events) {
        std::vector<std::array<int32_t, 4>> all;
        for (const StepDone& e : events.steps)
            for (const Reveal& r : e.reveals) all.push_back({e.block, e.step, r.offset, r.token});
        return all;
    };
    for (const std::string name : {"tiny-sdar", "tiny-fast-dllm"}) {
        const auto folder = test::fixturesDir() / "qwen" / name;
        const auto cpu = loadFolder(folder, Device::Cpu);
        const auto gpu = loadFolder(folder, Device::Cuda);
        for (const int32_t topK : {0, 5}) {
            SCOPED_TRACE(name + ", top-k " + std::to_string(topK));
            SamplingParams params = samplingDefaults(cpu->config());
            params.temperature = 0.0;
            params.topK = topK;
            params.topP = 1.0;
            if (cpu->config().logits == LogitAlignment::NextPosition) params.threshold = 0.3;
            const LiveParameters live(params);
            test::EventRecorder onCpu, onGpu;
            const GenerationFinished a =
                Generator(*cpu).run("The licence grants", live, test::fixedLengthRun(7, 20), onCpu);
            const GenerationFinished b =
                Generator(*gpu).run("The licence grants", live, test::fixedLengthRun(7, 20), onGpu);
            EXPECT_EQ(b.text, a.text);
            EXPECT_EQ(b.nfe, a.nfe);
            EXPECT_EQ(reveals(onGpu), reveals(onCpu));
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Families, CudaNetworkTest, testing::ValuesIn(fixtureModels()),
                         [](const testing::TestParamInfo<FixtureModel>& info) { return info.param.name; });

} // namespace
} // namespace bd3
