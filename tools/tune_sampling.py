#!/usr/bin/python3
"""Pick a model's sampling defaults (temperature, top-p) from its test split.

Each setting of a grid continues the same prompts (the first words of test
documents, one fixed seed each) with `bd3 generate`, and the continuations are
scored two ways, side by side with the test documents' own next words:

  judge perplexity   per word, under an interpolated Kneser-Ney trigram model of
                     the training split's words: a judge independent of the
                     model under test (the model's own likelihood would always
                     prefer the coldest setting);
  word entropy       the unigram entropy of a continuation's first words, in
                     nats: low when the text repeats itself.

The pick is the setting with the lowest judge perplexity whose word entropy is
at least --entropy-floor of the real text's, so that sharper sampling is not
rewarded for falling into repetition. It prints the table and the pick, and
with --write it records the pick in the model folder's generation_config.json.

  tools/tune_sampling.py --bd3 build/release/app/bd3/bd3 --model resources/models/default \\
      --corpus data/corpus [--write]

The corpus is tools/corpus/build_corpus.py's output (train.txt, test.jsonl).
"""

import argparse
import collections
import json
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path

WORD = re.compile(r"[a-z']+|[0-9]+|[^\sa-z0-9]")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


class KneserNeyTrigram:
    """Interpolated Kneser-Ney over words, absolute discount d (Chen and Goodman)."""

    def __init__(self, sentences: list[list[str]], d: float = 0.75):
        self.d = d
        self.tri = collections.Counter()
        self.bi = collections.Counter()
        for s in sentences:
            s = ["<s>", "<s>"] + s
            for i in range(2, len(s)):
                self.tri[(s[i - 2], s[i - 1], s[i])] += 1
        # Continuation counts: how many distinct contexts precede an n-gram.
        self.bi_cont = collections.Counter((b, c) for (_, b, c) in self.tri)
        self.uni_cont = collections.Counter(c for (_, c) in self.bi_cont)
        self.bi_cont_total = len(self.bi_cont)
        self.tri_ctx = collections.Counter()
        self.tri_ctx_types = collections.Counter()
        for (a, b, _), n in self.tri.items():
            self.tri_ctx[(a, b)] += n
            self.tri_ctx_types[(a, b)] += 1
        self.bi_ctx = collections.Counter()
        self.bi_ctx_types = collections.Counter()
        for (b, _), n in self.bi_cont.items():
            self.bi_ctx[b] += n
            self.bi_ctx_types[b] += 1
        self.vocabulary = len(self.uni_cont) + 1  # + unseen words

    def prob(self, a: str, b: str, c: str) -> float:
        # Unigram of continuation counts, with one count for any unseen word.
        p = (self.uni_cont.get(c, 0) + 1) / (self.bi_cont_total + self.vocabulary)
        n = self.bi_ctx.get(b, 0)
        if n:
            p = max(self.bi_cont.get((b, c), 0) - self.d, 0) / n + self.d * self.bi_ctx_types[b] / n * p
        n = self.tri_ctx.get((a, b), 0)
        if n:
            p = max(self.tri.get((a, b, c), 0) - self.d, 0) / n + self.d * self.tri_ctx_types[(a, b)] / n * p
        return p

    def nats(self, context: list[str], continuation: list[str]) -> float:
        s = (["<s>", "<s>"] + context)[-2:] + continuation
        return -sum(math.log(self.prob(s[i - 2], s[i - 1], s[i])) for i in range(2, len(s)))


def entropy(ws: list[str]) -> float:
    counts = collections.Counter(ws)
    return -sum(n / len(ws) * math.log(n / len(ws)) for n in counts.values())


