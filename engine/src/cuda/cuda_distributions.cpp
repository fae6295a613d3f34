#include "cuda/cuda_distributions.hpp"

#include "bd3/error.hpp"
#include "cuda/cuda_check.hpp"
#include "cuda/cuda_sampling.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

namespace bd3 {

namespace {

using cuda::check;

int32_t checkedCount(size_t count, const char* what)
{
    if (count > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
        throw Error("internal: " + std::to_string(count) + " " + what + " in one launch");
    return static_cast<int32_t>(count);
}

// The probabilities stay in the backend's logits buffer; requests go up and
// results come back through the backend's sampling scratch buffer, one copy
// each way. Both are borrowed.
class CudaDistributions final : public MaskedDistributions {
public:
    CudaDistributions(std::vector<MaskedPosition> positions, const float* probabilities, int32_t vocab, bool greedy,
                      int device, cudaStream_t stream, cuda::DeviceBuffer& scratch)
        : MaskedDistributions(std::move(positions)), m_probabilities(probabilities), m_vocab(vocab),
          m_greedy(greedy), m_device(device), m_stream(stream), m_scratch(scratch)
    {
    }

private:
    std::vector<DrawnToken> drawRows(std::span<const size_t> rows, std::span<const double> uniforms) const override
    {
        if (m_greedy) {
            // Every draw is the row's most probable token (the lowest id of
            // a tie), as TokenDistribution::draw.
            std::vector<DrawnToken> drawn;
            drawn.reserve(rows.size());
            for (const std::vector<Alternative>& best : alternativesOfRows(rows, 1))
                drawn.push_back({best.front().token, best.front().probability});
            return drawn;
        }
        const int32_t count = checkedCount(rows.size(), "draws");
        std::vector<cuda::DrawInput> inputs(rows.size());
        for (size_t i = 0; i < rows.size(); ++i) inputs[i] = {uniforms[i], static_cast<int64_t>(rows[i])};
        const size_t inBytes = inputs.size() * sizeof(cuda::DrawInput);
        const size_t outBytes = inputs.size() * sizeof(cuda::TokenProbability);
        check(cudaSetDevice(m_device), "cudaSetDevice");
        m_scratch.reserve(inBytes + outBytes, "the token draws");
        auto* in = m_scratch.as<cuda::DrawInput>();
        auto* out = reinterpret_cast<cuda::TokenProbability*>(m_scratch.as<char>() + inBytes);
        check(cudaMemcpyAsync(in, inputs.data(), inBytes, cudaMemcpyHostToDevice, m_stream),
              "cudaMemcpyAsync (draw requests to the GPU)");
        cuda::drawTokens(m_probabilities, m_vocab, in, count, out, m_stream);
        std::vector<cuda::TokenProbability> results(inputs.size());
        check(cudaMemcpyAsync(results.data(), out, outBytes, cudaMemcpyDeviceToHost, m_stream),
              "cudaMemcpyAsync (drawn tokens to the host)");
        check(cudaStreamSynchronize(m_stream), "cudaStreamSynchronize (token draws)");
        std::vector<DrawnToken> drawn;
        drawn.reserve(results.size());
        for (const cuda::TokenProbability& r : results) drawn.push_back({r.token, r.probability});
        return drawn;
    }

    std::vector<std::vector<Alternative>> alternativesOfRows(std::span<const size_t> rows,
                                                             int32_t count) const override
    {
        const int32_t rowCount = checkedCount(rows.size(), "rows");
        const int32_t n = std::min(count, m_vocab);
        std::vector<int64_t> list(rows.begin(), rows.end());
        const size_t inBytes = list.size() * sizeof(int64_t);
        const size_t outBytes = list.size() * static_cast<size_t>(n) * sizeof(cuda::TokenProbability);
        check(cudaSetDevice(m_device), "cudaSetDevice");
        m_scratch.reserve(inBytes + outBytes, "the alternatives");
        auto* in = m_scratch.as<int64_t>();
        auto* out = reinterpret_cast<cuda::TokenProbability*>(m_scratch.as<char>() + inBytes);
        check(cudaMemcpyAsync(in, list.data(), inBytes, cudaMemcpyHostToDevice, m_stream),
              "cudaMemcpyAsync (alternative rows to the GPU)");
        cuda::mostProbableTokens(m_probabilities, m_vocab, in, rowCount, n, out, m_stream);
        std::vector<cuda::TokenProbability> results(list.size() * static_cast<size_t>(n));
        check(cudaMemcpyAsync(results.data(), out, outBytes, cudaMemcpyDeviceToHost, m_stream),
              "cudaMemcpyAsync (alternatives to the host)");
        check(cudaStreamSynchronize(m_stream), "cudaStreamSynchronize (alternatives)");
        std::vector<std::vector<Alternative>> alternatives(list.size());
        for (size_t r = 0; r < list.size(); ++r)
            for (int32_t k = 0; k < n; ++k) {
                const cuda::TokenProbability& t = results[r * static_cast<size_t>(n) + static_cast<size_t>(k)];
                alternatives[r].push_back({t.token, t.probability});
            }
        return alternatives;
    }

    const float* m_probabilities; // [rows, vocab], the backend's logits buffer
    int32_t m_vocab;
    bool m_greedy;
    int m_device;
    cudaStream_t m_stream;
    cuda::DeviceBuffer& m_scratch;
};

} // namespace

std::unique_ptr<MaskedDistributions> makeCudaDistributions(float* logits, cuda::DeviceBuffer& scratch,
                                                           std::span<const int32_t> offsets,
                                                           const DistributionParams& params, cudaStream_t stream)
{
    if (params.vocabSize <= 0) throw Error("internal: sampling distributions over an empty vocabulary");
    const int32_t rows = checkedCount(offsets.size(), "rows");
    const bool greedy = params.temperature == 0.0;
    int device = 0;
    check(cudaGetDevice(&device), "cudaGetDevice");
    // Sized for the summaries and for one draw at every position, so a
    // step's draws need no allocation of their own; kept by the backend, so
    // after the first passes no pass allocates.
    const size_t n = offsets.size();
    scratch.reserve(std::max(n * sizeof(cuda::RowSummary),
                             n * (sizeof(cuda::DrawInput) + sizeof(cuda::TokenProbability))),
                    "the sampling summaries");
    std::vector<MaskedPosition> positions;
    if (rows > 0) {
        auto* summaries = scratch.as<cuda::RowSummary>();
        // Temperature 0 is greedy: the distribution of temperature 1, drawn
        // at its most probable token.
        cuda::prepareDistributions(logits, rows, params.vocabSize, params.maskId, greedy ? 1.0 : params.temperature,
                                   params.topP, summaries, stream);
        std::vector<cuda::RowSummary> host(n);
        check(cudaMemcpyAsync(host.data(), summaries, n * sizeof(cuda::RowSummary), cudaMemcpyDeviceToHost, stream),
              "cudaMemcpyAsync (sampling summaries to the host)");
        check(cudaStreamSynchronize(stream), "cudaStreamSynchronize (sampling distributions)");
        positions.reserve(n);
        for (size_t i = 0; i < n; ++i) positions.push_back({offsets[i], host[i].entropy, host[i].top1, host[i].top2});
    }
    return std::make_unique<CudaDistributions>(std::move(positions), logits, params.vocabSize, greedy, device, stream,
                                               scratch);
}

} // namespace bd3
