"""The BD3-LM network: a PyTorch reference of the published checkpoints.

A diffusion transformer (DiT) with adaLN conditioning, rotary attention and the
SUBS output parameterisation, as described in docs section 2 of
the project's BD3-LM reference notes. Parameter names match the published
`kuleshov-group/bd3lm-owt-block_size*` checkpoints exactly (all under `backbone.`).

Three ways to run it, which must agree (tests/tools/test_network.py checks this):
  (a) `BD3LM.forward(tokens, block_size)`: a whole sequence under the inference
      block-causal mask (a query in block b sees keys in blocks <= b);
  (b) `BD3LM.forward_train(x_t, x_0, block_size)`: the vectorised training pass over
      concat(x_t, x_0) with shared positions and the three-part mask (section 3);
  (c) `BD3LM.forward_cached(tokens, block_size)`: block by block with an explicit
      key/value cache (`KVCache`, `BD3LM.forward_block`), the way a sampler runs.

Time conditioning is off in every BD3-LM (sigma = 0), so the adaLN conditioning
vector c is a constant of the weights; it is still computed from sigma_map so that
every weight matters.

Shapes: B batch, L sequence length, D hidden_dim, C cond_dim, H heads,
Dh head_dim = D / H, V vocab_size (the [MASK] token included).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

# Stand-in for log(0) in SUBS outputs. The reference code uses the same finite
# value (-1e6) instead of -inf, which keeps comparisons free of inf - inf = nan.
# Any log-probability below NEG_INF / 10 means "probability zero".
NEG_INF = -1.0e6


@dataclass
class BD3LMConfig:
    vocab_size: int                  # V, [MASK] included
    hidden_dim: int = 768            # D
    cond_dim: int = 128              # C
    n_blocks: int = 12               # transformer layers
    n_heads: int = 12                # H
    model_length: int = 1024         # context: the most tokens attention ever sees
    mask_token_id: Optional[int] = None  # defaults to vocab_size - 1
    freq_embed_dim: int = 256        # width of the sinusoidal timestep embedding
    rope_base: float = 10000.0
    norm_eps: float = 1e-5
    dropout: float = 0.0             # for the trainer; inactive in eval()

    def __post_init__(self):
        if self.mask_token_id is None:
            self.mask_token_id = self.vocab_size - 1
        if self.hidden_dim % self.n_heads != 0:
            raise ValueError("hidden_dim must be a multiple of n_heads")
        if self.head_dim % 2 != 0:
            raise ValueError("head_dim must be even (rotary embedding)")
        if not 0 <= self.mask_token_id < self.vocab_size:
            raise ValueError("mask_token_id out of range")

    @property
    def head_dim(self) -> int:
        return self.hidden_dim // self.n_heads

    def to_dict(self) -> dict:
        return asdict(self)


def expected_shapes(cfg: BD3LMConfig) -> dict[str, tuple[int, ...]]:
    """Name -> shape of every tensor in a checkpoint, in a fixed order."""
    V, D, C, F_ = cfg.vocab_size, cfg.hidden_dim, cfg.cond_dim, cfg.freq_embed_dim
    p = "backbone."
    shapes = {
        p + "vocab_embed.embedding": (V, D),
        p + "sigma_map.mlp.0.weight": (C, F_),
        p + "sigma_map.mlp.0.bias": (C,),
        p + "sigma_map.mlp.2.weight": (C, C),
        p + "sigma_map.mlp.2.bias": (C,),
        p + "rotary_emb.inv_freq": (cfg.head_dim // 2,),
    }
    for i in range(cfg.n_blocks):
        b = f"{p}blocks.{i}."
        shapes.update({
            b + "norm1.weight": (D,),
            b + "attn_qkv.weight": (3 * D, D),
            b + "attn_out.weight": (D, D),
            b + "norm2.weight": (D,),
            b + "mlp.0.weight": (4 * D, D),
            b + "mlp.0.bias": (4 * D,),
            b + "mlp.2.weight": (D, 4 * D),
            b + "mlp.2.bias": (D,),
            b + "adaLN_modulation.weight": (6 * D, C),
            b + "adaLN_modulation.bias": (6 * D,),
        })
    shapes.update({
        p + "output_layer.norm_final.weight": (D,),
        p + "output_layer.linear.weight": (V, D),
        p + "output_layer.linear.bias": (V,),
        p + "output_layer.adaLN_modulation.weight": (2 * D, C),
        p + "output_layer.adaLN_modulation.bias": (2 * D,),
    })
    return shapes


def rotary_inv_freq(head_dim: int, base: float = 10000.0) -> torch.Tensor:
    """inv_freq[j] = base^(-2j / head_dim), j < head_dim / 2, in float32 like the reference."""
    return 1.0 / (base ** (torch.arange(0, head_dim, 2).float() / head_dim))  # (Dh/2,)


# ----------------------------------------------------------------------------
# Attention masks (True = the query may attend to the key)

def block_causal_mask(length: int, block_size: int, device=None) -> torch.Tensor:
    """Inference mask: query in block b sees every key in blocks <= b."""
    blk = torch.arange(length, device=device) // block_size  # (L,)
    return blk[:, None] >= blk[None, :]  # (L, L)


def training_mask(length: int, block_size: int, device=None) -> torch.Tensor:
    """Mask of the vectorised training pass over concat(x_t, x_0), length 2L.

    Allowed when any of: same block and same half; query in x_t, key in x_0 and the
    key's block < the query's block; both in x_0 and key's block <= query's block.
    """
    idx = torch.arange(2 * length, device=device)
    is_x0 = idx >= length                  # (2L,)
    blk = (idx % length) // block_size     # (2L,) block of the shared position
    q_x0, k_x0 = is_x0[:, None], is_x0[None, :]
    q_blk, k_blk = blk[:, None], blk[None, :]
    block_diagonal = (q_blk == k_blk) & (q_x0 == k_x0)
    offset_block_causal = (q_blk > k_blk) & k_x0 & ~q_x0
    block_causal = (q_blk >= k_blk) & k_x0 & q_x0
    return block_diagonal | offset_block_causal | block_causal  # (2L, 2L)


# ----------------------------------------------------------------------------
# Building blocks

class LayerNorm(nn.Module):
    """LayerNorm without bias, computed in fp32 (or wider), then scaled by weight."""

    def __init__(self, dim: int, eps: float = 1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        # fp16/bf16 inputs are normalised in fp32; fp32/fp64 stay as they are.
        xf = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
        y = F.layer_norm(xf, (xf.shape[-1],), eps=self.eps).to(x.dtype)
        return y * self.weight


class Rotary(nn.Module):
    """Rotary position embedding, rotate-half (NeoX) style over all head dims."""

    def __init__(self, head_dim: int, base: float = 10000.0):
        super().__init__()
        self.register_buffer("inv_freq", rotary_inv_freq(head_dim, base))

    def forward(self, positions: torch.Tensor, dtype: torch.dtype):
        freqs = positions.to(self.inv_freq.dtype)[:, None] * self.inv_freq[None, :]  # (T, Dh/2)
        emb = torch.cat([freqs, freqs], dim=-1)  # (T, Dh): frequencies concatenated twice
        return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([-x2, x1], dim=-1)


def apply_rotary(x, cos, sin):
    # x: (B, H, T, Dh); cos, sin: (T, Dh)
    return x * cos + rotate_half(x) * sin


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10000.0):
    """Sinusoidal embedding: [cos(t f_0..f_{dim/2-1}), sin(...)]; t = 0 gives [1..1, 0..0]."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
    args = t[:, None].float() * freqs[None, :].to(t.device)  # (B, dim/2)
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)  # (B, dim)


