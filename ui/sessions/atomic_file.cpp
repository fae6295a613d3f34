#include "sessions/atomic_file.hpp"

#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

QString systemError(int error) { return QString::fromLocal8Bit(std::strerror(error)); }

// Writes everything or fails with the call's own errno: a write that is cut
// short (a disk with a little room left) is retried, and the retry is what
// reports "No space left on device".
bool writeAll(int fd, const char* data, size_t size)
{
    while (size > 0) {
        const ssize_t done = ::write(fd, data, size);
        if (done < 0 && errno == EINTR) continue;
        if (done < 0) return false;
        data += done;
        size -= static_cast<size_t>(done);
    }
    return true;
}

} // namespace

QString AtomicFile::write(const QString& path, const QByteArray& bytes)
{
    const QByteArray target = QFile::encodeName(path);
    const QByteArray folder = QFile::encodeName(QFileInfo(path).absolutePath());
    QByteArray temporary = target + ".XXXXXX";
    const int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
    if (fd < 0) return tr("%1 cannot be written: %2").arg(path, systemError(errno));
    // The new file keeps the old one's permissions, or gets the usual ones.
    struct stat old{};
    const mode_t umaskNow = ::umask(0);
    ::umask(umaskNow);
    const mode_t mode = ::stat(target.constData(), &old) == 0 ? (old.st_mode & 07777) : (0666 & ~umaskNow);
    int failure = 0;
    if (::fchmod(fd, mode) != 0 || !writeAll(fd, bytes.constData(), static_cast<size_t>(bytes.size())) ||
        ::fsync(fd) != 0)
        failure = errno;
    if (::close(fd) != 0 && failure == 0) failure = errno;
    if (failure == 0 && ::rename(temporary.constData(), target.constData()) != 0) failure = errno;
    if (failure != 0) {
        ::unlink(temporary.constData());
        return tr("Writing %1 failed: %2").arg(path, systemError(failure));
    }
    // The rename is durable only once the folder's entry is on disk too.
    const int dir = ::open(folder.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    return {};
}
