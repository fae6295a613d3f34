#!/usr/bin/env bash
# Takes a picture of the studio window mid-generation under Xvfb, for the
# documentation: tools/studio-screenshot.sh [output.png] [model folder]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
output=${1:-docs/images/studio.png}
model=${2:-}
studio=build/release/app/studio/bd3-studio
[[ -x $studio ]] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
# A scratch configuration, so the picture does not depend on anyone's settings.
export XDG_CONFIG_HOME=$(mktemp -d)
trap 'rm -rf "$XDG_CONFIG_HOME"' EXIT
xvfb-run -a -s "-screen 0 1440x900x24" "$studio" ${model:+--model "$model"} \
    --prompt "The old lighthouse keeper climbed the stairs and" --screenshot-after-blocks 10 --screenshot "$output"
