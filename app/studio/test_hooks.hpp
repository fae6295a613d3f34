// Hidden command-line hooks for the tests that drive the studio as a
// separate process (docs/session-format.md, "Test hooks"):
//   --test-type-text TEXT   types TEXT into the editor once the window is up
//   --test-report-restore   when the start offers to restore an autosaved
//                           session, prints the offer to stdout, accepts it,
//                           prints the restored document and quits (exit 0);
//                           quits with 3 when no offer comes within 20 s.
#pragma once

#include <QObject>
#include <QString>

class MainWindow;

class TestHooks : public QObject {
    Q_OBJECT

public:
    TestHooks(MainWindow* window, const QString& typeText, bool reportRestore);

private:
    MainWindow* m_window;
};
