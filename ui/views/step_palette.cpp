#include "views/step_palette.hpp"

#include <algorithm>

namespace StepPalette {

QColor stepColor(int step, int steps)
{
    const double position = steps > 1 ? std::clamp(static_cast<double>(step) / (steps - 1), 0.0, 1.0) : 0.0;
    // Hue from blue (early) through green to orange (late).
    const int hue = static_cast<int>(210 - 180 * position);
    return QColor::fromHsv(hue, 170, 235);
}

QString visibleText(const QString& text)
{
    if (text.isEmpty()) return QStringLiteral("\u2205");
    QString shown;
    shown.reserve(text.size());
    for (const QChar c : text) {
        if (c == QLatin1Char('\n')) shown += QStringLiteral("\u21b5");
        else if (c == QLatin1Char('\t')) shown += QStringLiteral("\u21e5");
        else if (c == QLatin1Char(' ')) shown += QStringLiteral("\u00b7");
        else if (c.category() == QChar::Other_Control)
            shown += QStringLiteral("\\x%1").arg(static_cast<uint>(c.unicode()), 2, 16, QLatin1Char('0'));
        else shown += c;
    }
    return shown;
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
