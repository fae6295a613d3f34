// The generation trace as the studio writes and reads it: a record exported
// as JSON, read back by bd3::parseTrace and loaded into a fresh record
// replays to the same block states step by step; broken traces give clear
// errors.
#include "event_collector.hpp"
#include "generation/generation_record.hpp"

#include "bd3/error.hpp"
#include "bd3/generator.hpp"
#include "bd3/model.hpp"
#include "bd3/trace.hpp"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

#include <nlohmann/json.hpp>

namespace {

const std::string tinyModel = BD3_SOURCE_MODELS_DIR "/tiny-random";

} // namespace

class TraceReplayTest : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<bd3::Model> m_model;

    // A generation straight from the engine, fed to a record as the
    // controller would (in a few batches).
    void generate(GenerationRecord& record, const bd3::SamplingParams& params, uint64_t seed, int tokens)
    {
        bd3::GenerationOptions options;
        options.seed = seed;
        options.maxNewTokens = tokens;
        options.stopAtEos = false;
        const std::string prompt = "The licence grants you";
        record.begin({QString::fromStdString(prompt), QString::fromStdString(tinyModel), options});
        EventCollector collector;
        bd3::LiveParameters live(params);
        bd3::Generator(*m_model).run(prompt, live, options, collector);
        const size_t half = collector.events.size() / 2;
        record.apply({collector.events.begin(), collector.events.begin() + static_cast<long>(half)});
        record.apply({collector.events.begin() + static_cast<long>(half), collector.events.end()});
    }

    static void compareRecords(const GenerationRecord& original, const GenerationRecord& replayed)
    {
        QCOMPARE(replayed.blockCount(), original.blockCount());
        QVERIFY(original.blockCount() > 0);
        for (int b = 0; b < original.blockCount(); ++b) {
            const BlockRecord& a = original.block(b);
            const BlockRecord& r = replayed.block(b);
            QCOMPARE(r.steps.size(), a.steps.size());
            QCOMPARE(r.start.cleanPrefix, a.start.cleanPrefix);
            QCOMPARE(r.start.startPosition, a.start.startPosition);
            QCOMPARE(r.start.params.blockSize, a.start.params.blockSize);
            QCOMPARE(r.start.params.sampler, a.start.params.sampler);
            QCOMPARE(r.start.params.schedule.kind, a.start.params.schedule.kind);
            for (int s = 0; s <= static_cast<int>(a.steps.size()); ++s)
                QVERIFY2(r.tokensAfter(s) == a.tokensAfter(s), qPrintable(QStringLiteral("block %1, step %2").arg(b).arg(s)));
            for (size_t s = 0; s < a.steps.size(); ++s) {
                QCOMPARE(r.steps[s].forwardRan, a.steps[s].forwardRan);
                QCOMPARE(r.steps[s].maskedRemaining, a.steps[s].maskedRemaining);
                QVERIFY(std::abs(r.steps[s].expectedMasked - a.steps[s].expectedMasked) < 1e-9);
                QCOMPARE(r.steps[s].reveals.size(), a.steps[s].reveals.size());
                for (size_t i = 0; i < a.steps[s].reveals.size(); ++i) {
                    QCOMPARE(r.steps[s].reveals[i].probability, a.steps[s].reveals[i].probability);
                    QCOMPARE(r.steps[s].reveals[i].alternatives.size(), a.steps[s].reveals[i].alternatives.size());
                }
            }
            QCOMPARE(r.revealSteps(), a.revealSteps());
            QCOMPARE(r.commit.has_value(), a.commit.has_value());
            if (a.commit) {
                QVERIFY(r.commit->tokens == a.commit->tokens);
                QCOMPARE(r.commit->text, a.commit->text);
                QCOMPARE(r.commit->nfe, a.commit->nfe);
                // The committed block is the replay's last state.
                QVERIFY(r.tokensAfter(static_cast<int>(r.steps.size())) == r.commit->tokens);
            }
        }
        QVERIFY(replayed.finished().has_value());
        QCOMPARE(replayed.finished()->text, original.finished()->text);
        QCOMPARE(replayed.finished()->nfe, original.finished()->nfe);
        QCOMPARE(replayed.totalTokens(), original.totalTokens());
        QCOMPARE(replayed.totalNfe(), original.totalNfe());
        QCOMPARE(replayed.events().size(), original.events().size());
    }

    static void expectError(const std::string& json, const QString& expected)
    {
        try {
            bd3::parseTrace(json);
            QFAIL(qPrintable(QStringLiteral("no error; expected one mentioning %1").arg(expected)));
        } catch (const bd3::Error& error) {
            const QString message = QString::fromStdString(error.what());
            QVERIFY2(message.contains(expected), qPrintable(message));
        }
    }

    std::string validTrace()
    {
        GenerationRecord record;
        bd3::SamplingParams params;
        params.blockSize = 4;
        params.steps = 4;
        generate(record, params, 3, 8);
        return record.toTraceJson();
    }

