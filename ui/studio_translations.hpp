// The studio's language: the one chosen in View > Language (the setting
// ui/language), else the system's. Translations are .qm files found next to
// the program (<exe dir>/../share/bd3studio/translations, as installed) or
// in the build tree.
#pragma once

#include <QString>
#include <QStringList>

class QCoreApplication;

namespace StudioTranslations {

// The language in use: "zh_CN", "en"...; empty settings mean the system's.
QString chosenLanguage();
// Where .qm files are looked for, in order.
QStringList searchPaths();
// Installs the translators for chosenLanguage() (the studio's and Qt's own);
// returns the language installed: "zh_CN", or "en" (English plural forms)
// for every other language; empty when no file was found.
QString install(QCoreApplication& app);

} // namespace StudioTranslations