class TimestepEmbedder(nn.Module):
    def __init__(self, cond_dim: int, freq_embed_dim: int = 256):
        super().__init__()
        self.freq_embed_dim = freq_embed_dim
        self.mlp = nn.Sequential(
            nn.Linear(freq_embed_dim, cond_dim, bias=True),
            nn.SiLU(),
            nn.Linear(cond_dim, cond_dim, bias=True),
        )

    def forward(self, t):
        emb = timestep_embedding(t, self.freq_embed_dim).to(self.mlp[0].weight.dtype)  # (B, 256)
        return self.mlp(emb)  # (B, C)


class EmbeddingLayer(nn.Module):
    def __init__(self, dim: int, vocab_size: int):
        super().__init__()
        self.embedding = nn.Parameter(torch.empty(vocab_size, dim))
        nn.init.normal_(self.embedding, std=0.02)

    def forward(self, tokens):
        return self.embedding[tokens]  # (B, L, D)


def modulate(x, shift, scale):
    return x * (1 + scale) + shift


def attention(q, k, v, mask):
    """Softmax attention. q: (B, H, Tq, Dh); k, v: (B, H, Tk, Dh); mask: (Tq, Tk) bool."""
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])  # (B, H, Tq, Tk)
    scores = scores.masked_fill(~mask, float("-inf"))  # every row keeps at least itself
    return torch.softmax(scores, dim=-1) @ v  # (B, H, Tq, Dh)


