"""The Qwen-family block-diffusion decoders: a PyTorch reference.

Written from the description in the official model code (read for facts only):
  SDAR / TraDo      JetAstra/SDAR training/model/SDAR-4B-Chat/modeling_sdar.py, config.json
                    (model_type "sdar": a Qwen3 decoder)
  dllm BD3LM (A2D)  ZHZisZZ/dllm dllm/pipelines/a2d/models/qwen3/modeling_qwen3.py
                    (model_type "a2d-qwen3": transformers' Qwen3 with a non-causal mask)
  Fast-dLLM v2      Fast_dLLM_v2 modeling.py (Fast_dLLM_QwenForCausalLM)
                    (model_type "Fast_dLLM_Qwen": a Qwen2 decoder)

The network (B batch, T tokens, D hidden_size, H q heads, Hkv kv heads, Dh head_dim):
  x = embed_tokens[tokens]                                        (B, T, D)
  per layer:
    h = RMSNorm_in(x)
    q = q_proj(h) -> (B, H, T, Dh);  k, v = k_proj(h), v_proj(h) -> (B, Hkv, T, Dh)
    Qwen3 only: q = RMSNorm_q(q), k = RMSNorm_k(k) over Dh (weights of size Dh), BEFORE rotary
    q, k = rotary(q), rotary(k): rotate-half over all of Dh, inv_freq = theta^(-2j/Dh)
    attention with scale Dh^-0.5; kv head j serves q heads j*H/Hkv .. (j+1)*H/Hkv - 1
    x = x + o_proj(attention)
    x = x + down_proj(silu(gate_proj(g)) * up_proj(g)),  g = RMSNorm_post(x)
  logits = lm_head(RMSNorm_final(x))    (lm_head = embed_tokens when tie_word_embeddings)
  RMSNorm(x) = weight * (x * rsqrt(mean(x^2) + eps)), the normalisation in fp32 (or wider).

Bias: Qwen3 (sdar, a2d-qwen3): q, k, v and o have a bias only if attention_bias (false in
every published checkpoint). Qwen2 (Fast_dLLM_Qwen): q, k, v always with bias, o never;
no q/k norm.

Attention mask at inference: block-causal with blocks aligned at absolute position 0:
a query at position i sees the key at position j iff j // B <= i // B (B the block size).

Logits: the reference returns the raw logits of every row. sdar and a2d-qwen3 are
"unshifted" (row i predicts token i); Fast_dLLM_Qwen is "shifted" (row i - 1 predicts
token i). `QwenConfig.logits` records which.

Two ways to run, which agree (tests/tools/test_qwen_network.py):
  (a) `QwenForCausalLM.forward(tokens, block_size)`: a whole sequence under the mask;
  (b) `QwenForCausalLM.forward_chunk(tokens, cache, ...)`: a chunk of tokens after the
      keys/values held in an explicit `KVCache`, at given absolute positions,
      optionally appending the chunk's keys/values to the cache.
"""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from .safetensors_io import load_file

# model_type -> the family's fixed facts
FAMILIES = {
    "sdar": dict(decoder="qwen3", block_key="block_size", logits="unshifted"),
    "a2d-qwen3": dict(decoder="qwen3", block_key="block_size", logits="unshifted"),
    "Fast_dLLM_Qwen": dict(decoder="qwen2", block_key="bd_size", logits="shifted"),
}


