// The colours that tell denoising steps apart, shared by every view so a
// step looks the same in the editor, the unmasking view and the timeline.
#pragma once

#include <QColor>
#include <QString>

namespace StepPalette {

// The dark canvas every view draws on, so the step colours carry the meaning.
inline const QColor kBackground(0x1b, 0x1e, 0x24);
inline const QColor kText(0xd8, 0xdb, 0xe0);
inline const QColor kDimText(0x8a, 0x91, 0x9e);
inline const QColor kPrefixFill(0x33, 0x38, 0x42);  // tokens known before the block started

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
