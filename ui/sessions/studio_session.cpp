#include "sessions/studio_session.hpp"

#include "sessions/atomic_file.hpp"

#include "bd3/error.hpp"
#include "bd3/trace.hpp"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>
#include <optional>

namespace {

const QString kFormat = QStringLiteral("bd3-studio-session");

} // namespace

QByteArray StudioSessionFormat::toJson(const StudioSession& session)
{
    // The traces are written as the engine writes them, spliced in as text:
    // a long generation's trace would be slow to rebuild as a QJsonObject.
    const QJsonObject root{
        {QStringLiteral("format"), kFormat},
        {QStringLiteral("version"), StudioSession::formatVersion},
        {QStringLiteral("saved"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
        {QStringLiteral("document"),
         QJsonObject{{QStringLiteral("text"), session.document}, {QStringLiteral("cursor"), session.cursor}}},
        {QStringLiteral("model"),
         QJsonObject{{QStringLiteral("folder"), session.modelFolder}, {QStringLiteral("name"), session.modelName}}},
        {QStringLiteral("parameters"), session.parameters},
        {QStringLiteral("generations"), QJsonArray()},
    };
    QByteArray json = QJsonDocument(root).toJson(QJsonDocument::Indented);
    const QByteArray empty = "\"generations\": [\n    ]";
    const qsizetype at = json.indexOf(empty);
    if (at < 0 || session.traces.isEmpty()) return json;
    QByteArray generations = "\"generations\": [\n";
    for (qsizetype i = 0; i < session.traces.size(); ++i) {
        if (i > 0) generations += ",\n";
        generations += QByteArray::fromStdString(session.traces[i]->toTraceJson());
    }
    generations += "\n    ]";
    json.replace(at, empty.size(), generations);
    return json;
}

std::optional<StudioSession> StudioSessionFormat::fromJson(const QByteArray& json, QString* error)
{
    const auto fail = [error](const QString& message) -> std::optional<StudioSession> {
        if (error) *error = message;
        return std::nullopt;
    };
    QJsonParseError parse{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parse);
    if (parse.error != QJsonParseError::NoError)
        return fail(tr("The file is damaged: it is not valid JSON (%1 at byte %2).").arg(parse.errorString()).arg(parse.offset));
    const QJsonObject root = doc.object();
    if (!doc.isObject() || root.value(QStringLiteral("format")).toString() != kFormat)
        return fail(tr("This is not a BD3 Studio session."));
    const QJsonValue versionValue = root.value(QStringLiteral("version"));
    if (!versionValue.isDouble()) return fail(tr("The session has no format version."));
    // Compared as the number written, so a huge one (99999999999999999999)
    // is a newer format and not what toInt() makes of it.
    const double version = versionValue.toDouble();
    if (version < 0 || version != std::floor(version))
        return fail(tr("The session's format version %1 is not a whole number.").arg(version));
    if (version > StudioSession::formatVersion)
        return fail(tr("This session was saved by a newer BD3 Studio (session format %1); this version reads format %2. "
                       "Open it with a newer BD3 Studio.")
                        .arg(QString::number(version, 'f', 0))
                        .arg(StudioSession::formatVersion));
    if (version < StudioSession::formatVersion)
        return fail(tr("This session uses format %1, from an older BD3 Studio, which this version no longer reads "
                       "(it reads format %2).")
                        .arg(QString::number(version, 'f', 0))
                        .arg(StudioSession::formatVersion));

    StudioSession session;
    const QJsonValue document = root.value(QStringLiteral("document"));
    if (!document.isObject() || !document.toObject().value(QStringLiteral("text")).isString())
        return fail(tr("The session is damaged: the document is missing."));
    session.document = document.toObject().value(QStringLiteral("text")).toString();
    session.cursor = std::clamp(document.toObject().value(QStringLiteral("cursor")).toInt(), 0,
                                static_cast<int>(session.document.size()));
    const QJsonObject model = root.value(QStringLiteral("model")).toObject();
    session.modelFolder = model.value(QStringLiteral("folder")).toString();
    session.modelName = model.value(QStringLiteral("name")).toString();
    const QJsonValue parameters = root.value(QStringLiteral("parameters"));
    if (!parameters.isObject()) return fail(tr("The session is damaged: the parameters are missing."));
    session.parameters = parameters.toObject();
    const QJsonValue generations = root.value(QStringLiteral("generations"));
    if (!generations.isArray()) return fail(tr("The session is damaged: the generations are missing."));
    const QJsonArray traces = generations.toArray();
    for (qsizetype i = 0; i < traces.size(); ++i) {
        if (!traces[i].isObject()) return fail(tr("The session is damaged: generation %1 is not a trace.").arg(i + 1));
        try {
            const bd3::Trace trace =
                bd3::parseTrace(QJsonDocument(traces[i].toObject()).toJson(QJsonDocument::Compact).toStdString());
            session.traces.append(GenerationSnapshot::fromTrace(trace));
        } catch (const bd3::Error& e) {
            return fail(tr("The session is damaged: generation %1: %2").arg(i + 1).arg(QString::fromStdString(e.what())));
        }
    }
    return session;
}

QString StudioSessionFormat::write(const QString& path, const StudioSession& session)
{
    return AtomicFile::write(path, toJson(session));
}

std::optional<StudioSession> StudioSessionFormat::read(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error) *error = tr("%1 cannot be read: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    return fromJson(file.readAll(), error);
}
