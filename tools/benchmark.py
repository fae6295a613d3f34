#!/usr/bin/env python3
"""Speed of the C++ engine against the PyTorch reference, side by side in one run.

Runs `bd3 bench --json` (the engine, top-k sampler, steps = block size) and the
same generation through the PyTorch reference sampler (tools/bd3lm/sampler.py)
on the same model, prompt, seed, block sizes, steps and thread count, then
prints per-NFE latency and tokens per second of both and their ratio, beside
the engine's roofline figures.

  /usr/bin/python3 tools/benchmark.py --model resources/models/default --block-sizes 4,16
  /usr/bin/python3 tools/benchmark.py --model resources/models/default --device cuda --weights bf16
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import torch  # noqa: E402

from bd3lm.model_folder import load_model_folder  # noqa: E402
from bd3lm.sampler import generate_top_k  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, type=Path)
    parser.add_argument("--block-sizes", default="4,16")
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--prompt", default="The history of the valley begins with")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--bd3", type=Path, default=ROOT / "build/release/app/bd3/bd3")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                        help="where both run: the CPU, or the first GPU")
    parser.add_argument("--weights", choices=["f32", "bf16"], default="f32",
                        help="weight precision of both (the reference computes in it throughout)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads))
    engine = json.loads(subprocess.run(
        [str(args.bd3), "bench", "-m", str(args.model), "-b", args.block_sizes, "-n", str(args.tokens),
         "-p", args.prompt, "--seed", str(args.seed), "--device", args.device, "--weights", args.weights, "--json"],
        check=True, capture_output=True, text=True, env=env).stdout)
    if engine["device"] != args.device:
        sys.exit(f"bd3 ran on {engine['device']}, not {args.device}: a comparison on different devices means nothing")
    ids = subprocess.run([str(args.bd3), "tokenize", "-m", str(args.model), "--ids-only", args.prompt],
                         check=True, capture_output=True, text=True).stdout.split()

    torch.set_num_threads(args.threads)
    dtype = torch.bfloat16 if args.weights == "bf16" else torch.float32
    model, config = load_model_folder(args.model, dtype)
    model = model.to(args.device)
    prompt = [config.get("bos_token_id", config["vocab_size"] - 2)] + [int(i) for i in ids]

    print(f"model {engine['model']}: {engine['parameters']} parameters, {engine['layers']} x {engine['hidden']}, "
          f"{args.weights} on {args.device}, {args.threads} CPU threads, {args.tokens} new tokens, top-k sampler, "
          f"steps = block size")
    print(f"{'block':>5} {'bd3 ms/NFE':>11} {'floor ms c|m':>14} {'torch ms/NFE':>13} {'bd3 tok/s':>10} "
          f"{'torch tok/s':>12} {'speedup':>8} {'bd3 roofline':>13} {'bd3 RSS MiB':>12}")
    rows = []
    for run in engine["runs"]:
        b = run["block_size"]
        generate_top_k(model, prompt, b, b, min(8, args.tokens), args.seed)  # warm-up
        _, t = generate_top_k(model, prompt, b, b, args.tokens, args.seed)
        torch_ms = 1000 * t.denoise_seconds / t.nfe
        torch_tps = t.tokens / t.seconds
        floors = f"{run['compute_floor_ms']:.3f}|{run['memory_floor_ms']:.3f}"
        print(f"{b:>5} {run['ms_per_nfe']:>11.3f} {floors:>14} {torch_ms:>13.3f} {run['tokens_per_second']:>10.1f} "
              f"{torch_tps:>12.1f} {run['tokens_per_second'] / torch_tps:>7.2f}x "
              f"{100 * run['roofline_fraction']:>12.0f}% {run['peak_rss_mib']:>12.0f}")
        rows.append(dict(run, torch_ms_per_nfe=torch_ms, torch_tokens_per_second=torch_tps,
                         speedup=run["tokens_per_second"] / torch_tps))
    print(f"memory streams {engine['stream_bandwidth_gbs']:.1f} GB/s; product rate at block {rows[0]['block_size']}: "
          f"{rows[0]['gemm_gflops']:.0f} GFLOP/s")
    if args.json:
        args.json.write_text(json.dumps(dict(engine, device=args.device, runs=rows), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
