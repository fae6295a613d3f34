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
    QAction* quit;
    QAction* generate;
    QAction* stop;
    QAction* restartBlock;
    QAction* tintBySteps;
    QAction* followLatestBlock;
    QAction* about;
};
