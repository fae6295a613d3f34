// --screenshot: writes a prompt, generates, and saves a picture of the window
// mid-generation, for the documentation.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>

class MainWindow;

class ScreenshotSession : public QObject {
    Q_OBJECT

public:
    ScreenshotSession(MainWindow* window, QString prompt, QString output, int afterBlocks);

private:
    void capture();
    bool partlyRevealedOnScreen() const;

    MainWindow* m_window;
    QString m_prompt;
    QString m_output;
    int m_afterBlocks;
    bool m_waiting = false;
    bool m_captured = false;
    QElapsedTimer m_deadline;
};
