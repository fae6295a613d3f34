// --screenshot: writes a prompt, generates, and saves a picture for the
// documentation. Scenes: "live" (the window mid-generation), "step" (the
// generation stopped and one block replayed at its second step, with the
// explanation), "compare" (the compare dialog after its runs).
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>

class MainWindow;

class ScreenshotSession : public QObject {
    Q_OBJECT

public:
    ScreenshotSession(MainWindow* window, QString prompt, QString output, int afterBlocks, QString scene = {});

private:
    void capture();
    void captureWidget(QWidget* widget);
    bool partlyRevealedOnScreen() const;

    MainWindow* m_window;
    QString m_prompt;
    QString m_output;
    int m_afterBlocks;
    QString m_scene;
    bool m_waiting = false;
    bool m_captured = false;
    QElapsedTimer m_deadline;
};
