#!/usr/bin/python3
"""Train the SentencePiece tokenizer of the default model on the corpus' training split.

A unigram model with the settings of tools/train_tiny_tokenizer.py, so that encoding
then decoding gives back any UTF-8 text exactly (identity normalization, no dummy
prefix, whitespace kept, byte fallback): PAD 0, UNK 1, BOS 2, EOS 3; the model folder
adds [MASK] as the extra last id. Training sentences are the non-blank lines of the
training split (never validation or test). Single-threaded with a fixed seed, so a
rerun on the same corpus gives the same model (its sha256 is in tools/corpus/SHA256SUMS).

    /usr/bin/python3 tools/corpus/train_tokenizer.py --vocab-size 4096 \
        --output data/tokenizer/bd3-4k.model

The vocabulary size (4096) is argued for in docs/data-card.md.
"""

import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from train_tiny_tokenizer import train  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=pathlib.Path, default=ROOT / "data" / "corpus")
    ap.add_argument("--vocab-size", type=int, default=4096)
    ap.add_argument("--output", type=pathlib.Path, default=ROOT / "data" / "tokenizer" / "bd3-4k.model")
    args = ap.parse_args()
    sentences = []
    with open(args.corpus / "train.jsonl", encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            sentences.extend(s for s in text.split("\n") if s.strip())
    model = train(sentences, args.vocab_size)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(model)
    print(f"wrote {args.output} ({len(model)} bytes, {len(sentences)} training lines)")


if __name__ == "__main__":
    main()
