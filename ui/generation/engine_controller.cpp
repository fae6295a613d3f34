#include "generation/engine_controller.hpp"

#include "generation/engine_worker.hpp"
#include "generation/step_gate.hpp"

#include "bd3/error.hpp"

#include <QMetaObject>

EngineController::EngineController(GenerationRecord* record, QObject* parent)
    : QObject(parent), m_record(record), m_live(std::make_shared<bd3::LiveParameters>(bd3::SamplingParams{})),
      m_gate(std::make_shared<StepGate>())
{
    qRegisterMetaType<ModelSummary>();
    m_events = std::make_shared<EventQueue>([this] {
        QMetaObject::invokeMethod(this, [this] { drainEvents(); }, Qt::QueuedConnection);
    });
    m_worker = new EngineWorker(m_live, m_events, m_gate);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);

    connect(m_worker, &EngineWorker::loadProgress, this, &EngineController::loadProgress);
    connect(m_worker, &EngineWorker::modelLoaded, this, [this](const ModelSummary& summary) {
        m_loading = false;
        m_model = summary;
        m_record->setVocabulary(summary.pieces, summary.maskId);
        Q_EMIT modelLoaded(summary);
    });
    connect(m_worker, &EngineWorker::modelLoadFailed, this, [this](const QString& folder, const QString& message) {
        m_loading = false;
        Q_EMIT modelLoadFailed(folder, message);
    });
    connect(m_worker, &EngineWorker::generationFailed, this, [this](const QString& message) {
        drainEvents();
        m_generating = false;
        Q_EMIT generationFailed(message);
    });
    connect(m_worker, &EngineWorker::compareRowFinished, this, &EngineController::compareRowFinished);
    connect(m_worker, &EngineWorker::compareRowFailed, this, &EngineController::compareRowFailed);
    connect(m_worker, &EngineWorker::compareFinished, this, [this] {
        m_comparing = false;
        Q_EMIT compareFinished();
    });
    m_thread.setObjectName(QStringLiteral("engine"));
    m_thread.start();
}

EngineController::~EngineController()
{
    m_stop.request_stop();
    m_gate->setClosed(false);
    m_thread.quit();
    m_thread.wait();
}

void EngineController::loadModel(const QString& folder, const bd3::LoadOptions& options)
{
    m_loading = true;
    Q_EMIT loadStarted(folder);
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, folder, options] { worker->loadModel(folder, options); },
                              Qt::QueuedConnection);
}

QString EngineController::generate(const QString& prompt, const bd3::SamplingParams& params,
                                   const bd3::GenerationOptions& options)
{
    if (m_generating || m_comparing) return tr("A generation is already running.");
    if (!m_model) return tr("No model is loaded yet.");
    if (const QString problem = setParameters(params); !problem.isEmpty()) return problem;
    m_stop = std::stop_source();
    m_generating = true;
    m_record->begin({prompt, m_model->folder, options});
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, prompt, options, stop = m_stop.get_token()] { worker->generate(prompt, options, stop); },
        Qt::QueuedConnection);
    Q_EMIT generationStarted();
    return {};
}

QString EngineController::compare(const QString& prompt, const std::vector<bd3::SamplingParams>& params,
                                  const bd3::GenerationOptions& options)
{
    if (m_generating || m_comparing) return tr("A generation is already running.");
    if (!m_model) return tr("No model is loaded yet.");
    for (const bd3::SamplingParams& p : params) {
        try {
            p.validate();
        } catch (const bd3::Error& error) {
            return QString::fromStdString(error.what());
        }
    }
    m_stop = std::stop_source();
    m_comparing = true;
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, prompt, params, options, stop = m_stop.get_token()] {
            worker->compare(prompt, params, options, stop);
        },
        Qt::QueuedConnection);
    return {};
}

void EngineController::stop() { m_stop.request_stop(); }

void EngineController::setLiveStepping(bool on) { m_gate->setClosed(on); }

bool EngineController::isLiveStepping() const { return m_gate->isClosed(); }

void EngineController::grantStep() { m_gate->grant(); }

void EngineController::setStepsPerSecond(double steps)
{
    using Seconds = std::chrono::duration<double>;
    m_gate->setInterval(steps > 0 ? std::chrono::duration_cast<StepGate::Clock::duration>(Seconds(1.0 / steps))
                                  : StepGate::Clock::duration::zero());
}

double EngineController::stepsPerSecond() const
{
    const auto interval = m_gate->interval();
    return interval > StepGate::Clock::duration::zero()
               ? 1.0 / std::chrono::duration<double>(interval).count()
               : 0.0;
}

QString EngineController::setParameters(const bd3::SamplingParams& params, bool restartBlock)
{
    try {
        m_live->set(params, restartBlock ? bd3::LiveParameters::ApplyFrom::CurrentBlock
                                         : bd3::LiveParameters::ApplyFrom::NextBlock);
    } catch (const bd3::Error& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

void EngineController::drainEvents()
{
    // One pile per call, so the UI thread returns to its event loop between
    // piles even when the engine produces events as fast as they are applied:
    // a pile arriving meanwhile has posted its own drain. A slot of the
    // record's signals may spin the event loop (a dialog, a processEvents
    // call) and so reach here again; that nested call leaves the events for a
    // drain posted after this one, so they are applied in order.
    if (m_draining) {
        m_drainDeferred = true;
        return;
    }
    m_draining = true;
    const std::vector<EngineEvent> batch = m_events->takeAll();
    if (!batch.empty()) {
        m_record->apply(batch);
        Q_EMIT eventsApplied();
        if (m_generating && std::holds_alternative<bd3::GenerationFinished>(batch.back())) {
            m_generating = false;
            Q_EMIT generationFinished(*m_record->finished());
        }
    }
    m_draining = false;
    if (std::exchange(m_drainDeferred, false))
        QMetaObject::invokeMethod(this, [this] { drainEvents(); }, Qt::QueuedConnection);
}
