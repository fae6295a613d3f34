// Reads a trace (docs/trace-format.md) back into the event stream it was
// written from. Every value is checked, with its path in the message, so a
// damaged or hand-edited file gives a clear error and never an event a
// replay could index out of range with.
#include "bd3/trace.hpp"

#include "bd3/error.hpp"
#include "json_document.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

namespace bd3 {

namespace {

using nlohmann::json;

std::string kindOf(const json& value)
{
    if (value.is_null()) return "null";
    if (value.is_boolean()) return "a boolean";
    if (value.is_number()) return "a number";
    if (value.is_string()) return "a string";
    if (value.is_array()) return "an array";
    return "an object";
}

[[noreturn]] void fail(const std::string& path, const std::string& problem)
{
    throw Error("trace: " + path + ": " + problem);
}

const json& member(const json& object, const std::string& path, const char* key)
{
    const auto it = object.find(key);
    if (it == object.end()) fail(path, std::string("missing key \"") + key + "\"");
    return *it;
}

std::string join(const std::string& path, const char* key) { return path.empty() ? key : path + "." + key; }

const json& object(const json& parent, const std::string& path, const char* key)
{
    const json& value = member(parent, path, key);
    if (!value.is_object()) fail(join(path, key), "expected an object, found " + kindOf(value));
    return value;
}

const json& array(const json& parent, const std::string& path, const char* key)
{
    const json& value = member(parent, path, key);
    if (!value.is_array()) fail(join(path, key), "expected an array, found " + kindOf(value));
    return value;
}

std::string string(const json& parent, const std::string& path, const char* key)
{
    const json& value = member(parent, path, key);
    if (!value.is_string()) fail(join(path, key), "expected a string, found " + kindOf(value));
    return value.get<std::string>();
}

bool boolean(const json& parent, const std::string& path, const char* key)
{
    const json& value = member(parent, path, key);
    if (!value.is_boolean()) fail(join(path, key), "expected true or false, found " + kindOf(value));
    return value.get<bool>();
}

double number(const json& value, const std::string& path)
{
    if (!value.is_number()) fail(path, "expected a number, found " + kindOf(value));
    return value.get<double>();
}

double number(const json& parent, const std::string& path, const char* key)
{
    return number(member(parent, path, key), join(path, key));
}

int64_t integer(const json& value, const std::string& path, int64_t minimum, int64_t maximum)
{
    if (!value.is_number_integer()) fail(path, "expected a whole number, found " + kindOf(value));
    if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(maximum))
        fail(path, quoteJson(value) + " is larger than " + std::to_string(maximum));
    const int64_t result = value.get<int64_t>();
    if (result < minimum || result > maximum)
        fail(path, std::to_string(result) + " is outside " + std::to_string(minimum) + ".." + std::to_string(maximum));
    return result;
}

int32_t int32(const json& parent, const std::string& path, const char* key, int64_t minimum = 0)
{
    return static_cast<int32_t>(
        integer(member(parent, path, key), join(path, key), minimum, std::numeric_limits<int32_t>::max()));
}

std::vector<int32_t> tokenList(const json& parent, const std::string& path, const char* key)
{
    const json& values = array(parent, path, key);
    std::vector<int32_t> tokens;
    tokens.reserve(values.size());
    for (size_t i = 0; i < values.size(); ++i)
        tokens.push_back(static_cast<int32_t>(integer(values[i], join(path, key) + "[" + std::to_string(i) + "]", 0,
                                                      std::numeric_limits<int32_t>::max())));
    return tokens;
}

template <typename T>
T named(std::optional<T> value, const std::string& path, const std::string& name)
{
    if (!value) fail(path, "unknown name \"" + name + "\"");
    return *value;
}

SamplingParams readParams(const json& block, const std::string& blockPath)
{
    const std::string path = join(blockPath, "params");
    const json& p = object(block, blockPath, "params");
    SamplingParams params;
    params.blockSize = int32(p, path, "block_size", 1);
    params.steps = int32(p, path, "steps", 1);
    const std::string schedule = string(p, path, "schedule");
    params.schedule.kind = named(scheduleFromName(schedule), join(path, "schedule"), schedule);
    params.schedule.beta = number(p, path, "beta");
    params.schedule.omega = number(p, path, "omega");
    const std::string sampler = string(p, path, "sampler");
    params.sampler = named(samplerFromName(sampler), join(path, "sampler"), sampler);
    const std::string confidence = string(p, path, "confidence");
    params.confidence = named(confidenceFromName(confidence), join(path, "confidence"), confidence);
    params.threshold = number(p, path, "threshold");
    params.temperature = number(p, path, "temperature");
    params.topP = number(p, path, "top_p");
    params.topAlternatives = int32(p, path, "top_alternatives");
    return params;
}

StepDone readStep(const json& step, const std::string& path, const BlockStarted& block)
{
    if (!step.is_object()) fail(path, "expected an object, found " + kindOf(step));
    StepDone done;
    done.block = block.block;
    done.step = int32(step, path, "step");
    done.forwardRan = boolean(step, path, "forward_ran");
    done.fromPreviousBlock = step.contains("from_previous_block") && boolean(step, path, "from_previous_block");
    done.forwardMs = number(step, path, "forward_ms");
    done.maskedRemaining = int32(step, path, "masked_remaining");
    done.expectedMasked = number(step, path, "expected_masked");
    const json& reveals = array(step, path, "reveals");
    for (size_t r = 0; r < reveals.size(); ++r) {
        const std::string revealPath = join(path, "reveals") + "[" + std::to_string(r) + "]";
        const json& value = reveals[r];
        if (!value.is_object()) fail(revealPath, "expected an object, found " + kindOf(value));
        Reveal reveal;
        reveal.offset = int32(value, revealPath, "offset");
        if (reveal.offset >= block.length)
            fail(join(revealPath, "offset"),
                 std::to_string(reveal.offset) + " is outside the block of " + std::to_string(block.length) + " tokens");
        reveal.token = int32(value, revealPath, "token");
        reveal.probability = static_cast<float>(number(value, revealPath, "probability"));
        reveal.entropy = static_cast<float>(number(value, revealPath, "entropy"));
        const json& alternatives = array(value, revealPath, "alternatives");
        for (size_t a = 0; a < alternatives.size(); ++a) {
            const std::string altPath = join(revealPath, "alternatives") + "[" + std::to_string(a) + "]";
            const json& pair = alternatives[a];
            if (!pair.is_array() || pair.size() != 2) fail(altPath, "expected a [token, probability] pair");
            Alternative alternative;
            alternative.token = static_cast<int32_t>(
                integer(pair[0], altPath + "[0]", 0, std::numeric_limits<int32_t>::max()));
            alternative.probability = static_cast<float>(number(pair[1], altPath + "[1]"));
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
    if (!doc.is_object()) throw Error("trace: not a bd3 trace (the document is " + kindOf(doc) + ", not an object)");
    const auto format = doc.find("format");
    if (format == doc.end() || !format->is_string() || format->get<std::string>() != "bd3-trace")
        throw Error("trace: not a bd3 trace (\"format\" is " +
                    (format == doc.end() ? std::string("missing") : quoteJson(*format)) + ", expected \"bd3-trace\")");
    const auto version = doc.find("version");
    if (version == doc.end() || !version->is_number_integer())
        throw Error("trace: \"version\" is missing or not a whole number");
    if (version->get<int64_t>() != TraceRecorder::formatVersion)
        throw Error("trace: version " + version->dump() + " is not supported; this build reads version " +
                    std::to_string(TraceRecorder::formatVersion) +
                    (version->get<int64_t>() > TraceRecorder::formatVersion ? " (the trace is from a newer version)"
                                                                            : ""));
    Trace trace;
    trace.version = TraceRecorder::formatVersion;
    trace.model = string(doc, "", "model");
    trace.prompt = string(doc, "", "prompt");
    const json& options = object(doc, "", "options");
    const json& seed = member(options, "options", "seed");
    if (!seed.is_number_integer() || (!seed.is_number_unsigned() && seed.get<int64_t>() < 0))
        fail("options.seed", "expected a whole number of at least 0, found " + quoteJson(seed));
    trace.options.seed = seed.get<uint64_t>();
    trace.options.maxNewTokens = int32(options, "options", "max_new_tokens", 1);
    trace.options.stopAtEos = boolean(options, "options", "stop_at_eos");
    trace.options.entropyStop = boolean(options, "options", "entropy_stop");
    // Traces written before chat prompts existed lack it.
    trace.options.promptHasSpecialTokens =
        options.contains("prompt_special_tokens") && boolean(options, "options", "prompt_special_tokens");

    const json& blocks = array(doc, "", "blocks");
    for (size_t b = 0; b < blocks.size(); ++b) {
        const std::string path = "blocks[" + std::to_string(b) + "]";
        const json& block = blocks[b];
        if (!block.is_object()) fail(path, "expected an object, found " + kindOf(block));
        BlockStarted started;
        started.block = int32(block, path, "block");
        started.startPosition = integer(member(block, path, "start_position"), join(path, "start_position"), 0,
                                        std::numeric_limits<int32_t>::max());
        started.length = int32(block, path, "length", 1);
        started.cleanPrefix = int32(block, path, "clean_prefix");
        if (started.cleanPrefix >= started.length)
            fail(join(path, "clean_prefix"), std::to_string(started.cleanPrefix) + " leaves no token to generate in a block of " +
                                                 std::to_string(started.length));
        started.tokens = tokenList(block, path, "initial_tokens");
        if (static_cast<int32_t>(started.tokens.size()) != started.length)
            fail(join(path, "initial_tokens"), "has " + std::to_string(started.tokens.size()) +
                                                   " tokens, the block " + std::to_string(started.length));
        started.params = readParams(block, path);
        trace.events.emplace_back(started);

        const json& steps = array(block, path, "steps");
        for (size_t s = 0; s < steps.size(); ++s)
            trace.events.emplace_back(readStep(steps[s], join(path, "steps") + "[" + std::to_string(s) + "]", started));

        const json& committed = member(block, path, "committed");
        if (committed.is_null()) continue;
        const std::string commitPath = join(path, "committed");
        if (!committed.is_object()) fail(commitPath, "expected an object or null, found " + kindOf(committed));
        BlockCommitted commit;
        commit.block = started.block;
        commit.tokens = tokenList(committed, commitPath, "tokens");
        if (static_cast<int32_t>(commit.tokens.size()) != started.length)
            fail(join(commitPath, "tokens"),
                 "has " + std::to_string(commit.tokens.size()) + " tokens, the block " + std::to_string(started.length));
        commit.text = string(committed, commitPath, "text");
        commit.nfe = int32(committed, commitPath, "nfe");
        commit.milliseconds = number(committed, commitPath, "milliseconds");
        trace.events.emplace_back(std::move(commit));
    }

    const json& finished = member(doc, "", "finished");
    if (!finished.is_null()) {
        if (!finished.is_object()) fail("finished", "expected an object or null, found " + kindOf(finished));
        GenerationFinished end;
        const std::string reason = string(finished, "finished", "reason");
        end.reason = named(stopReasonFromName(reason), "finished.reason", reason);
        end.promptTokens = int32(finished, "finished", "prompt_tokens");
        end.newTokens = int32(finished, "finished", "new_tokens");
        end.blocks = int32(finished, "finished", "blocks");
        end.nfe = int32(finished, "finished", "nfe");
        end.cacheForwards = int32(finished, "finished", "cache_forwards");
        end.seconds = number(finished, "finished", "seconds");
        end.text = string(finished, "finished", "text");
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
