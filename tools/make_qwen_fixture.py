#!/usr/bin/env python3
"""Make the Qwen-family parity fixture in tests/fixtures/qwen/.

Writes the three tiny random model folders (tools/make_qwen_model.py layouts
tiny-sdar, tiny-fast-dllm (2 shards + index) and tiny-a2d, all F32) and, for each
case, the raw logits of the PyTorch reference (tools/bd3lm/qwen_network.py) over the
whole token sequence under the block-causal mask, positions 0..L-1, as float32 .npy
[L, vocab_size], with cases.json describing them. Deterministic for a given --seed.

  /usr/bin/python3 tools/make_qwen_fixture.py            # rewrites tests/fixtures/qwen
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_qwen_model  # noqa: E402
from bd3lm.qwen_network import load_folder  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FORMAT, VERSION = "bd3-qwen-parity-fixture", 1
MODELS = ("tiny-sdar", "tiny-fast-dllm", "tiny-a2d")

# name, model folder, block size, length, fraction of [MASK] tokens
CASES = [
    ("sdar-bs4-len22", "tiny-sdar", 4, 22, 0.4),
    ("fast-dllm-bs4-len22", "tiny-fast-dllm", 4, 22, 0.4),
    ("a2d-bs4-len22", "tiny-a2d", 4, 22, 0.4),
    ("sdar-bs1-len13", "tiny-sdar", 1, 13, 0.3),          # block size 1: causal
    ("fast-dllm-bs8-len21", "tiny-fast-dllm", 8, 21, 0.5),
]

DESCRIPTION = (
    "Raw logits (float32 .npy, [len(tokens), vocab_size], no softmax) of the PyTorch "
    "reference tools/bd3lm/qwen_network.py over the whole token sequence in one pass: "
    "rotary positions 0..L-1, block-causal mask with blocks aligned at position 0 (a "
    "query at position i sees the key at j iff j // block_size <= i // block_size; the "
    "last block may be shorter). Computed in float64 from the F32 weights of 'model' "
    "(a folder beside this file), then cast to float32. 'logits' is the row convention "
    "of the family: 'unshifted' (sdar, a2d-qwen3: row i predicts token i) or 'shifted' "
    "(Fast_dLLM_Qwen: row i-1 predicts token i); the rows stored are the same either way. "
    "Compare every entry with max abs difference <= atol.")


def make_tokens(rng: np.random.Generator, length: int, masked: float, bos: int,
                mask_id: int) -> list[int]:
    """BOS, then random SentencePiece ids (4..999) with a fraction replaced by the mask;
    at least two masks, and a clean token after the first one."""
    tokens = rng.integers(4, 1000, size=length)
    drop = rng.random(length) < masked
    drop[0] = False
    while drop.sum() < 2:
        drop[rng.integers(1, length)] = True
    tokens[drop] = mask_id
    tokens[0] = bos
    return [int(t) for t in tokens]


def case_logits(folder, tokens, block_size: int) -> np.ndarray:
    """The expected array of a case: the reference run in float64, cast to float32."""
    model, _ = load_folder(folder, torch.float64)
    with torch.no_grad():
        logits = model(torch.tensor(tokens), block_size)  # (L, V) float64
    return logits.numpy().astype(np.float32)


def make_fixture(out: Path, seed: int = 1234) -> dict:
    """Write the whole fixture into `out`; returns the cases.json document."""
    out.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(MODELS):
        make_qwen_model.make_model(name, out / name, dtype="f32", seed=seed + i)
    for stale in out.glob("*.npy"):
        stale.unlink()
    rng = np.random.default_rng(seed)
    cases = []
    for name, model, block_size, length, masked in CASES:
        raw = json.loads((out / model / "config.json").read_text())
        tokens = make_tokens(rng, length, masked, raw["bos_token_id"], raw["mask_token_id"])
        expected = case_logits(out / model, tokens, block_size)
        np.save(out / f"{name}.npy", expected)
        cases.append({
            "name": name,
            "model": model,
            "model_type": raw["model_type"],
            "block_size": block_size,
            "logits": "shifted" if raw["model_type"] == "Fast_dLLM_Qwen" else "unshifted",
            "mask_token_id": raw["mask_token_id"],
            "tokens": tokens,
            "expected": f"{name}.npy",
            "shape": [length, raw["vocab_size"]],
        })
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "generator": f"tools/make_qwen_fixture.py --seed {seed}",
        "description": DESCRIPTION,
        "atol": 1e-4,
        "cases": cases,
    }
    text = json.dumps(doc, indent=1)
    text = re.sub(r"\[[\d,\s-]*\]", lambda m: re.sub(r"\s+", "", m.group(0)), text)
    (out / "cases.json").write_text(text + "\n", encoding="utf-8")  # number lists on one line
    return doc


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", type=Path, default=ROOT / "tests/fixtures/qwen")
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args(argv)
    doc = make_fixture(args.output, args.seed)
    total = sum(p.stat().st_size for p in args.output.rglob("*") if p.is_file())
    print(f"wrote {len(doc['cases'])} cases to {args.output} ({total / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
