// The studio's look: Qt's Fusion style with a dark palette that matches the
// dark canvases of the unmasking view, the timeline and the plots.
#pragma once

class QApplication;

void applyStudioStyle(QApplication& app);
