#include "test_hooks.hpp"

#include "main_window.hpp"
#include "editor/writing_editor.hpp"

#include <QAbstractButton>
#include <QApplication>
#include <QMessageBox>
#include <QTimer>

#include <cstdio>

TestHooks::TestHooks(MainWindow* window, const QString& typeText, bool reportRestore) : QObject(window), m_window(window)
{
    if (!typeText.isEmpty()) {
        QTimer::singleShot(0, this, [this, typeText] {
            m_window->editor()->moveCursor(QTextCursor::End);
            m_window->editor()->insertPlainText(typeText);
            std::printf("typed\n");
            std::fflush(stdout);
        });
    }
    if (reportRestore) {
        connect(window, &MainWindow::restoreOffered, this, [this](QMessageBox* dialog) {
            std::printf("restore offered: %s\n%s\n", qPrintable(dialog->objectName()), qPrintable(dialog->informativeText()));
            std::fflush(stdout);
            QTimer::singleShot(0, this, [dialog] {
                for (QAbstractButton* button : dialog->buttons()) {
                    if (button->objectName() == QStringLiteral("restoreButton")) button->click();
                }
            });
        });
        connect(window, &MainWindow::sessionRestored, this, [this] {
            std::printf("document: %s\n", qPrintable(m_window->editor()->toPlainText()));
            std::fflush(stdout);
            QTimer::singleShot(0, qApp, [] { QApplication::exit(0); });
        });
        QTimer::singleShot(20000, this, [] {
            std::printf("no restore offer\n");
            std::fflush(stdout);
            QApplication::exit(3);
        });
    }
}
