#include "step_palette.hpp"

#include <algorithm>

namespace StepPalette {

QColor stepColor(int step, int steps)
{
    const double position = steps > 1 ? std::clamp(static_cast<double>(step) / (steps - 1), 0.0, 1.0) : 0.0;
    // Hue from blue (early) through green to orange (late).
    const int hue = static_cast<int>(210 - 180 * position);
    return QColor::fromHsv(hue, 170, 235);
}

QColor maskedColor() { return QColor(0x5a, 0x5f, 0x6b); }

QColor shadedByConfidence(const QColor& color, double confidence, const QColor& background)
{
    const double weight = 0.35 + 0.65 * std::clamp(confidence, 0.0, 1.0);
    return QColor::fromRgbF(static_cast<float>(color.redF() * weight + background.redF() * (1 - weight)),
                            static_cast<float>(color.greenF() * weight + background.greenF() * (1 - weight)),
                            static_cast<float>(color.blueF() * weight + background.blueF() * (1 - weight)));
}

} // namespace StepPalette