class DDiTBlock(nn.Module):
    def __init__(self, cfg: BD3LMConfig):
        super().__init__()
        D, C = cfg.hidden_dim, cfg.cond_dim
        self.n_heads = cfg.n_heads
        self.norm1 = LayerNorm(D, cfg.norm_eps)
        self.attn_qkv = nn.Linear(D, 3 * D, bias=False)
        self.attn_out = nn.Linear(D, D, bias=False)
        self.norm2 = LayerNorm(D, cfg.norm_eps)
        self.mlp = nn.Sequential(
            nn.Linear(D, 4 * D, bias=True),
            nn.GELU(approximate="tanh"),
            nn.Linear(4 * D, D, bias=True),
        )
        self.adaLN_modulation = nn.Linear(C, 6 * D, bias=True)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x, c, cos, sin, mask, past_kv=None):
        """x: (B, T, D); c: (B, C); cos, sin: (T, Dh); mask: (T, T_past + T).

        past_kv: optional (k, v), each (B, H, T_past, Dh), already rotated: keys of
        earlier positions that this step's queries may see (a cache).
        Returns the new x and this step's own (k, v) for the cache.
        """
        B, T, D = x.shape
        H = self.n_heads
        mods = self.adaLN_modulation(c)[:, None, :]  # (B, 1, 6D)
        shift1, scale1, gate1, shift2, scale2, gate2 = mods.chunk(6, dim=-1)  # each (B, 1, D)

        # attention
        a = modulate(self.norm1(x), shift1, scale1)  # (B, T, D)
        qkv = self.attn_qkv(a).view(B, T, 3, H, D // H)  # [q | k | v], heads contiguous
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # each (B, H, T, Dh)
        q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        if past_kv is not None:
            k_all = torch.cat([past_kv[0], k], dim=2)  # (B, H, T_past + T, Dh)
            v_all = torch.cat([past_kv[1], v], dim=2)
        else:
            k_all, v_all = k, v
        o = attention(q, k_all, v_all, mask)  # (B, H, T, Dh)
        o = o.transpose(1, 2).reshape(B, T, D)  # (B, T, D)
        x = x + gate1 * self.dropout(self.attn_out(o))

        # MLP
        m = modulate(self.norm2(x), shift2, scale2)  # (B, T, D)
        x = x + gate2 * self.dropout(self.mlp(m))
        return x, (k, v)


class FinalLayer(nn.Module):
    def __init__(self, cfg: BD3LMConfig):
        super().__init__()
        D, C = cfg.hidden_dim, cfg.cond_dim
        self.norm_final = LayerNorm(D, cfg.norm_eps)
        self.linear = nn.Linear(D, cfg.vocab_size, bias=True)
        self.adaLN_modulation = nn.Linear(C, 2 * D, bias=True)

    def forward(self, x, c):
        shift, scale = self.adaLN_modulation(c)[:, None, :].chunk(2, dim=-1)  # (B, 1, D) each
        return self.linear(modulate(self.norm_final(x), shift, scale))  # (B, T, V)


class DiT(nn.Module):
    """The backbone; its attribute names are the checkpoint's tensor names."""

    def __init__(self, cfg: BD3LMConfig):
        super().__init__()
        self.vocab_embed = EmbeddingLayer(cfg.hidden_dim, cfg.vocab_size)
        self.sigma_map = TimestepEmbedder(cfg.cond_dim, cfg.freq_embed_dim)
        self.rotary_emb = Rotary(cfg.head_dim, cfg.rope_base)
        self.blocks = nn.ModuleList([DDiTBlock(cfg) for _ in range(cfg.n_blocks)])
        self.output_layer = FinalLayer(cfg)

    def conditioning(self, batch: int):
        """c = SiLU(MLP(timestep_embedding(sigma = 0))): the same for every input."""
        sigma = torch.zeros(batch, device=self.vocab_embed.embedding.device)
        return F.silu(self.sigma_map(sigma))  # (B, C)

    def run(self, tokens, positions, mask, past=None):
        """Embed, run every layer, project to logits.

        tokens: (B, T); positions: (T,) rotary positions; mask: (T, T_past + T);
        past: optional list of per-layer (k, v) caches. Returns logits (B, T, V)
        and the list of this step's per-layer (k, v).
        """
        x = self.vocab_embed(tokens)  # (B, T, D)
        c = self.conditioning(tokens.shape[0])  # (B, C)
        cos, sin = self.rotary_emb(positions, x.dtype)  # (T, Dh) each
        new_kv = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, c, cos, sin, mask, None if past is None else past[i])
            new_kv.append(kv)
        return self.output_layer(x, c), new_kv


