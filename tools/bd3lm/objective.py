"""The BD3-LM training objective and the NELBO evaluation (reference sections 3, 5, 6).

Training (`training_loss`): for a batch of clean windows x_0 (B, L) with BOS at
position 0 and one block size L':
  * one t per block, drawn from the block size's clipped interval U[beta, omega];
  * each position of a block is masked with probability t (log-linear schedule,
    m(t) = t); position 0 (BOS) never is;
  * mask resampling: a block whose masked fraction (masked / maskable positions)
    falls outside [beta, omega] is redrawn, up to `max_redraws` times; a block still
    outside then gets exactly the achievable count nearest to t * n (at least one);
  * loss = sum over masked positions of (1/t) * -log p(x_0 | x_t, clean earlier
    blocks), divided by the number of maskable positions in the batch (the NELBO per
    token). Block size 1 is the exact autoregressive loss: every token masked, weight 1.

Evaluation (`nelbo_counter_based`): the NELBO bound with t over the full interval
(1e-3, 1), no resampling, and random numbers from a counter-based generator
(`uniform`, splitmix64) that the C++ `bd3 eval` implements bit for bit, so both give
the same masks and agree to float rounding. See docs/ARCHITECTURE.md (Evaluation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

EVAL_T_MIN = 1e-3


# ----------------------------------------------------------------------------
# Clipped intervals per block size

# The paper's data-driven intervals: U[0.45, 0.95] at L' = 4, U[0.3, 0.8] at L' = 16.
# Small blocks keep the fully masked state (every block starts there when sampling);
# L' = 1 needs none (exact AR loss).
DEFAULT_INTERVALS = {2: (0.5, 1.0), 4: (0.45, 0.95), 8: (0.3, 0.8), 16: (0.3, 0.8),
                     32: (0.3, 0.8)}
FALLBACK_INTERVAL = (0.3, 0.8)


def interval_for(intervals: dict, block_size: int) -> tuple[float, float]:
    return tuple(intervals.get(block_size, intervals.get(str(block_size), FALLBACK_INTERVAL)))


def parse_intervals(text: str) -> dict[int, tuple[float, float]]:
    """'4:0.45:0.95,16:0.3:0.8' -> {4: (0.45, 0.95), 16: (0.3, 0.8)}."""
    out = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        b, lo, hi = item.split(":")
        lo, hi = float(lo), float(hi)
        if not 0.0 <= lo <= hi <= 1.0:
            raise ValueError(f"interval {item!r}: need 0 <= beta <= omega <= 1")
        out[int(b)] = (lo, hi)
    return out


# ----------------------------------------------------------------------------
# Noise: t per block, masks with resampling

def block_layout(length: int, block_size: int, device=None):
    """(block index of each position (L,), maskable (L,) bool: every position but 0)."""
    pos = torch.arange(length, device=device)
    maskable = pos > 0
    return pos // block_size, maskable


def sample_t(batch: int, n_blocks: int, beta: float, omega: float,
             generator: torch.Generator, device=None) -> torch.Tensor:
    """One t per block, uniform on [beta, omega]: (B, n_blocks)."""
    u = torch.rand(batch, n_blocks, generator=generator)
    return (beta + (omega - beta) * u).to(device)


def allowed_counts(n: int, beta: float, omega: float) -> list[int]:
    """Masked counts k in 0..n whose fraction k / n lies in [beta, omega] (eps-tolerant)."""
    eps = 1e-9
    return [k for k in range(n + 1) if beta - eps <= k / n <= omega + eps]


def sample_mask(batch: int, length: int, block_size: int, t: torch.Tensor,
                beta: float, omega: float, generator: torch.Generator,
                max_redraws: int = 100) -> torch.Tensor:
    """Masks (B, L) bool: position i masked with its block's t, BOS never; blocks
    whose masked fraction is outside [beta, omega] redrawn (see module doc)."""
    blk, maskable = block_layout(length, block_size)
    n_blocks = t.shape[1]
    t_pos = t[:, blk]  # (B, L)
    n_per_block = torch.zeros(n_blocks, dtype=torch.long).index_add_(
        0, blk, maskable.long())  # (n_blocks,)
    mask = (torch.rand(batch, length, generator=generator) < t_pos) & maskable
    if block_size == 1:
        return maskable.expand(batch, length).clone()

    def fractions(m):
        counts = torch.zeros(batch, n_blocks, dtype=torch.long).index_add_(1, blk, m.long())
        return counts, counts.double() / n_per_block.clamp(min=1).double()

    eps = 1e-9
    empty = n_per_block == 0  # (n_blocks,) e.g. block 0 of size 1: only BOS
    for _ in range(max_redraws):
        _, frac = fractions(mask)
        bad = ((frac < beta - eps) | (frac > omega + eps)) & ~empty  # (B, n_blocks)
        if not bad.any():
            return mask
        redraw = (torch.rand(batch, length, generator=generator) < t_pos) & maskable
        bad_pos = bad[:, blk]  # (B, L)
        mask = torch.where(bad_pos, redraw, mask)
    # Still outside after max_redraws: the achievable count nearest t * n, >= 1.
    _, frac = fractions(mask)
    bad = ((frac < beta - eps) | (frac > omega + eps)) & ~empty
    for b, j in bad.nonzero().tolist():
        n = int(n_per_block[j])
        options = allowed_counts(n, beta, omega) or list(range(1, n + 1))
        target = float(t[b, j]) * n
        k = min(options, key=lambda c: (abs(c - target), c))
        k = max(k, 1)
        idx = torch.nonzero((blk == j) & maskable).flatten()
        order = torch.randperm(len(idx), generator=generator)
        mask[b, idx] = False
        mask[b, idx[order[:k]]] = True
    return mask


# ----------------------------------------------------------------------------
# The loss

def masked_nll(logp: torch.Tensor, x0: torch.Tensor) -> torch.Tensor:
    """-log p(x0) at every position (B, L) from SUBS log-probs (B, L, V)."""
    return -logp.float().gather(-1, x0[..., None]).squeeze(-1)


def nelbo_terms(nll: torch.Tensor, mask: torch.Tensor, t_pos: torch.Tensor,
                block_size: int) -> torch.Tensor:
    """Per-position NELBO terms (B, L): (1/t) * nll where masked (weight 1 at L' = 1)."""
    weight = torch.ones_like(t_pos) if block_size == 1 else 1.0 / t_pos
    return torch.where(mask, nll * weight, torch.zeros_like(nll))


def masked_logprobs(model, x_t: torch.Tensor, x_0: torch.Tensor, block_size: int,
                    mask: torch.Tensor) -> torch.Tensor:
    """SUBS log-probs (N, V) of the x_t half's masked positions only (row-major order).

    The same network pass as BD3LM.forward_train (x_t + x_0, the three-part mask,
    shared positions), but the output layer runs only on the N masked rows: clean rows
    carry no loss under SUBS, and the (B, L, V) tensors dominate the CPU time."""
    from .network import NEG_INF, training_mask

    L = x_t.shape[1]
    model._check_length(L)
    bb = model.backbone
    tokens = torch.cat([x_t, x_0], dim=1)  # (B, 2L)
    pos = torch.arange(L, device=x_t.device)
    positions = torch.cat([pos, pos])
    attn = training_mask(L, block_size, x_t.device)  # (2L, 2L)
    x = bb.vocab_embed(tokens)  # (B, 2L, D)
    c = bb.conditioning(tokens.shape[0])  # (B, C)
    cos, sin = bb.rotary_emb(positions, x.dtype)
    for block in bb.blocks:
        x, _ = block(x, c, cos, sin, attn)
    h = x[:, :L][mask]  # (N, D)
    rows = mask.nonzero()[:, 0]  # batch index of each masked row
    out = bb.output_layer
    shift, scale = out.adaLN_modulation(c)[rows].chunk(2, dim=-1)  # (N, D) each
    logits = out.linear(modulate_rows(out.norm_final(h), shift, scale))  # (N, V)
    logits = logits.float()
    logits[:, model.config.mask_token_id] += NEG_INF
    return torch.log_softmax(logits, dim=-1)


def modulate_rows(x, shift, scale):
    return x * (1 + scale) + shift


@dataclass
class LossOutput:
    loss: torch.Tensor        # scalar: NELBO per maskable token
    n_tokens: int             # maskable tokens in the batch
    n_masked: int


def training_loss(forward_masked, x0: torch.Tensor, block_size: int, interval,
                  mask_id: int, generator: torch.Generator,
                  max_redraws: int = 100) -> LossOutput:
    """The clipped-schedule NELBO of a batch. forward_masked(x_t, x_0, block_size,
    mask) -> SUBS log-probs (N, V) of the N masked positions (`masked_logprobs`)."""
    B, L = x0.shape
    beta, omega = interval
    n_blocks = (L + block_size - 1) // block_size
    t = sample_t(B, n_blocks, beta, omega, generator)  # (B, n_blocks), CPU
    mask = sample_mask(B, L, block_size, t, beta, omega, generator, max_redraws)
    blk, maskable = block_layout(L, block_size)
    t_pos = t[:, blk].to(x0.device, torch.float32)  # (B, L)
    mask = mask.to(x0.device)
    x_t = torch.where(mask, torch.full_like(x0, mask_id), x0)
    logp = forward_masked(x_t, x0, block_size, mask)  # (N, V)
    nll = -logp.gather(-1, x0[mask][:, None]).squeeze(-1)  # (N,)
    weight = torch.ones_like(nll) if block_size == 1 else 1.0 / t_pos[mask]
    n_tok = int(maskable.sum()) * B
    return LossOutput((nll * weight).sum() / n_tok, n_tok, int(mask.sum()))


# ----------------------------------------------------------------------------
# Counter-based random numbers shared with the C++ evaluator

_M64 = (1 << 64) - 1


def _splitmix64(z: np.ndarray) -> np.ndarray:
    z = (z + np.uint64(0x9E3779B97F4A7C15)) & np.uint64(_M64)
    z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & np.uint64(_M64)
    z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & np.uint64(_M64)
    return z ^ (z >> np.uint64(31))


def uniform(seed: int, *keys, index=None) -> np.ndarray:
    """Uniform doubles in [0, 1) from (seed, keys..., index): h = sm(seed); for each
    key, h = sm(h ^ key); u = (h >> 11) * 2^-53. index (array) is the last key."""
    with np.errstate(over="ignore"):
        h = _splitmix64(np.array([seed & _M64], dtype=np.uint64))
        for k in keys:
            h = _splitmix64(h ^ np.uint64(k & _M64))
        if index is not None:
            h = _splitmix64(h ^ np.asarray(index, dtype=np.uint64))
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def eval_windows(ids: list[int], bos_id: int, model_length: int) -> list[list[int]]:
    """[BOS] + the next model_length - 1 tokens, for every chunk of the text's ids."""
    w = model_length - 1
    return [[bos_id] + ids[s:s + w] for s in range(0, len(ids), w)]


def eval_noise(seed: int, pass_index: int, window: int, length: int, block_size: int):
    """(t per position (L,) float64, mask (L,) bool) of one window, the C++ way:
    t_b = 1e-3 + (1 - 1e-3) * u(seed, pass, window, b, 0); position i of block b is
    masked iff u(seed, pass, window, b, 1, i) < t_b; position 0 never; L' = 1: all."""
    n_blocks = (length + block_size - 1) // block_size
    t = np.empty(n_blocks)
    for b in range(n_blocks):
        t[b] = EVAL_T_MIN + (1.0 - EVAL_T_MIN) * uniform(seed, pass_index, window, b, 0)[0]
    pos = np.arange(length)
    blk = pos // block_size
    t_pos = t[blk]
    if block_size == 1:
        mask = pos > 0
    else:
        u = np.empty(length)
        for b in range(n_blocks):
            sel = blk == b
            u[sel] = uniform(seed, pass_index, window, b, 1, index=pos[sel])
        mask = (u < t_pos) & (pos > 0)
    return t_pos, mask


@torch.no_grad()
def nelbo_counter_based(model, ids: list[int], bos_id: int, block_size: int,
                        seed: int = 0, passes: int = 1, batch: int = 8,
                        device="cpu") -> dict:
    """NELBO bound of a token sequence (no BOS) under `model` (a BD3LM).

    Returns {"nll": total over passes, "tokens": scored tokens per pass,
    "nelbo": mean per token, "ppl": exp(nelbo)}."""
    L = model.config.model_length
    mask_id = model.config.mask_token_id
    windows = eval_windows(ids, bos_id, L)
    total = 0.0
    for p in range(passes):
        # windows of equal length batch together (all but maybe the last)
        for start in range(0, len(windows), batch):
            group = windows[start:start + batch]
            by_len: dict[int, list[int]] = {}
            for j, w in enumerate(group):
                by_len.setdefault(len(w), []).append(j)
            for length, members in by_len.items():
                x0 = torch.tensor([group[j] for j in members], dtype=torch.long, device=device)
                ts, ms = zip(*(eval_noise(seed, p, start + j, length, block_size)
                               for j in members))
                t_pos = torch.tensor(np.stack(ts), dtype=torch.float64, device=device)
                mask = torch.tensor(np.stack(ms), device=device)
                x_t = torch.where(mask, torch.full_like(x0, mask_id), x0)
                logp = model.forward_train(x_t, x0, block_size)
                nll = masked_nll(logp, x0).double()
                weight = torch.ones_like(t_pos) if block_size == 1 else 1.0 / t_pos
                total += float(torch.where(mask, nll * weight, torch.zeros_like(nll)).sum())
    tokens = sum(len(w) - 1 for w in windows)
    nelbo = total / (passes * tokens)
    return {"nll": total, "tokens": tokens, "nelbo": nelbo, "ppl": math.exp(nelbo)}


# ----------------------------------------------------------------------------
# The data-driven interval: variance of the clipped NELBO estimate

CANDIDATE_INTERVALS = [(0.0, 1.0), (0.1, 0.9), (0.2, 0.9), (0.3, 0.8), (0.45, 0.95),
                       (0.5, 1.0), (0.2, 0.7), (0.3, 1.0)]


@torch.no_grad()
def search_intervals(forward_masked, batches: list[torch.Tensor], block_sizes, mask_id: int,
                     seed: int = 0, candidates=CANDIDATE_INTERVALS, repeats: int = 4) -> dict:
    """For each block size (> 1), the candidate [beta, omega] whose NELBO estimate on
    the validation batches has the lowest variance (over batches and noise draws), as
    in the paper's clipped schedule search. Returns {block size: (beta, omega, var)}."""
    out = {}
    for bs in block_sizes:
        if bs == 1:
            continue
        best = None
        for beta, omega in candidates:
            g = torch.Generator().manual_seed(seed)
            values = []
            for x0 in batches:
                for _ in range(repeats):
                    values.append(float(training_loss(forward_masked, x0, bs, (beta, omega),
                                                      mask_id, g).loss))
            var = float(np.var(values))
            if best is None or var < best[2]:
                best = (beta, omega, var)
        out[bs] = best
    return out
