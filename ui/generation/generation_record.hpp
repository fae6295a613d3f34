// The studio's record of the current generation, built from the engine's
// event stream on the UI thread. Every view draws from it; nothing in it is
// ever dropped, however the events were batched.
#pragma once

#include "bd3/events.hpp"
#include "bd3/trace.hpp"

#include <QObject>
#include <QStringList>

#include <memory>
#include <optional>
#include <variant>
#include <vector>

using EngineEvent = bd3::TraceEvent;

// What a generation was asked to do: with the events, enough for its trace.
struct GenerationRun {
    QString prompt;
    QString modelFolder;
    bd3::GenerationOptions options;
};

// A finished generation as kept by a session: what was asked and every
// event, cheap to share between threads (it is never changed).
struct GenerationSnapshot {
    GenerationRun run;
    std::vector<EngineEvent> events;

    // The trace document (docs/trace-format.md).
    std::string toTraceJson() const;
    static std::shared_ptr<const GenerationSnapshot> fromTrace(const bd3::Trace& trace);
};

struct BlockRecord {
    bd3::BlockStarted start;
    std::vector<bd3::StepDone> steps;
    std::optional<bd3::BlockCommitted> commit;
    int restarts = 0;  // times the block started over with new parameters

    int length() const { return start.length; }
    int maskedAtStart() const { return start.length - start.cleanPrefix; }
    // Steps the block takes: the recorded count once committed; while it
    // runs, the planned count (first-hitting reveals one token per step).
    int plannedSteps() const;
    // The block's tokens after its first stepCount steps (0: as it started).
    std::vector<int32_t> tokensAfter(int stepCount) const;
    // Per position, the step that revealed it; -1 for the clean prefix and
    // for positions still masked.
    std::vector<int> revealSteps() const;
    // The reveal of one position, or null when it was not revealed.
    const bd3::Reveal* revealAt(int offset) const;
};

class GenerationRecord : public QObject {
    Q_OBJECT

public:
    explicit GenerationRecord(QObject* parent = nullptr);

    // Display text of every id of the loaded model's vocabulary.
    void setVocabulary(std::shared_ptr<const QStringList> pieces, int32_t maskId);
    QString tokenText(int32_t token) const;
    int32_t maskId() const { return m_maskId; }

    void clear();
    // Clears the record for a new generation of run.
    void begin(const GenerationRun& run);
    void apply(const std::vector<EngineEvent>& events);
    // Replaces the record with a trace read back, for replay.
    void load(const bd3::Trace& trace);
    void load(const GenerationSnapshot& snapshot);
    // The record as a trace document (docs/trace-format.md).
    std::string toTraceJson() const;
    std::shared_ptr<const GenerationSnapshot> snapshot() const;

    const GenerationRun& run() const { return m_run; }
    // Every event received, in order (a restarted block's first attempt too).
    const std::vector<EngineEvent>& events() const { return m_events; }
    // True when the record came from a trace file rather than the engine.
    bool isImported() const { return m_imported; }

    int blockCount() const { return static_cast<int>(m_blocks.size()); }
    const BlockRecord& block(int index) const { return m_blocks.at(static_cast<size_t>(index)); }
    const std::optional<bd3::GenerationFinished>& finished() const { return m_finished; }
    int totalNfe() const;
    int totalTokens() const;

Q_SIGNALS:
    void cleared();
    void blockStarted(int block);  // also when a block starts over
    void stepAdded(int block, int step);
    void blockCommitted(int block);
    void generationFinished();

private:
    std::shared_ptr<const QStringList> m_pieces;
    int32_t m_maskId = -1;
    std::vector<BlockRecord> m_blocks;
    std::optional<bd3::GenerationFinished> m_finished;
    std::vector<EngineEvent> m_events;
    GenerationRun m_run;
    bool m_imported = false;
};
