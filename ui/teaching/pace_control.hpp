// How fast a live generation unfolds: as fast as the engine can, a number of
// denoising steps a second (for a class to watch a block being unmasked), or
// a pause after each step (the live step mode action, kept in step with it).
#pragma once

#include <QComboBox>

class QAction;

class PaceControl : public QComboBox {
    Q_OBJECT

public:
    // liveStepMode is the action of pausing after each step.
    explicit PaceControl(QAction* liveStepMode, QWidget* parent = nullptr);

    // Steps a second; 0 when as fast as possible or pausing after each step.
    double stepsPerSecond() const;
    // Selects the entry closest to steps a second (0: as fast as possible).
    void setStepsPerSecond(double steps);

Q_SIGNALS:
    void stepsPerSecondChanged(double steps);

private:
    void onActivated(int index);
    void onLiveStepModeToggled(bool on);

    QAction* m_liveStepMode;
    int m_lastPaced = 0;  // the entry to go back to when step mode ends
};
