// Compare: the same prompt generated at several block sizes, from 1
// (autoregressive) to the whole context (masked diffusion), one after
// another on the engine's thread, shown side by side with each run's NFEs,
// time and text.
#pragma once

#include "bd3/sampling.hpp"

#include <QDialog>

#include <vector>

class EngineController;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QHBoxLayout;

class CompareDialog : public QDialog {
    Q_OBJECT

public:
    CompareDialog(EngineController* controller, QWidget* parent = nullptr);

    // What to compare: the prompt, the parameters every run shares (block
    // size and steps are set per run) and the options (one seed for all).
    void setup(const QString& prompt, const bd3::SamplingParams& params, const bd3::GenerationOptions& options,
               int contextLength);
    // Parses a list such as "1, 4, 16, context"; empty when it is not valid.
    static std::vector<int> parseBlockSizes(const QString& text, int contextLength);

    // Starts the runs; returns the problem, empty when they started.
    QString run();
    bool isRunning() const { return m_running; }
    int columnCount() const { return static_cast<int>(m_columns.size()); }
    // A finished column: its summary line and its text.
    QString summary(int column) const;
    QString text(int column) const;

Q_SIGNALS:
    void finished();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    struct Column {
        int blockSize = 0;
        QLabel* title = nullptr;
        QLabel* summary = nullptr;
        QPlainTextEdit* text = nullptr;
    };
    void clearColumns();

    EngineController* m_controller;
    QString m_prompt;
    bd3::SamplingParams m_params;
    bd3::GenerationOptions m_options;
    int m_contextLength = 0;
    QLabel* m_promptLabel;
    QLineEdit* m_sizes;
    QSpinBox* m_steps;
    QSpinBox* m_tokens;
    QPushButton* m_runButton;
    QPushButton* m_stopButton;
    QLabel* m_status;
    QHBoxLayout* m_columnsLayout;
    std::vector<Column> m_columns;
    bool m_running = false;
};
