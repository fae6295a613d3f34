#include "bd3/generator.hpp"

#include "backend.hpp"
#include "bd3/error.hpp"
#include "bd3/model.hpp"
#include "samplers/block_sampler.hpp"
#include "bd3/utf8.hpp"
#include "stopwatch.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

namespace bd3 {

namespace {

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

// The text of generated tokens, token by token, stopping at the first
// end-of-sequence token when asked to. Bytes of a character split across
// tokens wait for the token that completes it. Ids the tokenizer does not
// define (such as [MASK]) have no text.
class GeneratedText {
public:
    GeneratedText(const Tokenizer& tokenizer, const ModelConfig& config, bool stopAtEos)
        : m_tokenizer(tokenizer), m_config(config), m_stopAtEos(stopAtEos)
    {
    }

    std::string append(int32_t token)
    {
        if (m_ended) return {};
        if (m_stopAtEos && m_config.isStopId(token)) {
            m_ended = true;
            return {};
        }
        if (token >= 0 && token < m_tokenizer.size()) m_pending += m_tokenizer.decode(std::span(&token, 1));
        const size_t complete = completeUtf8Prefix(m_pending);
        std::string text = validUtf8(std::string_view(m_pending).substr(0, complete));
        m_pending.erase(0, complete);
        m_all += text;
        return text;
    }

