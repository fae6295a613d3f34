#include "teaching/pace_control.hpp"

#include <QAction>

#include <cmath>

namespace {
// Entry data: steps a second; kPauseEachStep for the step mode entry.
constexpr double kPauseEachStep = -1.0;
constexpr double kPaces[] = {0.5, 1.0, 2.0, 4.0, 10.0};
} // namespace

PaceControl::PaceControl(QAction* liveStepMode, QWidget* parent) : QComboBox(parent), m_liveStepMode(liveStepMode)
{
    setObjectName(QStringLiteral("paceControl"));
    setSizeAdjustPolicy(QComboBox::AdjustToContents);
    setToolTip(tr("<p>How fast a generation unfolds. Slow it down to watch each block's tokens being revealed, "
                  "step by step; nothing is lost while the engine waits between steps.</p>"));
    addItem(tr("As fast as possible"), 0.0);
    for (const double pace : kPaces) addItem(tr("%L1 step(s) per second", nullptr, pace == 1.0 ? 1 : 2).arg(pace), pace);
    addItem(tr("Pause after each step"), kPauseEachStep);
    connect(this, &QComboBox::activated, this, &PaceControl::onActivated);
    connect(m_liveStepMode, &QAction::toggled, this, &PaceControl::onLiveStepModeToggled);
}

double PaceControl::stepsPerSecond() const { return std::max(currentData().toDouble(), 0.0); }

void PaceControl::setStepsPerSecond(double steps)
{
    int best = 0;
    for (int i = 0; i < count(); ++i) {
        const double pace = itemData(i).toDouble();
        if (pace >= 0 && std::abs(pace - steps) < std::abs(itemData(best).toDouble() - steps)) best = i;
    }
    if (m_liveStepMode->isChecked()) m_liveStepMode->setChecked(false);
    m_lastPaced = best;
    setCurrentIndex(best);
    Q_EMIT stepsPerSecondChanged(stepsPerSecond());
}

void PaceControl::onActivated(int index)
{
    const bool pause = itemData(index).toDouble() == kPauseEachStep;
    if (!pause) m_lastPaced = index;
    if (m_liveStepMode->isChecked() != pause) m_liveStepMode->setChecked(pause);
    Q_EMIT stepsPerSecondChanged(stepsPerSecond());
}

void PaceControl::onLiveStepModeToggled(bool on)
{
    const int index = on ? count() - 1 : m_lastPaced;
    if (index == currentIndex()) return;
    setCurrentIndex(index);
    Q_EMIT stepsPerSecondChanged(stepsPerSecond());
}
