// Every QAction of the window, created in one place with stable object names
// so menus, toolbars and tests find the same ones.
#pragma once

#include <QObject>

class QAction;

class StudioActions : public QObject {
    Q_OBJECT

public:
    explicit StudioActions(QObject* parent);

    QAction* openModel;
    QAction* openSession;
    QAction* saveSession;
    QAction* saveSessionAs;
    QAction* openTrace;
    QAction* exportText;
    QAction* exportTrace;
    QAction* exportUnmasking;
    QAction* exportTimeline;
    QAction* exportGif;
    QAction* exportPlots;
    QAction* quit;
    QAction* generate;
    QAction* stop;
    QAction* restartBlock;
    QAction* tintBySteps;
    QAction* followLatestBlock;
    QAction* stepBack;
    QAction* stepForward;
    QAction* playReplay;
    QAction* liveStepMode;
    QAction* compare;
    // View > Language: the system's, or one chosen (checkable, exclusive).
    QAction* languageSystem;
    QAction* languageEnglish;
    QAction* languageChinese;
    QAction* about;
};
