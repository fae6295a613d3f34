#include "exports/studio_exporter.hpp"

#include "sessions/atomic_file.hpp"
#include "generation/generation_record.hpp"
#include "exports/gif_writer.hpp"
#include "views/plots_panel.hpp"
#include "views/unmasking_view.hpp"

#include <QFileInfo>
#include <QPainter>
#include <QSvgGenerator>
#include <QWidget>

QString StudioExporter::writeText(const QString& path, const QString& text)
{
    return AtomicFile::write(path, text.toUtf8());
}

QString StudioExporter::writeTrace(const QString& path, const GenerationRecord& record)
{
    if (record.blockCount() == 0) return tr("There is no generation to export yet.");
    QByteArray json = QByteArray::fromStdString(record.toTraceJson());
    json.append('\n');
    return AtomicFile::write(path, json);
}

QString StudioExporter::writeWidget(const QString& path, QWidget* widget)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QStringLiteral("svg")) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(widget->size());
        svg.setViewBox(widget->rect());
        svg.setTitle(widget->windowTitle().isEmpty() ? tr("BD3 Studio") : widget->windowTitle());
        svg.setDescription(tr("Drawn by BD3 Studio"));
        QPainter painter;
        if (!painter.begin(&svg)) return tr("%1 cannot be written.").arg(path);
        widget->render(&painter);
        painter.end();
        if (!QFileInfo::exists(path) || QFileInfo(path).size() == 0) return tr("Writing %1 failed.").arg(path);
        return {};
    }
    const QImage image = widget->grab().toImage();
    const QByteArray format = suffix.isEmpty() ? QByteArray("png") : suffix.toLatin1();
    if (!image.save(path, format.constData())) return tr("%1 cannot be written as %2.").arg(path, suffix.toUpper());
    return {};
}

QString StudioExporter::writeBlockGif(const QString& path, const GenerationRecord& record, int block, int width)
{
    if (block < 0 || block >= record.blockCount()) return tr("There is no block to animate yet.");
    const int steps = static_cast<int>(record.block(block).steps.size());
    if (steps == 0) return tr("Block %1 has no steps yet.").arg(block + 1);

    // A view of its own, off screen, sized for the block's widest step.
    UnmaskingView view;
    view.setAttribute(Qt::WA_DontShowOnScreen);
    view.setRecord(&record);
    view.resize(width, 200);
    view.show();
    view.setReplayPosition(block, steps);
    int height = view.heightForWidth(width);
    view.resize(width, height);
    view.setReplayPosition(block, steps);
    height = std::max(height, view.heightForWidth(width));
    view.resize(width, height);

    std::vector<GifWriter::Frame> frames;
    for (int s = 1; s <= steps; ++s) {
        view.setReplayPosition(block, s);
        frames.push_back({view.grab().toImage(), s == steps ? 2500 : 700});
    }
    return GifWriter::write(path, frames);
}

QString StudioExporter::writePlots(const QString& path, PlotsPanel* plots, QStringList* written)
{
    const QFileInfo info(path);
    const QString suffix = info.suffix().toLower();
    if (suffix != QStringLiteral("png") && suffix != QStringLiteral("pdf"))
        return tr("Plots are saved as .png or .pdf, not \u201c%1\u201d.").arg(info.suffix());
    plots->refreshNow();
    const QString base = info.path() + QLatin1Char('/') + info.completeBaseName();
    const std::pair<QString, QCustomPlot*> parts[] = {
        {QStringLiteral("-masked"), plots->maskedFractionPlot()},
        {QStringLiteral("-confidence"), plots->confidencePlot()},
        {QStringLiteral("-throughput"), plots->throughputPlot()},
    };
    for (const auto& [name, plot] : parts) {
        const QString file = base + name + QLatin1Char('.') + suffix;
        const int w = std::max(plot->width(), 640);
        const int h = std::max(plot->height(), 400);
        const bool ok = suffix == QStringLiteral("png") ? plot->savePng(file, w, h, 2.0)
                                                        : plot->savePdf(file, w, h);
        if (!ok) return tr("%1 cannot be written.").arg(file);
        if (written) written->append(file);
    }
    return {};
}
