#!/usr/bin/env bash
# The whole test suite, three times over: the release build (everything,
# fuzzers and packages included), then under AddressSanitizer with
# UndefinedBehaviorSanitizer and LeakSanitizer, then the engine and studio
# tests under ThreadSanitizer (CMakePresets.json says what each runs).
#
#   tools/run-tests.sh                 # release, asan, tsan
#   tools/run-tests.sh release         # one or more presets
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
presets=("$@")
[[ ${#presets[@]} -gt 0 ]] || presets=(release asan tsan)
jobs=$(nproc)
for preset in "${presets[@]}"; do
    echo "== $preset: configure, build, test"
    start=$SECONDS
    cmake --preset "$preset" > /dev/null
    cmake --build --preset "$preset" -j"$jobs"
    ctest --preset "$preset" -j"$jobs"
    echo "== $preset passed in $((SECONDS - start)) s"
done
