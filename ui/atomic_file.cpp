#include "atomic_file.hpp"

#include <QSaveFile>

QString AtomicFile::write(const QString& path, const QByteArray& bytes)
{
    QSaveFile file(path);
    // Unbuffered: a write that fails (a full disk) must fail here. Buffered,
    // the error surfaces in the flush inside commit(), and Qt 6.4 then
    // commits whatever reached the disk, even an empty file.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return tr("%1 cannot be written: %2").arg(path, file.errorString());
    if (file.write(bytes) != bytes.size()) {
        const QString problem = file.errorString();
        file.cancelWriting();
        return tr("Writing %1 failed: %2").arg(path, problem);
    }
    if (!file.commit()) return tr("Writing %1 failed: %2").arg(path, file.errorString());
    return {};
}