@dataclass
class QwenConfig:
    model_type: str
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    head_dim: int
    rms_norm_eps: float
    rope_theta: float
    max_position_embeddings: int
    tie_word_embeddings: bool
    qkv_bias: bool           # bias on q_proj, k_proj, v_proj
    o_bias: bool             # bias on o_proj
    qk_norm: bool            # per-head RMSNorm on q and k (Qwen3)
    block_size: Optional[int] = None     # config's block_size / bd_size, if any
    mask_token_id: Optional[int] = None
    logits: str = "unshifted"            # "unshifted" | "shifted"

    def __post_init__(self):
        if self.num_attention_heads % self.num_key_value_heads:
            raise ValueError("num_attention_heads must be a multiple of num_key_value_heads")
        if self.head_dim % 2:
            raise ValueError("head_dim must be even (rotary embedding)")
        if self.logits not in ("unshifted", "shifted"):
            raise ValueError(f"logits must be 'unshifted' or 'shifted', not {self.logits!r}")

    @property
    def kv_groups(self) -> int:
        return self.num_attention_heads // self.num_key_value_heads

    @classmethod
    def from_hf(cls, raw: dict) -> "QwenConfig":
        """From a Hugging Face config.json dict of one of the FAMILIES."""
        mt = raw.get("model_type")
        if mt not in FAMILIES:
            raise ValueError(f"model_type {mt!r} is not one of {sorted(FAMILIES)}")
        fam = FAMILIES[mt]
        if raw.get("hidden_act", "silu") != "silu":
            raise ValueError(f"hidden_act {raw['hidden_act']!r}: only silu is implemented")
        scaling = raw.get("rope_scaling")
        if scaling and scaling.get("rope_type", scaling.get("type")) not in (None, "default"):
            raise ValueError(f"rope_scaling {scaling!r}: only the default rotary is implemented")
        if raw.get("use_sliding_window"):
            raise ValueError("use_sliding_window: sliding-window attention is not implemented")
        if any(t != "full_attention" for t in raw.get("layer_types") or []):
            raise ValueError("layer_types: only full_attention layers are implemented")
        heads = raw["num_attention_heads"]
        attention_bias = bool(raw.get("attention_bias", False))
        qwen2 = fam["decoder"] == "qwen2"
        return cls(
            model_type=mt,
            vocab_size=raw["vocab_size"],
            hidden_size=raw["hidden_size"],
            intermediate_size=raw["intermediate_size"],
            num_hidden_layers=raw["num_hidden_layers"],
            num_attention_heads=heads,
            num_key_value_heads=raw.get("num_key_value_heads") or heads,
            head_dim=raw.get("head_dim") or raw["hidden_size"] // heads,
            rms_norm_eps=raw.get("rms_norm_eps", 1e-6),
            rope_theta=raw.get("rope_theta", 10000.0),
            max_position_embeddings=raw.get("max_position_embeddings", 32768),
            tie_word_embeddings=bool(raw.get("tie_word_embeddings", False)),
            qkv_bias=True if qwen2 else attention_bias,
            o_bias=False if qwen2 else attention_bias,
            qk_norm=not qwen2,
            block_size=raw.get(fam["block_key"]),
            mask_token_id=raw.get("mask_token_id"),
            logits=fam["logits"],
        )

    def to_dict(self) -> dict:
        return asdict(self)


def expected_shapes(cfg: QwenConfig) -> dict[str, tuple[int, ...]]:
    """Name -> shape of every tensor of a checkpoint (HF names), in model order."""
    D, I, V = cfg.hidden_size, cfg.intermediate_size, cfg.vocab_size
    Hq, Hkv = cfg.num_attention_heads * cfg.head_dim, cfg.num_key_value_heads * cfg.head_dim
    shapes = {"model.embed_tokens.weight": (V, D)}
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}."
        shapes[p + "input_layernorm.weight"] = (D,)
        shapes[p + "self_attn.q_proj.weight"] = (Hq, D)
        if cfg.qkv_bias:
            shapes[p + "self_attn.q_proj.bias"] = (Hq,)
        shapes[p + "self_attn.k_proj.weight"] = (Hkv, D)
        if cfg.qkv_bias:
            shapes[p + "self_attn.k_proj.bias"] = (Hkv,)
        shapes[p + "self_attn.v_proj.weight"] = (Hkv, D)
        if cfg.qkv_bias:
            shapes[p + "self_attn.v_proj.bias"] = (Hkv,)
        shapes[p + "self_attn.o_proj.weight"] = (D, Hq)
        if cfg.o_bias:
            shapes[p + "self_attn.o_proj.bias"] = (D,)
        if cfg.qk_norm:
            shapes[p + "self_attn.q_norm.weight"] = (cfg.head_dim,)
            shapes[p + "self_attn.k_norm.weight"] = (cfg.head_dim,)
        shapes[p + "post_attention_layernorm.weight"] = (D,)
        shapes[p + "mlp.gate_proj.weight"] = (I, D)
        shapes[p + "mlp.up_proj.weight"] = (I, D)
        shapes[p + "mlp.down_proj.weight"] = (D, I)
    shapes["model.norm.weight"] = (D,)
    if not cfg.tie_word_embeddings:
        shapes["lm_head.weight"] = (V, D)
    return shapes


