#include "samplers/masked_distributions.hpp"

#include "bd3/error.hpp"
#include "samplers/subs_output.hpp"
#include "samplers/token_distribution.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace bd3 {

double confidence(ConfidenceMeasure measure, const MaskedPosition& position, const DrawnToken& drawn)
{
    switch (measure) {
    case ConfidenceMeasure::Probability: return drawn.probability;
    case ConfidenceMeasure::NegativeEntropy: return std::exp(-position.entropy);
    case ConfidenceMeasure::Margin: return static_cast<double>(position.top1) - position.top2;
    }
    return 0.0;
}

MaskedDistributions::MaskedDistributions(std::vector<MaskedPosition> positions)
    : m_positions(std::move(positions)), m_rows(m_positions.size())
{
    for (size_t i = 0; i < m_rows.size(); ++i) m_rows[i] = i;
}

std::vector<DrawnToken> MaskedDistributions::draw(std::span<const DrawRequest> requests) const
{
    std::vector<size_t> rows;
    std::vector<double> uniforms;
    for (const DrawRequest& r : requests) {
        if (r.index >= m_rows.size())
            throw Error("internal: draw at masked position " + std::to_string(r.index) + " of " +
                        std::to_string(m_rows.size()));
        rows.push_back(m_rows[r.index]);
        uniforms.push_back(r.uniform);
    }
    if (rows.empty()) return {};
    return drawRows(rows, uniforms);
}

std::vector<std::vector<Alternative>> MaskedDistributions::alternatives(std::span<const size_t> indices,
                                                                        int32_t count) const
{
    if (count <= 0 || indices.empty()) return std::vector<std::vector<Alternative>>(indices.size());
    std::vector<size_t> rows;
    for (size_t index : indices) rows.push_back(m_rows.at(index));
    return alternativesOfRows(rows, count);
}

void MaskedDistributions::remove(std::span<const size_t> indices)
{
    std::vector<size_t> sorted(indices.begin(), indices.end());
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (size_t index : sorted) {
        m_positions.erase(m_positions.begin() + static_cast<std::ptrdiff_t>(index));
        m_rows.erase(m_rows.begin() + static_cast<std::ptrdiff_t>(index));
    }
}

namespace {

class HostDistributions final : public MaskedDistributions {
public:
    HostDistributions(std::vector<MaskedPosition> positions, std::vector<TokenDistribution> rows)
        : MaskedDistributions(std::move(positions)), m_rows(std::move(rows))
    {
    }

private:
    std::vector<DrawnToken> drawRows(std::span<const size_t> rows, std::span<const double> uniforms) const override
    {
        std::vector<DrawnToken> drawn;
        for (size_t i = 0; i < rows.size(); ++i) {
            const TokenDistribution& d = m_rows[rows[i]];
            const int32_t token = d.draw(uniforms[i]);
            drawn.push_back({token, d.probabilities[static_cast<size_t>(token)]});
        }
        return drawn;
    }

    std::vector<std::vector<Alternative>> alternativesOfRows(std::span<const size_t> rows,
                                                             int32_t count) const override
    {
        std::vector<std::vector<Alternative>> result;
        for (size_t row : rows) result.push_back(m_rows[row].alternatives(count));
        return result;
    }

    std::vector<TokenDistribution> m_rows;
};

} // namespace

std::unique_ptr<MaskedDistributions> makeHostDistributions(std::span<float> logits, std::span<const int32_t> offsets,
                                                           const DistributionParams& params)
{
    const auto vocab = static_cast<size_t>(params.vocabSize);
    std::vector<MaskedPosition> positions;
    std::vector<TokenDistribution> rows;
    for (size_t r = 0; r < offsets.size(); ++r) {
        const auto row = logits.subspan(r * vocab, vocab);
        subsLogProbabilities(row, params.maskId, params.maskId);
        TokenDistribution d = TokenDistribution::from(row, params.temperature, params.topK, params.topP);
        positions.push_back({offsets[r], d.entropy, d.top1, d.top2});
        rows.push_back(std::move(d));
    }
    return std::make_unique<HostDistributions>(std::move(positions), std::move(rows));
}

} // namespace bd3
