#include "studio_translations.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

namespace StudioTranslations {

QString chosenLanguage()
{
    const QString chosen = QSettings().value(QStringLiteral("ui/language")).toString();
    return chosen.isEmpty() ? QLocale::system().name() : chosen;
}

QStringList searchPaths()
{
    QStringList paths{QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../share/bd3studio/translations"))};
#ifdef BD3_BUILD_TRANSLATIONS_DIR
    paths << QStringLiteral(BD3_BUILD_TRANSLATIONS_DIR);
#endif
    return paths;
}

QString install(QCoreApplication& app)
{
    // Only Simplified Chinese is translated (Chinese in any other form gets it
    // too rather than English); English gets its plural forms.
    const QString code = chosenLanguage().startsWith(QStringLiteral("zh")) ? QStringLiteral("zh_CN") : QStringLiteral("en");
    auto* studio = new QTranslator(&app);
    bool loaded = false;
    for (const QString& path : searchPaths()) {
        if (studio->load(QStringLiteral("bd3studio_") + code, path)) {
            loaded = true;
            break;
        }
    }
    if (!loaded) {
        delete studio;
        return {};
    }
    QCoreApplication::installTranslator(studio);
    if (code == QStringLiteral("en")) return code;
    // Qt's own strings (standard buttons, file dialogs) where Qt's
    // translations are installed (Debian: qt6-translations-l10n).
    auto* qt = new QTranslator(&app);
    if (qt->load(QStringLiteral("qtbase_") + code, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    return code;
}

} // namespace StudioTranslations
