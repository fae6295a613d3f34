// The UI thread's handle on the engine: starts the worker thread, forwards
// requests as queued calls, drains the event queue into the GenerationRecord
// and tells the window what happened. It never waits on the worker.
#pragma once

#include "generation/event_queue.hpp"
#include "generation/generation_record.hpp"
#include "generation/model_summary.hpp"

#include "bd3/generator.hpp"

#include <QObject>
#include <QThread>

#include <memory>
#include <optional>
#include <stop_token>
#include <vector>

class EngineWorker;
class StepGate;

class EngineController : public QObject {
    Q_OBJECT

public:
    EngineController(GenerationRecord* record, QObject* parent = nullptr);
    ~EngineController() override;

    // options.progress is the worker's own; the rest is used as given.
    void loadModel(const QString& folder, const bd3::LoadOptions& options);
    // Starts continuing prompt; params are validated first (returns the
    // problem, empty when it started).
    QString generate(const QString& prompt, const bd3::SamplingParams& params, const bd3::GenerationOptions& options);
    // Generates prompt at each entry of params in turn on the worker thread
    // (the record is left alone); returns the problem, empty when it started.
    QString compare(const QString& prompt, const std::vector<bd3::SamplingParams>& params,
                    const bd3::GenerationOptions& options);
    bool isComparing() const { return m_comparing; }
    // Live step mode: the generation pauses after every step until
    // grantStep(); the worker waits, the UI thread never does.
    void setLiveStepping(bool on);
    bool isLiveStepping() const;
    void grantStep();
    // Paced run: at most this many denoising steps a second, so a generation
    // can be watched unfolding; 0 runs them as fast as the engine can.
    void setStepsPerSecond(double steps);
    double stepsPerSecond() const;
    // Stops within one forward pass (a comparison too).
    void stop();
    // New values for the next block; with restartBlock, for the current one.
    QString setParameters(const bd3::SamplingParams& params, bool restartBlock = false);

    bool isGenerating() const { return m_generating; }
    bool isLoading() const { return m_loading; }
    const std::optional<ModelSummary>& model() const { return m_model; }

Q_SIGNALS:
    void loadStarted(const QString& folder);
    void loadProgress(double fraction);
    void modelLoaded(const ModelSummary& summary);
    void modelLoadFailed(const QString& folder, const QString& message);
    void generationStarted();
    void generationFinished(const bd3::GenerationFinished& result);
    void generationFailed(const QString& message);
    void eventsApplied();
    void compareRowFinished(int row, int newTokens, int nfe, double seconds, const QString& text);
    void compareRowFailed(int row, const QString& message);
    void compareFinished();

private:
    void drainEvents();

    GenerationRecord* m_record;
    QThread m_thread;
    std::shared_ptr<bd3::LiveParameters> m_live;
    std::shared_ptr<EventQueue> m_events;
    std::shared_ptr<StepGate> m_gate;
    EngineWorker* m_worker = nullptr;  // owned by m_thread's lifetime (deleteLater on finish)
    std::stop_source m_stop;
    std::optional<ModelSummary> m_model;
    bool m_generating = false;
    bool m_draining = false;
    bool m_drainDeferred = false;
    bool m_loading = false;
    bool m_comparing = false;
};