def block_causal_mask(q_pos: torch.Tensor, k_pos: torch.Tensor,
                      block_size: Optional[int]) -> torch.Tensor:
    """(Tq, Tk) bool, True = visible: key position j // B <= query position i // B.
    block_size None: every key visible (a bidirectional chunk)."""
    if block_size is None:
        return torch.ones(q_pos.shape[0], k_pos.shape[0], dtype=torch.bool, device=q_pos.device)
    if block_size < 1:
        raise ValueError("block_size must be >= 1")
    return (k_pos[None, :] // block_size) <= (q_pos[:, None] // block_size)


# ----------------------------------------------------------------------------
# Building blocks


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        # normalised in fp32 for fp16/bf16 inputs (fp32/fp64 as they are), then
        # cast back and scaled by the weight, as the official code does
        xf = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
        y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * y.to(x.dtype)


class Rotary(nn.Module):
    def __init__(self, head_dim: int, theta: float):
        super().__init__()
        inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
        self.register_buffer("inv_freq", inv, persistent=False)  # (Dh/2,) float32

    def forward(self, positions: torch.Tensor, dtype: torch.dtype):
        # angles in float32 as the official code computes them, then cast
        freqs = positions.float()[:, None] * self.inv_freq.float()[None, :]  # (T, Dh/2)
        emb = torch.cat([freqs, freqs], dim=-1)  # (T, Dh)
        return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([-x2, x1], dim=-1)


def apply_rotary(x, cos, sin):
    return x * cos + rotate_half(x) * sin  # x: (B, H, T, Dh); cos, sin: (T, Dh)


def repeat_kv(x: torch.Tensor, groups: int) -> torch.Tensor:
    """(B, Hkv, T, Dh) -> (B, Hkv * groups, T, Dh): kv head j becomes heads
    j*groups .. j*groups + groups - 1."""
    if groups == 1:
        return x
    B, Hkv, T, Dh = x.shape
    return x[:, :, None].expand(B, Hkv, groups, T, Dh).reshape(B, Hkv * groups, T, Dh)


class Attention(nn.Module):
    def __init__(self, cfg: QwenConfig):
        super().__init__()
        D, Dh = cfg.hidden_size, cfg.head_dim
        self.cfg = cfg
        self.q_proj = nn.Linear(D, cfg.num_attention_heads * Dh, bias=cfg.qkv_bias)
        self.k_proj = nn.Linear(D, cfg.num_key_value_heads * Dh, bias=cfg.qkv_bias)
        self.v_proj = nn.Linear(D, cfg.num_key_value_heads * Dh, bias=cfg.qkv_bias)
        self.o_proj = nn.Linear(cfg.num_attention_heads * Dh, D, bias=cfg.o_bias)
        if cfg.qk_norm:
            self.q_norm = RMSNorm(Dh, cfg.rms_norm_eps)
            self.k_norm = RMSNorm(Dh, cfg.rms_norm_eps)

    def forward(self, x, cos, sin, mask, past=None):
        """x: (B, T, D); mask: (T, T_past + T) bool; past: None or (k, v), each
        (B, Hkv, T_past, Dh), rotated. Returns the output and this chunk's (k, v)."""
        B, T, _ = x.shape
        Dh = self.cfg.head_dim
        q = self.q_proj(x).view(B, T, -1, Dh)  # (B, T, H, Dh)
        k = self.k_proj(x).view(B, T, -1, Dh)  # (B, T, Hkv, Dh)
        v = self.v_proj(x).view(B, T, -1, Dh).transpose(1, 2)  # (B, Hkv, T, Dh)
        if self.cfg.qk_norm:
            q, k = self.q_norm(q), self.k_norm(k)  # per head, before rotary
        q = apply_rotary(q.transpose(1, 2), cos, sin)  # (B, H, T, Dh)
        k = apply_rotary(k.transpose(1, 2), cos, sin)  # (B, Hkv, T, Dh)
        k_all = k if past is None else torch.cat([past[0], k], dim=2)
        v_all = v if past is None else torch.cat([past[1], v], dim=2)
        g = self.cfg.kv_groups
        scores = (q @ repeat_kv(k_all, g).transpose(-2, -1)) * Dh ** -0.5  # (B, H, T, Tk)
        scores = scores.masked_fill(~mask, float("-inf"))  # every row keeps its own key
        sdt = torch.promote_types(scores.dtype, torch.float32)  # softmax in fp32 or wider
        probs = torch.softmax(scores.to(sdt), dim=-1).to(q.dtype)
        o = (probs @ repeat_kv(v_all, g)).transpose(1, 2).reshape(B, T, -1)  # (B, T, H*Dh)
        return self.o_proj(o), (k, v)


class MLP(nn.Module):
    def __init__(self, cfg: QwenConfig):
        super().__init__()
        D, I = cfg.hidden_size, cfg.intermediate_size
        self.gate_proj = nn.Linear(D, I, bias=False)
        self.up_proj = nn.Linear(D, I, bias=False)
        self.down_proj = nn.Linear(I, D, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg: QwenConfig):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.mlp = MLP(cfg)

    def forward(self, x, cos, sin, mask, past=None):
        a, kv = self.self_attn(self.input_layernorm(x), cos, sin, mask, past)
        x = x + a
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, kv


class QwenModel(nn.Module):
    """The decoder stack: the `model.` prefix of the checkpoint names."""

    def __init__(self, cfg: QwenConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList([DecoderLayer(cfg) for _ in range(cfg.num_hidden_layers)])
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.rotary_emb = Rotary(cfg.head_dim, cfg.rope_theta)


class KVCache:
    """Per-layer rotated keys and values (after k_norm), each (B, Hkv, T, Dh), and the
    absolute positions they were computed at."""

    def __init__(self):
        self.layers: Optional[list] = None
        self.positions = torch.zeros(0, dtype=torch.long)

    def __len__(self):
        return int(self.positions.shape[0])

    def append(self, new_kv, positions):
        if self.layers is None:
            self.layers = list(new_kv)
        else:
            self.layers = [(torch.cat([k0, k], dim=2), torch.cat([v0, v], dim=2))
                           for (k0, v0), (k, v) in zip(self.layers, new_kv)]
        self.positions = torch.cat([self.positions, positions.cpu()])


class QwenForCausalLM(nn.Module):
    def __init__(self, cfg: QwenConfig):
        super().__init__()
        self.config = cfg
        self.model = QwenModel(cfg)
        if not cfg.tie_word_embeddings:
            self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)

    def output_weight(self):
        return self.model.embed_tokens.weight if self.config.tie_word_embeddings \
            else self.lm_head.weight

    def run(self, tokens, positions, mask, past=None):
        """tokens: (B, T); positions: (T,) absolute; mask: (T, T_past + T);
        past: None or per-layer (k, v). Returns raw logits (B, T, V) and the
        chunk's per-layer (k, v)."""
        m = self.model
        x = m.embed_tokens(tokens)  # (B, T, D)
        cos, sin = m.rotary_emb(positions, x.dtype)
        new_kv = []
        for i, layer in enumerate(m.layers):
            x, kv = layer(x, cos, sin, mask, None if past is None else past[i])
            new_kv.append(kv)
        return F.linear(m.norm(x), self.output_weight()), new_kv

    # -- (a) the whole sequence under the block-causal mask ----------------------

    def forward(self, tokens, block_size: int):
        """tokens: (L,) or (B, L) at positions 0..L-1 -> raw logits (L, V) or (B, L, V)."""
        squeeze = tokens.dim() == 1
        tokens = tokens[None] if squeeze else tokens
        pos = torch.arange(tokens.shape[1], device=tokens.device)
        logits, _ = self.run(tokens, pos, block_causal_mask(pos, pos, block_size))
        return logits[0] if squeeze else logits

    # -- (b) a chunk after an explicit key/value cache ---------------------------

    def forward_chunk(self, tokens, cache: KVCache, positions=None,
                      block_size: Optional[int] = None, append: bool = False):
        """tokens: (B, T) or (T,), a chunk after the cached positions.

        positions: its absolute positions (default: len(cache) .. len(cache) + T - 1).
        Its queries see the cached keys and the chunk's keys under the block-causal
        mask over absolute positions (block_size None: everything, e.g. one block).
        It reproduces the whole-sequence pass when the cache holds whole blocks and
        the chunk starts a block (a block is only cached once it is complete).
        append=True adds the chunk's keys/values to the cache. Returns raw logits.
        """
        squeeze = tokens.dim() == 1
        tokens = tokens[None] if squeeze else tokens
        T = tokens.shape[1]
        if positions is None:
            positions = torch.arange(len(cache), len(cache) + T)
        positions = torch.as_tensor(positions, dtype=torch.long).to(tokens.device)
        keys = torch.cat([cache.positions.to(tokens.device), positions])
        mask = block_causal_mask(positions, keys, block_size)
        logits, new_kv = self.run(tokens, positions, mask, cache.layers)
        if append:
            cache.append(new_kv, positions)
        return logits[0] if squeeze else logits

    def forward_cached(self, tokens, block_size: int):
        """(a) computed block by block: each block first as a noisy pass without
        appending, then committed; equals forward(tokens, block_size)."""
        squeeze = tokens.dim() == 1
        tokens = tokens[None] if squeeze else tokens
        cache, out = KVCache(), []
        for s in range(0, tokens.shape[1], block_size):
            blk = tokens[:, s:s + block_size]
            out.append(self.forward_chunk(blk, cache))
            self.forward_chunk(blk, cache, append=True)
        logits = torch.cat(out, dim=1)
        return logits[0] if squeeze else logits


# ----------------------------------------------------------------------------
# Checkpoint folders


def read_weights(folder) -> dict[str, torch.Tensor]:
    """Every tensor of model.safetensors, or of the shards named by
    model.safetensors.index.json."""
    folder = Path(folder)
    index = folder / "model.safetensors.index.json"
    if index.is_file():
        with open(index, encoding="utf-8") as f:
            weight_map = json.load(f)["weight_map"]
        out = {}
        for shard in sorted(set(weight_map.values())):
            for name, t in load_file(folder / shard).items():
                if weight_map.get(name) != shard:
                    raise ValueError(f"{shard}: {name} is not mapped to this shard")
                out[name] = t
        missing = set(weight_map) - set(out)
        if missing:
            raise ValueError(f"{index}: tensors missing from the shards: {sorted(missing)[:5]}")
        return out
    return load_file(folder / "model.safetensors")


def check_state_dict(cfg: QwenConfig, sd: dict, origin: str = "state dict") -> None:
    want = expected_shapes(cfg)
    problems = [f"missing {n}" for n in want if n not in sd]
    problems += [f"unexpected tensor {n}" for n in sd if n not in want]
    problems += [f"{n}: shape {tuple(sd[n].shape)}, expected {s}"
                 for n, s in want.items() if n in sd and tuple(sd[n].shape) != s]
    if problems:
        raise ValueError(f"{origin}: " + "; ".join(problems[:8]))


def build_model(cfg: QwenConfig, sd: dict, dtype: torch.dtype = torch.float32) -> QwenForCausalLM:
    check_state_dict(cfg, sd)
    model = QwenForCausalLM(cfg)
    model.load_state_dict({n: t.to(torch.float64 if dtype == torch.float64 else torch.float32)
                           for n, t in sd.items()}, strict=True)
    return model.to(dtype).eval()


def load_folder(folder, dtype: torch.dtype = torch.float32) -> tuple[QwenForCausalLM, dict]:
    """Build the network from a Hugging Face folder. Returns (model in eval mode,
    config.json dict)."""
    folder = Path(folder)
    with open(folder / "config.json", encoding="utf-8") as f:
        raw = json.load(f)
    cfg = QwenConfig.from_hf(raw)
    sd = read_weights(folder)
    check_state_dict(cfg, sd, str(folder))
    return build_model(cfg, sd, dtype), raw


def init_std(name: str, shape, scheme: str, cfg: QwenConfig) -> tuple[float, float]:
    """(mean, std) of the random value of a tensor.

    "hf": what a fresh Hugging Face model looks like (initializer_range 0.02), with
      norms 1 + 0.02 noise and biases 0.02 noise so that they are not all alike;
    "strong": scales that keep activations O(1) (weights 1/sqrt(fan_in), embeddings 0.5,
      norms 1 + 0.1 noise, biases 0.1), so that a wrong detail shows in the logits.
    """
    leaf = name.rsplit(".", 1)[-1]
    norm = name.endswith("norm.weight")
    if scheme == "hf":
        return (1.0, 0.02) if norm else (0.0, 0.02)
    if scheme != "strong":
        raise ValueError(f"unknown init scheme {scheme!r}")
    if norm:
        return 1.0, 0.1
    if leaf == "bias":
        return 0.0, 0.1
    if name == "model.embed_tokens.weight":
        return 0.0, 0.5
    if name == "lm_head.weight":
        return 0.0, 2.0 / math.sqrt(shape[1])
    return 0.0, 1.0 / math.sqrt(shape[1])


def random_tensor(name: str, shape, dtype: torch.dtype, seed: int, scheme: str,
                  cfg: QwenConfig, chunk_elements: int = 1 << 24) -> torch.Tensor:
    """One tensor of a random checkpoint, drawn from its own generator (seeded by `seed`
    and the name), so it does not depend on the order tensors are made in, on the
    sharding, or on the file dtype (a bf16 file holds the f32 values rounded).
    Made in float32 chunks of rows and cast into the target dtype, so a big tensor
    needs little more than its own size."""
    mean, std = init_std(name, shape, scheme, cfg)
    g = torch.Generator().manual_seed((seed * 1_000_003 + zlib.crc32(name.encode())) % (1 << 62))
    out = torch.empty(shape, dtype=dtype)
    flat = out.view(shape[0], -1) if len(shape) > 1 else out.view(1, -1)
    rows = max(1, chunk_elements // max(1, flat.shape[1]))
    for r in range(0, flat.shape[0], rows):
        part = torch.randn((min(rows, flat.shape[0] - r), flat.shape[1]), generator=g,
                           dtype=torch.float32)
        flat[r:r + part.shape[0]] = part.mul_(std).add_(mean).to(dtype)
    return out


def random_state_dict(cfg: QwenConfig, seed: int = 0, scheme: str = "strong",
                      dtype: torch.dtype = torch.float32) -> dict[str, torch.Tensor]:
    return {n: random_tensor(n, s, dtype, seed, scheme, cfg)
            for n, s in expected_shapes(cfg).items()}
