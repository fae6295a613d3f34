// --screenshot: writes a prompt, generates, and saves a picture of the window
// mid-generation, for the documentation.
#pragma once

#include <QObject>
#include <QString>

class MainWindow;

class ScreenshotSession : public QObject {
    Q_OBJECT

public:
    ScreenshotSession(MainWindow* window, QString prompt, QString output, int afterBlocks);

private:
    void capture();

    MainWindow* m_window;
    QString m_prompt;
    QString m_output;
    int m_afterBlocks;
    bool m_captured = false;
};