def generate(bd3: str, model: Path, prompt: str, temperature: float, top_p: float, seed: int, tokens: int) -> str:
    with tempfile.NamedTemporaryFile(suffix=".json") as trace:
        subprocess.run([bd3, "generate", "-m", str(model), "-p", prompt, "-t", str(temperature), "--top-p", str(top_p),
                        "--seed", str(seed), "-n", str(tokens), "--trace", trace.name],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return json.load(open(trace.name, encoding="utf-8"))["finished"]["text"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bd3", required=True, help="the bd3 program")
    ap.add_argument("--model", required=True, type=Path)
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--prompts", type=int, default=40, help="test documents continued per setting")
    ap.add_argument("--prompt-words", type=int, default=16)
    ap.add_argument("--judged-words", type=int, default=40, help="words of each continuation scored")
    ap.add_argument("--tokens", type=int, default=64, help="new tokens per continuation")
    ap.add_argument("--temperatures", default="0.7,0.8,0.9,1.0")
    ap.add_argument("--top-ps", default="0.8,0.9,0.95,1.0")
    ap.add_argument("--entropy-floor", type=float, default=0.95)
    ap.add_argument("--write", action="store_true", help="record the pick in the model's generation_config.json")
    args = ap.parse_args(argv)

    train = [words(block) for block in (args.corpus / "train.txt").read_text(encoding="utf-8").split("\n\n")]
    judge = KneserNeyTrigram([w for w in train if w])
    long_enough = [text for text in (json.loads(line)["text"] for line in
                                     (args.corpus / "test.jsonl").read_text(encoding="utf-8").splitlines())
                   if len(words(text)) >= args.prompt_words + args.judged_words]
    # Evenly through the split, so every source has its share.
    count = min(args.prompts, len(long_enough))
    documents = [long_enough[i * len(long_enough) // count] for i in range(count)]
    # The prompt ends at a word boundary of the text itself, spacing kept.
    prompts, contexts, real = [], [], []
    for text in documents:
        ends = [m.end() for m in WORD.finditer(text.lower())]
        cut = ends[args.prompt_words - 1]
        prompts.append(text[:cut])
        contexts.append(words(text[:cut]))
        real.append(words(text[cut:])[:args.judged_words])

    def score(continuations: list[list[str]]) -> tuple[float, float, int]:
        kept = [(c, w) for c, w in zip(contexts, continuations) if len(w) >= 8]
        nats = sum(judge.nats(c, w) for c, w in kept)
        count = sum(len(w) for _, w in kept)
        return math.exp(nats / count), sum(entropy(w) for _, w in kept) / len(kept), len(kept)

    real_ppl, real_entropy, _ = score(real)
    print(f"{len(prompts)} test documents, {args.prompt_words} words of prompt, {args.judged_words} words judged; "
          f"judge: Kneser-Ney trigram of {sum(map(len, train)):,} training words")
    print(f"{'temperature':>11} {'top-p':>6} {'judge ppl':>10} {'word entropy':>13} {'judged':>7}")
    print(f"{'test text':>18} {real_ppl:10.1f} {real_entropy:13.3f} {len(real):7d}")
    rows = []
    for t in map(float, args.temperatures.split(",")):
        for p in map(float, args.top_ps.split(",")):
            outs = [words(generate(args.bd3, args.model, prompt, t, p, seed, args.tokens))[:args.judged_words]
                    for seed, prompt in enumerate(prompts)]
            ppl, ent, kept = score(outs)
            rows.append((t, p, ppl, ent))
            print(f"{t:11.2f} {p:6.2f} {ppl:10.1f} {ent:13.3f} {kept:7d}", flush=True)
    eligible = [r for r in rows if r[3] >= args.entropy_floor * real_entropy]
    if not eligible:
        print("no setting keeps the word entropy of the test text", file=sys.stderr)
        return 1
    t, p, ppl, ent = min(eligible, key=lambda r: r[2])
    print(f"pick: temperature {t:g}, top-p {p:g} (judge perplexity {ppl:.1f}, word entropy {ent:.3f}; "
          f"floor {args.entropy_floor * real_entropy:.3f})")
    if args.write:
        path = args.model / "generation_config.json"
        config = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        config.update({"do_sample": True, "temperature": t, "top_p": p})
        path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
