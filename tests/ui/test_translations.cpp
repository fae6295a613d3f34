// The Simplified Chinese translation is complete: lupdate run over the
// sources into a scratch copy of translations/bd3studio_zh_CN.ts finds no
// string without a finished translation (none new, none unfinished, none
// that the code no longer has), and the studio loads it.
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

class TranslationsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void chineseIsCompleteForEveryStringOfTheCode()
    {
        QTemporaryDir dir;
        const QString source = QStringLiteral(BD3_SOURCE_DIR "/translations/bd3studio_zh_CN.ts");
        const QString copy = dir.filePath(QStringLiteral("bd3studio_zh_CN.ts"));
        QVERIFY(QFile::copy(source, copy));
        QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
        QProcess lupdate;
        lupdate.setWorkingDirectory(QStringLiteral(BD3_SOURCE_DIR));
        lupdate.start(QStringLiteral(BD3_LUPDATE),
                      {QStringLiteral("-locations"), QStringLiteral("none"), QStringLiteral("ui"), QStringLiteral("app/studio"),
                       QStringLiteral("-ts"), copy});
        QVERIFY(lupdate.waitForFinished(120000));
        QVERIFY2(lupdate.exitCode() == 0, lupdate.readAllStandardError().constData());

        QFile file(copy);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        QStringList problems;
        int messages = 0;
        QString sourceText;
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement()) continue;
            if (xml.name() == QStringLiteral("message")) ++messages;
            if (xml.name() == QStringLiteral("source")) sourceText = xml.readElementText();
            if (xml.name() != QStringLiteral("translation")) continue;
            const QString type = xml.attributes().value(QStringLiteral("type")).toString();
            const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            if (type == QStringLiteral("unfinished")) problems << QStringLiteral("unfinished: ") + sourceText;
            else if (type == QStringLiteral("vanished") || type == QStringLiteral("obsolete"))
                problems << QStringLiteral("no longer in the code: ") + sourceText;
            else if (text.trimmed().isEmpty()) problems << QStringLiteral("empty: ") + sourceText;
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(messages > 100);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    void englishHasEveryPluralForm()
    {
        QTemporaryDir dir;
        const QString copy = dir.filePath(QStringLiteral("bd3studio_en.ts"));
        QVERIFY(QFile::copy(QStringLiteral(BD3_SOURCE_DIR "/translations/bd3studio_en.ts"), copy));
        QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
        QProcess lupdate;
        lupdate.setWorkingDirectory(QStringLiteral(BD3_SOURCE_DIR));
        lupdate.start(QStringLiteral(BD3_LUPDATE), {QStringLiteral("-locations"), QStringLiteral("none"),
                                                    QStringLiteral("-pluralonly"), QStringLiteral("ui"),
                                                    QStringLiteral("app/studio"), QStringLiteral("-ts"), copy});
        QVERIFY(lupdate.waitForFinished(120000));
        QFile file(copy);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains("numerus=\"yes\""));
        QVERIFY2(!text.contains("type=\"unfinished\"") && !text.contains("type=\"vanished\""),
                 "translations/bd3studio_en.ts lacks plural forms: run lupdate -pluralonly and fill them in");
        QTranslator translator;
        QVERIFY(translator.load(QStringLiteral("bd3studio_en"), QStringLiteral(BD3_BUILD_TRANSLATIONS_DIR)));
        QCOMPARE(translator.translate("StepExplainer", "<p>Revealed %n token(s):</p>", nullptr, 1),
                 QStringLiteral("<p>Revealed %n token:</p>"));
    }

    void theBuiltTranslationLoads()
    {
        QTranslator translator;
        QVERIFY(translator.load(QStringLiteral("bd3studio_zh_CN"), QStringLiteral(BD3_BUILD_TRANSLATIONS_DIR)));
        QCOMPARE(translator.language(), QStringLiteral("zh_CN"));
        QVERIFY(!translator.translate("StudioActions", "&Generate").isEmpty());
    }
};

QTEST_MAIN(TranslationsTest)
#include "test_translations.moc"
