// Session files the studio opens: any bytes give a session or a problem in
// words, never a crash; a session that was read writes back to a file that
// reads again to the same document.
#include "sessions/studio_session.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    QString problem;
    const auto session =
        StudioSessionFormat::fromJson(QByteArray(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size)), &problem);
    if (!session) {
        if (problem.isEmpty()) __builtin_trap();
        return 0;
    }
    const auto again = StudioSessionFormat::fromJson(StudioSessionFormat::toJson(*session), &problem);
    if (!again || again->document != session->document || again->cursor != session->cursor ||
        again->traces.size() != session->traces.size())
        __builtin_trap();
    return 0;
}
