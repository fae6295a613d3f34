#include "bd3/generator.hpp"

#include "backend.hpp"
#include "bd3/error.hpp"
#include "bd3/model.hpp"
#include "samplers/block_sampler.hpp"
#include "subs_output.hpp"
#include "bd3/utf8.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

namespace bd3 {

namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Unigram entropy, in nats, of the last `window` tokens: the reference's
// check for degenerate, repeating text.
double unigramEntropy(std::span<const int32_t> tokens, size_t window)
{
    const auto recent = tokens.last(std::min(window, tokens.size()));
    std::map<int32_t, int> counts;
    for (int32_t t : recent) ++counts[t];
    double entropy = 0.0;
    for (const auto& [token, count] : counts) {
        const double p = static_cast<double>(count) / static_cast<double>(recent.size());
        entropy -= p * std::log(p);
    }
    return entropy;
}

// Text of generated tokens, stopping at the first end-of-sequence token when
// asked to; ids the tokenizer does not define (such as [MASK]) have no text.
class GeneratedText {
public:
    GeneratedText(const Tokenizer& tokenizer, int32_t eosId, bool stopAtEos)
        : m_tokenizer(tokenizer), m_eosId(eosId), m_stopAtEos(stopAtEos)
    {
    }

    // Adds a committed block's new tokens; returns the newly completed text.
    std::string append(std::span<const int32_t> tokens)
    {
        for (int32_t t : tokens) {
            if (m_ended) break;
            if (m_stopAtEos && t == m_eosId) {
                m_ended = true;
                break;
            }
            if (t >= 0 && t < m_tokenizer.size()) m_visible.push_back(t);
        }
        const std::string bytes = m_tokenizer.decode(m_visible);
        const size_t complete = completeUtf8Prefix(bytes);
        std::string delta = validUtf8(std::string_view(bytes).substr(m_emitted, complete - m_emitted));
        m_emitted = complete;
        return delta;
    }

    bool ended() const { return m_ended; }
    std::string all() const { return validUtf8(m_tokenizer.decode(m_visible)); }

private:
    const Tokenizer& m_tokenizer;
    int32_t m_eosId;
    bool m_stopAtEos;
    bool m_ended = false;
    std::vector<int32_t> m_visible;
    size_t m_emitted = 0;
};

} // namespace

LiveParameters::LiveParameters(const SamplingParams& params) : m_params(params)
{
    params.validate();
}

void LiveParameters::set(const SamplingParams& params)
{
    params.validate();
    const std::scoped_lock lock(m_mutex);
    m_params = params;
}

SamplingParams LiveParameters::current() const
{
    const std::scoped_lock lock(m_mutex);
    return m_params;
}

std::string_view stopReasonName(StopReason reason)
{
    switch (reason) {
    case StopReason::TokenLimit: return "token-limit";
    case StopReason::EndOfSequence: return "end-of-sequence";
    case StopReason::Cancelled: return "cancelled";
    case StopReason::LowEntropy: return "low-entropy";
    }
    return "?";
}

Generator::Generator(const Model& model) : m_model(model) {}

