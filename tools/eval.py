#!/usr/bin/python3
"""The NELBO perplexity bound of a text file in PyTorch: the reference for `bd3 eval`.

Same protocol and the same random numbers as the C++ evaluator (see
tools/bd3lm/objective.py): windows of [BOS] + (context - 1) ids, one t per block from
U(1e-3, 1), each position but BOS masked with probability t, masked positions scored
with weight 1/t given the clean earlier blocks; block size 1 is the exact AR
likelihood. Prints one line per block size; --json writes the numbers.

    /usr/bin/python3 tools/eval.py -m resources/models/default -f data/corpus/test.txt -b 1,4,16,context
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bd3lm.model_folder import load_model_folder  # noqa: E402
from bd3lm.objective import nelbo_counter_based  # noqa: E402


def evaluate(model_dir, text: str, block_sizes, seed=0, passes=1, max_tokens=0):
    import sentencepiece as spm

    model, raw = load_model_folder(model_dir, torch.float32)
    sp = spm.SentencePieceProcessor(model_file=str(Path(model_dir) / "tokenizer.model"))
    ids = sp.encode(text)
    if max_tokens:
        ids = ids[:max_tokens]
    out = []
    for b in block_sizes:
        bs = model.config.model_length if str(b) == "context" else int(b)
        r = nelbo_counter_based(model, ids, raw["bos_token_id"], bs, seed=seed, passes=passes)
        out.append({"block_size": bs, "tokens": r["tokens"], "nelbo": r["nelbo"],
                    "perplexity_bound": r["ppl"], "total_nll": r["nll"]})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-m", "--model", required=True, type=Path)
    ap.add_argument("-f", "--file", required=True, type=Path)
    ap.add_argument("-b", "--block-size", default="4", help="comma-separated; 'context' = MDLM")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--passes", type=int, default=1)
    ap.add_argument("--max-tokens", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    text = args.file.read_text(encoding="utf-8")
    rows = evaluate(args.model, text, [s.strip() for s in args.block_size.split(",")],
                    args.seed, args.passes, args.max_tokens)
    print("block size   tokens   NELBO (nats/token)   perplexity bound")
    for r in rows:
        print(f"{r['block_size']:10d} {r['tokens']:8d} {r['nelbo']:20.4f} {r['perplexity_bound']:18.2f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
