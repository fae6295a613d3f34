#include "backend.hpp"
#include "bd3/error.hpp"
#include "bd3/model.hpp"
#include "bd3/roofline.hpp"
#include "stopwatch.hpp"

#include <algorithm>
#include <numeric>

namespace bd3 {

namespace {

template <typename Run>
double medianMs(int32_t repeats, Run run)
{
    std::vector<double> times;
    for (int32_t i = 0; i < std::max(repeats, 1); ++i) {
        const auto start = Clock::now();
        run();
        times.push_back(millisecondsSince(start));
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

} // namespace

ContextTiming timeBlockAtContext(const Model& model, int32_t cached, int32_t blockSize, int32_t repeats)
{
    const ModelConfig& c = model.config();
    if (cached + blockSize > c.contextLength)
        throw Error(std::to_string(cached + blockSize) + " tokens exceed the model's context of " +
                    std::to_string(c.contextLength));
    Backend& backend = model.backend();
    // Any clean tokens will do for timing; the block is all [MASK].
    std::vector<int32_t> context(static_cast<size_t>(cached));
    for (size_t i = 0; i < context.size(); ++i) context[i] = static_cast<int32_t>(i % static_cast<size_t>(c.maskId));
    const std::vector<int32_t> block(static_cast<size_t>(blockSize), c.maskId);
    std::vector<int32_t> rows(static_cast<size_t>(blockSize));
    std::iota(rows.begin(), rows.end(), 0);
    std::vector<float> logits(rows.size() * static_cast<size_t>(c.vocabSize));

    const auto cache = backend.newCache(c.contextLength);
    if (cached > 0) backend.forward({context, blockSize, cached, {}}, *cache, {});
    ContextTiming timing;
    timing.cachedMs = medianMs(repeats, [&] { backend.forward({block, blockSize, 0, rows}, *cache, logits); });

    std::vector<int32_t> whole = context;
    whole.insert(whole.end(), block.begin(), block.end());
    std::vector<int32_t> lastRows(rows);
    for (int32_t& r : lastRows) r += cached;
    timing.recomputeMs = medianMs(repeats, [&] {
        const auto fresh = backend.newCache(c.contextLength);
        backend.forward({whole, blockSize, 0, lastRows}, *fresh, logits);
    });
    return timing;
}

} // namespace bd3