# ----------------------------------------------------------------------------
# The model: backbone + SUBS output

class KVCache:
    """Per-layer rotated keys and values of the committed (clean) blocks."""

    def __init__(self):
        self.layers: Optional[list] = None  # list of (k, v), each (B, H, T_cached, Dh)

    def __len__(self):
        return 0 if self.layers is None else self.layers[0][0].shape[2]

    def append(self, new_kv):
        if self.layers is None:
            self.layers = [(k, v) for k, v in new_kv]
        else:
            self.layers = [(torch.cat([k0, k], dim=2), torch.cat([v0, v], dim=2))
                           for (k0, v0), (k, v) in zip(self.layers, new_kv)]


class BD3LM(nn.Module):
    def __init__(self, cfg: BD3LMConfig):
        super().__init__()
        self.config = cfg
        self.backbone = DiT(cfg)
        init_weights(self, "dit")

    # -- output parameterisation ------------------------------------------------

    def subs(self, logits, tokens):
        """SUBS: the model never predicts [MASK]; clean positions copy their token.

        logits: (B, T, V); tokens: (B, T) the input at those positions.
        Returns log-probs (B, T, V). Zero probability is NEG_INF (finite).
        """
        mask_id = self.config.mask_token_id
        logits = logits.clone()
        logits[..., mask_id] += NEG_INF
        logp = torch.log_softmax(logits, dim=-1)  # (B, T, V)
        forced = torch.full_like(logp, NEG_INF)
        forced.scatter_(-1, tokens[..., None], 0.0)  # 0 at the token itself
        clean = (tokens != mask_id)[..., None]  # (B, T, 1)
        return torch.where(clean, forced, logp)

    def _check_length(self, length):
        if length > self.config.model_length:
            raise ValueError(f"{length} tokens exceed model_length {self.config.model_length}")

    # -- (a) whole sequence, inference mask ---------------------------------------

    def forward(self, tokens, block_size: int):
        """tokens: (B, L) -> SUBS log-probs (B, L, V) under the block-causal mask."""
        L = tokens.shape[1]
        self._check_length(L)
        positions = torch.arange(L, device=tokens.device)
        mask = block_causal_mask(L, block_size, tokens.device)  # (L, L)
        logits, _ = self.backbone.run(tokens, positions, mask)
        return self.subs(logits, tokens)

    # -- (b) vectorised training pass -------------------------------------------

    def forward_train(self, x_t, x_0, block_size: int):
        """x_t, x_0: (B, L) noisy and clean -> SUBS log-probs of the x_t half (B, L, V)."""
        L = x_t.shape[1]
        self._check_length(L)
        tokens = torch.cat([x_t, x_0], dim=1)  # (B, 2L)
        pos = torch.arange(L, device=x_t.device)
        positions = torch.cat([pos, pos])  # (2L,): position i and L + i share rotary i
        mask = training_mask(L, block_size, x_t.device)  # (2L, 2L)
        logits, _ = self.backbone.run(tokens, positions, mask)
        return self.subs(logits[:, :L], x_t)

    # -- (c) block by block with a key/value cache -------------------------------

    def forward_block(self, block_tokens, cache: KVCache, commit: bool):
        """Run one block after the cached ones.

        block_tokens: (B, T) the block (noisy while denoising, clean to commit);
        it sees every cached key and itself bidirectionally. With commit=True its
        keys and values are appended to the cache. Returns log-probs (B, T, V).
        """
        T, start = block_tokens.shape[1], len(cache)
        self._check_length(start + T)
        positions = torch.arange(start, start + T, device=block_tokens.device)
        mask = torch.ones(T, start + T, dtype=torch.bool, device=block_tokens.device)
        logits, new_kv = self.backbone.run(block_tokens, positions, mask, cache.layers)
        if commit:
            cache.append(new_kv)
        return self.subs(logits, block_tokens)

    def forward_cached(self, tokens, block_size: int):
        """(B, L) -> (B, L, V), one block at a time; equals forward(tokens, block_size)."""
        cache = KVCache()
        out = [self.forward_block(tokens[:, s:s + block_size], cache, commit=True)
               for s in range(0, tokens.shape[1], block_size)]
        return torch.cat(out, dim=1)