GenerationFinished Generator::run(std::string_view prompt, const LiveParameters& live,
                                  const GenerationOptions& options, GenerationObserver& observer,
                                  std::stop_token stop)
{
    options.validate();
    const ModelConfig& config = m_model.config();
    const int32_t V = config.vocabSize, context = config.contextLength;
    if (prompt.empty()) throw Error("the prompt is empty: give the model some text to continue");

    std::vector<int32_t> sequence{config.bosId};
    const std::vector<int32_t> promptIds = m_model.tokenizer().encode(prompt);
    sequence.insert(sequence.end(), promptIds.begin(), promptIds.end());
    if (static_cast<int64_t>(sequence.size()) > context)
        throw Error("the prompt is " + std::to_string(sequence.size()) + " tokens (with BOS) but the model's context holds " +
                    std::to_string(context) + "; shorten the prompt");

    const auto started = Clock::now();
    Backend& backend = m_model.backend();
    const auto cache = backend.newCache(context);
    Rng rng(options.seed);
    GeneratedText text(m_model.tokenizer(), config.eosId, options.stopAtEos);

    GenerationFinished result;
    result.promptTokens = static_cast<int32_t>(sequence.size());
    auto finish = [&](StopReason reason) {
        result.reason = reason;
        result.seconds = millisecondsSince(started) / 1000.0;
        result.text = text.all();
        observer.finished(result);
        return result;
    };

    // The prompt's whole blocks go into the cache in one pass; its trailing
    // partial block is the clean start of the first generated block.
    SamplingParams params = live.current();
    params.validate();
    const auto firstBlock = std::min(params.blockSize, context);
    const size_t whole = sequence.size() / static_cast<size_t>(firstBlock) * static_cast<size_t>(firstBlock);
    if (whole > 0) {
        if (stop.stop_requested()) return finish(StopReason::Cancelled);
        backend.forward({std::span(sequence).first(whole), firstBlock, true, {}}, *cache, {});
        ++result.cacheForwards;
    }
    std::vector<int32_t> prefix(sequence.begin() + static_cast<std::ptrdiff_t>(whole), sequence.end());

    for (int32_t blockIndex = 0;; ++blockIndex) {
        if (blockIndex > 0) params = live.current();
        const auto blockStart = Clock::now();
        const int32_t blockSize = std::min(params.blockSize, context);
        const auto prefixLength = static_cast<int32_t>(prefix.size());
        const int32_t toGenerate = std::min(blockSize - prefixLength, options.maxNewTokens - result.newTokens);
        const int32_t length = prefixLength + toGenerate;
        if (cache->length() + length > context) {
            // The window slides: the latest tokens are re-encoded from position
            // 0, exactly as if they were the whole sequence. (Dropping old
            // entries alone would keep keys that attended to tokens now out of
            // view.) Keeping half the free room makes the next slide a while
            // away, so the re-encoding pass is paid rarely.
            const auto cached = std::span(sequence).first(sequence.size() - prefix.size());
            const auto keep = std::min(cached.size(), static_cast<size_t>(context - length) / 2);
            cache->clear();
            if (keep > 0) {
                if (stop.stop_requested()) return finish(StopReason::Cancelled);
                backend.forward({cached.last(keep), blockSize, true, {}}, *cache, {});
                ++result.cacheForwards;
            }
        }

        std::vector<int32_t> block = prefix;
        block.resize(static_cast<size_t>(length), config.maskId);
        observer.blockStarted({blockIndex, cache->nextPosition(), length, prefixLength, block, params});

        const auto sampler = makeBlockSampler(params.sampler);
        std::vector<TokenDistribution> masked;
        std::vector<float> logits;
        bool stale = true;  // the block changed since the last forward pass
        int32_t blockNfe = 0;
        for (int32_t step = 0; toGenerate > 0 && (stale || !masked.empty()); ++step) {
            StepDone done{blockIndex, step, {}, false, 0, 0.0, 0.0};
            if (stale) {
                if (stop.stop_requested()) return finish(StopReason::Cancelled);
                std::vector<int32_t> rows;
                for (int32_t i = 0; i < length; ++i) {
                    if (block[static_cast<size_t>(i)] == config.maskId) rows.push_back(i);
                }
                const auto forwardStart = Clock::now();
                logits.resize(rows.size() * static_cast<size_t>(V));
                backend.forward({block, length, false, rows}, *cache, logits);
                masked.clear();
                for (size_t r = 0; r < rows.size(); ++r) {
                    const auto row = std::span(logits).subspan(r * V, V);
                    subsLogProbabilities(row, config.maskId, config.maskId);
                    masked.push_back(TokenDistribution::from(row, rows[r], params.temperature, params.topP));
                }
                done.forwardRan = true;
                done.forwardMs = millisecondsSince(forwardStart);
                ++blockNfe;
                stale = false;
            }

            const StepRequest request{step, toGenerate, params, masked, rng};
            std::vector<RevealChoice> choices = sampler->step(request);
            std::sort(choices.begin(), choices.end(),
                      [](const RevealChoice& a, const RevealChoice& b) { return a.index < b.index; });
            for (const RevealChoice& choice : choices) {
                const TokenDistribution& d = masked[choice.index];
                block[static_cast<size_t>(d.offset)] = choice.token;
                done.reveals.push_back({d.offset, choice.token, d.probabilities[static_cast<size_t>(choice.token)],
                                        static_cast<float>(d.entropy), d.alternatives(params.topAlternatives)});
            }
            // Erase from the back so earlier indices stay valid.
            for (auto it = choices.rbegin(); it != choices.rend(); ++it)
                masked.erase(masked.begin() + static_cast<std::ptrdiff_t>(it->index));
            // Nothing revealed: the block is unchanged and the output is reused.
            stale = !choices.empty() && !masked.empty();
            done.maskedRemaining = static_cast<int32_t>(masked.size());
            done.expectedMasked = request.expectedMaskedAfter();
            observer.stepDone(done);
        }
        result.nfe += blockNfe;

        const std::span<const int32_t> fresh = std::span(block).subspan(static_cast<size_t>(prefixLength));
        sequence.insert(sequence.end(), fresh.begin(), fresh.end());
        result.newTokens += toGenerate;
        ++result.blocks;
        prefix.clear();
        // The finished block's keys and values, for every later block. Once
        // generation is over they are never needed, so the pass is skipped.
        const bool cancelled = stop.stop_requested();
        const std::string delta = text.append(fresh);
        const bool limitReached = result.newTokens >= options.maxNewTokens;
        const bool lowEntropy = options.entropyStop && sequence.size() >= 256 && unigramEntropy(sequence, 256) < 4.0;
        if (!cancelled && !text.ended() && !limitReached && !lowEntropy) {
            backend.forward({block, length, true, {}}, *cache, {});
            ++result.cacheForwards;
        }
        observer.blockCommitted({blockIndex, block, delta, blockNfe, millisecondsSince(blockStart)});

        if (text.ended()) return finish(StopReason::EndOfSequence);
        if (cancelled) return finish(StopReason::Cancelled);
        if (lowEntropy) return finish(StopReason::LowEntropy);
        if (limitReached) return finish(StopReason::TokenLimit);
    }
}

} // namespace bd3
