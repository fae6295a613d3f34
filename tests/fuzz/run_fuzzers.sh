#!/usr/bin/env bash
# Builds the libFuzzer targets with Clang (AddressSanitizer and
# UndefinedBehaviorSanitizer on; a report of either is a crash) and runs each, or the TARGETs named, for
# SECONDS (default 60) from its seed corpus; every input kept under
# regressions/ is replayed first. A crash fails the run and leaves its input in
# build/fuzz/crashes/: fix it, then keep the input under regressions/<target>/.
#
#   tests/fuzz/run_fuzzers.sh 600                  # ten minutes each
#   tests/fuzz/run_fuzzers.sh 600 fuzz_session     # one target
set -euo pipefail
seconds=${1:-60}
shift || true
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BD3_FUZZ_BUILD:-$root/build/fuzz}
targets=(fuzz_safetensors fuzz_shard_index fuzz_model_config fuzz_gpt2_tokenizer fuzz_hf_tokenizer fuzz_split_pattern
    fuzz_sentencepiece fuzz_trace fuzz_jinja fuzz_session)
[[ $# -eq 0 ]] || targets=("$@")

cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBD3_FUZZ=ON -DBD3_BUILD_STUDIO=ON -DBD3_BUILD_TESTS=OFF \
    -DBD3_ENABLE_CUDA=OFF > "$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" > "$build.build.log" 2>&1 || { tail -40 "$build.build.log"; exit 1; }

mkdir -p "$build/crashes"
failed=0
for target in "${targets[@]}"; do
    regressions=("$here/regressions/$target"/*)
    if [[ -e ${regressions[0]} ]]; then
        echo "== $target: ${#regressions[@]} regression input(s)"
        "$build/tests/fuzz/$target" "${regressions[@]}" > "$build/$target.regressions.log" 2>&1 ||
            { tail -30 "$build/$target.regressions.log"; failed=1; continue; }
    fi
    corpus="$build/corpus/$target"
    mkdir -p "$corpus"
    echo "== $target: ${seconds} s"
    # Inputs up to 1 MiB: deep and large documents are within reach.
    if ! "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=1048576 \
        -print_final_stats=1 \
        -artifact_prefix="$build/crashes/$target-" "$corpus" "$here/corpus/$target" > "$build/$target.log" 2>&1; then
        tail -40 "$build/$target.log"
        failed=1
        continue
    fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/$target.log" | tr '\n' ' '
    echo
done
exit "$failed"
