#!/usr/bin/env python3
"""Make the parity fixture that the C++ engine's tests compare against.

Writes, with a fixed seed:
  <out>/model/               a tiny random model folder (hidden 64, 4 heads, cond 32,
                             2 layers, context 64, tiny-sp.model so vocab 1001; F32)
  <out>/model-f16.safetensors, <out>/model-bf16.safetensors
                             the same weights rounded to F16 / BF16
  <out>/<case>.npy           expected SUBS log-probs, float32 [L, V], of mode (a)
                             (whole sequence, block-causal mask)
  <out>/cases.json           the cases: tokens, block size, weights file, expected file

Expected values are computed in float64 from the weights as stored in the file the
case names (so F16/BF16 cases use the rounded weights), then cast to float32.

Regenerate (from the repository root):
  /usr/bin/python3 tools/make_parity_fixture.py
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from bd3lm.model_folder import (load_model_folder, save_model_folder,  # noqa: E402
                                sentencepiece_tokenizer, to_file_dtype)
from bd3lm.network import NEG_INF, BD3LMConfig, random_state_dict  # noqa: E402
from bd3lm.safetensors_io import save_file  # noqa: E402

# (name, length, block_size, masked fraction, weights)
CASES = [
    ("ar-bs1-len16", 16, 1, 0.5, "f32"),
    ("bs4-len24", 24, 4, 0.5, "f32"),
    ("bs8-len20-partial", 20, 8, 0.5, "f32"),   # the last block is shorter
    ("bs8-len40", 40, 8, 0.4, "f32"),
    ("mdlm-bs64-len64", 64, 64, 0.8, "f32"),     # the whole context is one block
    ("f16-bs4-len24", 24, 4, 0.5, "f16"),        # same tokens as bs4-len24
    ("bf16-bs4-len24", 24, 4, 0.5, "bf16"),      # same tokens as bs4-len24
]
WEIGHTS = {"f32": "model/model.safetensors", "f16": "model-f16.safetensors",
           "bf16": "model-bf16.safetensors"}
WEIGHTS_DTYPE = {"f32": "F32", "f16": "F16", "bf16": "BF16"}


def make_tokens(rng: np.random.Generator, length: int, masked: float, bos: int,
                mask_id: int, first_clean: int) -> list[int]:
    """BOS, then random clean tokens with a fraction replaced by [MASK]."""
    tokens = rng.integers(first_clean, mask_id, size=length)
    tokens[rng.random(length) < masked] = mask_id
    tokens[0] = bos  # BOS is never masked
    return [int(t) for t in tokens]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tokenizer-model", type=Path,
                    default=ROOT / "tests/fixtures/tokenizer/tiny-sp.model")
    ap.add_argument("--output", type=Path, default=ROOT / "tests/fixtures/parity")
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args(argv)
    out = args.output

    tok = sentencepiece_tokenizer(args.tokenizer_model)
    cfg = BD3LMConfig(vocab_size=tok.vocab_size, hidden_dim=64, cond_dim=32, n_blocks=2,
                      n_heads=4, model_length=64, mask_token_id=tok.mask_id)
    sd = random_state_dict(cfg, "random", args.seed)
    save_model_folder(out / "model", cfg, sd, tok, block_size=4,
                      trained_block_sizes=[1, 4, 8, 64], dtype="f32")
    for d in ("f16", "bf16"):
        save_file(to_file_dtype(sd, d), out / WEIGHTS[d], metadata={"format": "pt"})

    for stale in out.glob("*.npy"):
        stale.unlink()
    rng = np.random.default_rng(args.seed)
    models: dict = {}
    cases = []
    for name, length, block_size, masked, wdt in CASES:
        if wdt not in models:
            weights = None if wdt == "f32" else out / WEIGHTS[wdt]
            models[wdt] = load_model_folder(out / "model", torch.float64, weights)[0]
        # the reduced-precision cases reuse the tokens of the F32 case they mirror
        twin = next((c for c in cases if c["block_size"] == block_size
                     and len(c["tokens"]) == length), None)
        tokens = (twin["tokens"] if wdt != "f32" and twin else
                  make_tokens(rng, length, masked, tok.bos_id, tok.mask_id, first_clean=4))
        with torch.no_grad():
            logp = models[wdt](torch.tensor([tokens]), block_size)[0]  # (L, V) float64
        expected = logp.numpy().astype(np.float32)
        np.save(out / f"{name}.npy", expected)
        cases.append({
            "name": name,
            "weights": WEIGHTS[wdt],
            "weights_dtype": WEIGHTS_DTYPE[wdt],
            "block_size": block_size,
            "tokens": tokens,
            "expected": f"{name}.npy",
            "shape": [length, cfg.vocab_size],
        })

    doc = {
        "format": "bd3-parity-fixture",
        "version": 1,
        "generator": "tools/make_parity_fixture.py --seed %d" % args.seed,
        "model": "model",
        "description": (
            "Expected SUBS log-probs (float32 .npy, [L, V]) of mode (a): the whole token "
            "sequence in one pass under the block-causal mask (a query in block b = i // "
            "block_size sees keys in blocks <= b; the last block may be shorter), rotary "
            "positions 0..L-1. Computed in float64 from the weights of the file named by "
            "'weights' (F16/BF16 cases: from the rounded weights; rotary_emb.inv_freq is "
            "F32 in every file), then cast to float32. Paths are relative to this file."),
        "mask_token_id": tok.mask_id,
        "bos_token_id": tok.bos_id,
        "neg_inf": NEG_INF,
        "zero_probability_below": NEG_INF / 10,
        "comparison": (
            "Entries below zero_probability_below mean probability zero: at clean "
            "positions every other token is exactly neg_inf (-1e6, finite, as in the "
            "reference code) and the token itself is 0; at [MASK] positions the mask "
            "token's own column is about -1e6 because -1e6 is added to its logit before "
            "the log-softmax. Compare those entries as a class (both below the "
            "threshold) and every other entry with max abs difference <= atol."),
        "atol": 1e-4,
        "cases": cases,
    }
    text = json.dumps(doc, indent=1)
    text = re.sub(r"\[[\d,\s-]*\]", lambda m: re.sub(r"\s+", "", m.group(0)), text)
    with open(out / "cases.json", "w", encoding="utf-8") as f:
        f.write(text + "\n")  # number lists kept on one line
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {len(cases)} cases to {out} ({total / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
