#include "generation/engine_worker.hpp"

#include "generation/queue_observer.hpp"
#include "generation/step_gate.hpp"

#include "bd3/error.hpp"

EngineWorker::EngineWorker(std::shared_ptr<bd3::LiveParameters> live, std::shared_ptr<EventQueue> events,
                           std::shared_ptr<StepGate> gate)
    : m_live(std::move(live)), m_events(std::move(events)), m_gate(std::move(gate))
{
}

EngineWorker::~EngineWorker() = default;

void EngineWorker::loadModel(const QString& folder, bd3::LoadOptions options)
{
    int reported = -1;
    options.progress = [&](double fraction) {
        const int percent = static_cast<int>(fraction * 100);
        if (percent != reported) {
            reported = percent;
            Q_EMIT loadProgress(fraction);
        }
        return true;
    };
    try {
        auto model = bd3::Model::load(folder.toStdString(), options);
        const ModelSummary summary = ModelSummary::of(*model);
        m_model = std::move(model);
        Q_EMIT modelLoaded(summary);
    } catch (const bd3::Error& error) {
        Q_EMIT modelLoadFailed(folder, QString::fromStdString(error.what()));
    } catch (const std::bad_alloc&) {
        Q_EMIT modelLoadFailed(folder, tr("There is not enough memory to load this model."));
    }
}

void EngineWorker::generate(const QString& prompt, const bd3::GenerationOptions& options, std::stop_token stop)
{
    if (!m_model) {
        Q_EMIT generationFailed(tr("No model is loaded."));
        return;
    }
    QueueObserver observer(*m_events, *m_gate, stop);
    try {
        bd3::Generator(*m_model).run(prompt.toStdString(), *m_live, options, observer, std::move(stop));
    } catch (const bd3::Error& error) {
        Q_EMIT generationFailed(QString::fromStdString(error.what()));
    } catch (const std::bad_alloc&) {
        Q_EMIT generationFailed(tr("The generation ran out of memory."));
    }
}

void EngineWorker::compare(const QString& prompt, const std::vector<bd3::SamplingParams>& params,
                           const bd3::GenerationOptions& options, std::stop_token stop)
{
    bd3::GenerationObserver quiet;
    for (size_t row = 0; row < params.size(); ++row) {
        if (stop.stop_requested()) break;
        const int index = static_cast<int>(row);
        if (!m_model) {
            Q_EMIT compareRowFailed(index, tr("No model is loaded."));
            continue;
        }
        try {
            const bd3::LiveParameters live(params[row]);
            const bd3::GenerationFinished result =
                bd3::Generator(*m_model).run(prompt.toStdString(), live, options, quiet, stop);
            Q_EMIT compareRowFinished(index, result.newTokens, result.nfe, result.seconds,
                                      QString::fromStdString(result.text));
        } catch (const bd3::Error& error) {
            Q_EMIT compareRowFailed(index, QString::fromStdString(error.what()));
        } catch (const std::bad_alloc&) {
            Q_EMIT compareRowFailed(index, tr("The generation ran out of memory."));
        }
    }
    Q_EMIT compareFinished();
}
