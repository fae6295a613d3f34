// With BD3_WALKTHROUGH_DIR set, the tests that walk through what a person
// does save the screen at each stop there as NAME.png, for a person to look
// at (tools/walkthrough.sh runs them under Xvfb). Without it they only assert.
#pragma once

#include <QCoreApplication>
#include <QDir>
#include <QGuiApplication>
#include <QPixmap>
#include <QScreen>
#include <QString>
#include <QTest>

inline void walkthroughShot(const QString& name)
{
    const QString dir = qEnvironmentVariable("BD3_WALKTHROUGH_DIR");
    if (dir.isEmpty()) return;
    // Let the views finish their animation frame first.
    QTest::qWait(100);
    QDir().mkpath(dir);
    // The whole screen, so dialogs over the window are in the picture.
    QVERIFY(QGuiApplication::primaryScreen()->grabWindow(0).save(dir + QLatin1Char('/') + name + QStringLiteral(".png")));
}