    bool ended() const { return m_ended; }
    std::string all() const { return m_all + validUtf8(m_pending); }

private:
    const Tokenizer& m_tokenizer;
    const ModelConfig& m_config;
    bool m_stopAtEos;
    bool m_ended = false;
    std::string m_pending;
    std::string m_all;
};

} // namespace

LiveParameters::LiveParameters(const SamplingParams& params) : m_params(params)
{
    params.validate();
}

void LiveParameters::set(const SamplingParams& params, ApplyFrom from)
{
    params.validate();
    const std::scoped_lock lock(m_mutex);
    m_params = params;
    if (from == ApplyFrom::CurrentBlock) m_restart = true;
}

SamplingParams LiveParameters::current() const
{
    const std::scoped_lock lock(m_mutex);
    return m_params;
}

SamplingParams LiveParameters::forBlockStart() const
{
    const std::scoped_lock lock(m_mutex);
    m_restart = false;  // the block starts with the current values anyway
    return m_params;
}

bool LiveParameters::takeRestartRequest() const
{
    const std::scoped_lock lock(m_mutex);
    return std::exchange(m_restart, false);
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

namespace {

// One generation's state, so each phase of the block loop reads as a short
// function.
class GenerationRun {
public:
    GenerationRun(const Model& model, const LiveParameters& live, const GenerationOptions& options,
                  GenerationObserver& observer, std::stop_token stop)
        : m_config(model.config()), m_backend(model.backend()), m_live(live), m_options(options),
          m_observer(observer), m_stop(std::move(stop)), m_cache(m_backend.newCache(m_config.contextLength)),
          m_rng(options.seed), m_text(model.tokenizer(), m_config, options.stopAtEos)
    {
    }

    // first: the values the prompt was checked with, the first block's.
    GenerationFinished run(std::vector<int32_t> promptTokens, SamplingParams first)
    {
        m_sequence = std::move(promptTokens);
        m_result.promptTokens = static_cast<int32_t>(m_sequence.size());
        SamplingParams params = first;
        if (!cachePrompt(params.blockSize)) return finish(StopReason::Cancelled);

        for (int32_t blockIndex = 0;; ++blockIndex) {
            if (blockIndex > 0) params = m_live.forBlockStart();
            const auto blockStart = Clock::now();
            std::optional<Denoised> denoised;
            while (!denoised) {
                const Attempt attempt = denoise(blockIndex, params);
                if (attempt.outcome == Outcome::Cancelled) return finish(StopReason::Cancelled);
                if (attempt.outcome == Outcome::Restart) {
                    params = m_live.forBlockStart();
                    continue;
                }
                denoised = attempt.block;
            }
            if (const auto reason = commit(blockIndex, *denoised, blockStart)) return finish(*reason);
        }
    }

private:
    struct Denoised {
        std::vector<int32_t> tokens;
        int32_t prefixLength = 0;
        int32_t nfe = 0;
    };
    enum class Outcome { Done, Restart, Cancelled };
    struct Attempt {
        Outcome outcome = Outcome::Done;
        Denoised block;
    };

    // The prompt's whole blocks go into the cache in one pass; its trailing
    // partial block is the clean start of the first generated block. A
    // shifted model predicts a block's first token from the row before it,
    // so without a partial block the last whole one waits to be stored by
    // the pass that makes that prediction.
    bool cachePrompt(int32_t blockSize)
    {
        const auto size = static_cast<size_t>(std::min(blockSize, m_config.contextLength));
        size_t whole = m_sequence.size() / size * size;
        m_prefix.assign(m_sequence.begin() + static_cast<std::ptrdiff_t>(whole), m_sequence.end());
        if (m_shifted && m_prefix.empty()) {
            whole -= size;
            m_uncached.assign(m_sequence.begin() + static_cast<std::ptrdiff_t>(whole), m_sequence.end());
        }
        if (whole == 0) return true;
        if (m_stop.stop_requested()) return false;
        m_backend.forward({std::span(m_sequence).first(whole), static_cast<int32_t>(size), static_cast<int32_t>(whole), {}},
                          *m_cache, {});
        ++m_result.cacheForwards;
        return true;
    }

    // Past the context the window slides: the latest tokens are re-encoded
    // from position 0, exactly as if they were the whole sequence. (Dropping
    // old entries alone would keep keys that attended to tokens now out of
    // view.) Keeping half the free room makes the next slide a while away, so
    // the re-encoding pass is paid rarely.
    bool makeRoomFor(int32_t length, int32_t blockSize)
    {
        const auto uncached = static_cast<int32_t>(m_uncached.size());
        if (m_cache->length() + uncached + length <= m_config.contextLength) return true;
        const auto before = std::span(m_sequence).first(m_sequence.size() - m_prefix.size());
        auto keep = std::min(before.size(), static_cast<size_t>(m_config.contextLength - length) / 2);
        m_cache->clear();
        m_uncached.clear();
        // A shifted model's first token is predicted from the last kept one.
        if (m_shifted && m_prefix.empty() && keep > 0) {
            m_uncached.assign(before.end() - 1, before.end());
            keep -= 1;
        }
        if (keep == 0) return true;
        if (m_stop.stop_requested()) return false;
        const auto window = before.subspan(before.size() - keep - m_uncached.size(), keep);
        m_backend.forward({window, blockSize, static_cast<int32_t>(keep), {}}, *m_cache, {});
        ++m_result.cacheForwards;
        return true;
    }

    // Runs the denoising steps of one block. A restart request (parameters to
    // apply at once) abandons the block, which then starts over.
    Attempt denoise(int32_t blockIndex, const SamplingParams& params)
    {
        const int32_t V = m_config.vocabSize, maskId = m_config.maskId;
        const auto prefixLength = static_cast<int32_t>(m_prefix.size());
        // A block holding a prompt's partial block is never shorter than it.
        const int32_t blockSize = std::max(std::min(params.blockSize, m_config.contextLength), prefixLength + 1);
        const int32_t toGenerate = std::min(blockSize - prefixLength, m_options.maxNewTokens - m_result.newTokens);
        const int32_t length = prefixLength + toGenerate;
        if (!makeRoomFor(length, blockSize)) return {Outcome::Cancelled, {}};

        Denoised block{m_prefix, prefixLength, 0};
        block.tokens.resize(static_cast<size_t>(length), maskId);
        const int64_t startPosition = m_cache->nextPosition() + static_cast<int64_t>(m_uncached.size());
        m_observer.blockStarted({blockIndex, startPosition, length, prefixLength, block.tokens, params});

        // What the cache held before this attempt, so that an abandoned one
        // can give back the finished block its first pass stored.
        const int32_t cachedBefore = m_cache->length();
        const std::vector<int32_t> uncachedBefore = m_uncached;
        const auto sampler = makeBlockSampler(params.sampler);
        const DistributionParams distribution{V, maskId, params.temperature, params.topP, params.topK};
        // A shifted model's row i - 1 predicts position i.
        const int32_t shift = m_shifted ? 1 : 0;
        std::unique_ptr<MaskedDistributions> masked;
        bool stale = true;  // the block changed since the last forward pass
        int32_t samplerStep = 0, samplerStart = 0;  // the sampler's steps, and the masks it started from
        for (int32_t step = 0; std::find(block.tokens.begin(), block.tokens.end(), maskId) != block.tokens.end();
             ++step) {
            StepDone done{blockIndex, step, {}, false, 0, 0.0, 0.0};
            // Seen at every step, not only before forward passes: after Stop,
            // not even a step that reuses the last output reveals more.
            if (m_stop.stop_requested()) return {Outcome::Cancelled, {}};
            // A shifted model's first token is the prediction of the row
            // before the block, made as that row's block is stored, like the
            // next token of an autoregressive model.
            const bool firstTokenStep = m_shifted && block.tokens.front() == maskId;
            done.fromPreviousBlock = firstTokenStep;
            if (stale) {
                if (m_live.takeRestartRequest()) {
                    m_result.nfe += block.nfe;
                    m_cache->rewind(cachedBefore);
                    m_uncached = uncachedBefore;
                    return {Outcome::Restart, {}};
                }
                // The previous block's keys and values are stored in the same
                // pass as this block's first step: one pass over the weights
                // instead of two.
                const auto uncached = static_cast<int32_t>(m_uncached.size());
                std::vector<int32_t> chunk = m_uncached;
                std::vector<int32_t> rows, offsets;
                if (firstTokenStep) {
                    rows.push_back(uncached - 1);
                    offsets.push_back(0);
                } else {
                    chunk.insert(chunk.end(), block.tokens.begin(), block.tokens.end());
                    for (int32_t i = 0; i < length; ++i) {
                        if (block.tokens[static_cast<size_t>(i)] != maskId) continue;
                        rows.push_back(uncached + i - shift);
                        offsets.push_back(i);
                    }
                }
                const auto forwardStart = Clock::now();
                const int32_t chunkBlock = firstTokenStep ? uncached : length;
                masked = m_backend.forwardToDistributions({chunk, chunkBlock, uncached, rows, uncached}, *m_cache,
                                                          offsets, distribution);
                m_uncached.clear();
                done.forwardRan = true;
                done.forwardMs = millisecondsSince(forwardStart);
                ++block.nfe;
                stale = false;
            }

            std::vector<RevealChoice> choices;
            double expectedMasked = 0.0;
            if (firstTokenStep) {
                const DrawRequest first{0, m_rng.uniform()};
                choices.push_back({0, masked->draw(std::span(&first, 1)).front()});
                expectedMasked = toGenerate - 1;
            } else {
                if (samplerStep == 0) samplerStart = static_cast<int32_t>(masked->size());
                const StepRequest request{samplerStep++, samplerStart, length, params, *masked, m_rng};
                choices = sampler->step(request);
                expectedMasked = request.expectedMaskedAfter();
            }
            std::sort(choices.begin(), choices.end(),
                      [](const RevealChoice& a, const RevealChoice& b) { return a.index < b.index; });
            std::vector<size_t> revealed;
            for (const RevealChoice& choice : choices) revealed.push_back(choice.index);
            std::vector<std::vector<Alternative>> alternatives = masked->alternatives(revealed, params.topAlternatives);
            for (size_t i = 0; i < choices.size(); ++i) {
                const MaskedPosition& p = masked->position(choices[i].index);
                block.tokens[static_cast<size_t>(p.offset)] = choices[i].drawn.token;
                done.reveals.push_back({p.offset, choices[i].drawn.token, choices[i].drawn.probability,
                                        static_cast<float>(p.entropy), std::move(alternatives[i])});
            }
            masked->remove(revealed);
            // Nothing revealed: the block is unchanged and the output is reused.
            // The first token of a shifted block changes every row after it.
            stale = (firstTokenStep || !choices.empty()) && std::count(block.tokens.begin(), block.tokens.end(), maskId) > 0;
            done.maskedRemaining = static_cast<int32_t>(std::count(block.tokens.begin(), block.tokens.end(), maskId));
            done.expectedMasked = expectedMasked;
            m_observer.stepDone(done);
        }
        m_result.nfe += block.nfe;
        return {Outcome::Done, std::move(block)};
    }

    // Appends a finished block to the sequence and reports it; returns why
    // the generation stops, if it does.
    std::optional<StopReason> commit(int32_t blockIndex, const Denoised& block, Clock::time_point blockStart)
    {
        const auto fresh = std::span(block.tokens).subspan(static_cast<size_t>(block.prefixLength));
        m_sequence.insert(m_sequence.end(), fresh.begin(), fresh.end());
        m_result.newTokens += static_cast<int32_t>(fresh.size());
        ++m_result.blocks;
        m_prefix.clear();

        BlockCommitted committed{blockIndex, block.tokens, {}, {}, block.nfe, 0.0};
        for (int32_t token : fresh) {
            committed.tokenTexts.push_back(m_text.append(token));
            committed.text += committed.tokenTexts.back();
        }
        std::optional<StopReason> reason;
        if (m_text.ended()) {
            reason = StopReason::EndOfSequence;
        } else if (m_stop.stop_requested()) {
            reason = StopReason::Cancelled;
        } else if (m_options.entropyStop && m_sequence.size() >= 256 && unigramEntropy(m_sequence, 256) < 4.0) {
            reason = StopReason::LowEntropy;
        } else if (m_result.newTokens >= m_options.maxNewTokens) {
            reason = StopReason::TokenLimit;
        }
        // The block's keys and values are stored with the next block's first
        // pass; they are never needed when the generation ends here.
        m_uncached = block.tokens;
        committed.milliseconds = millisecondsSince(blockStart);
        m_observer.blockCommitted(committed);
        return reason;
    }

    GenerationFinished finish(StopReason reason)
    {
        m_result.reason = reason;
        m_result.seconds = millisecondsSince(m_started) / 1000.0;
        m_result.text = m_text.all();
        m_observer.finished(m_result);
        return m_result;
    }

    const ModelConfig& m_config;
    Backend& m_backend;
    const LiveParameters& m_live;
    const GenerationOptions& m_options;
    GenerationObserver& m_observer;
    std::stop_token m_stop;
    std::unique_ptr<KvCache> m_cache;
    Rng m_rng;
    GeneratedText m_text;
    const Clock::time_point m_started = Clock::now();
    std::vector<int32_t> m_sequence;  // every token so far, BOS first
    std::vector<int32_t> m_prefix;    // clean tokens the next block starts with
    const bool m_shifted = m_config.logits == LogitAlignment::NextPosition;
    std::vector<int32_t> m_uncached;  // the last committed block, not yet in the cache
    GenerationFinished m_result;
};

} // namespace

Generator::Generator(const Model& model) : m_model(model) {}

GenerationFinished Generator::run(std::string_view prompt, const LiveParameters& live,
                                  const GenerationOptions& options, GenerationObserver& observer,
                                  std::stop_token stop)
{
    options.validate();
    // One snapshot for the checks below and the first block.
    const SamplingParams first = live.forBlockStart();
    const ModelConfig& config = m_model.config();
    if (prompt.empty()) throw Error("the prompt is empty: give the model some text to continue");

    std::vector<int32_t> tokens;
    if (config.prependBos) tokens.push_back(config.bosId);
    const Tokenizer& tokenizer = m_model.tokenizer();
    std::vector<int32_t> promptIds =
        options.promptHasSpecialTokens ? tokenizer.encodeWithSpecialTokens(prompt) : tokenizer.encode(prompt);
    if (promptIds.empty()) throw Error("the prompt has no tokens: the tokenizer keeps nothing of it");
    const auto room = static_cast<size_t>(config.contextLength - std::min(first.blockSize, config.contextLength));
    if (options.keepPromptTail && promptIds.size() + 1 > room)
        promptIds.erase(promptIds.begin(), promptIds.end() - static_cast<std::ptrdiff_t>(std::max<size_t>(room, 2) - 1));
    tokens.insert(tokens.end(), promptIds.begin(), promptIds.end());
    if (static_cast<int64_t>(tokens.size()) > config.contextLength)
        throw Error("the prompt is " + std::to_string(tokens.size()) + (config.prependBos ? " tokens (with BOS)" : " tokens") +
                    " but the model's context holds " +
                    std::to_string(config.contextLength) + "; shorten the prompt");
    return GenerationRun(m_model, live, options, observer, std::move(stop)).run(std::move(tokens), first);
}

} // namespace bd3
