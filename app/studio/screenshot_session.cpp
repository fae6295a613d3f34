#include "screenshot_session.hpp"

#include "engine_controller.hpp"
#include "generation_record.hpp"
#include "main_window.hpp"
#include "writing_editor.hpp"

#include <QApplication>
#include <QPixmap>
#include <QTimer>

#include <cstdio>

ScreenshotSession::ScreenshotSession(MainWindow* window, QString prompt, QString output, int afterBlocks)
    : QObject(window), m_window(window), m_prompt(std::move(prompt)), m_output(std::move(output)),
      m_afterBlocks(afterBlocks)
{
    connect(window->controller(), &EngineController::modelLoaded, this, [this] {
        m_window->editor()->setPlainText(m_prompt);
        m_window->editor()->moveCursor(QTextCursor::End);
        m_window->startGeneration();
    });
    connect(window->controller(), &EngineController::modelLoadFailed, this, [](const QString&, const QString& message) {
        std::fprintf(stderr, "bd3-studio: %s\n", qPrintable(message));
        QApplication::exit(1);
    });
    // Mid-generation: once enough blocks are in and the current one has
    // taken a few steps, so every view shows something.
    connect(window->record(), &GenerationRecord::stepAdded, this, [this](int block, int step) {
        if (!m_captured && block >= m_afterBlocks && step >= 1) {
            m_captured = true;
            m_window->controller()->stop();
            QTimer::singleShot(400, this, &ScreenshotSession::capture);
        }
    });
    connect(window->controller(), &EngineController::generationFinished, this, [this] {
        if (!m_captured) {
            m_captured = true;
            QTimer::singleShot(400, this, &ScreenshotSession::capture);
        }
    });
}

void ScreenshotSession::capture()
{
    const bool saved = m_window->grab().save(m_output);
    std::fprintf(saved ? stdout : stderr, saved ? "bd3-studio: wrote %s\n" : "bd3-studio: could not write %s\n",
                 qPrintable(m_output));
    QApplication::exit(saved ? 0 : 1);
}