private Q_SLOTS:
    void initTestCase() { m_model = bd3::Model::load(tinyModel); }

    void exportImportReplayGivesTheSameStatesStepByStep_data()
    {
        QTest::addColumn<int>("sampler");
        QTest::addColumn<int>("blockSize");
        QTest::addColumn<int>("steps");
        QTest::newRow("ddpm 4x4") << static_cast<int>(bd3::SamplerKind::Ddpm) << 4 << 4;
        QTest::newRow("top-k 16x5") << static_cast<int>(bd3::SamplerKind::TopKConfidence) << 16 << 5;
        QTest::newRow("threshold 8x8") << static_cast<int>(bd3::SamplerKind::Threshold) << 8 << 8;
        QTest::newRow("first-hitting 8") << static_cast<int>(bd3::SamplerKind::FirstHitting) << 8 << 2;
        QTest::newRow("autoregressive") << static_cast<int>(bd3::SamplerKind::Ddpm) << 1 << 1;
    }

    void exportImportReplayGivesTheSameStatesStepByStep()
    {
        QFETCH(int, sampler);
        QFETCH(int, blockSize);
        QFETCH(int, steps);
        bd3::SamplingParams params;
        params.sampler = static_cast<bd3::SamplerKind>(sampler);
        params.blockSize = blockSize;
        params.steps = steps;
        params.threshold = 0.2;
        params.topAlternatives = 3;
        GenerationRecord original;
        generate(original, params, 7, 37);

        const std::string json = original.toTraceJson();
        const bd3::Trace trace = bd3::parseTrace(json);
        QCOMPARE(trace.prompt, std::string("The licence grants you"));
        QCOMPARE(trace.options.seed, uint64_t{7});
        QCOMPARE(trace.options.maxNewTokens, 37);
        QCOMPARE(trace.events.size(), original.events().size());

        GenerationRecord replayed;
        replayed.load(trace);
        QVERIFY(replayed.isImported());
        QCOMPARE(replayed.run().prompt, QStringLiteral("The licence grants you"));
        compareRecords(original, replayed);
        // And once more: the replayed record writes the same document.
        QCOMPARE(replayed.toTraceJson(), json);
    }

    void traceFilesRoundTrip()
    {
        GenerationRecord original;
        bd3::SamplingParams params;
        generate(original, params, 11, 20);
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("run.json")).toStdString();
        {
            std::ofstream out(path);
            out << original.toTraceJson();
        }
        GenerationRecord replayed;
        replayed.load(bd3::readTrace(path));
        compareRecords(original, replayed);
        expectError(std::string(), QStringLiteral("not valid JSON"));
        try {
            bd3::readTrace(dir.filePath(QStringLiteral("missing.json")).toStdString());
            QFAIL("a missing file was read");
        } catch (const bd3::Error& error) {
            QVERIFY(QString::fromStdString(error.what()).contains(QStringLiteral("missing.json")));
        }
    }

    void brokenTracesGiveClearErrors()
    {
        const std::string good = validTrace();
        QVERIFY(!bd3::parseTrace(good).events.empty());
        using nlohmann::json;
        const json doc = json::parse(good);

        expectError(good.substr(0, good.size() / 2), QStringLiteral("not valid JSON"));
        expectError("[1, 2]", QStringLiteral("not a bd3 trace"));
        expectError("{\"format\": \"bd3-trace\", \"version\": 0.054e29096147418022}", QStringLiteral("not valid JSON"));
        json other = doc;
        other["format"] = "something-else";
        expectError(other.dump(), QStringLiteral("not a bd3 trace"));
        json newer = doc;
        newer["version"] = 2;
        expectError(newer.dump(), QStringLiteral("version 2 is not supported"));
        json noBlocks = doc;
        noBlocks.erase("blocks");
        expectError(noBlocks.dump(), QStringLiteral("missing key \"blocks\""));
        json noReveals = doc;
        noReveals["blocks"][0]["steps"][0].erase("reveals");
        expectError(noReveals.dump(), QStringLiteral("blocks[0].steps[0]: missing key \"reveals\""));
        json wrongType = doc;
        wrongType["blocks"][0]["length"] = "four";
        expectError(wrongType.dump(), QStringLiteral("blocks[0].length: expected a whole number"));
        json outside = doc;
        outside["blocks"][0]["steps"][0]["reveals"] = json::array({{{"offset", 99}, {"token", 5}, {"probability", 0.5},
                                                                   {"entropy", 1.0}, {"alternatives", json::array()}}});
        expectError(outside.dump(), QStringLiteral("blocks[0].steps[0].reveals[0].offset: 99 is outside the block"));
        json badSampler = doc;
        badSampler["blocks"][0]["params"]["sampler"] = "magic";
        expectError(badSampler.dump(), QStringLiteral("unknown name \"magic\""));
        json shortTokens = doc;
        shortTokens["blocks"][0]["initial_tokens"] = json::array({1});
        expectError(shortTokens.dump(), QStringLiteral("initial_tokens: has 1 tokens"));
    }
};

QTEST_MAIN(TraceReplayTest)
#include "test_trace_replay.moc"
