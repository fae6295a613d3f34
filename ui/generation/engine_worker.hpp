// The engine's side of the studio: lives on a worker QThread, owns the model
// and runs generations. The UI thread reaches it only through queued calls
// and reads its events from an EventQueue.
#pragma once

#include "generation/event_queue.hpp"
#include "generation/model_summary.hpp"

#include "bd3/generator.hpp"
#include "bd3/model.hpp"

#include <QObject>
#include <QString>

#include <memory>
#include <stop_token>
#include <vector>

class StepGate;

class EngineWorker : public QObject {
    Q_OBJECT

public:
    EngineWorker(std::shared_ptr<bd3::LiveParameters> live, std::shared_ptr<EventQueue> events,
                 std::shared_ptr<StepGate> gate);
    ~EngineWorker() override;

    // Both run on the worker thread (invoked through queued calls). A model
    // that fails to load leaves the previous one in place.
    void loadModel(const QString& folder, bd3::LoadOptions options);
    void generate(const QString& prompt, const bd3::GenerationOptions& options, std::stop_token stop);
    // Generates prompt once per entry of params, one after another, each with
    // its own parameters and the same options; reports every run.
    void compare(const QString& prompt, const std::vector<bd3::SamplingParams>& params,
                 const bd3::GenerationOptions& options, std::stop_token stop);

Q_SIGNALS:
    void loadProgress(double fraction);
    void modelLoaded(const ModelSummary& summary);
    void modelLoadFailed(const QString& folder, const QString& message);
    void generationFailed(const QString& message);
    void compareRowFinished(int row, int newTokens, int nfe, double seconds, const QString& text);
    void compareRowFailed(int row, const QString& message);
    void compareFinished();

private:
    std::shared_ptr<bd3::LiveParameters> m_live;
    std::shared_ptr<EventQueue> m_events;
    std::shared_ptr<StepGate> m_gate;
    std::unique_ptr<bd3::Model> m_model;
};
