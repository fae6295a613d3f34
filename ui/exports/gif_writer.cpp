#include "exports/gif_writer.hpp"

#include <QFile>

#include <gif_lib.h>

#include <algorithm>
#include <memory>

namespace {

struct GifCloser {
    void operator()(GifFileType* gif) const
    {
        int error = 0;
        EGifCloseFile(gif, &error);
    }
};

QString gifError(int code) { return QString::fromUtf8(GifErrorString(code)); }

} // namespace

QString GifWriter::write(const QString& path, const std::vector<Frame>& frames)
{
    if (frames.empty()) return tr("There is nothing to animate.");
    const QSize size = frames.front().image.size();
    if (size.isEmpty()) return tr("The frames are empty.");
    for (const Frame& frame : frames) {
        if (frame.image.size() != size) return tr("The frames differ in size.");
    }

    int error = 0;
    const QByteArray name = QFile::encodeName(path);
    std::unique_ptr<GifFileType, GifCloser> gif(EGifOpenFileName(name.constData(), false, &error));
    if (!gif) return tr("%1 cannot be written: %2").arg(path, gifError(error));
    EGifSetGifVersion(gif.get(), true);
    if (EGifPutScreenDesc(gif.get(), size.width(), size.height(), 8, 0, nullptr) == GIF_ERROR)
        return tr("Writing %1 failed: %2").arg(path, gifError(gif->Error));

    // Loop forever (the Netscape application extension).
    const GifByteType application[] = {'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0'};
    const GifByteType loop[] = {1, 0, 0};
    if (EGifPutExtensionLeader(gif.get(), APPLICATION_EXT_FUNC_CODE) == GIF_ERROR
        || EGifPutExtensionBlock(gif.get(), sizeof(application), application) == GIF_ERROR
        || EGifPutExtensionBlock(gif.get(), sizeof(loop), loop) == GIF_ERROR
        || EGifPutExtensionTrailer(gif.get()) == GIF_ERROR)
        return tr("Writing %1 failed: %2").arg(path, gifError(gif->Error));

    for (const Frame& frame : frames) {
        const QImage indexed = frame.image.convertToFormat(QImage::Format_RGB32)
                                   .convertToFormat(QImage::Format_Indexed8, Qt::DiffuseDither);
        const QList<QRgb> table = indexed.colorTable();
        ColorMapObject* map = GifMakeMapObject(256, nullptr);
        if (!map) return tr("Out of memory while writing %1.").arg(path);
        for (int i = 0; i < 256; ++i) {
            const QRgb rgb = i < table.size() ? table[i] : qRgb(0, 0, 0);
            map->Colors[i] = {static_cast<GifByteType>(qRed(rgb)), static_cast<GifByteType>(qGreen(rgb)),
                              static_cast<GifByteType>(qBlue(rgb))};
        }
        GraphicsControlBlock control{};
        control.DisposalMode = DISPOSE_DO_NOT;
        control.UserInputFlag = false;
        control.DelayTime = std::max(2, frame.delayMs / 10);  // hundredths of a second
        control.TransparentColor = NO_TRANSPARENT_COLOR;
        GifByteType extension[4];
        const size_t length = EGifGCBToExtension(&control, extension);
        bool ok = EGifPutExtension(gif.get(), GRAPHICS_EXT_FUNC_CODE, static_cast<int>(length), extension) != GIF_ERROR
                  && EGifPutImageDesc(gif.get(), 0, 0, size.width(), size.height(), false, map) != GIF_ERROR;
        for (int y = 0; ok && y < size.height(); ++y)
            ok = EGifPutLine(gif.get(), const_cast<GifPixelType*>(indexed.constScanLine(y)), size.width()) != GIF_ERROR;
        GifFreeMapObject(map);
        if (!ok) return tr("Writing %1 failed: %2").arg(path, gifError(gif->Error));
    }
    GifFileType* raw = gif.release();
    if (EGifCloseFile(raw, &error) == GIF_ERROR) return tr("Writing %1 failed: %2").arg(path, gifError(error));
    return {};
}
