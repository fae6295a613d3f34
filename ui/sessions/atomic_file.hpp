// Writing a file the person asked for (a session, an autosave, exported text
// or a trace) so that the old file is replaced only once every new byte is
// on disk: a temporary file beside it is written, synced and renamed over
// it, and the folder synced. A full disk or a read-only folder leaves the
// old file whole and gives the problem in words.
#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

class AtomicFile {
    Q_DECLARE_TR_FUNCTIONS(AtomicFile)

public:
    // The problem in words, empty on success.
    static QString write(const QString& path, const QByteArray& bytes);
};
