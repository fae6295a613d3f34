"""Block-by-block generation with the PyTorch reference network, the way the
reference sampler runs it: per block, denoising passes over the noisy block
against the key/value cache (the output layer for every position of the
block), then one more pass over the clean block to store its keys and values.

Used as the other side of the speed comparison in tools/benchmark.py; it
reveals with top-k confidence on the log-linear schedule, as `bd3 bench` does,
so both make the same number of passes whatever they draw.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from .network import BD3LM, KVCache, block_causal_mask


@dataclass
class GenerationTiming:
    tokens: int
    nfe: int
    seconds: float          # the whole generation, prompt pass included
    denoise_seconds: float  # the denoising passes only


@torch.no_grad()
def generate_top_k(model: BD3LM, prompt: list[int], block_size: int, steps: int, new_tokens: int,
                   seed: int = 0) -> tuple[list[int], GenerationTiming]:
    cfg = model.config
    device = next(model.parameters()).device  # the CPU or a GPU, wherever the model is
    # A GPU runs asynchronously: a pass is timed once its work is done.
    finish = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    generator = torch.Generator(device=device).manual_seed(seed)
    start = time.perf_counter()
    tokens = torch.tensor([prompt], device=device)  # (1, P), BOS first
    whole = tokens.shape[1] // block_size * block_size
    cache = KVCache()
    if whole:
        # The prompt's whole blocks in one pass under the block-causal mask.
        positions = torch.arange(whole, device=device)
        mask = block_causal_mask(whole, block_size, device)
        _, new_kv = model.backbone.run(tokens[:, :whole], positions, mask)
        cache.append(new_kv)
    prefix = tokens[:, whole:]
    out, nfe, denoise = list(prompt), 0, 0.0
    generated = 0
    while generated < new_tokens:
        masks = min(block_size - prefix.shape[1], new_tokens - generated)
        block = torch.cat([prefix, torch.full((1, masks), cfg.mask_token_id, device=device)], dim=1)  # (1, T)
        for step in range(steps):
            masked = (block[0] == cfg.mask_token_id).nonzero().flatten()
            if masked.numel() == 0:
                break
            t0 = time.perf_counter()
            logp = model.forward_block(block, cache, commit=False)[0]  # (T, V)
            finish()
            denoise += time.perf_counter() - t0
            nfe += 1
            probs = logp[masked].exp()  # (M, V)
            drawn = torch.multinomial(probs, 1, generator=generator).flatten()  # (M,)
            confidence = probs.gather(1, drawn[:, None]).flatten()
            # Log-linear schedule: masks left after this step = masks * (1 - (step + 1) / steps).
            target = round(masks * (1 - (step + 1) / steps))
            k = max(1, masked.numel() - target)
            chosen = confidence.topk(min(k, masked.numel())).indices
            block[0, masked[chosen]] = drawn[chosen]
        model.forward_block(block, cache, commit=True)
        out.extend(block[0, prefix.shape[1]:].tolist())
        generated += masks
        prefix = block[:, :0]
        if len(cache) + block_size > cfg.model_length:
            break  # the benchmark stays within one context
    seconds = time.perf_counter() - start
    return out, GenerationTiming(generated, nfe, seconds, denoise)
