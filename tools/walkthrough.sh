#!/usr/bin/env bash
# The walkthrough of a new user's first hour, captured under Xvfb as pictures
# to look at: a chat turn with a chat-template model, a rewrite of a selection,
# the model library over a fake Hugging Face cache, a run paced at two steps a
# second, a session saved and opened again with its tint.
#   tools/walkthrough.sh [output folder] [build folder]
# (default /tmp/bd3-walkthrough, build/release). The pictures are taken by the
# studio's own QtTest tests, which assert each stop as well; they run on the X
# server here instead of offscreen.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:-/tmp/bd3-walkthrough}
build=${2:-build/release}
[[ -x $build/tests/bd3_writing_tools_tests ]] || { echo "build the tests first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
# The chat model the tests use, made as CTest's fixture makes it.
ctest --test-dir "$build" -R ui_chat_model_setup --output-on-failure > /dev/null
mkdir -p "$out"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=
export BD3_WALKTHROUGH_DIR=$out QT_QPA_PLATFORM=xcb
for tests in bd3_writing_tools_tests; do
    xvfb-run -a -s "-screen 0 1440x900x24" "$build/tests/$tests"
done
ls "$out"
