#!/usr/bin/env python3
"""Make a BD3-LM model folder with random weights.

Writes config.json, model.safetensors and the tokenizer file(s) into --output, in
the layout the C++ engine loads (see tools/bd3lm/model_folder.py). The weights are
drawn directly from a seeded torch generator, without building the network, so even
the published size (169.6M parameters, ~680 MB in F32) takes only a few seconds.

Examples:
  # the demo model in resources/models/tiny-random
  /usr/bin/python3 tools/make_model.py --preset tiny \
      --tokenizer-model tests/fixtures/tokenizer/tiny-sp.model --seed 0 \
      --output resources/models/tiny-random

  # a random model of the published shape (12 x 768, GPT-2 tokenizer)
  /usr/bin/python3 tools/make_model.py --preset published --gpt2-dir DIR \
      --output /tmp/published-random

Presets (explicit --layers/--hidden/--heads/--cond/--context override them):
  tiny       4 layers x 128, 4 heads, cond 64, context 256,
             block sizes 1,2,4,8,16,256 (default 4); needs --tokenizer-model
  published  12 layers x 768, 12 heads, cond 128, context 1024, block size 16,
             GPT-2 tokenizer; needs --gpt2-dir (a folder with encoder.json, vocab.bpe)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bd3lm.model_folder import (gpt2_tokenizer, save_model_folder,  # noqa: E402
                                sentencepiece_tokenizer)
from bd3lm.network import BD3LMConfig, random_state_dict  # noqa: E402

PRESETS = {
    "tiny": dict(layers=4, hidden=128, heads=4, cond=64, context=256,
                 block_sizes=[1, 2, 4, 8, 16, 256], block_size=4),
    "published": dict(layers=12, hidden=768, heads=12, cond=128, context=1024,
                      block_sizes=[16], block_size=16),
}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("--preset", choices=sorted(PRESETS), default="tiny")
    ap.add_argument("--layers", type=int, help="transformer blocks (n_blocks)")
    ap.add_argument("--hidden", type=int, help="hidden_dim")
    ap.add_argument("--heads", type=int, help="n_heads")
    ap.add_argument("--cond", type=int, help="cond_dim (adaLN conditioning width)")
    ap.add_argument("--context", type=int, help="model_length")
    ap.add_argument("--tokenizer-model", type=Path,
                    help="SentencePiece .model: the project's own token layout")
    ap.add_argument("--gpt2-dir", type=Path,
                    help="folder with GPT-2 encoder.json + vocab.bpe: the published layout")
    ap.add_argument("--dtype", choices=["f32", "f16", "bf16"], default="f32")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", choices=["random", "dit"], default="random",
                    help="random: every tensor non-trivial (default); "
                         "dit: a trainer's start (adaLN and output zero)")
    ap.add_argument("--block-sizes", help="comma-separated trained_block_sizes")
    ap.add_argument("--block-size", type=int,
                    help="config block_size (default: the preset's, or the first of --block-sizes)")
    ap.add_argument("--output", type=Path, required=True, help="model folder to write")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    preset = PRESETS[args.preset]
    pick = lambda name: getattr(args, name) if getattr(args, name) is not None else preset[name]

    if (args.tokenizer_model is None) == (args.gpt2_dir is None):
        sys.exit("give exactly one of --tokenizer-model and --gpt2-dir")
    tok = (sentencepiece_tokenizer(args.tokenizer_model) if args.tokenizer_model
           else gpt2_tokenizer(args.gpt2_dir))

    if args.block_sizes:
        block_sizes = [int(b) for b in args.block_sizes.split(",") if b.strip()]
        block_size = args.block_size or block_sizes[0]
    else:
        block_sizes = preset["block_sizes"]
        block_size = args.block_size or preset["block_size"]
    if block_size not in block_sizes:
        sys.exit(f"--block-size {block_size} is not among the block sizes {block_sizes}")

    cfg = BD3LMConfig(vocab_size=tok.vocab_size, hidden_dim=pick("hidden"),
                      cond_dim=pick("cond"), n_blocks=pick("layers"), n_heads=pick("heads"),
                      model_length=pick("context"), mask_token_id=tok.mask_id)
    t0 = time.time()
    sd = random_state_dict(cfg, args.init, args.seed)
    n_params = sum(t.numel() for n, t in sd.items() if not n.endswith("inv_freq"))
    save_model_folder(args.output, cfg, sd, tok, block_size=block_size,
                      trained_block_sizes=block_sizes, dtype=args.dtype)
    print(f"wrote {args.output}: {n_params:,} parameters ({args.dtype}), vocab {cfg.vocab_size}, "
          f"{cfg.n_blocks} x {cfg.hidden_dim}, {time.time() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