# ----------------------------------------------------------------------------
# Initialisation

def random_state_dict(cfg: BD3LMConfig, scheme: str = "random", seed: int = 0,
                      dtype: torch.dtype = torch.float32) -> dict[str, torch.Tensor]:
    """Fresh weights by name, without building a module (fast for big models).

    scheme "dit": what a trainer starts from. Weights normal(0, 0.02), biases 0,
      norms 1, and, as in the published DiT, adaLN and the output projection
      zero-initialised (every block starts as the identity).
    scheme "random": every parameter random at a scale that keeps activations
      O(1) (weights normal(0, 1/sqrt(fan_in)), biases and norm offsets small), so
      that a random test model exercises every tensor, adaLN included, and a wrong
      detail (GELU flavour, chunk order, rotary style) shows in the log-probs.
    rotary_emb.inv_freq is always the exact float32 formula.
    """
    if scheme not in ("dit", "random"):
        raise ValueError(f"unknown init scheme {scheme!r}")
    g = torch.Generator().manual_seed(seed)

    def normal(shape, std, mean=0.0):
        return torch.randn(shape, generator=g, dtype=torch.float32).mul_(std).add_(mean)

    out = {}
    for name, shape in expected_shapes(cfg).items():
        leaf = name.rsplit(".", 1)[-1]
        if name.endswith("rotary_emb.inv_freq"):
            t = rotary_inv_freq(cfg.head_dim, cfg.rope_base)
        elif scheme == "dit":
            if "norm" in name:
                t = torch.ones(shape)
            elif "adaLN_modulation" in name or "output_layer.linear" in name or leaf == "bias":
                t = torch.zeros(shape)
            else:
                t = normal(shape, 0.02)
        else:  # random
            if "norm" in name:
                t = normal(shape, 0.1, mean=1.0)
            elif name.endswith("vocab_embed.embedding"):
                t = normal(shape, 1.0)
            elif leaf == "bias":
                t = normal(shape, 0.1)
            elif "adaLN_modulation" in name:
                # c is O(0.3); this keeps shifts, scales and gates around 0.2-0.3
                t = normal(shape, 1.0 / math.sqrt(shape[1]))
            elif ".mlp.0.weight" in name and "sigma_map" not in name:
                # pre-activations O(2): the GELU's curved part (tanh vs erf) matters
                t = normal(shape, 2.0 / math.sqrt(shape[1]))
            elif name.endswith("output_layer.linear.weight"):
                # logits O(2): peaked distributions (about 4.5 nats), like a real LM
                t = normal(shape, 2.0 / math.sqrt(shape[1]))
            else:
                t = normal(shape, 1.0 / math.sqrt(shape[1]))
        out[name] = t if name.endswith("inv_freq") else t.to(dtype)
    return out


@torch.no_grad()
def init_weights(model: BD3LM, scheme: str = "dit", seed: int = 0):
    """Overwrite every parameter of `model` with random_state_dict(scheme, seed)."""
    sd = random_state_dict(model.config, scheme, seed)
    model.load_state_dict(sd, strict=True)
    return model
