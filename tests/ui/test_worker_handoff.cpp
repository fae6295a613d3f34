// The studio's hand-off between the engine's thread and the UI's, without
// Qt's event loop: a generation on another thread feeds the EventQueue
// through the QueueObserver, the test thread drains it into a
// GenerationRecord while it changes parameters, restarts blocks, steps
// through the StepGate and stops. This is the threaded code the tsan preset
// checks (Qt itself is not built with ThreadSanitizer, so hand-offs through
// its event loop cannot be checked; see docs/robustness.md).
#include "generation/event_queue.hpp"
#include "generation/generation_record.hpp"
#include "generation/queue_observer.hpp"
#include "generation/step_gate.hpp"

#include "bd3/generator.hpp"
#include "bd3/model.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <random>
#include <thread>

namespace {

const std::filesystem::path tinyModel = BD3_SOURCE_MODELS_DIR "/tiny-random";

// The UI side: woken by the queue, drains it into the record.
class Consumer {
public:
    Consumer()
        : queue([this] {
              {
                  const std::scoped_lock lock(m_mutex);
                  m_woken = true;
              }
              m_wake.notify_one();
          })
    {
    }

    // Waits for a wake-up (or the timeout) and applies what is queued.
    void drainOnce(GenerationRecord& record)
    {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, std::chrono::milliseconds(20), [this] { return m_woken; });
            m_woken = false;
        }
        record.apply(queue.takeAll());
    }

    EventQueue queue;

private:
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_woken = false;
};

GenerationRun runOf(int tokens)
{
    bd3::GenerationOptions options;
    options.seed = 9;
    options.maxNewTokens = tokens;
    options.stopAtEos = false;
    return {QStringLiteral("Hand it over"), QString::fromStdString(tinyModel.string()), options};
}

class WorkerHandoff : public testing::Test {
protected:
    static void SetUpTestSuite() { s_model = bd3::Model::load(tinyModel).release(); }
    static void TearDownTestSuite() { delete s_model; }
    static bd3::Model* s_model;
};
bd3::Model* WorkerHandoff::s_model = nullptr;

TEST_F(WorkerHandoff, LiveChangesRestartsAndStopReachTheRecordWhole)
{
    bd3::LiveParameters live(bd3::SamplingParams{});
    StepGate gate;
    Consumer consumer;
    GenerationRecord record;
    const GenerationRun run = runOf(1 << 20);
    record.begin(run);
    std::stop_source stop;
    std::thread worker([&] {
        QueueObserver observer(consumer.queue, gate, stop.get_token());
        bd3::Generator(*s_model).run("Hand it over", live, run.options, observer, stop.get_token());
    });

    std::mt19937 random(3);
    int changes = 0;
    while (record.blockCount() < 40) {
        consumer.drainOnce(record);
        bd3::SamplingParams p;
        p.blockSize = std::uniform_int_distribution<int32_t>(1, 16)(random);
        p.steps = std::uniform_int_distribution<int32_t>(1, 8)(random);
        p.sampler = static_cast<bd3::SamplerKind>(random() % 4);
        live.set(p, random() % 5 == 0 ? bd3::LiveParameters::ApplyFrom::CurrentBlock
                                       : bd3::LiveParameters::ApplyFrom::NextBlock);
        ++changes;
    }
    stop.request_stop();
    worker.join();
    record.apply(consumer.queue.takeAll());

    ASSERT_TRUE(record.finished().has_value());
    EXPECT_EQ(record.finished()->reason, bd3::StopReason::Cancelled);
    EXPECT_GT(changes, 0);
    int tokens = 0;
    for (int b = 0; b < record.blockCount(); ++b) {
        const BlockRecord& block = record.block(b);
        EXPECT_NO_THROW(block.start.params.validate());
        if (!block.commit) continue;  // the block that was cancelled
        EXPECT_EQ(block.commit->tokens.size(), static_cast<size_t>(block.length()));
        EXPECT_EQ(block.tokensAfter(static_cast<int>(block.steps.size())), block.commit->tokens);
        tokens += block.maskedAtStart();
    }
    EXPECT_EQ(record.finished()->newTokens, tokens);
}

TEST_F(WorkerHandoff, LiveStepModeStopsAtEveryStep)
{
    bd3::SamplingParams params;
    params.blockSize = 8;
    params.steps = 4;
    params.sampler = bd3::SamplerKind::TopKConfidence;  // exactly 4 steps a block
    const bd3::LiveParameters live(params);
    for (int at = 0; at < params.steps; ++at) {
        SCOPED_TRACE("stopped after step " + std::to_string(at) + " of block 1");
        StepGate gate;
        gate.setClosed(true);
        Consumer consumer;
        GenerationRecord record;
        const GenerationRun run = runOf(64);
        record.begin(run);
        std::stop_source stop;
        std::thread worker([&] {
            QueueObserver observer(consumer.queue, gate, stop.get_token());
            bd3::Generator(*s_model).run("Hand it over", live, run.options, observer, stop.get_token());
        });
        // One step at a time, each granted once the last one is in the record.
        size_t seen = 0;
        for (;;) {
            consumer.drainOnce(record);
            const size_t steps = record.blockCount() > 0 ? record.block(record.blockCount() - 1).steps.size() : 0;
            if (record.blockCount() == 2 && static_cast<int>(steps) == at + 1) break;
            const size_t total = [&] {
                size_t n = 0;
                for (int b = 0; b < record.blockCount(); ++b) n += record.block(b).steps.size();
                return n;
            }();
            if (total > seen) {
                seen = total;
                gate.grant();
            }
        }
        stop.request_stop();  // the worker is waiting at the gate: stop must free it
        worker.join();
        record.apply(consumer.queue.takeAll());
        ASSERT_TRUE(record.finished().has_value());
        EXPECT_EQ(record.finished()->reason, bd3::StopReason::Cancelled);
        EXPECT_EQ(record.block(1).steps.size(), static_cast<size_t>(at + 1));
        EXPECT_TRUE(record.block(0).commit.has_value());
    }
}

} // namespace
