// A saved session: the document, the traces of its generations, the
// parameters and the model reference, as versioned JSON
// (docs/session-format.md). Reading checks everything before anything is
// used, so a bad file never half-opens.
#pragma once

#include "generation/generation_record.hpp"

#include <QByteArray>
#include <QCoreApplication>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

struct StudioSession {
    static constexpr int formatVersion = 1;

    QString document;
    int cursor = 0;
    QString modelFolder;
    QString modelName;
    QJsonObject parameters;    // ControlsDock::parametersJson()
    // The generations, oldest first; written as trace documents.
    QList<std::shared_ptr<const GenerationSnapshot>> traces;
};

class StudioSessionFormat {
    Q_DECLARE_TR_FUNCTIONS(StudioSessionFormat)

public:
    static QByteArray toJson(const StudioSession& session);
    // The session, or the problem in words in *error (not JSON, not a
    // session, a version this build does not read, a bad trace...).
    static std::optional<StudioSession> fromJson(const QByteArray& json, QString* error);
    // Atomic (AtomicFile); returns the problem, empty on success.
    static QString write(const QString& path, const StudioSession& session);
    static std::optional<StudioSession> read(const QString& path, QString* error);
};
