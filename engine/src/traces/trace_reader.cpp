// Reads a trace (docs/trace-format.md) back into the event stream it was
// written from. Every value is checked, with its path in the message, so a
// damaged or hand-edited file gives a clear error and never an event a
// replay could index out of range with.
#include "bd3/trace.hpp"

#include "bd3/error.hpp"
#include "json_document.hpp"
#include "json_fields.hpp"
#include "parameters_json_object.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

namespace bd3 {

namespace {

using nlohmann::json;

const JsonFields kTrace("trace");

// Held as floats: a value a float cannot hold would be written back as null.
float probability(const json& value, const std::string& path)
{
    const double p = kTrace.number(value, path);
    if (!(p >= 0.0 && p <= 1.0)) kTrace.fail(path, quoteJson(value) + " is not a probability in [0, 1]");
    return static_cast<float>(p);
}

float entropy(const json& value, const std::string& path)
{
    const double h = kTrace.number(value, path);
    if (!(h >= 0.0 && h <= std::numeric_limits<float>::max()))
        kTrace.fail(path, quoteJson(value) + " is not an entropy a float holds (at least 0)");
    return static_cast<float>(h);
}

std::vector<int32_t> tokenList(const json& parent, const std::string& path, const char* key)
{
    const json& values = kTrace.array(parent, path, key);
    std::vector<int32_t> tokens;
    tokens.reserve(values.size());
    for (size_t i = 0; i < values.size(); ++i)
        tokens.push_back(
            static_cast<int32_t>(kTrace.integer(values[i], JsonFields::join(path, key) + "[" + std::to_string(i) + "]",
                                                0, std::numeric_limits<int32_t>::max())));
    return tokens;
}

StepDone readStep(const json& step, const std::string& path, const BlockStarted& block)
{
    if (!step.is_object()) kTrace.fail(path, "expected an object, found " + JsonFields::kindOf(step));
    StepDone done;
    done.block = block.block;
    done.step = kTrace.int32(step, path, "step");
    done.forwardRan = kTrace.boolean(step, path, "forward_ran");
    done.fromPreviousBlock = step.contains("from_previous_block") && kTrace.boolean(step, path, "from_previous_block");
    done.forwardMs = kTrace.number(step, path, "forward_ms");
    done.maskedRemaining = kTrace.int32(step, path, "masked_remaining");
    done.expectedMasked = kTrace.number(step, path, "expected_masked");
    const json& reveals = kTrace.array(step, path, "reveals");
    for (size_t r = 0; r < reveals.size(); ++r) {
        const std::string revealPath = JsonFields::join(path, "reveals") + "[" + std::to_string(r) + "]";
        const json& value = reveals[r];
        if (!value.is_object()) kTrace.fail(revealPath, "expected an object, found " + JsonFields::kindOf(value));
        Reveal reveal;
        reveal.offset = kTrace.int32(value, revealPath, "offset");
        if (reveal.offset >= block.length)
            kTrace.fail(JsonFields::join(revealPath, "offset"), std::to_string(reveal.offset) +
                                                                    " is outside the block of " +
                                                                    std::to_string(block.length) + " tokens");
        reveal.token = kTrace.int32(value, revealPath, "token");
        reveal.probability =
            probability(kTrace.member(value, revealPath, "probability"), JsonFields::join(revealPath, "probability"));
        reveal.entropy = entropy(kTrace.member(value, revealPath, "entropy"), JsonFields::join(revealPath, "entropy"));
        const json& alternatives = kTrace.array(value, revealPath, "alternatives");
        for (size_t a = 0; a < alternatives.size(); ++a) {
            const std::string altPath = JsonFields::join(revealPath, "alternatives") + "[" + std::to_string(a) + "]";
            const json& pair = alternatives[a];
            if (!pair.is_array() || pair.size() != 2) kTrace.fail(altPath, "expected a [token, probability] pair");
            Alternative alternative;
            alternative.token =
                static_cast<int32_t>(kTrace.integer(pair[0], altPath + "[0]", 0, std::numeric_limits<int32_t>::max()));
            alternative.probability = probability(pair[1], altPath + "[1]");
            reveal.alternatives.push_back(alternative);
        }
        done.reveals.push_back(std::move(reveal));
    }
    return done;
}

std::optional<StopReason> stopReasonFromName(std::string_view name)
{
    for (StopReason reason :
         {StopReason::TokenLimit, StopReason::EndOfSequence, StopReason::Cancelled, StopReason::LowEntropy}) {
        if (stopReasonName(reason) == name) return reason;
    }
    return std::nullopt;
}

} // namespace

Trace parseTrace(std::string_view text)
{
    const json doc = parseJsonDocument(text, "trace", kMaxTraceBytes);
    if (!doc.is_object())
        throw Error("trace: not a bd3 trace (the document is " + JsonFields::kindOf(doc) + ", not an object)");
    const auto format = doc.find("format");
    if (format == doc.end() || !format->is_string() || format->get<std::string>() != "bd3-trace")
        throw Error("trace: not a bd3 trace (\"format\" is " +
                    (format == doc.end() ? std::string("missing") : quoteJson(*format)) + ", expected \"bd3-trace\")");
    const auto version = doc.find("version");
    if (version == doc.end() || !version->is_number_integer())
        throw Error("trace: \"version\" is missing or not a whole number");
    if (version->get<int64_t>() != TraceRecorder::formatVersion)
        throw Error(
            "trace: version " + version->dump() + " is not supported; this build reads version " +
            std::to_string(TraceRecorder::formatVersion) +
            (version->get<int64_t>() > TraceRecorder::formatVersion ? " (the trace is from a newer version)" : ""));
    Trace trace;
    trace.version = TraceRecorder::formatVersion;
    trace.model = kTrace.string(doc, "", "model");
    trace.prompt = kTrace.string(doc, "", "prompt");
    const json& options = kTrace.object(doc, "", "options");
    const json& seed = kTrace.member(options, "options", "seed");
    if (!seed.is_number_integer() || (!seed.is_number_unsigned() && seed.get<int64_t>() < 0))
        kTrace.fail("options.seed", "expected a whole number of at least 0, found " + quoteJson(seed));
    trace.options.seed = seed.get<uint64_t>();
    trace.options.maxNewTokens = kTrace.int32(options, "options", "max_new_tokens", 1);
    trace.options.stopAtEos = kTrace.boolean(options, "options", "stop_at_eos");
    trace.options.entropyStop = kTrace.boolean(options, "options", "entropy_stop");
    // Traces written before chat prompts existed lack it.
    trace.options.promptHasSpecialTokens =
        options.contains("prompt_special_tokens") && kTrace.boolean(options, "options", "prompt_special_tokens");

    const json& blocks = kTrace.array(doc, "", "blocks");
    for (size_t b = 0; b < blocks.size(); ++b) {
        const std::string path = "blocks[" + std::to_string(b) + "]";
        const json& block = blocks[b];
        if (!block.is_object()) kTrace.fail(path, "expected an object, found " + JsonFields::kindOf(block));
        BlockStarted started;
        started.block = kTrace.int32(block, path, "block");
        started.startPosition =
            kTrace.integer(kTrace.member(block, path, "start_position"), JsonFields::join(path, "start_position"), 0,
                           std::numeric_limits<int32_t>::max());
        started.length = kTrace.int32(block, path, "length", 1);
        started.cleanPrefix = kTrace.int32(block, path, "clean_prefix");
        if (started.cleanPrefix >= started.length)
            kTrace.fail(JsonFields::join(path, "clean_prefix"), std::to_string(started.cleanPrefix) +
                                                                    " leaves no token to generate in a block of " +
                                                                    std::to_string(started.length));
        started.tokens = tokenList(block, path, "initial_tokens");
        if (static_cast<int32_t>(started.tokens.size()) != started.length)
            kTrace.fail(JsonFields::join(path, "initial_tokens"), "has " + std::to_string(started.tokens.size()) +
                                                                      " tokens, the block " +
                                                                      std::to_string(started.length));
        started.params =
            samplingParamsFromObject(kTrace.member(block, path, "params"), kTrace, JsonFields::join(path, "params"));
        trace.events.emplace_back(started);

        const json& steps = kTrace.array(block, path, "steps");
        for (size_t s = 0; s < steps.size(); ++s)
            trace.events.emplace_back(
                readStep(steps[s], JsonFields::join(path, "steps") + "[" + std::to_string(s) + "]", started));

        const json& committed = kTrace.member(block, path, "committed");
        if (committed.is_null()) continue;
        const std::string commitPath = JsonFields::join(path, "committed");
        if (!committed.is_object())
            kTrace.fail(commitPath, "expected an object or null, found " + JsonFields::kindOf(committed));
        BlockCommitted commit;
        commit.block = started.block;
        commit.tokens = tokenList(committed, commitPath, "tokens");
        if (static_cast<int32_t>(commit.tokens.size()) != started.length)
            kTrace.fail(JsonFields::join(commitPath, "tokens"), "has " + std::to_string(commit.tokens.size()) +
                                                                    " tokens, the block " +
                                                                    std::to_string(started.length));
        commit.text = kTrace.string(committed, commitPath, "text");
        commit.nfe = kTrace.int32(committed, commitPath, "nfe");
        commit.milliseconds = kTrace.number(committed, commitPath, "milliseconds");
        trace.events.emplace_back(std::move(commit));
    }

    const json& finished = kTrace.member(doc, "", "finished");
    if (!finished.is_null()) {
        if (!finished.is_object())
            kTrace.fail("finished", "expected an object or null, found " + JsonFields::kindOf(finished));
        GenerationFinished end;
        end.reason = kTrace.named(finished, "finished", "reason", stopReasonFromName);
        end.promptTokens = kTrace.int32(finished, "finished", "prompt_tokens");
        end.newTokens = kTrace.int32(finished, "finished", "new_tokens");
        end.blocks = kTrace.int32(finished, "finished", "blocks");
        end.nfe = kTrace.int32(finished, "finished", "nfe");
        end.cacheForwards = kTrace.int32(finished, "finished", "cache_forwards");
        end.seconds = kTrace.number(finished, "finished", "seconds");
        end.text = kTrace.string(finished, "finished", "text");
        trace.events.emplace_back(std::move(end));
    }
    return trace;
}

Trace readTrace(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string() + ": cannot open the trace");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw Error(path.string() + ": reading the trace failed");
    try {
        return parseTrace(text.str());
    } catch (const Error& error) {
        throw Error(path.string() + ": " + error.what());
    }
}

} // namespace bd3
