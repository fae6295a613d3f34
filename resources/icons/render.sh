#!/usr/bin/env bash
# Renders the application icon's PNG sizes into hicolor/, where packaging/
# installs them from. The PNGs are committed, so building needs no renderer;
# run this (it needs rsvg-convert, Debian package librsvg2-bin) after editing
# either SVG. The small sizes come from the drawing on the 16 pixel grid.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

id=org.bd3studio.Studio
for size in 16 22 24 32 48 64 128 256; do
    source=$id.svg
    ((size < 32)) && source=$id-16.svg
    mkdir -p hicolor/${size}x${size}/apps
    rsvg-convert --width "$size" --height "$size" "$source" -o hicolor/${size}x${size}/apps/$id.png
done
