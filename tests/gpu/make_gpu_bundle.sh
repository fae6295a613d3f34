#!/usr/bin/env bash
# Packs what tests/gpu/run_gpu_checks.sh needs on a GPU machine that has the
# CUDA toolkit and PyTorch but not this project's libraries (OpenBLAS,
# SentencePiece, ICU), and cannot install them: bd3 and the engine tests,
# built here in Release with CUDA (sm_80 and sm_90 machine code, PTX for newer
# GPUs), with the shared libraries they load beyond the C and C++ runtimes,
# in one archive. run_gpu_checks.sh runs from the archive when it finds one,
# instead of building.
#
# Usage: tests/gpu/make_gpu_bundle.sh [archive, default build/gpu-bundle.tar.xz]
# Then, on the GPU machine, with the archive and GPT-2's tokenizer files
# (tests/tokenizer/node_modules, installed by tools/setup.sh) beside the tree:
#   tests/gpu/run_gpu_checks.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ARCHIVE=$(realpath -m "${1:-$ROOT/build/gpu-bundle.tar.xz}")
BUILD=$ROOT/build/gpu-bundle-build
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBD3_BUILD_STUDIO=OFF > "$BUILD.configure.log" 2>&1 \
    || { tail -30 "$BUILD.configure.log"; exit 1; }
grep -q "CUDA backend ON" "$BUILD.configure.log" || { grep CUDA "$BUILD.configure.log"; echo "CUDA is OFF here" >&2; exit 1; }
cmake --build "$BUILD" -j"$(nproc)" --target bd3_engine_tests bd3

mkdir -p "$STAGE/bin" "$STAGE/lib"
cp "$BUILD/app/bd3/bd3" "$BUILD/tests/bd3_engine_tests" "$STAGE/bin/"
# Every library the two load, except the C and C++ runtimes, which the GPU
# machine has in a version at least as new.
for binary in "$STAGE"/bin/*; do
    ldd "$binary" | awk '$3 ~ /^\// {print $3}'
done | sort -u | while read -r library; do
    case $(basename "$library") in
        libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | ld-linux* | libstdc++.so.* | libgcc_s.so.*) ;;
        *) cp -L "$library" "$STAGE/lib/" ;;
    esac
done
mkdir -p "$(dirname "$ARCHIVE")"
tar -C "$STAGE" -cJf "$ARCHIVE" bin lib
echo "wrote $ARCHIVE ($(du -h "$ARCHIVE" | cut -f1)): $(ls "$STAGE/bin" "$STAGE/lib" | grep -v : | xargs)"
