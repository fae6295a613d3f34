#include "sessions/autosave_slot.hpp"

#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstdio>
#include <cstring>

QString AutosaveSlot::pathOf(const QString& folder, int index)
{
    return folder + (index == 0 ? QStringLiteral("/autosave.bd3session")
                                : QStringLiteral("/autosave-%1.bd3session").arg(index + 1));
}

std::unique_ptr<AutosaveSlot> AutosaveSlot::claim(const QString& folder)
{
    QDir().mkpath(folder);
    for (int index = 0; index < kSlots; ++index) {
        const QString path = pathOf(folder, index);
        auto lock = std::make_unique<QLockFile>(path + QStringLiteral(".lock"));
        lock->setStaleLockTime(0);  // held as long as its process lives, however long
        if (lock->tryLock(0)) return std::unique_ptr<AutosaveSlot>(new AutosaveSlot(path, std::move(lock)));
    }
    return nullptr;
}

QString AutosaveSlot::keepAside(QString* problem) const
{
    QString aside = m_path + QStringLiteral(".damaged");
    for (int n = 2; QFile::exists(aside); ++n) aside = m_path + QStringLiteral(".damaged-%1").arg(n);
    // rename(2), for its errno: QFile::rename would copy and delete across
    // filesystems and says little when it fails.
    if (std::rename(QFile::encodeName(m_path).constData(), QFile::encodeName(aside).constData()) != 0) {
        if (problem) *problem = QString::fromLocal8Bit(std::strerror(errno));
        return {};
    }
    return aside;
}
