// The narrow interface every compute backend implements: run the network over
// a chunk of tokens that follows a key/value cache, optionally keeping the
// chunk's keys and values. Sampling and scheduling live above it.
#pragma once

#include "samplers/masked_distributions.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace bd3 {

// Keys and values of every layer for the tokens seen so far. Owned by one
// backend.
class KvCache {
public:
    virtual ~KvCache() = default;
    int32_t length() const { return m_length; }
    int32_t capacity() const { return m_capacity; }
    // Absolute position of the token after the cached ones.
    int64_t nextPosition() const { return m_nextPosition; }
    // Forget everything; the next token takes position 0.
    void clear()
    {
        m_length = 0;
        m_nextPosition = 0;
    }
    // Forget the tokens after the first `length` (a block stored by an
    // attempt that was then abandoned).
    void rewind(int32_t length)
    {
        m_nextPosition -= m_length - length;
        m_length = length;
    }

protected:
    explicit KvCache(int32_t capacity) : m_capacity(capacity) {}
    int32_t m_capacity = 0;
    int32_t m_length = 0;
    int64_t m_nextPosition = 0;
};

struct ForwardPass {
    std::span<const int32_t> tokens;  // the chunk that follows the cache
    // The chunk's blocks: the first has firstBlock tokens when that is not 0,
    // the others blockSize. A token sees the whole cache and the chunk's
    // blocks up to and including its own.
    int32_t blockSize = 1;
    // Leading rows (whole blocks) whose keys and values join the cache; the
    // rest of the chunk is only looked at.
    int32_t keepRows = 0;
    std::span<const int32_t> outputRows;  // chunk rows whose logits are wanted
    int32_t firstBlock = 0;
};

// The checks every backend makes before a pass: a chunk of tokens in the
// vocabulary with a sensible block layout that fits the cache, output rows
// inside the chunk, and a logits buffer of the size asked for. Throws
// bd3::Error naming the problem.
void checkForwardPass(const ForwardPass& pass, const KvCache& cache, size_t logitsSize, int32_t vocabSize);
// Before a pass whose output rows become sampling distributions: one offset
// per output row, and every output row inside the chunk.
void checkDistributionPass(const ForwardPass& pass, std::span<const int32_t> offsets);

class Backend {
public:
    virtual ~Backend() = default;
    virtual std::string_view name() const = 0;
    virtual int64_t weightBytes() const = 0;
    // CPU threads its passes run on (a GPU backend: its one host thread).
    virtual unsigned hostThreads() const = 0;
    virtual std::unique_ptr<KvCache> newCache(int32_t capacity) const = 0;
    // Writes raw logits, row-major [pass.outputRows.size(), vocab], into logits.
    // Throws bd3::Error when the chunk does not fit in the cache's capacity.
    virtual void forward(const ForwardPass& pass, KvCache& cache, std::span<float> logits) = 0;
    // Runs the pass and turns its output rows, masked positions at offsets
    // (one per row), into sampling distributions. By default the logits come
    // to the host; a GPU keeps them on the device.
    virtual std::unique_ptr<MaskedDistributions> forwardToDistributions(const ForwardPass& pass, KvCache& cache,
                                                                        std::span<const int32_t> offsets,
                                                                        const DistributionParams& params);

    // The ceilings of the hardware this backend runs on, each timed over
    // about `seconds`: the rate of the products one pass of `rows` tokens
    // makes through one layer, with this backend's weights and precision
    // (GFLOP/s), and how fast the memory the weights live in streams when
    // read (GB/s, over far more than the caches hold).
    virtual double measureProductGflops(int32_t rows, double seconds) = 0;
    virtual double measureStreamBandwidth(double seconds) = 0;
};

} // namespace bd3
