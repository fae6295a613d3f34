#!/usr/bin/env bash
# Takes the pictures of docs/teaching-guide.md under Xvfb:
#   tools/teaching-screenshots.sh [output folder] [model folder]
# (default docs/images, the default model). Each picture is one run of the
# studio's --screenshot mode with a scene: live (mid-generation), step (one
# block replayed at its second step, with the step explained), compare (the
# block-size comparison). English, with a scratch configuration.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:-docs/images}
model=${2:-}
studio=build/release/app/studio/bd3-studio
[[ -x $studio ]] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
mkdir -p "$out"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=
prompt="The old lighthouse keeper climbed the stairs and"
shoot() { # scene, file, blocks
    xvfb-run -a -s "-screen 0 1440x900x24" "$studio" ${model:+--model "$model"} --prompt "$prompt" \
        --screenshot-scene "$1" --screenshot-after-blocks "$3" --screenshot "$out/$2"
}
shoot live teaching-live.png 10
shoot step teaching-step.png 6
shoot compare teaching-compare.png 1
