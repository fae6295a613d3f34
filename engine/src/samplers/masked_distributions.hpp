// The sampling distributions of a block's still-masked positions after one
// forward pass: SUBS probabilities sharpened by the temperature and cut by
// the nucleus. They stay where the backend computed its logits (host memory
// for the CPU, device memory for a GPU). Samplers see a few numbers per
// position and ask for their token draws in one batch, so a GPU sends back
// only what a step's events need.
#pragma once

#include "bd3/events.hpp"
#include "bd3/sampling.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace bd3 {

struct MaskedPosition {
    int32_t offset = 0;   // position inside the block
    double entropy = 0.0; // nats
    float top1 = 0.0F;    // largest probability
    float top2 = 0.0F;    // second largest
};

struct DrawRequest {
    size_t index = 0;     // into the live positions
    double uniform = 0.0; // in [0, 1)
};

struct DrawnToken {
    int32_t token = 0;
    float probability = 0.0F;
};

// How sure the model is at a position, in [0, 1]: the drawn token's
// probability, exp(-entropy), or the top-1 minus top-2 margin.
double confidence(ConfidenceMeasure measure, const MaskedPosition& position, const DrawnToken& drawn);

struct DistributionParams {
    int32_t vocabSize = 0;
    int32_t maskId = 0;
    double temperature = 1.0;  // 0: greedy
    double topP = 1.0;
    int32_t topK = 0;          // 0: off; applied before the nucleus
};

// Valid until the backend that made them runs its next forward pass (a GPU
// reuses their memory for the next pass's logits).
class MaskedDistributions {
public:
    virtual ~MaskedDistributions() = default;
    MaskedDistributions(const MaskedDistributions&) = delete;
    MaskedDistributions& operator=(const MaskedDistributions&) = delete;

    size_t size() const { return m_positions.size(); }
    bool empty() const { return m_positions.empty(); }
    const MaskedPosition& position(size_t index) const { return m_positions[index]; }

    // The token at each request's uniform, by inversion of the cumulative
    // sum in token-id order.
    std::vector<DrawnToken> draw(std::span<const DrawRequest> requests) const;
    // The count most probable tokens at each position asked for.
    std::vector<std::vector<Alternative>> alternatives(std::span<const size_t> indices, int32_t count) const;
    // Drops revealed positions; the ones after them move down, as in a vector.
    void remove(std::span<const size_t> indices);

protected:
    // Row i of the backend's storage holds positions[i].
    explicit MaskedDistributions(std::vector<MaskedPosition> positions);
    virtual std::vector<DrawnToken> drawRows(std::span<const size_t> rows, std::span<const double> uniforms) const = 0;
    virtual std::vector<std::vector<Alternative>> alternativesOfRows(std::span<const size_t> rows,
                                                                     int32_t count) const = 0;

private:
    std::vector<MaskedPosition> m_positions;
    std::vector<size_t> m_rows;
};

// Distributions held in host memory, from rows of raw logits (row i belongs
// to the position at offsets[i]).
std::unique_ptr<MaskedDistributions> makeHostDistributions(std::span<float> logits, std::span<const int32_t> offsets,
                                                           const DistributionParams& params);

} // namespace bd3
