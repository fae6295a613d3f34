#!/usr/bin/python3
"""Train the tiny SentencePiece model that the engine's tokenizer tests use.

The model (tests/fixtures/tokenizer/tiny-sp.model) is a 1000-piece unigram
model trained on a few license texts that every Debian system ships. It is
set up so that encode followed by decode gives back exactly the input bytes
for any valid UTF-8: no normalization, no dummy prefix, whitespace kept as it
is, and byte fallback for every character it has no piece for. The one
exception is U+2581 ("▁"), which SentencePiece uses to mark spaces inside
pieces (the unigram trainer requires that escaping) and so decodes as a space. Training is
single-threaded with a fixed seed and no sampling, so rerunning the script on
the same inputs gives the same model.

Run with Debian's python3, which has the `sentencepiece` module:

    /usr/bin/python3 tools/train_tiny_tokenizer.py \
        --output tests/fixtures/tokenizer/tiny-sp.model
"""

import argparse
import io
import pathlib

import sentencepiece

DEFAULT_INPUTS = [
    "/usr/share/common-licenses/GPL-3",
    "/usr/share/common-licenses/Apache-2.0",
    "/usr/share/common-licenses/MPL-2.0",
    "/usr/share/common-licenses/Artistic",
    "/usr/share/common-licenses/LGPL-2.1",
]

# Fixed so that the trainer's seed pieces and EM steps do not vary per run.
RANDOM_SEED = 20261129


def read_sentences(paths):
    """One training sentence per non-blank line of the input files, in order."""
    sentences = []
    for path in paths:
        text = pathlib.Path(path).read_text(encoding="utf-8")
        sentences.extend(line for line in text.splitlines() if line.strip())
    return sentences


def train(sentences, vocab_size):
    """Return the serialized model trained on `sentences`."""
    sentencepiece.set_random_generator_seed(RANDOM_SEED)
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=model,
        model_type="unigram",
        vocab_size=vocab_size,
        character_coverage=1.0,
        # Exact round trip: keep the text as it is ...
        normalization_rule_name="identity",
        add_dummy_prefix=False,
        remove_extra_whitespaces=False,
        # ... let runs of spaces be pieces of their own ...
        allow_whitespace_only_pieces=True,
        # ... and spell out in bytes whatever has no piece.
        byte_fallback=True,
        split_digits=True,
        pad_id=0,
        unk_id=1,
        bos_id=2,
        eos_id=3,
        # Determinism: one thread, every sentence, no shuffling.
        num_threads=1,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        minloglevel=2,
    )
    return model.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, type=pathlib.Path,
                        help="where to write the .model file")
    parser.add_argument("--input", nargs="+", default=DEFAULT_INPUTS,
                        help="UTF-8 text files to train on (default: five "
                             "licenses from /usr/share/common-licenses)")
    parser.add_argument("--vocab-size", type=int, default=1000)
    args = parser.parse_args()

    model = train(read_sentences(args.input), args.vocab_size)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(model)
    print(f"wrote {args.output} ({len(model)} bytes)")


if __name__ == "__main__":
    main()
