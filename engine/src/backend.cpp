#include "backend.hpp"

#include "bd3/error.hpp"

#include <string>
#include <vector>

namespace bd3 {

namespace {

void checkOutputRows(const ForwardPass& pass)
{
    for (const int32_t row : pass.outputRows)
        if (row < 0 || static_cast<size_t>(row) >= pass.tokens.size())
            throw Error("internal: output row " + std::to_string(row) + " outside the chunk");
}

} // namespace

void checkForwardPass(const ForwardPass& pass, const KvCache& cache, size_t logitsSize, int32_t vocabSize)
{
    const auto rows = static_cast<int32_t>(pass.tokens.size());
    if (rows == 0) throw Error("forward pass over no tokens");
    if (pass.blockSize < 1 || pass.firstBlock < 0 || pass.keepRows < 0 || pass.keepRows > rows)
        throw Error("internal: forward pass with block size " + std::to_string(pass.blockSize) + ", first block " +
                    std::to_string(pass.firstBlock) + ", keeping " + std::to_string(pass.keepRows) + " rows");
    if (cache.length() + rows > cache.capacity())
        throw Error("forward pass of " + std::to_string(rows) + " tokens after " + std::to_string(cache.length()) +
                    " cached ones exceeds the context of " + std::to_string(cache.capacity()));
    if (logitsSize != pass.outputRows.size() * static_cast<size_t>(vocabSize))
        throw Error("internal: logits buffer has the wrong size");
    for (const int32_t token : pass.tokens)
        if (token < 0 || token >= vocabSize)
            throw Error("token id " + std::to_string(token) + " is outside the vocabulary of " +
                        std::to_string(vocabSize));
    checkOutputRows(pass);
}

void checkDistributionPass(const ForwardPass& pass, std::span<const int32_t> offsets)
{
    if (offsets.size() != pass.outputRows.size())
        throw Error("internal: " + std::to_string(offsets.size()) + " offsets for " +
                    std::to_string(pass.outputRows.size()) + " output rows");
    checkOutputRows(pass);
}

std::unique_ptr<MaskedDistributions> Backend::forwardToDistributions(const ForwardPass& pass, KvCache& cache,
                                                                    std::span<const int32_t> offsets,
                                                                    const DistributionParams& params)
{
    checkDistributionPass(pass, offsets);
    std::vector<float> logits(pass.outputRows.size() * static_cast<size_t>(params.vocabSize));
    forward(pass, cache, logits);
    return makeHostDistributions(logits, offsets, params);
}

} // namespace bd3
