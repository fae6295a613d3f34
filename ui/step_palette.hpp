// The colours that tell denoising steps apart, shared by every view so a
// step looks the same in the editor, the unmasking view and the timeline.
#pragma once

#include <QColor>
#include <QString>

namespace StepPalette {

// Colour of step `step` of a block that took `steps` steps: early steps are
// cool, late steps warm.
QColor stepColor(int step, int steps);
// Token text with whitespace and control characters made visible, so a
// token's cell is never blank.
QString visibleText(const QString& text);
// The colour of a still-masked cell.
QColor maskedColor();
// Blends a step colour toward the background by confidence in [0, 1].
QColor shadedByConfidence(const QColor& color, double confidence, const QColor& background);

} // namespace StepPalette
