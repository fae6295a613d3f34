#!/bin/sh
# Runs a test in a private mount namespace, where it may mount small tmpfs
# disks of its own without touching the machine's mounts: directly as root,
# through a user namespace otherwise.
set -e
if [ "$(id -u)" = 0 ]; then
    exec unshare --mount --propagation private "$@"
fi
exec unshare --map-root-user --mount --propagation private "$@"
