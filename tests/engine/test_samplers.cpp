// Samplers, schedules and the token distribution, on synthetic distributions
// so the statistics can use many trials.
#include "samplers/masked_distributions.hpp"
#include "random.hpp"
#include "samplers/block_sampler.hpp"
#include "samplers/low_confidence_samplers.hpp"
#include "samplers/token_distribution.hpp"

#include "bd3/sampling.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace bd3 {
namespace {

std::vector<float> logOf(std::initializer_list<double> probabilities)
{
    std::vector<float> row;
    for (double p : probabilities) row.push_back(static_cast<float>(std::log(p)));
    return row;
}

// Masked positions at offsets 0, 1, ... with the given distributions over
// the tokens before [MASK], the last id.
std::unique_ptr<MaskedDistributions> maskedPositions(const std::vector<std::vector<double>>& distributions)
{
    const auto vocab = static_cast<int32_t>(distributions.front().size() + 1);
    std::vector<float> logits;
    std::vector<int32_t> offsets;
    for (const auto& p : distributions) {
        for (double x : p) logits.push_back(static_cast<float>(std::log(x)));
        logits.push_back(5.0F);  // [MASK]'s logit, which SUBS ignores
        offsets.push_back(static_cast<int32_t>(offsets.size()));
    }
    return makeHostDistributions(logits, offsets, {vocab, vocab - 1, 1.0, 1.0});
}

std::unique_ptr<MaskedDistributions> maskedBlock(int32_t count)
{
    return maskedPositions(std::vector<std::vector<double>>(static_cast<size_t>(count), {0.6, 0.3, 0.1}));
}

void reveal(MaskedDistributions& masked, const std::vector<RevealChoice>& choices)
{
    std::vector<size_t> indices;
    for (const auto& c : choices) indices.push_back(c.index);
    masked.remove(indices);
}

TEST(Schedule, EndpointsAndShapes)
{
    for (ScheduleKind kind : {ScheduleKind::LogLinear, ScheduleKind::Cosine, ScheduleKind::Square,
                              ScheduleKind::SquareRoot, ScheduleKind::Log, ScheduleKind::Clipped}) {
        Schedule s{kind, 0.3, 0.8};
        EXPECT_EQ(s.maskedFraction(1.0), 1.0) << scheduleName(kind);
        EXPECT_EQ(s.maskedFraction(0.0), 0.0) << scheduleName(kind);
        for (double t = 0.05; t < 1.0; t += 0.05) EXPECT_LE(s.maskedFraction(t), s.maskedFraction(t + 0.05) + 1e-12);
        EXPECT_EQ(scheduleFromName(scheduleName(kind)), kind);
    }
    EXPECT_DOUBLE_EQ(Schedule{ScheduleKind::LogLinear}.maskedFraction(0.25), 0.25);
    EXPECT_DOUBLE_EQ(Schedule{ScheduleKind::Square}.maskedFraction(0.5), 0.25);
    EXPECT_DOUBLE_EQ(Schedule{ScheduleKind::SquareRoot}.maskedFraction(0.25), 0.5);
    EXPECT_NEAR(Schedule{ScheduleKind::Log}.maskedFraction(0.5), std::log(1.5) / std::log(2.0), 1e-12);
    EXPECT_NEAR(Schedule{ScheduleKind::Cosine}.maskedFraction(0.5), 1.0 - std::cos(M_PI / 4), 1e-12);
    EXPECT_DOUBLE_EQ((Schedule{ScheduleKind::Clipped, 0.3, 0.8}.maskedFraction(0.5)), 0.55);
}

TEST(TokenDistribution, NucleusKeepsMassWithinTopPAndAlwaysTheTopToken)
{
    const auto row = logOf({0.5, 0.25, 0.15, 0.1});
    const auto kept = TokenDistribution::from(row, 1.0, 0, 0.8);  // 0.5 + 0.25 <= 0.8; 0.15 crosses
    EXPECT_NEAR(kept.probabilities[0], 0.5 / 0.75, 1e-6);
    EXPECT_NEAR(kept.probabilities[1], 0.25 / 0.75, 1e-6);
    EXPECT_EQ(kept.probabilities[2], 0.0F);
    EXPECT_EQ(kept.probabilities[3], 0.0F);
    const auto top = TokenDistribution::from(row, 1.0, 0, 0.1);
    EXPECT_NEAR(top.probabilities[0], 1.0, 1e-6);
    EXPECT_NEAR(top.entropy, 0.0, 1e-9);
}

TEST(TokenDistribution, TemperatureSharpensAndFlattens)
{
    const auto row = logOf({0.6, 0.3, 0.1});
    EXPECT_NEAR(TokenDistribution::from(row, 1.0, 0, 1.0).probabilities[0], 0.6, 1e-6);
    EXPECT_GT(TokenDistribution::from(row, 0.1, 0, 1.0).probabilities[0], 0.999);
    EXPECT_LT(TokenDistribution::from(row, 10.0, 0, 1.0).probabilities[0], 0.4);
}

TEST(TokenDistribution, DrawsFollowTheProbabilities)
{
    const auto d = TokenDistribution::from(logOf({0.6, 0.3, 0.1}), 1.0, 0, 1.0);
    Rng rng(5);
    std::vector<int> counts(3);
    constexpr int trials = 20000;
    for (int i = 0; i < trials; ++i) ++counts[static_cast<size_t>(d.draw(rng.uniform()))];
    // Each frequency within five standard errors of its probability.
    for (size_t k = 0; k < 3; ++k) {
        const double p = d.probabilities[k];
        EXPECT_NEAR(counts[k] / double(trials), p, 5 * std::sqrt(p * (1 - p) / trials)) << "token " << k;
    }
}

TEST(MaskedDistributions, ConfidenceMeasuresLieInUnitInterval)
{
    const auto masked = maskedPositions({{0.6, 0.3, 0.1}});
    const MaskedPosition& p = masked->position(0);
    EXPECT_NEAR(confidence(ConfidenceMeasure::Probability, p, {1, 0.3F}), 0.3, 1e-6);
    EXPECT_NEAR(confidence(ConfidenceMeasure::Margin, p, {0, 0.6F}), 0.3, 1e-6);
    const double entropy = -(0.6 * std::log(0.6) + 0.3 * std::log(0.3) + 0.1 * std::log(0.1));
    EXPECT_NEAR(confidence(ConfidenceMeasure::NegativeEntropy, p, {0, 0.6F}), std::exp(-entropy), 1e-6);
    const std::vector<size_t> first{0};
    const auto alternatives = masked->alternatives(first, 2);
    ASSERT_EQ(alternatives.size(), 1U);
    ASSERT_EQ(alternatives[0].size(), 2U);
    EXPECT_EQ(alternatives[0][0].token, 0);
    EXPECT_EQ(alternatives[0][1].token, 1);
}

// A draw's token is the inversion of the cumulative sum at its uniform, with
// the token's probability beside it; [MASK] is never drawn. Removing a
// position shifts the later ones down.
TEST(MaskedDistributions, DrawsInvertTheCumulativeSumAndRemovalShiftsIndices)
{
    const auto masked = maskedPositions({{0.6, 0.3, 0.1}, {0.1, 0.1, 0.8}});
    const std::vector<DrawRequest> requests{{0, 0.59}, {0, 0.61}, {0, 0.95}, {1, 0.0}, {1, 0.25}, {1, 0.999}};
    const auto drawn = masked->draw(requests);
    const std::vector<int32_t> expected{0, 1, 2, 0, 2, 2};
    ASSERT_EQ(drawn.size(), expected.size());
    for (size_t i = 0; i < drawn.size(); ++i) EXPECT_EQ(drawn[i].token, expected[i]) << "request " << i;
    EXPECT_NEAR(drawn[4].probability, 0.8, 1e-6);
    const std::vector<size_t> first{0};
    masked->remove(first);
    ASSERT_EQ(masked->size(), 1U);
    EXPECT_EQ(masked->position(0).offset, 1);
    const DrawRequest request{0, 0.05};
    EXPECT_EQ(masked->draw(std::span(&request, 1)).front().token, 0);
}

TEST(Samplers, FirstHittingRevealsExactlyOnePerStep)
{
    SamplingParams params;
    params.steps = 2;
    const auto sampler = makeBlockSampler(SamplerKind::FirstHitting);
    Rng rng(1);
    auto masked = maskedBlock(16);
    for (int32_t step = 0; !masked->empty(); ++step) {
        const auto choices = sampler->step({step, 16, 16, params, *masked, rng});
        ASSERT_EQ(choices.size(), 1U);
        reveal(*masked, choices);
    }
}

// Over many seeds, the DDPM step reveals on average what the schedule expects
// at every step: mean within four standard errors of the expected count.
TEST(Samplers, DdpmRevealsTheScheduledCountOnAverage)
{
    constexpr int32_t blockSize = 16, steps = 8, trials = 3000;
    for (ScheduleKind kind : {ScheduleKind::LogLinear, ScheduleKind::Cosine, ScheduleKind::Square}) {
        SamplingParams params;
        params.steps = steps;
        params.schedule.kind = kind;
        const auto sampler = makeBlockSampler(SamplerKind::Ddpm);
        std::vector<double> sum(steps), sumSquares(steps);
        for (int32_t trial = 0; trial < trials; ++trial) {
            Rng rng(static_cast<uint64_t>(trial));
            auto masked = maskedBlock(blockSize);
            for (int32_t step = 0; step < steps; ++step) {
                reveal(*masked, sampler->step({step, blockSize, blockSize, params, *masked, rng}));
                sum[static_cast<size_t>(step)] += static_cast<double>(masked->size());
                sumSquares[static_cast<size_t>(step)] += static_cast<double>(masked->size() * masked->size());
            }
            ASSERT_TRUE(masked->empty()) << "the last step reveals everything";
        }
        for (int32_t step = 0; step < steps; ++step) {
            const double mean = sum[static_cast<size_t>(step)] / trials;
            const double variance = sumSquares[static_cast<size_t>(step)] / trials - mean * mean;
            const double expected = blockSize * params.schedule.maskedFraction(1.0 - (step + 1.0) / steps);
            EXPECT_NEAR(mean, expected, 4 * std::sqrt(variance / trials) + 1e-9)
                << scheduleName(kind) << " step " << step;
        }
    }
}

TEST(Samplers, TopKRevealsWhatTheScheduleAsksMostConfidentFirst)
{
    SamplingParams params;
    params.steps = 4;
    params.confidence = ConfidenceMeasure::Margin;
    const auto sampler = makeBlockSampler(SamplerKind::TopKConfidence);
    Rng rng(3);
    std::vector<std::vector<double>> distributions;
    for (int32_t i = 0; i < 8; ++i) {
        const double top = 0.4 + 0.05 * i;  // later positions are more confident
        distributions.push_back({top, 1.0 - top});
    }
    const auto masked = maskedPositions(distributions);
    const auto choices = sampler->step({0, 8, 8, params, *masked, rng});
    ASSERT_EQ(choices.size(), 2U);  // 8 masked, the schedule keeps 8 * 0.75
    std::vector<int32_t> offsets;
    for (const auto& c : choices) offsets.push_back(masked->position(c.index).offset);
    std::sort(offsets.begin(), offsets.end());
    EXPECT_EQ(offsets, (std::vector<int32_t>{6, 7}));
}

TEST(Samplers, ThresholdRevealsEveryConfidentPositionAndAtLeastOne)
{
    SamplingParams params;
    params.threshold = 0.9;
    params.confidence = ConfidenceMeasure::Margin;
    const auto sampler = makeBlockSampler(SamplerKind::Threshold);
    Rng rng(3);
    const auto masked = maskedPositions({{0.5, 0.5}, {0.99, 0.01}, {0.97, 0.03}});
    EXPECT_EQ(sampler->step({0, 3, 3, params, *masked, rng}).size(), 2U);
    const std::vector<size_t> confident{1, 2};
    masked->remove(confident);
    EXPECT_EQ(sampler->step({1, 3, 3, params, *masked, rng}).size(), 1U);
}

// SDAR's reveal counts: the block split evenly over the steps, the first
// block % steps steps taking one more.
TEST(Samplers, EvenSplitGivesTheFirstStepsTheRemainder)
{
    std::vector<int32_t> counts;
    for (int32_t step = 0; step < 3; ++step) counts.push_back(evenSplitCount(8, 3, step));
    EXPECT_EQ(counts, (std::vector<int32_t>{3, 3, 2}));
    EXPECT_EQ(evenSplitCount(4, 4, 3), 1);
    EXPECT_EQ(evenSplitCount(4, 4, 4), 0);
}

std::vector<int32_t> revealedOffsets(const MaskedDistributions& masked, const std::vector<RevealChoice>& choices)
{
    std::vector<int32_t> offsets;
    for (const auto& c : choices) offsets.push_back(masked.position(c.index).offset);
    std::sort(offsets.begin(), offsets.end());
    return offsets;
}

// Positions 0..7, later ones more sure of their first token; the sampled
// token's probability is the confidence (each position's distribution is
// one-hot enough that every draw takes the top token).
std::unique_ptr<MaskedDistributions> risingConfidence()
{
    std::vector<std::vector<double>> distributions;
    for (int32_t i = 0; i < 8; ++i) distributions.push_back({0.99 - 0.001 * (7 - i), 0.01 + 0.001 * (7 - i)});
    return maskedPositions(distributions);
}

TEST(Samplers, LowConfidenceStaticRevealsTheEvenSplitMostConfidentFirst)
{
    SamplingParams params;
    params.steps = 3;
    params.temperature = 0.0;  // greedy: every draw the top token
    const auto sampler = makeBlockSampler(SamplerKind::LowConfidenceStatic);
    Rng rng(3);
    auto masked = risingConfidence();
    // The block is 10 long (2 clean prompt tokens): 4, 3, 3 per step.
    const auto first = sampler->step({0, 8, 10, params, *masked, rng});
    EXPECT_EQ(revealedOffsets(*masked, first), (std::vector<int32_t>{4, 5, 6, 7}));
    reveal(*masked, first);
    EXPECT_EQ(revealedOffsets(*masked, sampler->step({1, 8, 10, params, *masked, rng})), (std::vector<int32_t>{1, 2, 3}));
}

TEST(Samplers, LowConfidenceDynamicTakesEveryConfidentOneOrTheEvenSplit)
{
    SamplingParams params;
    params.steps = 4;
    params.temperature = 0.0;
    const auto sampler = makeBlockSampler(SamplerKind::LowConfidenceDynamic);
    Rng rng(3);
    const auto masked = risingConfidence();  // confidences 0.983 ... 0.99
    params.threshold = 0.9855;               // offsets 3..7 pass (0.986 and up), more than the split's 2
    EXPECT_EQ(revealedOffsets(*masked, sampler->step({0, 8, 8, params, *masked, rng})),
              (std::vector<int32_t>{3, 4, 5, 6, 7}));
    params.threshold = 0.9895;               // only offset 7 passes: the split's 2 most confident
    EXPECT_EQ(revealedOffsets(*masked, sampler->step({0, 8, 8, params, *masked, rng})), (std::vector<int32_t>{6, 7}));
}

TEST(Samplers, SequentialRevealsTheLeftmostMasks)
{
    SamplingParams params;
    params.steps = 4;
    const auto sampler = makeBlockSampler(SamplerKind::Sequential);
    Rng rng(3);
    const auto masked = risingConfidence();
    EXPECT_EQ(revealedOffsets(*masked, sampler->step({0, 8, 8, params, *masked, rng})), (std::vector<int32_t>{0, 1}));
}

// Fast-dLLM v2: only the first sub-block holding masks is decoded.
TEST(Samplers, ThresholdDecodesOneSubBlockAtATime)
{
    SamplingParams params;
    params.threshold = 0.5;
    params.subBlockSize = 4;
    const auto sampler = makeBlockSampler(SamplerKind::Threshold);
    Rng rng(3);
    auto masked = risingConfidence();  // every position passes 0.5
    const auto first = sampler->step({0, 8, 8, params, *masked, rng});
    EXPECT_EQ(revealedOffsets(*masked, first), (std::vector<int32_t>{0, 1, 2, 3}));
    reveal(*masked, first);
    EXPECT_EQ(revealedOffsets(*masked, sampler->step({1, 8, 8, params, *masked, rng})), (std::vector<int32_t>{4, 5, 6, 7}));
}

// Top-k before the nucleus, ties at the k-th kept; greedy at temperature 0
// keeps temperature 1's probabilities and always draws the top token.
TEST(TokenDistribution, TopKKeepsTheKMostProbableAndGreedyDrawsTheTop)
{
    const std::vector<float> row = logOf({0.4, 0.3, 0.2, 0.1});
    const auto two = TokenDistribution::from(row, 1.0, 2, 1.0);
    EXPECT_NEAR(two.probabilities[0], 0.4 / 0.7, 1e-6);
    EXPECT_NEAR(two.probabilities[1], 0.3 / 0.7, 1e-6);
    EXPECT_EQ(two.probabilities[2], 0.0F);
    EXPECT_EQ(two.probabilities[3], 0.0F);
    const auto greedy = TokenDistribution::from(row, 0.0, 0, 1.0);
    EXPECT_NEAR(greedy.probabilities[0], 0.4, 1e-6);
    for (double u : {0.0, 0.5, 0.99}) EXPECT_EQ(greedy.draw(u), 0);
}

TEST(SamplingParams, NonsenseValuesAreRejectedByName)
{
    auto message = [](auto change) {
        SamplingParams p;
        change(p);
        try {
            p.validate();
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(message([](SamplingParams& p) { p.blockSize = 0; }).find("block size"), std::string::npos);
    EXPECT_NE(message([](SamplingParams& p) { p.steps = 0; }).find("steps"), std::string::npos);
    EXPECT_NE(message([](SamplingParams& p) { p.temperature = -1; }).find("temperature"), std::string::npos);
    EXPECT_NE(message([](SamplingParams& p) { p.temperature = NAN; }).find("temperature"), std::string::npos);
    EXPECT_NE(message([](SamplingParams& p) { p.topP = 0; }).find("top-p"), std::string::npos);
    EXPECT_NE(message([](SamplingParams& p) { p.topP = 1.5; }).find("top-p"), std::string::npos);
    EXPECT_NE(message([](SamplingParams& p) { p.threshold = -1; }).find("threshold"), std::string::npos);
    EXPECT_NE(message([](SamplingParams& p) {
                  p.schedule = {ScheduleKind::Clipped, 0.9, 0.2};
              }).find("beta"),
              std::string::npos);
    EXPECT_EQ(message([](SamplingParams&) {}), "accepted");
}

} // namespace
} // namespace bd3
