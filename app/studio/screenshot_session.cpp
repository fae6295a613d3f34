#include "screenshot_session.hpp"

#include "compare_dialog.hpp"
#include "generation/engine_controller.hpp"
#include "generation/generation_record.hpp"
#include "main_window.hpp"
#include "teaching/replay_dock.hpp"
#include "views/unmasking_view.hpp"
#include "editor/writing_editor.hpp"

#include <QApplication>
#include <QPixmap>
#include <QStatusBar>
#include <QTimer>

#include <algorithm>
#include <cstdio>

ScreenshotSession::ScreenshotSession(MainWindow* window, QString prompt, QString output, int afterBlocks, QString scene)
    : QObject(window), m_window(window), m_prompt(std::move(prompt)), m_output(std::move(output)),
      m_afterBlocks(afterBlocks), m_scene(scene.isEmpty() ? QStringLiteral("live") : std::move(scene))
{
    connect(window->controller(), &EngineController::modelLoaded, this, [this] {
        m_window->editor()->setPlainText(m_prompt);
        m_window->editor()->moveCursor(QTextCursor::End);
        if (m_scene == QStringLiteral("compare")) {
            m_window->showCompare();
            CompareDialog* dialog = m_window->compareDialog();
            connect(dialog, &CompareDialog::finished, this, [this, dialog] {
                QTimer::singleShot(400, this, [this, dialog] { captureWidget(dialog); });
            });
            if (const QString problem = dialog->run(); !problem.isEmpty()) {
                std::fprintf(stderr, "bd3-studio: %s\n", qPrintable(problem));
                QApplication::exit(1);
            }
            return;
        }
        m_window->startGeneration();
    });
    if (m_scene == QStringLiteral("step")) {
        // Stop after the blocks asked for; then replay one of them at its
        // second step, with the step explained.
        connect(window->record(), &GenerationRecord::blockCommitted, this, [this](int block) {
            if (block + 1 >= m_afterBlocks) m_window->controller()->stop();
        });
        connect(window->controller(), &EngineController::generationFinished, this, [this] {
            const int block = std::max(0, m_window->record()->blockCount() - 2);
            m_window->replayDock()->setPosition(block, std::min(2, static_cast<int>(m_window->record()->block(block).steps.size())));
            QTimer::singleShot(600, this, [this] { captureWidget(m_window); });
        });
        return;
    }
    if (m_scene == QStringLiteral("compare")) return;
    connect(window->controller(), &EngineController::modelLoadFailed, this, [](const QString&, const QString& message) {
        std::fprintf(stderr, "bd3-studio: %s\n", qPrintable(message));
        QApplication::exit(1);
    });
    // Mid-generation: once enough blocks are in, wait for a moment when the
    // unmasking view shows a block partly revealed, so every view has
    // something to show; give up waiting after a few seconds.
    connect(window->record(), &GenerationRecord::blockCommitted, this, [this](int block) {
        if (m_waiting || block + 1 < m_afterBlocks) return;
        m_waiting = true;
        m_deadline.start();
        auto* poll = new QTimer(this);
        connect(poll, &QTimer::timeout, this, [this, poll] {
            if (partlyRevealedOnScreen() || m_deadline.elapsed() > 5000) {
                poll->stop();
                capture();
            }
        });
        poll->start(5);
    });
    connect(window->controller(), &EngineController::generationFinished, this, [this] {
        if (!m_waiting) QTimer::singleShot(400, this, &ScreenshotSession::capture);
    });
}

bool ScreenshotSession::partlyRevealedOnScreen() const
{
    const UnmaskingView* view = m_window->unmaskingView();
    const GenerationRecord* record = m_window->record();
    if (view->displayedBlock() < 0 || view->displayedBlock() >= record->blockCount()) return false;
    const BlockRecord& block = record->block(view->displayedBlock());
    if (view->displayedSteps() < 1) return false;
    // Some cells revealed by a step on screen, some still masked.
    const std::vector<int32_t> tokens = block.tokensAfter(view->displayedSteps());
    const auto masked = std::count(tokens.begin(), tokens.end(), record->maskId());
    return masked > 0 && masked < block.maskedAtStart();
}

void ScreenshotSession::captureWidget(QWidget* widget)
{
    if (m_captured) return;
    m_captured = true;
    const bool saved = widget->grab().save(m_output);
    std::fprintf(saved ? stdout : stderr, saved ? "bd3-studio: wrote %s\n" : "bd3-studio: could not write %s\n",
                 qPrintable(m_output));
    QApplication::exit(saved ? 0 : 1);
}

void ScreenshotSession::capture()
{
    if (m_captured) return;
    m_captured = true;
    // The timeline and plots show the block on screen in the unmasking view.
    if (m_waiting) m_window->showBlock(m_window->unmaskingView()->displayedBlock());
    m_window->editor()->flushNow();
    // A passing message would show this machine's model path.
    m_window->statusBar()->clearMessage();
    const bool saved = m_window->grab().save(m_output);
    std::fprintf(saved ? stdout : stderr, saved ? "bd3-studio: wrote %s\n" : "bd3-studio: could not write %s\n",
                 qPrintable(m_output));
    QApplication::exit(saved ? 0 : 1);
}
