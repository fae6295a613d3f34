// The autosave file a studio window owns. Each running studio takes the
// first free of eight slots (autosave.bd3session, autosave-2.bd3session, ...),
// held by a lock file, so a second studio autosaves too, to a file of its
// own; a lock left by a process that died is taken over, with its file.
#pragma once

#include <QCoreApplication>
#include <QLockFile>
#include <QString>

#include <memory>

class AutosaveSlot {
    Q_DECLARE_TR_FUNCTIONS(AutosaveSlot)

public:
    static constexpr int kSlots = 8;

    // The first free slot in folder; null when every one is held.
    static std::unique_ptr<AutosaveSlot> claim(const QString& folder);
    // The file of slot index (0 to kSlots - 1) in folder.
    static QString pathOf(const QString& folder, int index);

    const QString& path() const { return m_path; }
    // Moves the slot's unreadable file aside to a name no file has yet
    // (".damaged", ".damaged-2", ...), so no earlier copy is ever replaced.
    // Returns the new name, or an empty string with *problem set when the
    // file could not be moved (it then stays where it is).
    QString keepAside(QString* problem) const;

private:
    AutosaveSlot(QString path, std::unique_ptr<QLockFile> lock) : m_path(std::move(path)), m_lock(std::move(lock)) {}

    QString m_path;
    std::unique_ptr<QLockFile> m_lock;
};
