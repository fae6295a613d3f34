// The studio's exports, without dialogs (the window asks for the file
// names; tests call these directly). Each returns the problem in words,
// empty on success.
#pragma once

#include <QCoreApplication>
#include <QString>
#include <QStringList>

class GenerationRecord;
class PlotsPanel;
class QWidget;

class StudioExporter {
    Q_DECLARE_TR_FUNCTIONS(StudioExporter)

public:
    // UTF-8 text, atomically.
    static QString writeText(const QString& path, const QString& text);
    // The record as a trace (docs/trace-format.md).
    static QString writeTrace(const QString& path, const GenerationRecord& record);
    // A widget as it is drawn: .svg through QSvgGenerator, anything else as
    // a bitmap in the format the suffix names (PNG by default).
    static QString writeWidget(const QString& path, QWidget* widget);
    // One block's unmasking as an animated GIF: one frame per step, each
    // showing the block after that step, the last frame held longer.
    static QString writeBlockGif(const QString& path, const GenerationRecord& record, int block, int width = 900);
    // The three plots as .png or .pdf (by the suffix of path): path's base
    // name with -masked, -confidence and -throughput added. written gets the
    // files' paths.
    static QString writePlots(const QString& path, PlotsPanel* plots, QStringList* written = nullptr);
};
