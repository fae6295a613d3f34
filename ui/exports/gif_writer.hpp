// Writes frames as an animated GIF with giflib: one image per frame, each
// with its own 256-colour palette, looping forever.
#pragma once

#include <QCoreApplication>
#include <QImage>
#include <QString>

#include <vector>

class GifWriter {
    Q_DECLARE_TR_FUNCTIONS(GifWriter)

public:
    struct Frame {
        QImage image;
        int delayMs = 500;
    };
    // Returns the problem, empty on success. Frames must share one size.
    static QString write(const QString& path, const std::vector<Frame>& frames);
};
