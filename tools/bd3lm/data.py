"""Training data: the tokenized corpus split and a deterministic batch order.

The token stream of a split is every document's ids followed by EOS, in file order.
A training window is [BOS] + the next (L - 1) ids of the stream, so BOS always sits at
position 0 (never masked). The batch of step s is a pure function of (seed, s): epoch
e = s // steps_per_epoch uses a permutation of the window starts drawn from
torch.Generator(seed + e) and an epoch-dependent offset of the window grid, so
resuming at step s gives exactly the batches an uninterrupted run would have seen.
Under DistributedDataParallel each rank takes its slice of the global batch.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import torch


def read_documents(corpus_dir, split: str) -> list[str]:
    path = Path(corpus_dir) / f"{split}.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run tools/corpus/build_corpus.py")
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


def token_stream(corpus_dir, split: str, tokenizer_model, cache_dir=None) -> np.ndarray:
    """int32 ids of the split: each document's ids then EOS. Cached as .npy keyed by
    the sha256 of the split file and the tokenizer."""
    import sentencepiece as spm

    corpus_dir = Path(corpus_dir)
    h = hashlib.sha256()
    h.update(Path(tokenizer_model).read_bytes())
    h.update((corpus_dir / f"{split}.jsonl").read_bytes())
    key = h.hexdigest()[:16]
    cache = Path(cache_dir) / f"{split}-{key}.npy" if cache_dir else None
    if cache is not None and cache.is_file():
        return np.load(cache)
    sp = spm.SentencePieceProcessor(model_file=str(tokenizer_model))
    eos = sp.eos_id()
    ids: list[int] = []
    for text in read_documents(corpus_dir, split):
        ids.extend(sp.encode(text))
        ids.append(eos)
    arr = np.asarray(ids, dtype=np.int32)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.stem}.{os.getpid()}.tmp.npy")  # ranks write at once
        np.save(tmp, arr)
        tmp.replace(cache)
    return arr


class WindowBatches:
    """Batches of windows (B, L) int64, each [BOS] + L - 1 stream ids."""

    def __init__(self, stream: np.ndarray, length: int, batch_size: int, bos_id: int,
                 seed: int, rank: int = 0, world_size: int = 1):
        if len(stream) < 2 * length:
            raise ValueError("the token stream is shorter than two windows")
        if batch_size % world_size:
            raise ValueError("batch_size must be a multiple of the number of processes")
        self.stream = torch.from_numpy(stream.astype(np.int64))
        self.length, self.batch_size, self.bos_id = length, batch_size, bos_id
        self.seed, self.rank, self.world_size = seed, rank, world_size
        self.span = length - 1
        # Windows that fit after any epoch's offset (up to span - 1 tokens).
        self.n_windows = (len(stream) - self.span + 1) // self.span
        self.steps_per_epoch = max(1, self.n_windows // batch_size)
        self._epoch, self._perm = None, None

    def _epoch_perm(self, epoch: int) -> torch.Tensor:
        if self._epoch != epoch:
            g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            self._perm = torch.randperm(self.n_windows, generator=g)
            self._epoch = epoch
        return self._perm

    def batch(self, step: int) -> torch.Tensor:
        """This rank's windows of global step `step` (B / world_size, L)."""
        epoch, within = divmod(step, self.steps_per_epoch)
        perm = self._epoch_perm(epoch)
        offset = (epoch * 97) % self.span
        idx = perm[within * self.batch_size:(within + 1) * self.batch_size]
        per = self.batch_size // self.world_size
        idx = idx[self.rank * per:(self.rank + 1) * per]
        starts = offset + idx * self.span  # (b,)
        rows = starts[:, None] + torch.arange(self.span)[None, :]
        body = self.stream[rows]  # (b, L - 1)
        bos = torch.full((len(idx), 1), self.bos_id, dtype=torch.long)
        return torch.cat([bos, body], dim=1)

    def epoch_of(self, step: int) -> float:
        return step / self.steps_per_epoch


def fixed_windows(stream: np.ndarray, length: int, bos_id: int, count: int) -> torch.Tensor:
    """The first `count` consecutive windows of a stream (validation batches)."""
    span = length - 1
    count = min(count, (len(stream) - 1) // span)
    s = torch.from_numpy(stream[:count * span].astype(np.int64)).view(count, span)
    return torch.cat([torch.full((count, 1), bos_id, dtype=torch.long), s], dim=1)
